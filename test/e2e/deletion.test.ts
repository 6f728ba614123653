import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startCluster, type TestCluster } from './harness.ts';

async function api(
  c: TestCluster,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await c.daemon.defaultCluster.client.transport.request({
    method,
    path,
    ...(body === undefined ? {} : { body: JSON.stringify(body), contentType: 'application/json' }),
  });
  return { status: res.status, body: JSON.parse(res.body) as Record<string, unknown> };
}

interface Named {
  metadata: { name: string; uid: string; ownerReferences?: { uid: string }[] };
}

/** A deployment and the replicaset and pod its controllers make for it. */
async function chain(c: TestCluster, name: string): Promise<{ rs: string; pod: string }> {
  const d = (
    await api(c, 'POST', '/apis/apps/v1/namespaces/gc/deployments', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    })
  ).body as unknown as Named;
  const owned = async (path: string, owner: string): Promise<string | undefined> => {
    const items = ((await api(c, 'GET', path)).body['items'] ?? []) as Named[];
    return items.find((i) => i.metadata.ownerReferences?.some((o) => o.uid === owner))?.metadata
      .name;
  };
  let rs: string | undefined;
  let pod: string | undefined;
  await eventually('the replicaset and its pod', async () => {
    rs = await owned('/apis/apps/v1/namespaces/gc/replicasets', d.metadata.uid);
    if (rs === undefined) return false;
    const rsObj = (await api(c, 'GET', `/apis/apps/v1/namespaces/gc/replicasets/${rs}`))
      .body as unknown as Named;
    pod = await owned('/api/v1/namespaces/gc/pods', rsObj.metadata.uid);
    return pod !== undefined;
  });
  return { rs: rs ?? '', pod: pod ?? '' };
}

describe('deletion: propagation policies and eviction (kubectl 1.32)', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster();
    await api(c, 'POST', '/api/v1/namespaces', { metadata: { name: 'gc' } });
  });
  after(async () => {
    await c.stop();
  });

  const exists = async (path: string): Promise<boolean> =>
    (await api(c, 'GET', path)).status === 200;

  it('background: the garbage collector removes dependents after the owner', async () => {
    const { rs, pod } = await chain(c, 'bg');
    const r = await c.kubectl('1.32', ['delete', 'deployment', 'bg', '-n', 'gc']);
    assert.equal(r.code, 0, r.stderr);
    await eventually(
      'the replicaset and pod to be collected',
      async () =>
        !(await exists(`/apis/apps/v1/namespaces/gc/replicasets/${rs}`)) &&
        !(await exists(`/api/v1/namespaces/gc/pods/${pod}`)),
    );
  });

  it('foreground: the owner waits for its dependents, then goes', async () => {
    const { rs, pod } = await chain(c, 'fg');
    const r = await c.kubectl('1.32', [
      'delete',
      'deployment',
      'fg',
      '-n',
      'gc',
      '--cascade=foreground',
      '--timeout=60s',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await exists('/apis/apps/v1/namespaces/gc/deployments/fg'), false);
    assert.equal(await exists(`/apis/apps/v1/namespaces/gc/replicasets/${rs}`), false);
    assert.equal(await exists(`/api/v1/namespaces/gc/pods/${pod}`), false);
  });

  it('orphan: dependents stay, without the owner reference', async () => {
    const { rs } = await chain(c, 'or');
    const r = await c.kubectl('1.32', [
      'delete',
      'deployment',
      'or',
      '-n',
      'gc',
      '--cascade=orphan',
      '--timeout=60s',
    ]);
    assert.equal(r.code, 0, r.stderr);
    await eventually(
      'the deployment to go',
      async () => !(await exists('/apis/apps/v1/namespaces/gc/deployments/or')),
    );
    const rsObj = (await api(c, 'GET', `/apis/apps/v1/namespaces/gc/replicasets/${rs}`))
      .body as unknown as Named;
    assert.equal(rsObj.metadata.ownerReferences, undefined);
    // The orphaned replicaset lives on and keeps a pod of its own.
    await eventually('the orphaned replicaset to keep its pod', async () => {
      const pods = ((await api(c, 'GET', '/api/v1/namespaces/gc/pods')).body['items'] ??
        []) as Named[];
      return pods.some((p) =>
        p.metadata.ownerReferences?.some((o) => o.uid === rsObj.metadata.uid),
      );
    });
  });

  it('eviction honours a PodDisruptionBudget (429), and evicts when it allows', async () => {
    await api(c, 'POST', '/api/v1/namespaces/gc/pods', {
      metadata: { name: 'guarded', labels: { app: 'db' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    await api(c, 'POST', '/apis/policy/v1/namespaces/gc/poddisruptionbudgets', {
      metadata: { name: 'db' },
      spec: { minAvailable: 1, selector: { matchLabels: { app: 'db' } } },
    });
    const blocked = await api(c, 'POST', '/api/v1/namespaces/gc/pods/guarded/eviction', {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'guarded', namespace: 'gc' },
    });
    assert.equal(blocked.status, 429);
    assert.equal(blocked.body['reason'], 'TooManyRequests');
    assert.match(String(blocked.body['message']), /disruption budget/);
    // A second healthy pod gives the budget room: the disruption controller then allows one.
    await api(c, 'POST', '/api/v1/namespaces/gc/pods', {
      metadata: { name: 'spare', labels: { app: 'db' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    });
    for (const name of ['guarded', 'spare']) {
      const pod = (await api(c, 'GET', `/api/v1/namespaces/gc/pods/${name}`)).body;
      await api(c, 'PUT', `/api/v1/namespaces/gc/pods/${name}/status`, {
        ...pod,
        status: {
          phase: 'Running',
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      });
    }
    await eventually('the budget allows a disruption', async () => {
      const pdb = (await api(c, 'GET', '/apis/policy/v1/namespaces/gc/poddisruptionbudgets/db'))
        .body;
      const status = pdb['status'] as { disruptionsAllowed?: number } | undefined;
      return status?.disruptionsAllowed === 1;
    });
    const ok = await api(c, 'POST', '/api/v1/namespaces/gc/pods/guarded/eviction', {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: 'guarded', namespace: 'gc' },
    });
    assert.equal(ok.status, 201);
    assert.equal(await exists('/api/v1/namespaces/gc/pods/guarded'), false);
  });
});

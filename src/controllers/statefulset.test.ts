import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { rfc3339, systemClock } from '../util/index.ts';
import {
  eventually,
  listPods,
  podTemplate,
  runFakeKubelet,
  startCluster,
} from '../../test/support/controller-kit.ts';
import { StatefulSetController } from './statefulset.ts';
import { asStatefulSet, type StatefulSet } from './statefulset-pods.ts';

const STS = '/apis/apps/v1/namespaces/default/statefulsets';
const PODS = '/api/v1/namespaces/default/pods';

interface Env {
  readonly cluster: Cluster;
  readonly ac: AbortController;
  readonly running: Promise<unknown>;
}

let env: Env | undefined;

afterEach(async () => {
  if (!env) return;
  env.ac.abort();
  await env.running;
  env.cluster.close();
  env = undefined;
});

/** With `kubelet: false` pods stay Pending until the test marks them ready. */
async function start(opts: { kubelet: boolean }): Promise<Cluster> {
  const cluster = await startCluster();
  const ac = new AbortController();
  const running = Promise.all([
    new StatefulSetController({ client: cluster.client, sleep: realSleep, clock: systemClock }).run(
      ac.signal,
    ),
    runFakeKubelet({ client: cluster.client, signal: ac.signal, shouldRun: () => opts.kubelet }),
  ]);
  env = { cluster, ac, running };
  return cluster;
}

function statefulSet(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 3,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }),
      ...spec,
    },
  };
}

const dataClaim = {
  metadata: { name: 'data' },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
};

async function getSts(c: Cluster, name: string): Promise<StatefulSet> {
  return asStatefulSet(await c.client.get(`${STS}/${name}`));
}

async function podNames(c: Cluster): Promise<string[]> {
  return (await listPods(c.client))
    .filter((p) => p.metadata.deletionTimestamp === undefined)
    .map((p) => p.metadata.name ?? '')
    .sort();
}

async function markReady(c: Cluster, name: string): Promise<void> {
  await c.client.patch(`${PODS}/${name}/status`, {
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(Date.now()) }],
    },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

test('OrderedReady creates one pod at a time, each with its claim', async () => {
  const c = await start({ kubelet: false });
  await c.client.create(STS, statefulSet('web', { volumeClaimTemplates: [dataClaim] }));
  await eventually(async () => ((await podNames(c)).join() === 'web-0' ? true : undefined));
  await sleep(100);
  assert.deepEqual(await podNames(c), ['web-0'], 'web-1 waits for web-0 to be ready');

  const pod = await c.client.get(`${PODS}/web-0`);
  const labels = pod.metadata.labels ?? {};
  assert.equal(labels['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(labels['apps.kubernetes.io/pod-index'], '0');
  assert.match(labels['controller-revision-hash'] ?? '', /^web-[a-z0-9]+$/);
  const spec = pod['spec'] as { hostname: string; subdomain: string; volumes: unknown[] };
  assert.equal(spec.hostname, 'web-0');
  assert.equal(spec.subdomain, 'web');
  assert.deepEqual(spec.volumes[0], {
    name: 'data',
    persistentVolumeClaim: { claimName: 'data-web-0' },
  });
  const pvc = await c.client.get('/api/v1/namespaces/default/persistentvolumeclaims/data-web-0');
  assert.equal(pvc.metadata.labels?.['app'], 'web');
  assert.equal(pvc.metadata.ownerReferences, undefined, 'Retain is the default');

  for (const [i, expected] of [
    [0, 'web-0,web-1'],
    [1, 'web-0,web-1,web-2'],
  ] as const) {
    await markReady(c, `web-${String(i)}`);
    await eventually(async () => ((await podNames(c)).join() === expected ? true : undefined));
  }
  await markReady(c, 'web-2');
  const sts = await eventually(async () => {
    const s = await getSts(c, 'web');
    return s.status?.readyReplicas === 3 ? s : undefined;
  });
  const st = sts.status;
  assert.ok(st);
  assert.equal(st.replicas, 3);
  assert.equal(st.availableReplicas, 3);
  assert.equal(st.currentReplicas, 3);
  assert.equal(st.updatedReplicas, 3);
  assert.equal(st.currentRevision, labels['controller-revision-hash']);
  assert.equal(st.updateRevision, st.currentRevision);
  assert.equal(st.collisionCount, 0);
  assert.equal(st.observedGeneration, sts.metadata.generation);
  const claims = await c.client.list('/api/v1/namespaces/default/persistentvolumeclaims');
  assert.deepEqual(claims.items.map((p) => p.metadata.name).sort(), [
    'data-web-0',
    'data-web-1',
    'data-web-2',
  ]);
  const events = await c.client.list('/api/v1/namespaces/default/events');
  const messages = events.items.map((e) => e['message']);
  assert.ok(messages.includes('create Pod web-0 in StatefulSet web successful'));
  assert.ok(messages.includes('create Claim data-web-1 Pod web-1 in StatefulSet web success'));
});

test('scale down removes the highest ordinal first', async () => {
  const c = await start({ kubelet: true });
  await c.client.create(STS, statefulSet('db', { replicas: 4 }));
  await eventually(async () =>
    (await getSts(c, 'db')).status?.readyReplicas === 4 ? true : undefined,
  );
  const seen: string[] = [];
  const stop = { now: false };
  const watcher = (async () => {
    while (!stop.now) {
      const names = (await podNames(c)).join();
      if (seen.at(-1) !== names) seen.push(names);
      await sleep(1);
    }
  })();
  await c.client.patch(`${STS}/db`, { spec: { replicas: 1 } });
  await eventually(async () => ((await podNames(c)).join() === 'db-0' ? true : undefined));
  stop.now = true;
  await watcher;
  const valid = new Set(['db-0,db-1,db-2,db-3', 'db-0,db-1,db-2', 'db-0,db-1', 'db-0']);
  for (const s of seen) assert.ok(valid.has(s), `unexpected pod set ${s}`);
  const events = await c.client.list('/api/v1/namespaces/default/events');
  const messages = events.items.map((e) => e['message']);
  assert.ok(messages.includes('delete Pod db-3 in StatefulSet db successful'));
});

async function images(c: Cluster): Promise<string> {
  const pods = await listPods(c.client);
  return pods
    .filter((p) => p.metadata.deletionTimestamp === undefined)
    .sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''))
    .map((p) => (p['spec'] as { containers: { image: string }[] }).containers[0]?.image ?? '')
    .join();
}

test('a rolling update honours the partition and goes in reverse ordinal order', async () => {
  const c = await start({ kubelet: true });
  await c.client.create(
    STS,
    statefulSet('kv', {
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } },
    }),
  );
  await eventually(async () =>
    (await getSts(c, 'kv')).status?.readyReplicas === 3 ? true : undefined,
  );
  await c.client.patch(`${STS}/kv`, { spec: { template: podTemplate({ app: 'kv' }, 'v2') } });
  await eventually(async () =>
    (await images(c)) === 'nginx:1.27,nginx:1.27,v2' ? true : undefined,
  );
  await sleep(100);
  assert.equal(await images(c), 'nginx:1.27,nginx:1.27,v2', 'ordinals below 2 keep the old one');
  const partial = await eventually(async () => {
    const s = await getSts(c, 'kv');
    return s.status?.updatedReplicas === 1 && s.status.readyReplicas === 3 ? s : undefined;
  });
  assert.notEqual(partial.status?.currentRevision, partial.status?.updateRevision);
  assert.equal(partial.status?.currentReplicas, 2);

  const seen = new Set<string>();
  const stop = { now: false };
  const watcher = (async () => {
    while (!stop.now) {
      seen.add(await images(c));
      await sleep(1);
    }
  })();
  await c.client.patch(`${STS}/kv`, {
    spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } },
  });
  const done = await eventually(async () => {
    const s = await getSts(c, 'kv');
    return s.status?.updatedReplicas === 3 &&
      s.status.readyReplicas === 3 &&
      s.status.currentRevision === s.status.updateRevision
      ? s
      : undefined;
  });
  stop.now = true;
  await watcher;
  assert.ok(!seen.has('v2,nginx:1.27,v2'), 'kv-0 is never updated before kv-1');
  assert.equal(await images(c), 'v2,v2,v2');
  assert.equal(done.status?.currentReplicas, 3);
  const revs = await c.client.list('/apis/apps/v1/namespaces/default/controllerrevisions');
  assert.deepEqual(revs.items.map((r) => r['revision']).sort(), [1, 2]);
});

test('Parallel with ordinals.start creates all pods at once; Delete retention owns claims', async () => {
  const c = await start({ kubelet: false });
  await c.client.create(
    STS,
    statefulSet('par', {
      replicas: 2,
      podManagementPolicy: 'Parallel',
      ordinals: { start: 5 },
      volumeClaimTemplates: [dataClaim],
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    }),
  );
  await eventually(async () => ((await podNames(c)).join() === 'par-5,par-6' ? true : undefined));
  const sts = await getSts(c, 'par');
  const pvc = await c.client.get('/api/v1/namespaces/default/persistentvolumeclaims/data-par-5');
  assert.deepEqual(
    pvc.metadata.ownerReferences?.map((r) => [r.kind, r.uid]),
    [['StatefulSet', sts.metadata.uid]],
  );
  const pod = await c.client.get(`${PODS}/par-6`);
  assert.equal(pod.metadata.labels?.['apps.kubernetes.io/pod-index'], '6');
  // A deleted pod comes back under the same name.
  await c.client.delete(`${PODS}/par-6`);
  await eventually(async () => {
    const again = await c.client.get(`${PODS}/par-6`);
    return again.metadata.uid !== pod.metadata.uid ? true : undefined;
  });
});

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { systemClock } from '../util/index.ts';
import { DeploymentController } from './deployment.ts';
import { asDeployment, asReplicaSet, type Deployment } from './deployment-objects.ts';
import {
  eventually,
  listPods,
  podTemplate,
  runFakeKubelet,
  startCluster,
} from '../../test/support/controller-kit.ts';
import { ReplicaSetController } from './replicaset.ts';

const DEPLOY = '/apis/apps/v1/namespaces/default/deployments';
const RS = '/apis/apps/v1/namespaces/default/replicasets';

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

async function start(shouldRun?: (pod: KubeObject) => boolean): Promise<Cluster> {
  const cluster = await startCluster();
  const ac = new AbortController();
  const opts = { client: cluster.client, sleep: realSleep, clock: systemClock };
  const running = Promise.all([
    new ReplicaSetController(opts).run(ac.signal),
    new DeploymentController(opts).run(ac.signal),
    runFakeKubelet({
      client: cluster.client,
      signal: ac.signal,
      ...(shouldRun ? { shouldRun } : {}),
    }),
  ]);
  env = { cluster, ac, running };
  return cluster;
}

function deployment(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }),
      ...spec,
    },
  };
}

async function getDeploy(c: Cluster, name: string): Promise<Deployment> {
  return asDeployment(await c.client.get(`${DEPLOY}/${name}`));
}

/** `kubectl rollout status`'s test for a finished rollout. */
function rolledOut(d: Deployment): boolean {
  const s = d.status ?? {};
  const want = d.spec.replicas ?? 1;
  return (
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) >= want
  );
}

async function waitRolledOut(c: Cluster, name: string): Promise<Deployment> {
  return eventually(async () => {
    const d = await getDeploy(c, name);
    return rolledOut(d) ? d : undefined;
  });
}

async function replicaSets(c: Cluster): Promise<KubeObject[]> {
  return (await c.client.list(RS)).items;
}

async function eventMessages(c: Cluster, reason: string): Promise<string[]> {
  const items = (await c.client.list('/api/v1/namespaces/default/events')).items;
  return items.filter((e) => e['reason'] === reason).map((e) => String(e['message']));
}

test('creates a ReplicaSet and pods and becomes Available', async () => {
  const c = await start();
  await c.client.create(DEPLOY, deployment('web'));
  const d = await waitRolledOut(c, 'web');
  const st = d.status ?? {};
  assert.equal(st.observedGeneration, 1);
  assert.equal(st.readyReplicas, 3);
  assert.equal(st.unavailableReplicas, undefined);
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
  const available = st.conditions?.find((x) => x.type === 'Available');
  assert.equal(available?.reason, 'MinimumReplicasAvailable');
  assert.equal(available.message, 'Deployment has minimum availability.');
  const rss = await replicaSets(c);
  assert.equal(rss.length, 1);
  const rs = asReplicaSet(rss[0] ?? { metadata: {} });
  const hash = rs.metadata.labels?.['pod-template-hash'] ?? '';
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rs.metadata.name, `web-${hash}`);
  assert.equal(rs.spec.selector.matchLabels?.['pod-template-hash'], hash);
  assert.equal(rs.spec.template.metadata?.labels?.['pod-template-hash'], hash);
  const ann = rs.metadata.annotations ?? {};
  assert.equal(ann['deployment.kubernetes.io/revision'], '1');
  assert.equal(ann['deployment.kubernetes.io/desired-replicas'], '3');
  assert.equal(ann['deployment.kubernetes.io/max-replicas'], '4');
  const progressing = await eventually(async () => {
    const p = (await getDeploy(c, 'web')).status?.conditions?.find((x) => x.type === 'Progressing');
    return p?.reason === 'NewReplicaSetAvailable' ? p : undefined;
  });
  assert.equal(progressing.message, `ReplicaSet "web-${hash}" has successfully progressed.`);
  assert.deepEqual(await eventMessages(c, 'ScalingReplicaSet'), [
    `Scaled up replica set web-${hash} from 0 to 3`,
  ]);
  assert.equal((await listPods(c.client)).length, 3);
});

test('an image change rolls within maxSurge and maxUnavailable', async () => {
  const c = await start();
  await c.client.create(
    DEPLOY,
    deployment('web', {
      replicas: 4,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
    }),
  );
  await waitRolledOut(c, 'web');
  let maxPods = 0;
  let minReady = Infinity;
  const state = { sampling: true };
  const sampler = (async () => {
    while (state.sampling) {
      const pods = (await listPods(c.client)).filter(
        (p) => p.metadata.deletionTimestamp === undefined,
      );
      maxPods = Math.max(maxPods, pods.length);
      const ready = pods.filter((p) =>
        (
          p['status'] as { conditions?: { type: string; status: string }[] } | undefined
        )?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True'),
      );
      minReady = Math.min(minReady, ready.length);
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await c.client.patch(`${DEPLOY}/web`, {
    spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.28' }] } } },
  });
  const d = await eventually(async () => {
    const x = await getDeploy(c, 'web');
    return x.metadata.generation === 2 && rolledOut(x) ? x : undefined;
  });
  state.sampling = false;
  await sampler;
  assert.ok(maxPods <= 5, `at most replicas + maxSurge pods at once, saw ${String(maxPods)}`);
  assert.ok(minReady >= 3, `at least replicas - maxUnavailable ready, saw ${String(minReady)}`);
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  const pods = await listPods(c.client);
  assert.equal(pods.length, 4);
  for (const p of pods)
    assert.equal(
      (p['spec'] as { containers: { image: string }[] }).containers[0]?.image,
      'nginx:1.28',
    );
  const rss = (await replicaSets(c)).map(asReplicaSet);
  assert.equal(rss.length, 2);
  assert.deepEqual(rss.map((r) => r.spec.replicas).sort(), [0, 4]);
  const scaled = await eventMessages(c, 'ScalingReplicaSet');
  assert.ok(scaled.some((m) => /^Scaled down replica set web-\w+ from \d to \d$/.test(m)));
});

async function setImage(c: Cluster, image: string): Promise<void> {
  await c.client.patch(`${DEPLOY}/web`, {
    spec: { template: { spec: { containers: [{ name: 'c', image }] } } },
  });
}

async function waitGeneration(c: Cluster, generation: number): Promise<Deployment> {
  return eventually(async () => {
    const x = await getDeploy(c, 'web');
    return x.metadata.generation === generation && rolledOut(x) ? x : undefined;
  });
}

function imagesOf(pods: readonly KubeObject[]): string[] {
  // SAFETY: pods created from a template that has one container.
  return pods.map(
    (p) => (p['spec'] as { containers: { image: string }[] }).containers[0]?.image ?? '',
  );
}

test('Recreate removes every old pod before creating new ones', async () => {
  const c = await start();
  await c.client.create(DEPLOY, deployment('web', { strategy: { type: 'Recreate' } }));
  await waitRolledOut(c, 'web');
  const state = { sampling: true, mixed: false };
  const sampler = (async () => {
    while (state.sampling) {
      const images = new Set(imagesOf(await listPods(c.client)));
      if (images.size > 1) state.mixed = true;
      await new Promise((r) => setTimeout(r, 1));
    }
  })();
  await setImage(c, 'nginx:1.28');
  await waitGeneration(c, 2);
  state.sampling = false;
  await sampler;
  assert.equal(state.mixed, false, 'old and new pods never run together');
  assert.deepEqual(imagesOf(await listPods(c.client)), ['nginx:1.28', 'nginx:1.28', 'nginx:1.28']);
});

test('revisionHistoryLimit deletes the oldest empty ReplicaSets; undo reuses an old one', async () => {
  const c = await start();
  await c.client.create(DEPLOY, deployment('web', { replicas: 1, revisionHistoryLimit: 1 }));
  await waitRolledOut(c, 'web');
  const first = asReplicaSet((await replicaSets(c))[0] ?? { metadata: {} });
  await setImage(c, 'nginx:1.28');
  await waitGeneration(c, 2);
  await setImage(c, 'nginx:1.29');
  await waitGeneration(c, 3);
  const rss = await eventually(async () => {
    const l = (await replicaSets(c)).map(asReplicaSet);
    return l.length === 2 ? l : undefined;
  });
  assert.ok(!rss.some((r) => r.metadata.name === first.metadata.name), 'revision 1 is gone');
  const revs = rss.map((r) => r.metadata.annotations?.['deployment.kubernetes.io/revision']).sort();
  assert.deepEqual(revs, ['2', '3']);

  // What `kubectl rollout undo` sends: the previous ReplicaSet's template, hash label removed.
  await setImage(c, 'nginx:1.28');
  const d = await waitGeneration(c, 4);
  assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '4');
  const after = await eventually(async () => {
    const l = (await replicaSets(c)).map(asReplicaSet);
    return l.length === 2 ? l : undefined;
  });
  const revived = after.find((r) => r.spec.replicas === 1);
  const ann = revived?.metadata.annotations ?? {};
  assert.equal(ann['deployment.kubernetes.io/revision'], '4');
  assert.equal(ann['deployment.kubernetes.io/revision-history'], '2');
  assert.deepEqual(imagesOf(await listPods(c.client)), ['nginx:1.28']);
});

test('a paused deployment scales but does not roll until resumed', async () => {
  const c = await start();
  await c.client.create(DEPLOY, deployment('web', { replicas: 2 }));
  await waitRolledOut(c, 'web');
  await c.client.patch(`${DEPLOY}/web`, { spec: { paused: true } });
  const paused = await eventually(async () => {
    const x = await getDeploy(c, 'web');
    const p = x.status?.conditions?.find((k) => k.type === 'Progressing');
    return p?.reason === 'DeploymentPaused' ? p : undefined;
  });
  assert.equal(paused.status, 'Unknown');
  assert.equal(paused.message, 'Deployment is paused');
  await setImage(c, 'nginx:1.28');
  await c.client.patch(`${DEPLOY}/web`, { spec: { replicas: 3 } });
  await eventually(async () => {
    const x = await getDeploy(c, 'web');
    return x.status?.observedGeneration === 4 && x.status.availableReplicas === 3 ? x : undefined;
  });
  assert.equal((await replicaSets(c)).length, 1, 'no new ReplicaSet while paused');
  assert.deepEqual(imagesOf(await listPods(c.client)), ['nginx:1.27', 'nginx:1.27', 'nginx:1.27']);

  await c.client.patch(`${DEPLOY}/web`, { spec: { paused: false } });
  await waitGeneration(c, 5);
  assert.deepEqual(imagesOf(await listPods(c.client)), ['nginx:1.28', 'nginx:1.28', 'nginx:1.28']);
});

test('a rollout that cannot progress reports ProgressDeadlineExceeded', async () => {
  const c = await start((pod) => (pod.metadata.labels?.['app'] ?? '') !== 'stuck');
  await c.client.create(DEPLOY, deployment('stuck', { replicas: 1, progressDeadlineSeconds: 1 }));
  const cond = await eventually(async () => {
    const x = asDeployment(await c.client.get(`${DEPLOY}/stuck`));
    const p = x.status?.conditions?.find((k) => k.type === 'Progressing');
    return p?.reason === 'ProgressDeadlineExceeded' ? p : undefined;
  }, 4500);
  assert.equal(cond.status, 'False');
  assert.match(cond.message ?? '', /^ReplicaSet "stuck-\w+" has timed out progressing\.$/);
});

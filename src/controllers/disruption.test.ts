import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { JsonObject, KubeObject, OwnerReference } from '../api/index.ts';
import { realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { ManualClock, rfc3339 } from '../util/index.ts';
import { eventually, startCluster } from '../../test/support/controller-kit.ts';
import { DisruptionController, scaledValue } from './disruption.ts';

const PDB = '/apis/policy/v1/namespaces/default/poddisruptionbudgets';
const PODS = '/api/v1/namespaces/default/pods';

let cluster: Cluster;
let ac: AbortController;
let running: Promise<unknown>;
let clock: ManualClock;

beforeEach(async () => {
  cluster = await startCluster();
  clock = new ManualClock(Date.now());
  ac = new AbortController();
  running = new DisruptionController({ client: cluster.client, sleep: realSleep, clock }).run(
    ac.signal,
  );
});

afterEach(async () => {
  ac.abort();
  await running;
  cluster.close();
});

async function owner(kind: 'ReplicaSet' | 'Deployment', replicas: number): Promise<OwnerReference> {
  const plural = kind === 'ReplicaSet' ? 'replicasets' : 'deployments';
  const made = await cluster.client.create(`/apis/apps/v1/namespaces/default/${plural}`, {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: `own-${plural}` },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      },
    },
  });
  return {
    apiVersion: 'apps/v1',
    kind,
    name: made.metadata.name ?? '',
    uid: made.metadata.uid ?? '',
    controller: true,
  };
}

async function pod(name: string, ref: OwnerReference | undefined, ready = true): Promise<void> {
  await cluster.client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'db' }, ...(ref ? { ownerReferences: [ref] } : {}) },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  });
  await setReady(name, ready);
}

async function setReady(name: string, ready: boolean): Promise<void> {
  await cluster.client.patch(`${PODS}/${name}/status`, {
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
}

function pdb(name: string, spec: JsonObject): KubeObject {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: { name },
    spec: { selector: { matchLabels: { app: 'db' } }, ...spec },
  };
}

async function statusWhen(name: string, ok: (s: JsonObject) => boolean): Promise<JsonObject> {
  return eventually(async () => {
    const o = await cluster.client.get(`${PDB}/${name}`);
    const s = (o['status'] ?? {}) as JsonObject; // SAFETY: test reads.
    return ok(s) ? s : undefined;
  });
}

test('scaled values round up as intstr does', () => {
  assert.equal(scaledValue('50%', 3), 2);
  assert.equal(scaledValue('10%', 10), 1);
  assert.equal(scaledValue(4, 10), 4);
  assert.throws(() => scaledValue('x%', 3));
});

test('minAvailable counts pods; losing readiness removes the allowance', async () => {
  const rs = await owner('ReplicaSet', 3);
  for (const n of ['a', 'b', 'c']) await pod(n, rs);
  await cluster.client.create(PDB, pdb('min', { minAvailable: 2 }));
  const s = await statusWhen('min', (x) => x['currentHealthy'] === 3);
  assert.equal(s['desiredHealthy'], 2);
  assert.equal(s['expectedPods'], 3);
  assert.equal(s['disruptionsAllowed'], 1);
  assert.equal(s['observedGeneration'], 1);
  const cond = (s['conditions'] as JsonObject[])[0]; // SAFETY: test reads.
  assert.equal(cond?.['type'], 'DisruptionAllowed');
  assert.equal(cond['status'], 'True');
  assert.equal(cond['reason'], 'SufficientPods');
  await setReady('a', false);
  const after = await statusWhen('min', (x) => x['currentHealthy'] === 2);
  assert.equal(after['disruptionsAllowed'], 0);
  const c2 = (after['conditions'] as JsonObject[])[0]; // SAFETY: test reads.
  assert.equal(c2?.['reason'], 'InsufficientPods');
  assert.equal(c2['status'], 'False');
});

test('maxUnavailable percentages use the Deployment scale behind a ReplicaSet', async () => {
  const dep = await owner('Deployment', 4);
  const rs = await cluster.client.create('/apis/apps/v1/namespaces/default/replicasets', {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'dep-rs', ownerReferences: [dep] },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      },
    },
  });
  const ref = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: 'dep-rs',
    uid: rs.metadata.uid ?? '',
    controller: true,
  };
  for (const n of ['a', 'b', 'c']) await pod(n, ref);
  await cluster.client.create(PDB, pdb('max', { maxUnavailable: '25%' }));
  const s = await statusWhen('max', (x) => x['expectedPods'] === 4);
  assert.equal(s['desiredHealthy'], 3);
  assert.equal(s['currentHealthy'], 3);
  assert.equal(s['disruptionsAllowed'], 0);
});

test('stale disruptedPods entries are cleared; fresh ones do not count as healthy', async () => {
  const rs = await owner('ReplicaSet', 2);
  await pod('a', rs);
  await pod('b', rs);
  await cluster.client.create(PDB, pdb('d', { minAvailable: 1 }));
  await statusWhen('d', (x) => x['currentHealthy'] === 2);
  const live = await cluster.client.get(`${PDB}/d`);
  const now = clock.now();
  await cluster.client.update(`${PDB}/d/status`, {
    ...live,
    status: {
      ...(live['status'] as JsonObject), // SAFETY: test reads.
      disruptedPods: { a: rfc3339(now - 5 * 60_000), b: rfc3339(now) },
    },
  });
  const s = await statusWhen(
    'd',
    (x) =>
      x['currentHealthy'] === 1 &&
      JSON.stringify(x['disruptedPods']) === JSON.stringify({ b: rfc3339(now) }),
  );
  assert.equal(s['disruptionsAllowed'], 0);
});

test('unmanaged pods with a percentage are reported', async () => {
  await pod('lonely', undefined);
  await cluster.client.create(PDB, pdb('pct', { minAvailable: '50%' }));
  await statusWhen('pct', (x) => x['observedGeneration'] === 1);
  const events = await eventually(async () => {
    const list = (await cluster.client.list('/api/v1/namespaces/default/events')).items;
    return list.some((e) => e['reason'] === 'UnmanagedPods') ? list : undefined;
  });
  assert.ok(events.length > 0);
});

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { systemClock } from '../util/index.ts';
import { asReplicaSet } from './deployment-objects.ts';
import {
  eventually,
  listPods,
  podTemplate,
  runFakeKubelet,
  startCluster,
} from '../../test/support/controller-kit.ts';
import { ReplicaSetController } from './replicaset.ts';

const RS = '/apis/apps/v1/namespaces/default/replicasets';

let cluster: Cluster;
let ac: AbortController;
let running: Promise<unknown>;

beforeEach(async () => {
  cluster = await startCluster();
  ac = new AbortController();
  const rsc = new ReplicaSetController({
    client: cluster.client,
    sleep: realSleep,
    clock: systemClock,
  });
  running = Promise.all([
    rsc.run(ac.signal),
    runFakeKubelet({ client: cluster.client, signal: ac.signal }),
  ]);
});

afterEach(async () => {
  ac.abort();
  await running;
  cluster.close();
});

function replicaSet(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name, namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }),
    },
  };
}

async function rsStatus(name: string): Promise<Record<string, unknown>> {
  const rs = asReplicaSet(await cluster.client.get(`${RS}/${name}`));
  return { ...rs.status, generation: rs.metadata.generation };
}

test('creates the missing pods, reports status, then scales down', async () => {
  await cluster.client.create(RS, replicaSet('web', 3));
  const st = await eventually(async () => {
    const s = await rsStatus('web');
    return s['availableReplicas'] === 3 && s['observedGeneration'] === 1 ? s : undefined;
  });
  assert.equal(st['replicas'], 3);
  assert.equal(st['readyReplicas'], 3);
  assert.equal(st['fullyLabeledReplicas'], 3);
  const pods = await listPods(cluster.client);
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.match(p.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
    assert.deepEqual(p.metadata.labels, { app: 'web' });
    const ref = p.metadata.ownerReferences?.[0];
    assert.equal(ref?.kind, 'ReplicaSet');
    assert.equal(ref.controller, true);
    assert.equal(ref.blockOwnerDeletion, true);
  }
  const events = (await cluster.client.list('/api/v1/namespaces/default/events')).items;
  const created = events.filter((e) => e['reason'] === 'SuccessfulCreate');
  assert.equal(created.length, 3);
  assert.match(String(created[0]?.['message']), /^Created pod: web-/);
  assert.deepEqual(created[0]?.['source'], { component: 'replicaset-controller' });

  await cluster.client.patch(`${RS}/web`, { spec: { replicas: 1 } });
  await eventually(async () => {
    const s = await rsStatus('web');
    return s['replicas'] === 1 && s['observedGeneration'] === 2 ? s : undefined;
  });
  assert.equal((await listPods(cluster.client)).length, 1);
  const after = (await cluster.client.list('/api/v1/namespaces/default/events')).items;
  assert.equal(after.filter((e) => e['reason'] === 'SuccessfulDelete').length, 2);
});

test('replaces a deleted pod', async () => {
  await cluster.client.create(RS, replicaSet('web', 2));
  const pods = await eventually(async () => {
    const p = await listPods(cluster.client);
    return p.length === 2 ? p : undefined;
  });
  await cluster.client.delete(`/api/v1/namespaces/default/pods/${pods[0]?.metadata.name ?? ''}`);
  const again = await eventually(async () => {
    const p = await listPods(cluster.client);
    return p.length === 2 && !p.some((x) => x.metadata.name === pods[0]?.metadata.name)
      ? p
      : undefined;
  });
  assert.equal(again.length, 2);
});

test('adopts a matching orphan and releases a pod that stops matching', async () => {
  await cluster.client.create('/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'orphan', labels: { app: 'web' } },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
  await cluster.client.create(RS, replicaSet('web', 2));
  const pods = await eventually(async () => {
    const p = await listPods(cluster.client);
    return p.length === 2 && p.every((x) => x.metadata.ownerReferences?.length === 1)
      ? p
      : undefined;
  });
  const orphan = pods.find((p) => p.metadata.name === 'orphan');
  assert.equal(orphan?.metadata.ownerReferences?.[0]?.name, 'web');

  await cluster.client.patch('/api/v1/namespaces/default/pods/orphan', {
    metadata: { labels: { app: 'other' } },
  });
  const after = await eventually(async () => {
    const p = await listPods(cluster.client);
    const released = p.find((x) => x.metadata.name === 'orphan');
    return p.length === 3 && released?.metadata.ownerReferences === undefined ? p : undefined;
  });
  const owned = after.filter((p) => p.metadata.ownerReferences?.[0]?.name === 'web');
  assert.equal(owned.length, 2);
});

test('does not count terminating or finished pods', async () => {
  await cluster.client.create('/api/v1/namespaces/default/pods', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'done',
      labels: { app: 'web' },
      annotations: { 'kiln.test/kubelet': 'off' },
    },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  });
  await cluster.client.patch('/api/v1/namespaces/default/pods/done/status', {
    status: { phase: 'Succeeded' },
  });
  await cluster.client.create(RS, replicaSet('web', 1));
  const pods = await eventually(async () => {
    const p = await listPods(cluster.client);
    return p.length === 2 ? p : undefined;
  });
  const done = pods.find((p) => p.metadata.name === 'done');
  assert.equal(done?.metadata.ownerReferences, undefined);
});

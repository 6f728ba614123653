import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { JsonObject, KubeObject } from '../api/index.ts';
import { isNotFound, realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { ManualClock, rfc3339, rfc3339Micro } from '../util/index.ts';
import { eventually, startCluster } from '../../test/support/controller-kit.ts';
import { NodeLifecycleController } from './node-lifecycle.ts';
import { TaintEvictionController } from './node-lifecycle-eviction.ts';
import { asNode, type Taint } from './node-lifecycle-taints.ts';

const LEASES = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases';
const PODS = '/api/v1/namespaces/default/pods';

let cluster: Cluster;
let ac: AbortController;
let running: Promise<unknown>;
let clock: ManualClock;
let nlc: NodeLifecycleController;

beforeEach(async () => {
  cluster = await startCluster();
  clock = new ManualClock(Date.UTC(2026, 0, 1));
  ac = new AbortController();
  nlc = new NodeLifecycleController({
    client: cluster.client,
    sleep: realSleep,
    clock,
    monitorPeriodMs: 3_600_000,
  });
  const tec = new TaintEvictionController({
    client: cluster.client,
    sleep: realSleep,
    clock,
    recheckMs: 20,
  });
  running = Promise.all([nlc.run(ac.signal), tec.run(ac.signal)]);
});

afterEach(async () => {
  ac.abort();
  await running;
  cluster.close();
});

async function setNodeReady(status: 'True' | 'False'): Promise<void> {
  const at = rfc3339(clock.now());
  await cluster.client.patch(
    '/api/v1/nodes/n1/status',
    {
      status: {
        conditions: [
          {
            type: 'Ready',
            status,
            reason: 'KubeletReady',
            lastHeartbeatTime: at,
            lastTransitionTime: at,
          },
          {
            type: 'MemoryPressure',
            status: 'False',
            lastHeartbeatTime: at,
            lastTransitionTime: at,
          },
        ],
      },
    },
    'strategic',
  );
}

async function renewLease(): Promise<void> {
  const lease = await cluster.client.get(`${LEASES}/n1`);
  const spec = lease['spec'] as JsonObject; // SAFETY: test reads.
  await cluster.client.update(`${LEASES}/n1`, {
    ...lease,
    spec: { ...spec, renewTime: rfc3339Micro(clock.now()) },
  });
}

async function pod(name: string, tolerations: JsonObject[]): Promise<void> {
  await cluster.client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { nodeName: 'n1', tolerations, containers: [{ name: 'c', image: 'x' }] },
  });
  await cluster.client.patch(`${PODS}/${name}/status`, {
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] },
  });
}

async function gone(name: string): Promise<boolean> {
  try {
    const p = await cluster.client.get(`${PODS}/${name}`);
    return p.metadata.deletionTimestamp !== undefined;
  } catch (e: unknown) {
    return isNotFound(e);
  }
}

async function node(): Promise<KubeObject> {
  return cluster.client.get('/api/v1/nodes/n1');
}

/** Runs a monitor pass once the controller's caches show what `ready` expects. */
async function monitorWhen(ready: (n: KubeObject) => boolean): Promise<void> {
  await eventually(async () => (ready(await node()) ? true : undefined));
  await new Promise((r) => setTimeout(r, 30));
  await nlc.monitorNodes();
}

const taintsOf = (n: KubeObject): Taint[] => asNode(n).spec?.taints ?? [];

test('silent node: Unknown, tainted, pods not ready and evicted per toleration; recovery', async () => {
  await cluster.client.create('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
  });
  await setNodeReady('True');
  await cluster.client.create(LEASES, {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: 'n1' },
    spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: rfc3339Micro(clock.now()) },
  });
  const unreachable = {
    key: 'node.kubernetes.io/unreachable',
    operator: 'Exists',
    effect: 'NoExecute',
  };
  await pod('bounded', [{ ...unreachable, tolerationSeconds: 300 }]);
  // DefaultTolerationSeconds gives every pod 300 s; a zero toleration is evicted at once.
  await pod('none', [{ ...unreachable, tolerationSeconds: 0 }]);
  await pod('forever', [unreachable]);
  await eventually(async () => {
    const ev = await cluster.client.get(`${PODS}/forever`);
    return ev['status'] !== undefined ? true : undefined;
  });
  await monitorWhen(() => true);
  clock.advance(30_000);
  await renewLease();
  await eventually(async () => {
    const l = await cluster.client.get(`${LEASES}/n1`);
    return JSON.stringify(l).includes(rfc3339Micro(clock.now())) ? true : undefined;
  });
  await new Promise((r) => setTimeout(r, 30));
  await nlc.monitorNodes();
  clock.advance(30_000);
  await nlc.monitorNodes();
  const stillReady = await node();
  assert.equal(JSON.stringify(stillReady).includes('NodeStatusUnknown'), false);

  clock.advance(11_000);
  await nlc.monitorNodes();
  const n = await node();
  const conds = (n['status'] as { conditions: JsonObject[] }).conditions; // SAFETY: test reads.
  const ready = conds.find((c) => c['type'] === 'Ready');
  assert.equal(ready?.['status'], 'Unknown');
  assert.equal(ready['reason'], 'NodeStatusUnknown');
  assert.equal(ready['message'], 'Kubelet stopped posting node status.');
  assert.equal(conds.find((c) => c['type'] === 'MemoryPressure')?.['status'], 'Unknown');
  const taints = taintsOf(n);
  assert.deepEqual(taints.map((t) => `${t.key}:${t.effect}`).sort(), [
    'node.kubernetes.io/unreachable:NoExecute',
    'node.kubernetes.io/unreachable:NoSchedule',
  ]);
  assert.ok(taints.every((t) => t.timeAdded === rfc3339(clock.now())));
  const bounded = await cluster.client.get(`${PODS}/bounded`);
  assert.match(JSON.stringify(bounded['status']), /"type":"Ready","status":"False"/);

  await eventually(async () => ((await gone('none')) ? true : undefined));
  const events = (await cluster.client.list('/api/v1/namespaces/default/events')).items;
  assert.ok(events.some((e) => e['message'] === 'Marking for deletion Pod default/none'));
  assert.equal(await gone('bounded'), false);
  clock.advance(300_000);
  await eventually(async () => ((await gone('bounded')) ? true : undefined));
  assert.equal(await gone('forever'), false);

  await setNodeReady('True');
  await monitorWhen((x) => JSON.stringify(x).includes('KubeletReady'));
  assert.deepEqual(taintsOf(await node()), []);
});

test('a node reporting Ready=False gets the not-ready taints', async () => {
  await cluster.client.create('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'n1' },
  });
  await setNodeReady('False');
  await monitorWhen((x) => JSON.stringify(x).includes('"False"'));
  assert.deepEqual(
    taintsOf(await node())
      .map((t) => `${t.key}:${t.effect}`)
      .sort(),
    ['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule'],
  );
});

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { ManualClock, rfc3339 } from '../util/index.ts';
import { eventually, startCluster } from '../../test/support/controller-kit.ts';
import { MeteringController } from './controller.ts';
import { UsageLedger } from './ledger.ts';
import { costReport } from './report.ts';
import { loadPriceCatalogue } from '../pricing/index.ts';

const PODS = '/api/v1/namespaces/default/pods';
const WHERE = { cluster: 'kiln', region: 'us-east-1' };
const T0 = Date.UTC(2026, 0, 1, 12);

let cluster: Cluster;
let ledger: UsageLedger;
let clock: ManualClock;
let ac: AbortController;
let running: Promise<unknown>;
let controller: MeteringController;

function startController(): void {
  ac = new AbortController();
  controller = new MeteringController({
    client: cluster.client,
    clock,
    sleep: realSleep,
    ledger,
    where: WHERE,
    heartbeatMs: 3_600_000,
  });
  running = controller.run(ac.signal);
}

async function stopController(): Promise<void> {
  ac.abort();
  await running;
}

beforeEach(async () => {
  cluster = await startCluster();
  ledger = UsageLedger.inMemory();
  clock = new ManualClock(T0);
  startController();
});

afterEach(async () => {
  await stopController();
  cluster.close();
  ledger.close();
});

/** A Fargate pod as the fargate-scheduler leaves it; `started` sets status.startTime. */
async function fargatePod(name: string, started: boolean): Promise<string> {
  const made = await cluster.client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      labels: { 'eks.amazonaws.com/fargate-profile': 'fp-default' },
      annotations: { CapacityProvisioned: '0.25vCPU 0.5GB' },
    },
    spec: {
      containers: [
        { name: 'c', image: 'x', resources: { requests: { cpu: '100m', memory: '128Mi' } } },
      ],
    },
  });
  if (started) await start(name);
  return made.metadata.uid ?? '';
}

async function start(name: string): Promise<void> {
  await cluster.client.patch(`${PODS}/${name}/status`, {
    status: { phase: 'Running', startTime: rfc3339(clock.now()) },
  });
}

async function remove(name: string): Promise<void> {
  await cluster.client.delete(`${PODS}/${name}`, { gracePeriodSeconds: 0 });
}

function record(uid: string): ReturnType<UsageLedger['get']> {
  return ledger.get({ cluster: 'kiln', uid });
}

const closed = (uid: string) => (): Promise<true | undefined> =>
  Promise.resolve(record(uid)?.endMs === undefined ? undefined : true);

test('a Fargate pod is metered from its start time until its object is gone', async () => {
  const uid = await fargatePod('web', false);
  const plain = await cluster.client.create(PODS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'not-fargate' },
    spec: { containers: [{ name: 'c', image: 'x' }] },
  });
  await cluster.client.patch(`${PODS}/not-fargate/status`, {
    status: { startTime: rfc3339(T0) },
  });
  clock.advance(5000);
  await start('web');
  const r = await eventually(() => Promise.resolve(record(uid)));
  assert.equal(r.kind, 'fargate-pod');
  assert.equal(r.startMs, T0 + 5000);
  assert.equal(r.endMs, undefined);
  assert.deepEqual(
    [r.namespace, r.name, r.profile, r.vcpu, r.memoryGb, r.requestedVcpu, r.requestedGb],
    ['default', 'web', 'fp-default', 0.25, 0.5, 0.1, 0.375],
  );
  clock.advance(90_500);
  await remove('web');
  await eventually(closed(uid));
  assert.equal(record(uid)?.endMs, T0 + 95_500);
  assert.equal(record(plain.metadata.uid ?? ''), undefined);
  const report = costReport(ledger.between(0, clock.now()), {
    catalogue: loadPriceCatalogue({}),
    by: 'pod',
    fromMs: 0,
    toMs: clock.now(),
  });
  assert.equal(report.fargate[0]?.seconds, 90.5);
});

test('a pod alive 30 s is billed 60 s', async () => {
  const uid = await fargatePod('short', true);
  await eventually(() => Promise.resolve(record(uid)));
  clock.advance(30_000);
  await remove('short');
  await eventually(closed(uid));
  const report = costReport(ledger.between(0, clock.now() + 3_600_000), {
    catalogue: loadPriceCatalogue({}),
    by: 'pod',
    fromMs: 0,
    toMs: clock.now() + 3_600_000,
  });
  assert.equal(report.fargate[0]?.seconds, 60);
});

function node(name: string, labels: Record<string, string>): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels } };
}

test('node-group nodes are metered by instance type; Fargate nodes are not', async () => {
  const ng = await cluster.client.create(
    '/api/v1/nodes',
    node('ip-10-0-1-10.ec2.internal', {
      'node.kubernetes.io/instance-type': 'm5.large',
      'eks.amazonaws.com/nodegroup': 'ng-1',
    }),
  );
  const fg = await cluster.client.create(
    '/api/v1/nodes',
    node('fargate-ip-10-0-9-9.ec2.internal', {
      'eks.amazonaws.com/compute-type': 'fargate',
      'node.kubernetes.io/instance-type': 'x',
    }),
  );
  const uid = ng.metadata.uid ?? '';
  const r = await eventually(() => Promise.resolve(record(uid)));
  assert.equal(r.kind, 'node');
  assert.deepEqual([r.instanceType, r.nodegroup], ['m5.large', 'ng-1']);
  assert.equal(r.startMs, Date.parse(ng.metadata.creationTimestamp ?? ''));
  // The cluster stamps creation with the wall clock: move the controller's clock past it.
  clock.advance(r.startMs - clock.now() + 60_000);
  await cluster.client.delete('/api/v1/nodes/ip-10-0-1-10.ec2.internal');
  await eventually(closed(uid));
  assert.equal(record(uid)?.endMs, r.startMs + 60_000);
  assert.equal(record(fg.metadata.uid ?? ''), undefined);
});

test('a restart closes vanished objects at their last sighting and duplicates nothing', async () => {
  const gone = await fargatePod('gone', true);
  const stays = await fargatePod('stays', true);
  await eventually(() => Promise.resolve(record(gone) && record(stays)));
  clock.advance(60_000);
  assert.equal(controller.heartbeat(), 2);
  await stopController();
  // While no controller watches: the pod goes, and time passes.
  await remove('gone');
  clock.advance(600_000);
  startController();
  await eventually(closed(gone));
  assert.equal(record(gone)?.endMs, T0 + 60_000);
  assert.equal(record(stays)?.endMs, undefined);
  await eventually(() =>
    Promise.resolve(ledger.openRecords('kiln').length === 1 ? true : undefined),
  );
  assert.equal(ledger.between(0, clock.now()).length, 2);
});

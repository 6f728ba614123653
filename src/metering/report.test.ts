import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.ts';
import { sizeFargatePod } from '../fargate/sizing.ts';
import { loadPriceCatalogue } from '../pricing/index.ts';
import { billedSegments, costReport, type CostGrouping } from './report.ts';
import type { FargatePodUsage, NodeUsage, UsageRecord } from './types.ts';
import { fargatePodUsage } from './usage-of.ts';

const catalogue = loadPriceCatalogue({});
const T0 = Date.UTC(2026, 0, 1, 12);
const HOUR = 3_600_000;
const VCPU_HOUR = 0.04048;
const GB_HOUR = 0.004445;

function pod(over: Partial<FargatePodUsage> = {}): FargatePodUsage {
  return {
    kind: 'fargate-pod',
    cluster: 'kiln',
    region: 'us-east-1',
    uid: 'u1',
    name: 'web',
    namespace: 'default',
    profile: 'fp-default',
    node: 'fargate-ip-10-0-0-1.ec2.internal',
    vcpu: 0.25,
    memoryGb: 0.5,
    requestedVcpu: 0.25,
    requestedGb: 0.5,
    storageGb: 20,
    startMs: T0,
    endMs: T0 + HOUR,
    lastSeenMs: T0,
    ...over,
  };
}

function report(
  records: readonly UsageRecord[],
  opts: { by?: CostGrouping; fromMs?: number; toMs?: number } = {},
): ReturnType<typeof costReport> {
  return costReport(records, {
    catalogue,
    by: opts.by ?? 'pod',
    fromMs: opts.fromMs ?? 0,
    toMs: opts.toMs ?? T0 + 48 * HOUR,
  });
}

function near(actual: number | undefined, expected: number): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-12,
    `${String(actual)} ≠ ${String(expected)}`,
  );
}

test('a pod alive 30 s bills 60 s; one alive 90.5 s bills 90.5 s', () => {
  const r = report([
    pod({ uid: 'a', name: 'short', endMs: T0 + 30_000 }),
    pod({ uid: 'b', name: 'longer', endMs: T0 + 90_500 }),
  ]);
  const seconds = Object.fromEntries(r.fargate.map((x) => [x.key, x.seconds]));
  assert.deepEqual(seconds, { 'default/short': 60, 'default/longer': 90.5 });
  near(r.fargate[1]?.cost, ((0.25 * VCPU_HOUR + 0.5 * GB_HOUR) * 60) / 3600);
});

test('0.25 vCPU / 0.5 GB for one hour costs 0.25 × 0.04048 + 0.5 × 0.004445 USD in us-east-1', () => {
  const r = report([pod()]);
  near(r.fargate[0]?.cost, 0.25 * 0.04048 + 0.5 * 0.004445);
  near(r.totals.total, 0.25 * 0.04048 + 0.5 * 0.004445);
  near(r.totals.waste, 0);
});

function sizedPod(cpu: string, memory: string): KubeObject {
  const obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'big',
      namespace: 'default',
      uid: 'u-big',
      labels: { 'eks.amazonaws.com/fargate-profile': 'fp' },
    },
    spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu, memory } } }] },
    status: { startTime: new Date(T0).toISOString() },
  } satisfies Pod & KubeObject;
  const size = sizeFargatePod(obj);
  if (size instanceof Error) throw size;
  return {
    ...obj,
    metadata: { ...obj.metadata, annotations: { CapacityProvisioned: size.annotation } },
  };
}

test('a pod sized by rounding bills its rounded size; the rounding is the waste', () => {
  // The spec's example: 1 vCPU / 8 GB (+256 MB) becomes 2 vCPU / 9 GB.
  const usage = fargatePodUsage(sizedPod('1', '8Gi'), { cluster: 'kiln', region: 'us-east-1' });
  assert.ok(usage);
  assert.deepEqual(
    [usage.vcpu, usage.memoryGb, usage.requestedVcpu, usage.requestedGb],
    [2, 9, 1, 8.25],
  );
  const r = report([{ ...usage, endMs: T0 + HOUR, lastSeenMs: T0 }]);
  near(r.totals.fargate, 2 * VCPU_HOUR + 9 * GB_HOUR);
  near(r.totals.requested, 1 * VCPU_HOUR + 8.25 * GB_HOUR);
  near(r.totals.waste, 1 * VCPU_HOUR + 0.75 * GB_HOUR);
});

test('a pod without requests bills 0.25 vCPU / 0.5 GB and wastes what it never asked for', () => {
  const obj = sizedPod('0', '0');
  const usage = fargatePodUsage(obj, { cluster: 'kiln', region: 'us-east-1' });
  assert.ok(usage);
  assert.deepEqual(
    [usage.vcpu, usage.memoryGb, usage.requestedVcpu, usage.requestedGb],
    [0.25, 0.5, 0, 0.25],
  );
});

test('storage above the free 20 GB is charged', () => {
  const r = report([pod({ storageGb: 115 })]);
  near(r.totals.fargate, 0.25 * VCPU_HOUR + 0.5 * GB_HOUR + 95 * 0.000111);
  near(r.totals.waste, 0);
});

test('by day, a record spanning UTC midnight splits; its minimum top-up goes to its first day', () => {
  const midnight = Date.UTC(2026, 0, 2);
  const r = report(
    [
      pod({ uid: 'a', startMs: midnight - 1800_000, endMs: midnight + 5400_000 }),
      pod({ uid: 'b', startMs: midnight - 10_000, endMs: midnight + 10_000 }),
    ],
    { by: 'day' },
  );
  assert.deepEqual(
    r.fargate.map((x) => [x.key, x.seconds, x.pods]),
    [
      ['2026-01-01', 1800 + 10 + 40, 2],
      ['2026-01-02', 5400 + 10, 2],
    ],
  );
});

test('the window clips records; an open record is billed up to the end of the window', () => {
  const open = pod({ endMs: undefined, startMs: T0 });
  const r = report([open], { fromMs: T0 + HOUR, toMs: T0 + 3 * HOUR });
  assert.equal(r.fargate[0]?.seconds, 7200);
  const young = report([open], { toMs: T0 + 20_000 });
  assert.equal(young.fargate[0]?.seconds, 60);
  // The minimum was charged where the pod started, before this window.
  const clipped = billedSegments(
    { startMs: T0, endMs: T0 + 30_000 },
    {
      fromMs: T0 + 10_000,
      toMs: T0 + HOUR,
    },
  );
  assert.deepEqual(clipped, [{ day: '2026-01-01', seconds: 20 }]);
});

test('groups by namespace and profile, and totals across them', () => {
  const records = [
    pod({ uid: 'a', namespace: 'web', profile: 'p1' }),
    pod({ uid: 'b', namespace: 'web', profile: 'p2' }),
    pod({ uid: 'c', namespace: 'jobs', profile: 'p2' }),
  ];
  const byNs = report(records, { by: 'namespace' });
  assert.deepEqual(
    byNs.fargate.map((x) => [x.key, x.pods, x.seconds]),
    [
      ['jobs', 1, 3600],
      ['web', 2, 7200],
    ],
  );
  const byProfile = report(records, { by: 'profile' });
  assert.deepEqual(
    byProfile.fargate.map((x) => [x.key, x.pods]),
    [
      ['p1', 1],
      ['p2', 2],
    ],
  );
  near(byProfile.totals.fargate, 3 * (0.25 * VCPU_HOUR + 0.5 * GB_HOUR));
});

test('node-group nodes bill instance-seconds at their instance type’s hourly price', () => {
  const n = (uid: string, hours: number): NodeUsage => ({
    kind: 'node',
    cluster: 'kiln',
    region: 'us-east-1',
    uid,
    name: `node-${uid}`,
    instanceType: 'm5.large',
    nodegroup: 'ng',
    startMs: T0,
    endMs: T0 + hours * HOUR,
    lastSeenMs: T0,
  });
  const r = report([n('1', 2), n('2', 1), pod()]);
  const [row, ...others] = r.nodes;
  assert.ok(row);
  assert.equal(others.length, 0);
  assert.equal(row.nodes, 2);
  near(row.instanceHours, 3);
  const hourly = catalogue.ec2('us-east-1', 'm5.large').hourly;
  near(r.totals.nodes, 3 * hourly);
  near(r.totals.total, 3 * hourly + 0.25 * VCPU_HOUR + 0.5 * GB_HOUR);
});

test('records in a region without prices are left out and reported', () => {
  const r = report([pod({ region: 'xx-nowhere-1' }), pod({ uid: 'ok' })]);
  assert.equal(r.fargate[0]?.pods, 1);
  assert.equal(r.unpriced.length, 1);
  assert.match(r.unpriced[0] ?? '', /^kiln: .*xx-nowhere-1/);
});

test('by pod, each pod object is its own row with its profile, node and sizes', () => {
  // A pod recreated under its old name (a StatefulSet's) is another Fargate pod.
  const again = pod({ uid: 'u2', startMs: T0 + 2 * HOUR, endMs: undefined, node: 'fargate-b' });
  const r = report([pod({ requestedGb: 0.25 }), again], { toMs: T0 + 3 * HOUR });
  assert.deepEqual(
    r.fargate.map((x) => [x.key, x.pods, x.seconds, x.pod?.uid, x.pod?.node, x.pod?.end]),
    [
      [
        'default/web',
        1,
        3600,
        'u1',
        'fargate-ip-10-0-0-1.ec2.internal',
        new Date(T0 + HOUR).toISOString(),
      ],
      ['default/web', 1, 3600, 'u2', 'fargate-b', null],
    ],
  );
  assert.deepEqual(r.fargate[0]?.pod, {
    uid: 'u1',
    namespace: 'default',
    name: 'web',
    profile: 'fp-default',
    node: 'fargate-ip-10-0-0-1.ec2.internal',
    vcpu: 0.25,
    memoryGb: 0.5,
    requestedVcpu: 0.25,
    requestedGb: 0.25,
    storageGb: 20,
    start: new Date(T0).toISOString(),
    end: new Date(T0 + HOUR).toISOString(),
  });
  near(r.fargate[0].waste, 0.25 * GB_HOUR);
  // Other groupings carry no pod.
  assert.equal(report([pod()], { by: 'namespace' }).fargate[0]?.pod, undefined);
});

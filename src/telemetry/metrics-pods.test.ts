import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { FARGATE_SCHEDULER_NAME } from '../fargate/index.ts';
import { ManualClock } from '../util/index.ts';
import {
  computeTypeOf,
  countPods,
  FargateLatencyTracker,
  provisionedCapacity,
} from './metrics-pods.ts';

const GIB = 1024 ** 3;

function pod(o: {
  uid?: string;
  fargate?: boolean;
  node?: string;
  phase?: string;
  capacity?: string;
}): Pod {
  return {
    metadata: {
      name: o.uid ?? 'p',
      uid: o.uid ?? 'u',
      ...(o.capacity === undefined ? {} : { annotations: { CapacityProvisioned: o.capacity } }),
    },
    spec: {
      containers: [{ name: 'c' }],
      ...(o.fargate === true ? { schedulerName: FARGATE_SCHEDULER_NAME } : {}),
      ...(o.node === undefined ? {} : { nodeName: o.node }),
    },
    ...(o.phase === undefined ? {} : { status: { phase: o.phase } }),
  };
}

describe('pod metrics', () => {
  it('tells Fargate pods by scheduler or Fargate node, others are ec2', () => {
    assert.equal(computeTypeOf(pod({ fargate: true })), 'fargate');
    assert.equal(computeTypeOf(pod({ node: 'fargate-ip-10-0-1-5.ec2.internal' })), 'fargate');
    assert.equal(computeTypeOf(pod({ node: 'ip-10-0-1-5.ec2.internal' })), 'ec2');
    assert.equal(computeTypeOf(pod({})), 'ec2');
  });

  it('counts pods by compute type and phase, a pod without status as Pending', () => {
    const counts = countPods([
      pod({ uid: 'a', fargate: true, phase: 'Running' }),
      pod({ uid: 'b', fargate: true, phase: 'Running' }),
      pod({ uid: 'c', fargate: true }),
      pod({ uid: 'd', phase: 'Running' }),
      pod({ uid: 'e', phase: 'Succeeded' }),
    ]);
    const get = (computeType: string, phase: string): number | undefined =>
      counts.find((c) => c.computeType === computeType && c.phase === phase)?.count;
    assert.equal(get('fargate', 'Running'), 2);
    assert.equal(get('fargate', 'Pending'), 1);
    assert.equal(get('ec2', 'Running'), 1);
    assert.equal(get('ec2', 'Succeeded'), 1);
    assert.equal(get('fargate', 'Failed'), undefined);
    assert.equal(
      counts.reduce((n, c) => n + c.count, 0),
      5,
    );
  });

  it('sums the provisioned size of running Fargate pods only', () => {
    const total = provisionedCapacity([
      pod({ uid: 'a', fargate: true, phase: 'Running', capacity: '0.5vCPU 1GB' }),
      pod({ uid: 'b', fargate: true, phase: 'Running', capacity: '2vCPU 4GB' }),
      // Not yet running, finished, or not on Fargate: not billed as provisioned now.
      pod({ uid: 'c', fargate: true, phase: 'Pending', capacity: '4vCPU 8GB' }),
      pod({ uid: 'd', fargate: true, phase: 'Succeeded', capacity: '4vCPU 8GB' }),
      pod({ uid: 'e', phase: 'Running', capacity: '4vCPU 8GB' }),
    ]);
    assert.deepEqual(total, { vcpu: 2.5, memoryBytes: 5 * GIB });
  });
});

describe('FargateLatencyTracker', () => {
  const setup = (): {
    clock: ManualClock;
    tracker: FargateLatencyTracker;
    scheduled: number[];
    running: number[];
  } => {
    const clock = new ManualClock();
    const scheduled: number[] = [];
    const running: number[] = [];
    const tracker = new FargateLatencyTracker({
      clock,
      observe: { scheduled: (s) => scheduled.push(s), running: (s) => running.push(s) },
    });
    return { clock, tracker, scheduled, running };
  };
  const live = { existing: false };

  it('times a new Fargate pod until it is bound and until it runs, once each', () => {
    const { clock, tracker, scheduled, running } = setup();
    tracker.seen(pod({ fargate: true }), live);
    clock.advance(1500);
    tracker.seen(pod({ fargate: true }), live);
    assert.deepEqual(scheduled, []);
    tracker.seen(pod({ fargate: true, node: 'fargate-ip-10-0-0-9.ec2.internal' }), live);
    clock.advance(2250);
    const up = pod({ fargate: true, node: 'fargate-ip-10-0-0-9.ec2.internal', phase: 'Running' });
    tracker.seen(up, live);
    tracker.seen(up, live);
    assert.deepEqual(scheduled, [1.5]);
    assert.deepEqual(running, [3.75]);
  });

  it('does not time pods listed before the watch, already bound, or not on Fargate', () => {
    const { clock, tracker, scheduled, running } = setup();
    tracker.seen(pod({ uid: 'old', fargate: true }), { existing: true });
    tracker.seen(pod({ uid: 'bound', fargate: true, node: 'fargate-x' }), live);
    tracker.seen(pod({ uid: 'ec2' }), live);
    clock.advance(1000);
    tracker.seen(pod({ uid: 'old', fargate: true, node: 'fargate-a', phase: 'Running' }), live);
    tracker.seen(pod({ uid: 'bound', fargate: true, node: 'fargate-x', phase: 'Running' }), live);
    tracker.seen(pod({ uid: 'ec2', node: 'ip-1', phase: 'Running' }), live);
    assert.deepEqual(scheduled, []);
    assert.deepEqual(running, []);
  });

  it('forgets a deleted pod, so a new pod with its uid is timed afresh', () => {
    const { clock, tracker, scheduled } = setup();
    tracker.seen(pod({ fargate: true }), live);
    tracker.gone(pod({ fargate: true }));
    clock.advance(4000);
    tracker.seen(pod({ fargate: true }), live);
    clock.advance(500);
    tracker.seen(pod({ fargate: true, node: 'fargate-a' }), live);
    assert.deepEqual(scheduled, [0.5]);
  });
});

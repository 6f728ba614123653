import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ManualScheduler } from '../../src/runtime/index.ts';
import { ManualClock } from '../../src/util/index.ts';
import { eventually, startCluster, type TestCluster } from './harness.ts';

interface ContainerView {
  restartCount: number;
  waiting: string | undefined;
}

/**
 * The kubelet's view of pods as kubectl shows it, with kubelet time (back-offs) moved by hand:
 * the node agent and sim runtime wait on a ManualScheduler.
 */
describe('pod lifecycle through kubectl 1.32, on a fake clock', () => {
  let c: TestCluster;
  const clock = new ManualClock(Date.now());
  const timers = new ManualScheduler(clock);

  before(async () => {
    c = await startCluster({ workerNodes: 2, clock, timers });
  });
  after(async () => {
    await c.stop();
  });

  /** Lets fake time pass in 1 s steps, giving the agent a real moment after each. */
  async function advanceUntil(ok: () => Promise<boolean>, maxSeconds: number): Promise<void> {
    for (let s = 0; s < maxSeconds; s++) {
      if (await ok()) return;
      await timers.advance(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.fail(`not reached within ${maxSeconds} fake seconds`);
  }

  async function container(name: string): Promise<ContainerView> {
    const pod = await c.daemon.defaultCluster.client.get(`/api/v1/namespaces/default/pods/${name}`);
    // SAFETY: reading the kubelet-written status fields this test asserts on.
    const cs = (
      pod['status'] as
        | {
            containerStatuses?: {
              restartCount: number;
              state?: { waiting?: { reason?: string } };
            }[];
          }
        | undefined
    )?.containerStatuses?.[0];
    return { restartCount: cs?.restartCount ?? 0, waiting: cs?.state?.waiting?.reason };
  }

  it('shows CrashLoopBackOff, with restarts at 10 s, 20 s, 40 s back-off', async () => {
    await eventually('Ready nodes', async () =>
      /\sReady\s/.test((await c.kubectl('1.32', ['get', 'nodes'])).stdout),
    );
    const run = await c.kubectl('1.32', [
      'run',
      'crasher',
      '--image=busybox',
      '--annotations=sim.kiln.dev/exit-after=1s',
      '--annotations=sim.kiln.dev/exit-code=3',
      '--',
      'false',
    ]);
    assert.equal(run.code, 0, run.stderr);
    const restartsAt: number[] = [];
    let last = 0;
    await advanceUntil(async () => {
      const v = await container('crasher');
      if (v.restartCount !== last) {
        restartsAt.push(clock.now());
        last = v.restartCount;
      }
      return v.restartCount >= 4;
    }, 200);
    const gaps = restartsAt.slice(1).map((t, i) => Math.round((t - (restartsAt[i] ?? 0)) / 1000));
    // Each run lasts 1 s; the back-off before each restart doubles from 10 s (observed in 1 s
    // steps of fake time, so each gap may read one step late).
    const [g2 = 0, g3 = 0] = gaps.slice(1);
    assert.ok(g2 >= 21 && g2 <= 22 && g3 >= 41 && g3 <= 42, `restart gaps ${gaps.join(', ')} s`);
    // In the back-off before the fifth restart: kubectl shows it as the kubelet reports it.
    await advanceUntil(async () => (await container('crasher')).waiting === 'CrashLoopBackOff', 5);
    const get = await c.kubectl('1.32', ['get', 'pod', 'crasher']);
    assert.match(get.stdout, /crasher\s+0\/1\s+CrashLoopBackOff\s+4 \(\S+ ago\)\s/);
    const describe = await c.kubectl('1.32', ['describe', 'pod', 'crasher']);
    assert.match(describe.stdout, /State:\s+Waiting\n\s+Reason:\s+CrashLoopBackOff/);
    assert.match(
      describe.stdout,
      /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+3/,
    );
    assert.match(describe.stdout, /Warning\s+BackOff\s+.*Back-off restarting failed container/);
  });

  // 64 CPUs exceed every node's allocatable, which kube-scheduler counts as unresolvable: no
  // preemption could make room.
  it('an unplaceable pod stays Pending with kube-scheduler’s message', async () => {
    const run = await c.kubectl('1.32', [
      'run',
      'huge',
      '--image=nginx',
      '--overrides={"spec":{"containers":[{"name":"huge","image":"nginx","resources":{"requests":{"cpu":"64"}}}]}}',
    ]);
    assert.equal(run.code, 0, run.stderr);
    await eventually('FailedScheduling', async () =>
      (await c.kubectl('1.32', ['describe', 'pod', 'huge'])).stdout.includes('FailedScheduling'),
    );
    const describe = await c.kubectl('1.32', ['describe', 'pod', 'huge']);
    assert.match(
      describe.stdout,
      /Warning\s+FailedScheduling\s+.*default-scheduler\s+0\/2 nodes are available: 2 Insufficient cpu\. preemption: 0\/2 nodes are available: 2 Preemption is not helpful for scheduling\./,
    );
    const get = await c.kubectl('1.32', ['get', 'pod', 'huge', '--no-headers']);
    assert.match(get.stdout, /huge\s+0\/1\s+Pending\s+0\s/);
  });
});

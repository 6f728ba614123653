import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import {
  FargateScheduler,
  InMemoryProfileSource,
  SubnetIpSource,
  type FargateLauncher,
  type FargateNodeSpec,
  type FargateProfile,
} from '../fargate/index.ts';
import { ManualScheduler, sleepOn } from '../runtime/index.ts';
import { ManualClock } from '../util/index.ts';
import { KilnMetrics } from './metrics.ts';
import { startCluster } from '../../test/support/controller-kit.ts';

/**
 * The fargate-scheduler's metrics hooks, end to end through a real scheduler and API server:
 * launches, throttling and the token gauge as the daemon's registry exports them.
 */

const profile: FargateProfile = {
  fargateProfileName: 'fp',
  fargateProfileArn: 'arn:aws:eks:us-east-1:000000000000:fargateprofile/kiln/fp/x',
  clusterName: 'kiln',
  createdAt: 0,
  podExecutionRoleArn: 'arn:aws:iam::000000000000:role/FargateRole',
  subnets: ['subnet-a'],
  selectors: [{ namespace: 'default' }],
  status: 'ACTIVE',
  tags: {},
};

function fargatePod(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'eks.amazonaws.com/fargate-profile': 'fp' } },
    spec: {
      schedulerName: 'fargate-scheduler',
      containers: [
        { name: 'c', image: 'nginx', resources: { requests: { cpu: '250m', memory: '256Mi' } } },
      ],
    },
  };
}

async function until(what: string, probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('fargate-scheduler metrics', () => {
  it('counts launches and throttled launches, and exports the tokens left', async () => {
    const clock = new ManualClock();
    const cluster = await startCluster({ clock });
    const client = cluster.client;
    // Registers a Ready node per launch, as the node agent would.
    const launcher: FargateLauncher = {
      launch: async (node: FargateNodeSpec) => {
        await client.create('/api/v1/nodes', {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: node.name, labels: { ...node.labels } },
          status: {
            conditions: [{ type: 'Ready', status: 'True' }],
            addresses: [{ type: 'InternalIP', address: node.internalIp }],
          },
        });
      },
      terminate: () => Promise.resolve(),
    };
    const metrics = new KilnMetrics({ clock, processMetrics: false });
    const sink = metrics.addCluster({ region: 'us-east-1', name: 'kiln' });
    const sched = new ManualScheduler(clock);
    const ac = new AbortController();
    const running = new FargateScheduler({
      client,
      clock,
      sleep: sleepOn(sched),
      region: 'us-east-1',
      profiles: new InMemoryProfileSource([profile]),
      ips: new SubnetIpSource([{ id: 'subnet-a', cidr: '10.0.128.0/20', zone: 'us-east-1a' }]),
      launcher,
      throttle: { burst: 2, ratePerSecond: 1 },
      metrics: sink,
    }).run(ac.signal);
    const read = async (name: string): Promise<number | undefined> =>
      (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)?.values[0]?.value;
    try {
      assert.equal(await read('kiln_fargate_launch_tokens_available'), 2);
      for (const n of ['a', 'b', 'c']) {
        await client.create('/api/v1/namespaces/default/pods', fargatePod(n));
      }
      await until('two launches', async () => (await read('kiln_fargate_launches_total')) === 2);
      await until(
        'a throttled launch',
        async () => ((await read('kiln_fargate_launches_throttled_total')) ?? 0) >= 1,
      );
      assert.equal(await read('kiln_fargate_launch_tokens_available'), 0);
      clock.advance(500);
      assert.equal(await read('kiln_fargate_launch_tokens_available'), 0.5);
      await sched.advance(1000);
      await until(
        'the third launch',
        async () => (await read('kiln_fargate_launches_total')) === 3,
      );
    } finally {
      ac.abort();
      await running;
      cluster.close();
    }
  });
});

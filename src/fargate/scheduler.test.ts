import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { isNotFound, type KubeClient } from '../client/index.ts';
import { Cluster } from '../daemon/index.ts';
import { ManualScheduler, sleepOn } from '../runtime/index.ts';
import { ManualClock } from '../util/index.ts';
import type { FargateLauncher, FargateNodeSpec } from './launcher.ts';
import { InMemoryProfileSource, SubnetIpSource } from './profile-source.ts';
import { FargateScheduler, type FargateSchedulerOptions } from './scheduler.ts';
import type { FargateProfile } from './types.ts';
import { startCluster } from '../../test/support/controller-kit.ts';

type Json = Record<string, unknown>;

const profile: FargateProfile = {
  fargateProfileName: 'fp',
  fargateProfileArn: 'arn:aws:eks:ap-northeast-2:000000000000:fargateprofile/c/fp/x',
  clusterName: 'c',
  createdAt: 0,
  podExecutionRoleArn: 'arn:aws:iam::000000000000:role/FargateRole',
  subnets: ['subnet-a'],
  selectors: [{ namespace: 'default' }],
  status: 'ACTIVE',
  tags: {},
};

/** Registers a Ready Node for each launch, as a launcher's kubelet would; records calls. */
class NodeObjectLauncher implements FargateLauncher {
  readonly launched: string[] = [];
  readonly terminated: string[] = [];
  readonly #client: KubeClient;
  constructor(client: KubeClient) {
    this.#client = client;
  }
  async launch(node: FargateNodeSpec): Promise<void> {
    this.launched.push(node.name);
    try {
      await this.#client.create('/api/v1/nodes', {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: node.name, labels: { ...node.labels } },
        spec: { taints: [...node.taints] },
        status: {
          conditions: [{ type: 'Ready', status: 'True' }],
          addresses: [{ type: 'InternalIP', address: node.internalIp }],
        },
      });
    } catch (e: unknown) {
      if (!(e instanceof Error && e.message.includes('already exists'))) throw e;
    }
  }
  async terminate(nodeName: string): Promise<void> {
    this.terminated.push(nodeName);
    try {
      await this.#client.delete(`/api/v1/nodes/${nodeName}`);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }
}

interface Env {
  readonly cluster: Cluster;
  readonly sched: ManualScheduler;
  readonly launcher: NodeObjectLauncher;
  readonly profiles: InMemoryProfileSource;
  readonly ips: SubnetIpSource;
  startScheduler(extra?: Partial<FargateSchedulerOptions>): void;
  stopScheduler(): Promise<void>;
  stop(): Promise<void>;
}

async function start(): Promise<Env> {
  const clock = new ManualClock();
  const cluster = await startCluster({ clock });
  const sched = new ManualScheduler(clock);
  const launcher = new NodeObjectLauncher(cluster.client);
  const profiles = new InMemoryProfileSource([profile]);
  const ips = new SubnetIpSource([
    { id: 'subnet-a', cidr: '10.0.128.0/20', zone: 'ap-northeast-2a' },
  ]);
  let ac = new AbortController();
  let running: Promise<void> = Promise.resolve();
  const stopScheduler = async (): Promise<void> => {
    ac.abort();
    await running;
  };
  return {
    cluster,
    sched,
    launcher,
    profiles,
    ips,
    startScheduler: (extra = {}) => {
      ac = new AbortController();
      running = new FargateScheduler({
        client: cluster.client,
        clock,
        sleep: sleepOn(sched),
        region: 'ap-northeast-2',
        profiles,
        ips,
        launcher,
        retryMs: 5000,
        ...extra,
      }).run(ac.signal);
    },
    stopScheduler,
    stop: async () => {
      await stopScheduler();
      cluster.close();
    },
  };
}

function fargatePod(name: string, extra: { cpu?: string; privileged?: boolean } = {}): KubeObject {
  const cpu = extra.cpu ?? '500m';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { 'eks.amazonaws.com/fargate-profile': 'fp' } },
    spec: {
      schedulerName: 'fargate-scheduler',
      containers: [
        {
          name: 'c',
          image: 'nginx',
          resources: { requests: { cpu, memory: '512Mi' } },
          ...(extra.privileged === true ? { securityContext: { privileged: true } } : {}),
        },
      ],
    },
  };
}

const real = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function settled<T>(probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 300; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await real(10);
  }
  throw new Error('condition not met');
}

async function boundCount(client: KubeClient): Promise<number> {
  const pods = await client.list('/api/v1/namespaces/default/pods');
  return pods.items.filter((p) => {
    const spec = p['spec'] as Json;
    return typeof spec['nodeName'] === 'string' && spec['nodeName'] !== '';
  }).length;
}

async function messages(client: KubeClient, pod: string): Promise<string[]> {
  const evs = await client.list('/api/v1/namespaces/default/events');
  return evs.items
    .filter((e) => (e['involvedObject'] as Json)['name'] === pod)
    .map((e) => String(e['message']));
}

describe('fargate-scheduler', () => {
  let env: Env;
  beforeEach(async () => {
    env = await start();
  });
  afterEach(async () => {
    await env.stop();
  });

  it('launches at most `burst` nodes at once, then at the refill rate', async () => {
    const c = env.cluster.client;
    env.startScheduler({ throttle: { burst: 2, ratePerSecond: 1 } });
    for (const n of ['a', 'b', 'c', 'd'])
      await c.create('/api/v1/namespaces/default/pods', fargatePod(n));
    await settled(async () => ((await boundCount(c)) === 2 ? true : undefined));
    await real(100);
    assert.equal(await boundCount(c), 2);
    assert.equal(env.launcher.launched.length, 2);
    await env.sched.advance(1000);
    await settled(async () => ((await boundCount(c)) === 3 ? true : undefined));
    await env.sched.advance(1000);
    await settled(async () => ((await boundCount(c)) === 4 ? true : undefined));
    assert.equal(new Set(env.launcher.launched).size, 4);
  });

  it('holds launches beyond the vCPU quota with a (will retry) event', async () => {
    const c = env.cluster.client;
    env.startScheduler({ throttle: { vcpuQuota: 1 } });
    for (const n of ['a', 'b', 'c'])
      await c.create('/api/v1/namespaces/default/pods', fargatePod(n));
    await settled(async () => ((await boundCount(c)) === 2 ? true : undefined));
    const waiting = (await c.list('/api/v1/namespaces/default/pods')).items.find(
      (p) => (p['spec'] as Json)['nodeName'] === undefined,
    );
    const name = waiting?.metadata.name ?? '';
    await settled(async () =>
      (await messages(c, name)).includes('Pod provisioning timed out (will retry)')
        ? true
        : undefined,
    );
    const victim = ['a', 'b', 'c'].find((n) => n !== name) ?? '';
    await c.delete(`/api/v1/namespaces/default/pods/${victim}`, { gracePeriodSeconds: 0 });
    await settled(() => (env.launcher.terminated.length === 1 ? true : undefined));
    await env.sched.advance(5000);
    await settled(async () => ((await boundCount(c)) === 2 ? true : undefined));
    assert.equal(env.launcher.launched.length, 3);
  });

  it('reports an unsupported, a too large and a misconfigured-profile pod, and launches none', async () => {
    const c = env.cluster.client;
    env.profiles.put({
      ...profile,
      fargateProfileName: 'sick',
      health: { issues: [{ code: 'AccessDenied' }] },
    });
    env.startScheduler();
    await c.create('/api/v1/namespaces/default/pods', fargatePod('priv', { privileged: true }));
    await c.create('/api/v1/namespaces/default/pods', fargatePod('huge', { cpu: '17' }));
    const sick = fargatePod('sick');
    sick.metadata.labels = { 'eks.amazonaws.com/fargate-profile': 'sick' };
    await c.create('/api/v1/namespaces/default/pods', sick);
    await settled(async () =>
      (await messages(c, 'priv')).includes(
        'Pod not supported on Fargate: invalid SecurityContext fields: Privileged',
      )
        ? true
        : undefined,
    );
    await settled(async () =>
      (await messages(c, 'huge')).includes(
        "Your pod's cpu/memory requirements exceed the max Fargate configuration",
      )
        ? true
        : undefined,
    );
    await settled(async () =>
      (await messages(c, 'sick')).includes(
        'Misconfigured Fargate Profile: fargate profile sick blocked for new launches due to: Pod execution role is not found in auth config or does not have all required permissions for launching fargate pods.',
      )
        ? true
        : undefined,
    );
    assert.equal(env.launcher.launched.length, 0);
    assert.equal(await boundCount(c), 0);
  });

  it('converges after a restart: stops unneeded nodes and deletes pods whose node is gone', async () => {
    const c = env.cluster.client;
    env.startScheduler();
    await c.create('/api/v1/namespaces/default/pods', fargatePod('keep'));
    await c.create('/api/v1/namespaces/default/pods', fargatePod('lose'));
    await settled(async () => ((await boundCount(c)) === 2 ? true : undefined));
    await env.stopScheduler();
    const lose = await c.get('/api/v1/namespaces/default/pods/lose');
    const loseNode = String((lose['spec'] as Json)['nodeName']);
    await c.delete(`/api/v1/nodes/${loseNode}`);
    await env.launcher.launch({
      name: 'fargate-ip-10-0-128-200.ap-northeast-2.compute.internal',
      labels: { 'eks.amazonaws.com/compute-type': 'fargate' },
      taints: [],
      internalIp: '10.0.128.200',
      podIp: '10.0.128.200',
      podCidr: '10.0.128.200/32',
      capacity: { cpu: '2', memory: '4Gi', pods: 1 },
      kubeletVersion: 'v1.32.4-eks-2d98532',
    });
    env.startScheduler();
    await settled(async () => {
      try {
        await c.get('/api/v1/namespaces/default/pods/lose');
        return undefined;
      } catch (e: unknown) {
        return isNotFound(e) ? true : undefined;
      }
    });
    await settled(() =>
      env.launcher.terminated.includes('fargate-ip-10-0-128-200.ap-northeast-2.compute.internal')
        ? true
        : undefined,
    );
    const keep = await c.get('/api/v1/namespaces/default/pods/keep');
    const keepNode = String((keep['spec'] as Json)['nodeName']);
    assert.ok(!env.launcher.terminated.includes(keepNode));
    await c.get(`/api/v1/nodes/${keepNode}`);
  });
});

import type { KubeObject } from '../api/index.ts';
import { realSleep, type KubeClient } from '../client/index.ts';
import { Cluster } from '../daemon/index.ts';
import { ManualClock, sequentialIds } from '../util/index.ts';
import { DefaultScheduler } from './index.ts';
import { startCluster } from '../../test/support/controller-kit.ts';

export interface Harness {
  readonly cluster: Cluster;
  readonly client: KubeClient;
  readonly clock: ManualClock;
  readonly scheduler: DefaultScheduler;
  stop(): Promise<void>;
}

export async function startHarness(opts: { start?: boolean } = {}): Promise<Harness> {
  const clock = new ManualClock();
  const cluster = await startCluster({ clock });
  const scheduler = new DefaultScheduler({
    client: cluster.client,
    clock,
    sleep: realSleep,
    ids: sequentialIds(),
    flushIntervalMs: 5,
  });
  const ac = new AbortController();
  let running: Promise<void> | undefined;
  const h: Harness & { begin(): void } = {
    cluster,
    client: cluster.client,
    clock,
    scheduler,
    begin() {
      running = scheduler.run(ac.signal);
    },
    async stop() {
      ac.abort();
      await running;
      cluster.close();
    },
  };
  if (opts.start !== false) h.begin();
  return h;
}

export interface NodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: { key: string; value?: string; effect: string }[];
  unschedulable?: boolean;
  extra?: Record<string, string>;
}

export function makeNode(name: string, s: NodeSpec = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels: { 'kubernetes.io/hostname': name, ...s.labels },
    },
    spec: {
      ...(s.taints === undefined ? {} : { taints: s.taints }),
      ...(s.unschedulable === true ? { unschedulable: true } : {}),
    },
    status: {
      capacity: { cpu: s.cpu ?? '4', memory: s.memory ?? '8Gi', pods: s.pods ?? '110' },
      allocatable: {
        cpu: s.cpu ?? '4',
        memory: s.memory ?? '8Gi',
        pods: s.pods ?? '110',
        ...s.extra,
      },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady' }],
    },
  };
}

export function makePod(
  name: string,
  s: { cpu?: string; memory?: string; labels?: Record<string, string>; spec?: object } = {},
): KubeObject {
  const requests: Record<string, string> = {};
  if (s.cpu !== undefined) requests['cpu'] = s.cpu;
  if (s.memory !== undefined) requests['memory'] = s.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: s.labels ?? {} },
    spec: {
      containers: [{ name: 'c', image: 'nginx', resources: { requests } }],
      ...s.spec,
    },
  };
}

export async function addNodes(client: KubeClient, nodes: KubeObject[]): Promise<void> {
  for (const n of nodes) await client.create('/api/v1/nodes', n);
}

export async function addPod(client: KubeClient, pod: KubeObject): Promise<void> {
  await client.create('/api/v1/namespaces/default/pods', pod);
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 3000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export async function nodeOf(client: KubeClient, pod: string): Promise<string> {
  return waitFor(async () => {
    const p = await client.get(`/api/v1/namespaces/default/pods/${pod}`);
    const spec = p['spec'] as { nodeName?: string };
    return spec.nodeName;
  }, `${pod} to be bound`);
}

export async function failedScheduling(client: KubeClient, pod: string): Promise<string> {
  return waitFor(async () => {
    const list = await client.list('/api/v1/namespaces/default/events');
    const ev = list.items.find(
      (e) =>
        e['reason'] === 'FailedScheduling' &&
        (e['involvedObject'] as { name?: string }).name === pod,
    );
    return ev === undefined ? undefined : String(ev['message']);
  }, `FailedScheduling for ${pod}`);
}

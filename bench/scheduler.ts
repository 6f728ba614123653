/**
 * npm run bench:scheduler — the default scheduler's throughput on this machine, in one process
 * as `kiln up` runs it: an in-memory cluster with N sim nodes hosted by the node agent, all the
 * controllers, and P pods created through the API. Reports scheduled pods/s (first create to
 * last binding), p50/p99 scheduling latency (create acknowledged → binding seen on the watch)
 * and the time until every pod is Running. Scenarios: 5000 pods onto 500 nodes and 10000 pods
 * onto 5000 nodes (kube-scheduler's scheduler_perf gate at 5000 nodes is 680 pods/s).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NodeSpec } from '../src/agent/index.ts';
import type { KubeObject } from '../src/api/index.ts';
import { Informer, realSleep } from '../src/client/index.ts';
import { Cluster } from '../src/daemon/cluster.ts';
import { randomIds, systemClock } from '../src/util/index.ts';

const TARGET_PODS_PER_SECOND = 700;
const CONCURRENCY = 64;

interface Scenario {
  readonly pods: number;
  readonly nodes: number;
}

interface Result extends Scenario {
  readonly podsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly allRunningSeconds: number;
  readonly nodesReadySeconds: number;
}

const SCENARIOS: readonly Scenario[] = (process.env['BENCH_SCENARIOS'] ?? '5000x500,10000x5000')
  .split(',')
  .map((s) => {
    const [pods, nodes] = s.split('x').map(Number);
    return { pods: pods ?? 0, nodes: nodes ?? 0 };
  });

/** m5.4xlarge-shaped nodes with room for 110 pods each: capacity never limits the scenarios. */
function nodes(count: number): NodeSpec[] {
  return Array.from({ length: count }, (_, i) => {
    const a = 1 + Math.floor(i / 250);
    const b = i % 250;
    const name = `ip-10-${a}-${b}-10.ec2.internal`;
    return {
      name,
      internalIp: `10.${a}.${b}.10`,
      podCidr: `172.${16 + Math.floor(i / 4096)}.${Math.floor(i / 16) % 256}.${(i % 16) * 16}/28`,
      capacity: { cpu: '16', memory: '64Gi', pods: 110 },
      kubeletVersion: 'v1.32.4-eks-kiln',
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'topology.kubernetes.io/zone': `us-east-1${'abc'[i % 3] ?? 'a'}`,
      },
    };
  });
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

const pod = (i: number): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p${i}`, namespace: 'bench', labels: { app: 'bench' } },
  spec: {
    containers: [
      { name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '100m', memory: '128Mi' } } },
    ],
  },
});

async function until(cond: () => boolean, what: string, timeoutMs = 600_000): Promise<void> {
  const t0 = performance.now();
  while (!cond()) {
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function run(s: Scenario): Promise<Result> {
  const cluster = new Cluster({
    name: 'bench',
    dataDir: undefined,
    pathPrefix: '',
    clock: systemClock,
    ids: randomIds,
    nodes: nodes(s.nodes),
  });
  await cluster.bootstrap();
  const ac = new AbortController();
  const t0 = performance.now();
  const running = cluster.run(ac.signal);
  let readyNodes = 0;
  const nodeInformer = new Informer({
    client: cluster.client,
    path: '/api/v1/nodes',
    sleep: realSleep,
    handlers: {},
  });
  const created = new Map<string, number>();
  const bound = new Map<string, number>();
  const runningPods = new Set<string>();
  const podInformer = new Informer({
    client: cluster.client,
    path: '/api/v1/namespaces/bench/pods',
    sleep: realSleep,
    handlers: {
      onChange: (o) => {
        const name = o.metadata.name ?? '';
        const spec = o['spec'] as { nodeName?: string } | undefined;
        if (spec?.nodeName !== undefined && !bound.has(name)) bound.set(name, performance.now());
        const status = o['status'] as { phase?: string } | undefined;
        if (status?.phase === 'Running') runningPods.add(name);
      },
    },
  });
  void nodeInformer.run(ac.signal);
  void podInformer.run(ac.signal);
  await until(() => {
    readyNodes = nodeInformer.list().length;
    return readyNodes >= s.nodes;
  }, 'nodes');
  const nodesReadySeconds = (performance.now() - t0) / 1000;
  await cluster.client.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'bench' },
  });
  const start = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < s.pods) {
        const i = next++;
        await cluster.client.create('/api/v1/namespaces/bench/pods', pod(i));
        created.set(`p${i}`, performance.now());
      }
    }),
  );
  await until(() => bound.size >= s.pods, 'bindings');
  const lastBind = Math.max(...bound.values());
  await until(() => runningPods.size >= s.pods, 'Running pods');
  const allRunning = performance.now();
  const latencies = [...bound].map(([name, t]) => t - (created.get(name) ?? t));
  ac.abort();
  await running.catch(() => undefined);
  cluster.close();
  return {
    ...s,
    podsPerSecond: s.pods / ((lastBind - start) / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    allRunningSeconds: (allRunning - start) / 1000,
    nodesReadySeconds,
  };
}

const results: Result[] = [];
for (const s of SCENARIOS) {
  process.stderr.write(`scheduling ${String(s.pods)} pods onto ${String(s.nodes)} nodes…\n`);
  results.push(await run(s));
}
const fmt = (n: number, d = 0): string => n.toFixed(d);
console.log(
  '| pods | nodes | nodes ready (s) | scheduled pods/s | p50 latency (ms) | p99 latency (ms) | all Running (s) |',
);
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  console.log(
    `| ${String(r.pods)} | ${String(r.nodes)} | ${fmt(r.nodesReadySeconds, 1)} | ${fmt(r.podsPerSecond)} | ${fmt(r.p50Ms)} | ${fmt(r.p99Ms)} | ${fmt(r.allRunningSeconds, 1)} |`,
  );
}
const worst = Math.min(...results.map((r) => r.podsPerSecond));
console.log(
  `\ntarget: >= ${String(TARGET_PODS_PER_SECOND)} pods/s — ${worst >= TARGET_PODS_PER_SECOND ? 'met' : 'NOT met'} (worst ${fmt(worst)})`,
);
const dir = join(import.meta.dirname, 'results');
mkdirSync(dir, { recursive: true });
const file = join(dir, `scheduler-${new Date().toISOString().replaceAll(':', '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ target: TARGET_PODS_PER_SECOND, concurrency: CONCURRENCY, results }, null, 2),
);
console.log(`wrote ${file}`);
process.exit(0);

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { Cluster } from '../daemon/index.ts';
import { ManualScheduler, sleepOn } from '../runtime/index.ts';
import { SimRuntime } from '../runtime/sim/index.ts';
import { ManualClock } from '../util/index.ts';
import { NodeAgent } from './node-agent.ts';
import { startCluster } from '../../test/support/controller-kit.ts';

type Json = Record<string, unknown>;

interface Env {
  cluster: Cluster;
  sched: ManualScheduler;
  agent: NodeAgent;
  stop: () => Promise<void>;
}

async function start(): Promise<Env> {
  const clock = new ManualClock();
  const cluster = await startCluster({ clock });
  const sched = new ManualScheduler(clock);
  const runtime = new SimRuntime({ scheduler: sched });
  const agent = new NodeAgent({
    client: cluster.client,
    clock,
    sleep: sleepOn(sched),
    runtime,
    nodes: [
      {
        name: 'node-a',
        capacity: { cpu: '4', memory: '16Gi', pods: 110 },
        labels: { 'eks.amazonaws.com/nodegroup': 'ng-1' },
        internalIp: '192.168.10.11',
        podCidr: '10.244.1.0/24',
        kubeletVersion: 'v1.32.4-eks-1a2b3c4',
      },
    ],
  });
  const ac = new AbortController();
  const running = agent.run(ac.signal);
  return {
    cluster,
    sched,
    agent,
    stop: async () => {
      ac.abort();
      await running;
      cluster.close();
    },
  };
}

const real = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Lets simulated time pass in steps until `ok` holds. */
async function until<T>(
  env: Env,
  probe: () => Promise<T | undefined>,
  stepMs = 100,
  maxSteps = 400,
): Promise<T> {
  for (let i = 0; i < maxSteps; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await env.sched.advance(stepMs);
    await real(1);
  }
  throw new Error('condition not reached');
}

const pod = (
  name: string,
  extra: { annotations?: Record<string, string>; spec?: Json } = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    ...(extra.annotations === undefined ? {} : { annotations: extra.annotations }),
  },
  spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'nginx:1.27' }], ...extra.spec },
});

async function getPod(env: Env, name: string): Promise<KubeObject | undefined> {
  try {
    return await env.cluster.client.get(`/api/v1/namespaces/default/pods/${name}`);
  } catch {
    return undefined;
  }
}

const status = (p: KubeObject | undefined): Json => (p?.['status'] ?? {}) as Json;
const cstatus = (p: KubeObject | undefined, i = 0): Json =>
  ((status(p)['containerStatuses'] as Json[] | undefined) ?? [])[i] ?? {};

async function events(env: Env, name: string): Promise<KubeObject[]> {
  const list = await env.cluster.client.list('/api/v1/namespaces/default/events');
  return list.items.filter((e) => (e['involvedObject'] as Json)['name'] === name);
}

describe('NodeAgent', () => {
  let env: Env;
  before(async () => {
    env = await start();
  });
  after(async () => {
    await env.stop();
  });

  it('registers its node with conditions, addresses and nodeInfo, and holds a Lease', async () => {
    const node = await until(env, async () => {
      try {
        return await env.cluster.client.get('/api/v1/nodes/node-a');
      } catch {
        return undefined;
      }
    });
    const s = node['status'] as Json;
    const conds = s['conditions'] as Json[];
    assert.deepEqual(
      conds.map((c) => [c['type'], c['status'], c['reason']]),
      [
        ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
        ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
        ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
        ['Ready', 'True', 'KubeletReady'],
      ],
    );
    assert.deepEqual(s['addresses'], [
      { type: 'InternalIP', address: '192.168.10.11' },
      { type: 'Hostname', address: 'node-a' },
    ]);
    assert.equal((s['nodeInfo'] as Json)['kubeletVersion'], 'v1.32.4-eks-1a2b3c4');
    assert.equal((s['allocatable'] as Json)['pods'], '110');
    assert.equal(node.metadata.labels?.['kubernetes.io/hostname'], 'node-a');
    const leasePath = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a';
    const lease = await until(env, async () => {
      try {
        return await env.cluster.client.get(leasePath);
      } catch {
        return undefined;
      }
    });
    const first = (lease['spec'] as Json)['renewTime'];
    assert.equal((lease['spec'] as Json)['holderIdentity'], 'node-a');
    assert.equal(lease.metadata.ownerReferences?.[0]?.kind, 'Node');
    await env.sched.advance(10_000);
    await real(5);
    const renewed = await env.cluster.client.get(leasePath);
    assert.notEqual((renewed['spec'] as Json)['renewTime'], first);
  });

  it('runs a pod to Running and Ready with kubelet status and events', async () => {
    await env.cluster.client.create('/api/v1/namespaces/default/pods', pod('web'));
    const p = await until(env, async () => {
      const x = await getPod(env, 'web');
      return status(x)['phase'] === 'Running' && cstatus(x)['ready'] === true ? x : undefined;
    });
    const s = status(p);
    assert.equal(s['podIP'], '10.244.1.2');
    assert.deepEqual(s['podIPs'], [{ ip: '10.244.1.2' }]);
    assert.equal(s['hostIP'], '192.168.10.11');
    assert.equal(s['qosClass'], 'BestEffort');
    assert.equal(typeof s['startTime'], 'string');
    assert.deepEqual(
      (s['conditions'] as Json[]).map((c) => [c['type'], c['status']]),
      [
        ['PodReadyToStartContainers', 'True'],
        ['Initialized', 'True'],
        ['Ready', 'True'],
        ['ContainersReady', 'True'],
        ['PodScheduled', 'True'],
      ],
    );
    const cs = cstatus(p);
    assert.equal(cs['restartCount'], 0);
    assert.equal(cs['started'], true);
    assert.match(String(cs['containerID']), /^sim:\/\/[0-9a-f]{64}$/);
    assert.match(String(cs['imageID']), /^docker\.io\/library\/nginx@sha256:/);
    assert.ok((cs['state'] as Json)['running']);
    const evs = await events(env, 'web');
    const reasons = evs.map((e) => e['reason']);
    assert.deepEqual(reasons, ['Pulling', 'Pulled', 'Created', 'Started']);
    const messages = evs.map((e) => e['message']);
    assert.match(
      String(messages[1]),
      /^Successfully pulled image "nginx:1\.27" in 1\.2s \(1\.2s including waiting\)\. Image size: \d+ bytes\.$/,
    );
    assert.equal(messages[2], 'Created container: app');
    assert.equal(messages[3], 'Started container app');
    assert.deepEqual(
      evs.map((e) => e['source']),
      evs.map(() => ({ component: 'kubelet', host: 'node-a' })),
    );
    assert.deepEqual(
      evs.map((e) => (e['involvedObject'] as Json)['fieldPath']),
      evs.map(() => 'spec.containers{app}'),
    );
  });

  it('serves logs through PodLogSource', async () => {
    assert.equal(env.agent.servesNode('node-a'), true);
    assert.equal(env.agent.servesNode('node-b'), false);
    const p = await getPod(env, 'web');
    assert.ok(p);
    const chunks: string[] = [];
    await env.agent.streamLogs(
      p,
      { container: 'app', follow: false, previous: false, timestamps: false, tailLines: 1 },
      { write: (c) => chunks.push(c) > 0, signal: new AbortController().signal },
    );
    assert.deepEqual(chunks, ['[notice] 1#1: start worker processes\n']);
    await assert.rejects(
      env.agent.streamLogs(
        p,
        { container: 'app', follow: false, previous: true, timestamps: false },
        { write: () => true, signal: new AbortController().signal },
      ),
      /previous terminated container "app" in pod "web" not found/,
    );
  });

  it('completes a restartPolicy Never pod that exits 0', async () => {
    await env.cluster.client.create(
      '/api/v1/namespaces/default/pods',
      pod('job', {
        spec: {
          restartPolicy: 'Never',
          containers: [
            { name: 'pi', image: 'busybox:1.36', command: ['sh', '-c', 'echo 3.14; sleep 2'] },
          ],
        },
      }),
    );
    const p = await until(env, async () => {
      const x = await getPod(env, 'job');
      return status(x)['phase'] === 'Succeeded' ? x : undefined;
    });
    const term = (cstatus(p)['state'] as Json)['terminated'] as Json;
    assert.equal(term['exitCode'], 0);
    assert.equal(term['reason'], 'Completed');
    const ready = (status(p)['conditions'] as Json[]).find((c) => c['type'] === 'Ready');
    assert.equal(ready?.['reason'], 'PodCompleted');
  });

  it('restarts a crashing container at the back-off intervals, in CrashLoopBackOff between', async () => {
    await env.cluster.client.create(
      '/api/v1/namespaces/default/pods',
      pod('crash', {
        annotations: { 'sim.kiln.dev/exit-after': '1s', 'sim.kiln.dev/exit-code': '3' },
      }),
    );
    // Pull (image present: IfNotPresent) and the first run, then the immediate first restart.
    const restartsAt: number[] = [];
    const t0 = Date.UTC(2026, 0, 1);
    let last = -1;
    let sawBackoff = false;
    await until(
      env,
      async () => {
        const x = await getPod(env, 'crash');
        const cs = cstatus(x);
        const n = Number(cs['restartCount'] ?? 0);
        const waiting = (cs['state'] as Json | undefined)?.['waiting'] as Json | undefined;
        if (waiting?.['reason'] === 'CrashLoopBackOff') {
          sawBackoff = true;
          assert.match(
            String(waiting['message']),
            /^back-off \d+s restarting failed container=app pod=crash_default\(/,
          );
          assert.equal(status(x)['phase'], 'Running');
        }
        if (n !== last) {
          restartsAt.push(Math.round((env.sched.clock.now() - t0) / 1000));
          last = n;
        }
        return n >= 4 ? true : undefined;
      },
      500,
      400,
    );
    assert.ok(sawBackoff);
    const gaps = restartsAt.slice(1).map((t, i) => t - (restartsAt[i] ?? 0));
    // Restart 1 follows the first exit at once; later ones wait 1 s of running plus 10, 20, 40 s.
    assert.deepEqual(gaps.slice(1), [11, 21, 41]);
    const evs = await events(env, 'crash');
    const backoff = evs.find((e) => e['reason'] === 'BackOff');
    assert.match(
      String(backoff?.['message']),
      /^Back-off restarting failed container app in pod crash_default\(/,
    );
  });

  it('stops a deleted pod and deletes it with grace period 0', async () => {
    await env.cluster.client.delete('/api/v1/namespaces/default/pods/web', {
      gracePeriodSeconds: 30,
    });
    await until(env, async () => ((await getPod(env, 'web')) === undefined ? true : undefined));
    const evs = await events(env, 'web');
    assert.ok(
      evs.some((e) => e['reason'] === 'Killing' && e['message'] === 'Stopping container app'),
    );
  });
});

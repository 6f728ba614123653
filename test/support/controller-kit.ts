import type { KubeObject } from '../../src/api/index.ts';
import { Informer, isNotFound, realSleep, type KubeClient } from '../../src/client/index.ts';
import { Cluster, type ClusterOptions } from '../../src/daemon/cluster.ts';
import { rfc3339, sequentialIds, systemClock } from '../../src/util/index.ts';
import { asPod, isPodReady } from '../../src/controllers/deployment-objects.ts';

/**
 * Test support: an in-memory, bootstrapped cluster (system clock and sequential ids unless
 * given), and for the workload controllers a stand-in kubelet that
 * marks every new pod Running and Ready (no scheduler or node agent takes part).
 */
export async function startCluster(
  o: Partial<Pick<ClusterOptions, 'name' | 'clock' | 'ids' | 'nodes'>> = {},
): Promise<Cluster> {
  const cluster = new Cluster({
    name: o.name ?? 't',
    dataDir: undefined,
    pathPrefix: '',
    clock: o.clock ?? systemClock,
    ids: o.ids ?? sequentialIds(),
    ...(o.nodes === undefined ? {} : { nodes: o.nodes }),
  });
  await cluster.bootstrap();
  return cluster;
}

export interface FakeKubeletOptions {
  readonly client: KubeClient;
  readonly signal: AbortSignal;
  /** Pods this returns false for (or annotated `kiln.test/kubelet: off`) stay Pending. */
  readonly shouldRun?: (pod: KubeObject) => boolean;
}

/** Plays the kubelet's status writes: a new pod becomes Running with Ready=True. */
export function runFakeKubelet(opts: FakeKubeletOptions): Promise<void> {
  const markReady = async (obj: KubeObject): Promise<void> => {
    const pod = asPod(obj);
    if (pod.metadata.deletionTimestamp !== undefined || isPodReady(pod)) return;
    if (pod.metadata.annotations?.['kiln.test/kubelet'] === 'off') return;
    if (opts.shouldRun && !opts.shouldRun(obj)) return;
    const now = rfc3339(Date.now());
    try {
      await opts.client.patch(
        `/api/v1/namespaces/${pod.metadata.namespace ?? ''}/pods/${pod.metadata.name ?? ''}/status`,
        {
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
          },
        },
      );
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  };
  const informer = new Informer({
    client: opts.client,
    path: '/api/v1/pods',
    sleep: realSleep,
    handlers: {
      onChange: (pod) => {
        void markReady(pod);
      },
    },
  });
  return informer.run(opts.signal);
}

/** Polls `check` every few milliseconds until it returns a value or the time runs out. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 4000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${String(timeoutMs)} ms`, { cause: last });
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function listPods(client: KubeClient, ns = 'default'): Promise<KubeObject[]> {
  return (await client.list(`/api/v1/namespaces/${ns}/pods`)).items;
}

export function podTemplate(labels: Record<string, string>, image = 'nginx:1.27'): KubeObject {
  return {
    metadata: { labels },
    spec: { containers: [{ name: 'c', image }] },
  };
}

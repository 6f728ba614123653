import type { KubeObject } from '../api/index.ts';
import { ApiStatusError, isNotFound, type KubeClient, type Sleep } from '../client/index.ts';
import type { Clock } from '../util/index.ts';

/** How long EKS waits for a node of a managed node group to drain before terminating it. */
export const EKS_DRAIN_TIMEOUT_MS = 5 * 60_000;
/** How often the drain looks again at the pods left (and evicts those a budget kept). */
const RETRY_MS = 1_000;

export interface DrainOptions {
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Give up (the instance is terminated anyway) after this long; default EKS's 5 minutes. */
  readonly timeoutMs?: number;
  readonly signal: AbortSignal;
}

function isDaemonSetPod(pod: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some(
    (r) => r.controller === true && r.kind === 'DaemonSet',
  );
}

function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined;
}

function phaseOf(pod: KubeObject): string {
  const status = pod['status'] as { phase?: unknown } | undefined;
  return typeof status?.phase === 'string' ? status.phase : '';
}

/** The pods a drain must move: not DaemonSet or mirror pods (they stay), not finished ones. */
function podsToMove(pods: readonly KubeObject[]): KubeObject[] {
  return pods.filter(
    (p) =>
      !isDaemonSetPod(p) &&
      !isMirrorPod(p) &&
      phaseOf(p) !== 'Succeeded' &&
      phaseOf(p) !== 'Failed',
  );
}

async function cordon(client: KubeClient, node: string): Promise<void> {
  try {
    await client.patch(`/api/v1/nodes/${node}`, { spec: { unschedulable: true } });
  } catch (e: unknown) {
    if (!isNotFound(e)) throw e;
  }
}

/** One eviction through the Eviction API; false when a disruption budget refused it (429). */
async function evict(client: KubeClient, pod: KubeObject): Promise<boolean> {
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  try {
    await client.create(`/api/v1/namespaces/${ns}/pods/${name}/eviction`, {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace: ns },
    });
    return true;
  } catch (e: unknown) {
    if (isNotFound(e)) return true;
    if (e instanceof ApiStatusError && e.httpStatus === 429) return false;
    throw e;
  }
}

/**
 * Drains a node as EKS does before it terminates an instance of a managed node group (and as
 * `kubectl drain --ignore-daemonsets` does): cordons it, then evicts its pods through the
 * Eviction API, so disruption budgets are respected, until none is left or the timeout passes.
 * Returns whether the node drained; after the timeout the caller terminates it anyway.
 */
export async function drainNode(
  client: KubeClient,
  node: string,
  o: DrainOptions,
): Promise<boolean> {
  await cordon(client, node);
  const deadline = o.clock.now() + (o.timeoutMs ?? EKS_DRAIN_TIMEOUT_MS);
  while (!o.signal.aborted) {
    const listed = await client.list('/api/v1/pods', { fieldSelector: `spec.nodeName=${node}` });
    const left = podsToMove(listed.items);
    if (left.length === 0) return true;
    for (const pod of left) {
      if (pod.metadata.deletionTimestamp === undefined) await evict(client, pod);
    }
    const wait = Math.min(RETRY_MS, deadline - o.clock.now());
    if (wait <= 0) return false;
    await o.sleep(wait, o.signal);
  }
  return false;
}

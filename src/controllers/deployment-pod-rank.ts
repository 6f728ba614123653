import { isPodReady, parseTime, readyCondition, type Pod } from './deployment-objects.ts';

/** A pod with its rank: how many related pods share its node (doubled-up pods go first). */
export interface RankedPod {
  readonly pod: Pod;
  readonly rank: number;
}

const PHASE_ORDER: Readonly<Record<string, number>> = { Pending: 0, Unknown: 1, Running: 2 };

/** log2 of the age in nanoseconds, as upstream's logarithmic scale-down buckets ages. */
function ageBucket(t: number | undefined, now: number): number {
  if (t === undefined) return -1;
  const ns = (now - t) * 1e6;
  return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
}

function maxRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

function deletionCost(p: Pod): number {
  const v = Number(p.metadata.annotations?.['controller.kubernetes.io/pod-deletion-cost'] ?? 0);
  return Number.isFinite(v) ? v : 0;
}

type Compare = (a: RankedPod, b: RankedPod, now: number) => number;

/**
 * controller.ActivePodsWithRanks.Less, one step per entry: the first that tells two pods apart
 * decides, and a negative result means `a` is deleted first.
 */
const STEPS: readonly Compare[] = [
  (a, b) => {
    const na = a.pod.spec?.nodeName ?? '';
    const nb = b.pod.spec?.nodeName ?? '';
    if (na === nb || (na !== '' && nb !== '')) return 0;
    return na === '' ? -1 : 1;
  },
  (a, b) =>
    (PHASE_ORDER[a.pod.status?.phase ?? ''] ?? 0) - (PHASE_ORDER[b.pod.status?.phase ?? ''] ?? 0),
  (a, b) => Number(isPodReady(a.pod)) - Number(isPodReady(b.pod)),
  (a, b) => deletionCost(a.pod) - deletionCost(b.pod),
  (a, b) => b.rank - a.rank,
  (a, b, now) => {
    if (!isPodReady(a.pod) || !isPodReady(b.pod)) return 0;
    const ta = parseTime(readyCondition(a.pod)?.lastTransitionTime);
    const tb = parseTime(readyCondition(b.pod)?.lastTransitionTime);
    return ageBucket(ta, now) - ageBucket(tb, now);
  },
  (a, b) => maxRestarts(b.pod) - maxRestarts(a.pod),
  (a, b, now) =>
    ageBucket(parseTime(a.pod.metadata.creationTimestamp), now) -
    ageBucket(parseTime(b.pod.metadata.creationTimestamp), now),
  (a, b) => (a.pod.metadata.uid ?? '').localeCompare(b.pod.metadata.uid ?? ''),
];

export function comparePodsForDeletion(a: RankedPod, b: RankedPod, now: number): number {
  for (const step of STEPS) {
    const c = step(a, b, now);
    if (c !== 0) return c;
  }
  return 0;
}

/**
 * The `n` pods to delete: unscheduled before scheduled, pending before running, not ready
 * before ready, doubled-up before alone, newest before oldest.
 */
export function podsToDelete(
  pods: readonly Pod[],
  related: readonly Pod[],
  opts: { n: number; now: number },
): Pod[] {
  const perNode = new Map<string, number>();
  for (const p of related) {
    const node = p.spec?.nodeName ?? '';
    if (node !== '') perNode.set(node, (perNode.get(node) ?? 0) + 1);
  }
  const ranked = pods.map((pod) => ({
    pod,
    rank: perNode.get(pod.spec?.nodeName ?? '') ?? 0,
  }));
  if (opts.n < pods.length) ranked.sort((a, b) => comparePodsForDeletion(a, b, opts.now));
  return ranked.slice(0, opts.n).map((r) => r.pod);
}

import {
  SKIP,
  type CycleContext,
  type FilterPlugin,
  type FilterStatus,
  type ScorePlugin,
} from './framework.ts';
import { interPodAffinity } from './inter-pod-affinity.ts';
import type { NodeInfo } from './model.ts';
import {
  balancedAllocation,
  nodeAffinity,
  nodeName,
  nodePorts,
  nodeResourcesFit,
  nodeUnschedulable,
  taintToleration,
} from './node-plugins.ts';
import { podTopologySpread } from './topology-spread.ts';

/** The default profile's filters, in kube-scheduler's order (a node stops at its first failure). */
export const FILTERS: readonly FilterPlugin[] = [
  nodeUnschedulable,
  nodeName,
  taintToleration,
  nodeAffinity,
  nodePorts,
  nodeResourcesFit,
  podTopologySpread,
  interPodAffinity,
];

/** The default profile's scores with their default weights. */
export const SCORES: readonly ScorePlugin[] = [
  taintToleration,
  nodeAffinity,
  nodeResourcesFit,
  podTopologySpread,
  interPodAffinity,
  balancedAllocation,
];

const MIN_FEASIBLE_NODES = 100;
const MIN_FEASIBLE_PERCENTAGE = 5;

/** numFeasibleNodesToFind with the adaptive percentageOfNodesToScore default. */
export function numFeasibleNodesToFind(all: number): number {
  if (all < MIN_FEASIBLE_NODES) return all;
  const pct = Math.max(MIN_FEASIBLE_PERCENTAGE, 50 - Math.trunc(all / 125));
  return Math.max(MIN_FEASIBLE_NODES, Math.trunc((all * pct) / 100));
}

export function runFilters(
  ctx: CycleContext,
  node: NodeInfo,
  filters: readonly FilterPlugin[] = FILTERS,
): FilterStatus | undefined {
  for (const f of filters) {
    const s = f.filter(ctx, node);
    if (s !== undefined) return s;
  }
  return undefined;
}

export interface FilterResult {
  readonly feasible: NodeInfo[];
  /** Why each rejected node was rejected, by node name. */
  readonly statuses: Map<string, FilterStatus>;
  /** How many nodes were examined (the rotation advances by this much). */
  readonly processed: number;
}

/** Filters nodes from `start`, stopping once enough feasible ones are found. */
export function findFeasible(
  ctx: CycleContext,
  nodes: readonly NodeInfo[],
  start: number,
): FilterResult {
  // Plugins whose PreFilter answers SKIP pass every node this cycle: not called per node.
  const active = FILTERS.filter((f) => f.preFilter?.(ctx) !== SKIP);
  const want = numFeasibleNodesToFind(nodes.length);
  const feasible: NodeInfo[] = [];
  const statuses = new Map<string, FilterStatus>();
  let processed = 0;
  for (; processed < nodes.length && feasible.length < want; processed++) {
    const node = nodes[(start + processed) % nodes.length];
    if (node === undefined) continue;
    const s = runFilters(ctx, node, active);
    if (s === undefined) feasible.push(node);
    else statuses.set(node.name, s);
  }
  return { feasible, statuses, processed };
}

/** Weighted sum of normalized plugin scores, aligned with `nodes`. */
export function scoreNodes(ctx: CycleContext, nodes: readonly NodeInfo[]): number[] {
  const totals = nodes.map(() => 0);
  for (const p of SCORES) {
    // A skipped plugin scores 0 everywhere, which adds nothing.
    if (p.preScore?.(ctx, nodes) === SKIP) continue;
    const scores = nodes.map((n) => p.score(ctx, n));
    p.normalize?.(ctx, scores, nodes);
    scores.forEach((s, i) => {
      totals[i] = (totals[i] ?? 0) + s * p.weight;
    });
  }
  return totals;
}

/**
 * selectHost: the best score, ties broken uniformly at random. One random draw over all the tied
 * nodes instead of reservoir sampling's draw per tie: the same distribution, and at scale
 * (hundreds of equally empty nodes) far fewer draws.
 */
export function selectHost(
  nodes: readonly NodeInfo[],
  scores: readonly number[],
  randomInt: (max: number) => number,
): NodeInfo | undefined {
  let bestScore = -Infinity;
  const ties: NodeInfo[] = [];
  nodes.forEach((n, i) => {
    const s = scores[i] ?? 0;
    if (s > bestScore) {
      bestScore = s;
      ties.length = 0;
    }
    if (s === bestScore) ties.push(n);
  });
  return ties.length <= 1 ? ties[0] : ties[randomInt(ties.length)];
}

/**
 * FitError.Error(): `0/N nodes are available: <count reason, …>.` with reasons counted over
 * nodes and sorted as strings, exactly as kube-scheduler (so "10 x" sorts before "2 y").
 */
export function fitErrorMessage(
  numAllNodes: number,
  statuses: Iterable<FilterStatus>,
  absent?: { readonly count: number; readonly reason: string },
): string {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  if (absent !== undefined && absent.count > 0)
    counts.set(absent.reason, (counts.get(absent.reason) ?? 0) + absent.count);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  let msg = `0/${numAllNodes} nodes are available:`;
  if (parts.length > 0) msg += ` ${parts.join(', ')}.`;
  return msg;
}

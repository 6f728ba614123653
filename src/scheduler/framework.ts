import type { SchedulerCache } from './cache.ts';
import type { NodeInfo, PodInfo } from './model.ts';
import type { Labels } from './selectors.ts';

/**
 * Unschedulable: preemption might help on this node. UnschedulableAndUnresolvable: removing
 * pods cannot help, so preemption skips the node.
 */
export type FilterCode = 'Unschedulable' | 'UnschedulableAndUnresolvable';

export interface FilterStatus {
  readonly code: FilterCode;
  readonly reasons: readonly string[];
  readonly plugin: string;
}

/** Everything one scheduling attempt shares between plugins (framework.CycleState). */
export interface CycleContext {
  readonly pod: PodInfo;
  readonly cache: SchedulerCache;
  readonly namespaceLabels: (ns: string) => Labels;
  /** Per-plugin precomputed state, keyed by plugin name. */
  readonly state: Map<string, unknown>;
}

/**
 * What PreFilter/PreScore may answer: SKIP when the plugin's Filter (Score) cannot matter for this
 * pod in this cycle (framework.Skip), so the framework does not call it per node.
 */
export const SKIP = 'skip';
export type PreResult = typeof SKIP | undefined;

export interface FilterPlugin {
  readonly name: string;
  /** Precomputes state from the whole cluster once per attempt. */
  preFilter?(ctx: CycleContext): PreResult;
  /** undefined when the pod fits the node. */
  filter(ctx: CycleContext, node: NodeInfo): FilterStatus | undefined;
}

export interface ScorePlugin {
  readonly name: string;
  readonly weight: number;
  /** Precomputes state over the feasible nodes; SKIP when every node would score 0. */
  preScore?(ctx: CycleContext, nodes: readonly NodeInfo[]): PreResult;
  score(ctx: CycleContext, node: NodeInfo): number;
  /** Rescales raw scores to 0..100 in place, aligned with `nodes`. */
  normalize?(ctx: CycleContext, scores: number[], nodes: readonly NodeInfo[]): void;
}

export const MAX_NODE_SCORE = 100;

export function unschedulable(plugin: string, ...reasons: string[]): FilterStatus {
  return { code: 'Unschedulable', reasons, plugin };
}

export function unresolvable(plugin: string, ...reasons: string[]): FilterStatus {
  return { code: 'UnschedulableAndUnresolvable', reasons, plugin };
}

/** helper.DefaultNormalizeScore: scale to the maximum, optionally reversed. */
export function defaultNormalize(scores: number[], reverse: boolean): void {
  const max = Math.max(0, ...scores);
  for (let i = 0; i < scores.length; i++) {
    if (max === 0) {
      scores[i] = reverse ? MAX_NODE_SCORE : 0;
      continue;
    }
    const s = Math.trunc((MAX_NODE_SCORE * (scores[i] ?? 0)) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - s : s;
  }
}

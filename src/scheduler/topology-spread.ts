import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import {
  MAX_NODE_SCORE,
  SKIP,
  unresolvable,
  unschedulable,
  type CycleContext,
  type FilterPlugin,
  type ScorePlugin,
} from './framework.ts';
import type { NodeInfo, PodInfo } from './model.ts';
import {
  matchesLabelSelector,
  matchesNodeSelectorTerms,
  tolerationsTolerate,
} from './selectors.ts';

const NAME = 'PodTopologySpread';
const SCORE_SLOT = `${NAME}/score`;
const HOSTNAME = 'kubernetes.io/hostname';
const CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";

interface Constraint {
  readonly maxSkew: number;
  readonly topologyKey: string;
  readonly selector: LabelSelector | undefined;
  readonly minDomains: number;
  readonly honorAffinity: boolean;
  readonly honorTaints: boolean;
}

/** The constraint's selector, with matchLabelKeys folded in as the pod's own label values. */
function toConstraint(c: TopologySpreadConstraint, pod: PodInfo): Constraint {
  let selector = c.labelSelector;
  const keys = (c.matchLabelKeys ?? []).filter((k) => pod.labels[k] !== undefined);
  if (selector !== undefined && keys.length > 0) {
    selector = {
      ...selector,
      matchExpressions: [
        ...(selector.matchExpressions ?? []),
        ...keys.map((k) => ({ key: k, operator: 'In', values: [pod.labels[k] ?? ''] })),
      ],
    };
  }
  return {
    maxSkew: c.maxSkew,
    topologyKey: c.topologyKey,
    selector,
    minDomains: c.minDomains ?? 1,
    honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
    honorTaints: c.nodeTaintsPolicy === 'Honor',
  };
}

function constraintsOf(pod: PodInfo, when: string): Constraint[] {
  return (pod.pod.spec?.topologySpreadConstraints ?? [])
    .filter((c) => c.whenUnsatisfiable === when)
    .map((c) => toConstraint(c, pod));
}

function countMatching(node: NodeInfo, c: Constraint, pod: PodInfo): number {
  let n = 0;
  for (const p of node.pods.values()) {
    if (p.terminating || p.namespace !== pod.namespace) continue;
    if (matchesLabelSelector(c.selector, p.labels)) n++;
  }
  return n;
}

function matchesPodNodeAffinity(ctx: CycleContext, node: NodeInfo): boolean {
  const spec = ctx.pod.pod.spec;
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {}))
    if (node.labels[k] !== v) return false;
  const req = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return req === undefined || matchesNodeSelectorTerms(req.nodeSelectorTerms, node);
}

function toleratesNode(ctx: CycleContext, node: NodeInfo): boolean {
  const tol = ctx.pod.pod.spec?.tolerations ?? [];
  return !node.taints.some(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerationsTolerate(tol, t),
  );
}

/** nodeAffinityPolicy (Honor by default) and nodeTaintsPolicy (Ignore by default). */
function passesNodeInclusion(ctx: CycleContext, c: Constraint, node: NodeInfo): boolean {
  if (c.honorAffinity && !matchesPodNodeAffinity(ctx, node)) return false;
  return !c.honorTaints || toleratesNode(ctx, node);
}

function hasAllKeys(node: NodeInfo, cs: readonly Constraint[]): boolean {
  return cs.every((c) => node.labels[c.topologyKey] !== undefined);
}

interface FilterState {
  readonly constraints: readonly Constraint[];
  /** Per constraint: topology value → matching pods. */
  readonly counts: readonly Map<string, number>[];
  readonly minMatch: readonly number[];
}

function filterState(ctx: CycleContext): FilterState {
  const cached = ctx.state.get(NAME);
  // SAFETY: only this module writes the NAME slot, always with a FilterState.
  if (cached !== undefined) return cached as FilterState;
  const constraints = constraintsOf(ctx.pod, 'DoNotSchedule');
  const counts = constraints.map(() => new Map<string, number>());
  if (constraints.length > 0) {
    for (const node of ctx.cache.nodes()) {
      if (!hasAllKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!passesNodeInclusion(ctx, c, node)) return;
        const m = counts[i];
        const v = node.labels[c.topologyKey] ?? '';
        m?.set(v, (m.get(v) ?? 0) + countMatching(node, c, ctx.pod));
      });
    }
  }
  const minMatch = constraints.map((c, i) => {
    const m = counts[i] ?? new Map<string, number>();
    if (m.size < c.minDomains) return 0;
    return m.size === 0 ? 0 : Math.min(...m.values());
  });
  const state = { constraints, counts, minMatch };
  ctx.state.set(NAME, state);
  return state;
}

interface ScoreState {
  readonly constraints: readonly Constraint[];
  readonly counts: readonly Map<string, number>[];
  readonly weights: readonly number[];
  readonly ignored: ReadonlySet<string>;
}

function buildScoreState(ctx: CycleContext, feasible: readonly NodeInfo[]): ScoreState {
  const constraints = constraintsOf(ctx.pod, 'ScheduleAnyway');
  const ignored = new Set<string>();
  // Without constraints every node scores 0: skip the walk over the cluster (PreScore's Skip).
  if (constraints.length === 0) return { constraints, counts: [], weights: [], ignored };
  const counts = constraints.map(() => new Map<string, number>());
  const domains = constraints.map(() => new Set<string>());
  for (const node of feasible) {
    if (!hasAllKeys(node, constraints)) {
      ignored.add(node.name);
      continue;
    }
    constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey] ?? '';
      domains[i]?.add(c.topologyKey === HOSTNAME ? node.name : v);
      if (c.topologyKey !== HOSTNAME) counts[i]?.set(v, 0);
    });
  }
  const weights = domains.map((d) => Math.log(d.size + 2));
  for (const node of ctx.cache.nodes()) {
    if (!hasAllKeys(node, constraints)) continue;
    constraints.forEach((c, i) => {
      const m = counts[i];
      const v = node.labels[c.topologyKey] ?? '';
      if (c.topologyKey === HOSTNAME || m?.has(v) !== true) return;
      if (!passesNodeInclusion(ctx, c, node)) return;
      m.set(v, (m.get(v) ?? 0) + countMatching(node, c, ctx.pod));
    });
  }
  return { constraints, counts, weights, ignored };
}

function scoreState(ctx: CycleContext): ScoreState | undefined {
  // SAFETY: only this module writes this slot, always with a ScoreState.
  return ctx.state.get(SCORE_SLOT) as ScoreState | undefined;
}

export const podTopologySpread: FilterPlugin & ScorePlugin = {
  name: NAME,
  weight: 2,
  preFilter(ctx) {
    return filterState(ctx).constraints.length === 0 ? SKIP : undefined;
  },
  filter(ctx, node) {
    const state = filterState(ctx);
    if (state.constraints.length === 0) return undefined;
    for (const [i, c] of state.constraints.entries()) {
      const v = node.labels[c.topologyKey];
      if (v === undefined)
        return unresolvable(NAME, `${CONSTRAINTS_NOT_MATCH} (missing required label)`);
      const self = matchesLabelSelector(c.selector, ctx.pod.labels) ? 1 : 0;
      const skew = (state.counts[i]?.get(v) ?? 0) + self - (state.minMatch[i] ?? 0);
      if (skew > c.maxSkew) return unschedulable(NAME, CONSTRAINTS_NOT_MATCH);
    }
    return undefined;
  },
  preScore(ctx, nodes) {
    const state = buildScoreState(ctx, nodes);
    ctx.state.set(SCORE_SLOT, state);
    return state.constraints.length === 0 ? SKIP : undefined;
  },
  score(ctx, node) {
    const state = scoreState(ctx);
    if (state === undefined || state.constraints.length === 0 || state.ignored.has(node.name))
      return 0;
    let score = 0;
    state.constraints.forEach((c, i) => {
      const v = node.labels[c.topologyKey] ?? '';
      const cnt =
        c.topologyKey === HOSTNAME
          ? countMatching(node, c, ctx.pod)
          : (state.counts[i]?.get(v) ?? 0);
      score += cnt * (state.weights[i] ?? 0) + (c.maxSkew - 1);
    });
    return Math.round(score);
  },
  normalize(ctx, scores, nodes) {
    const state = scoreState(ctx);
    if (state === undefined || state.constraints.length === 0) return;
    const valid = (i: number): boolean => !state.ignored.has(nodes[i]?.name ?? '');
    const kept = scores.filter((_, i) => valid(i));
    const min = kept.length === 0 ? 0 : Math.min(...kept);
    const max = Math.max(0, ...kept);
    for (let i = 0; i < scores.length; i++) {
      const s = scores[i] ?? 0;
      if (!valid(i)) scores[i] = 0;
      else if (max === 0) scores[i] = MAX_NODE_SCORE;
      else scores[i] = Math.trunc((MAX_NODE_SCORE * (max + min - s)) / max);
    }
  },
};

import {
  MAX_NODE_SCORE,
  SKIP,
  unresolvable,
  unschedulable,
  type CycleContext,
  type FilterPlugin,
  type ScorePlugin,
} from './framework.ts';
import type { AffinityTerm, NodeInfo, PodInfo } from './model.ts';
import { matchesLabelSelector, type Labels } from './selectors.ts';

const NAME = 'InterPodAffinity';
const SCORE_SLOT = `${NAME}/score`;
/** The default hardPodAffinityWeight of InterPodAffinityArgs. */
const HARD_POD_AFFINITY_WEIGHT = 1;

type Counts = Map<string, number>;

interface FilterState {
  readonly existingAnti: Counts;
  readonly affinity: Counts;
  readonly anti: Counts;
}

function pairKey(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

/** framework.AffinityTerm.Matches: namespace (listed or selected) and label selector. */
export function termMatches(ctx: CycleContext, term: AffinityTerm, pod: PodInfo): boolean {
  const nsOk =
    term.namespaces.has(pod.namespace) ||
    (term.namespaceSelector !== undefined &&
      matchesLabelSelector(term.namespaceSelector, ctx.namespaceLabels(pod.namespace)));
  return nsOk && matchesLabelSelector(term.selector, pod.labels);
}

function bump(counts: Counts, labels: Labels, args: { key: string; by: number }): void {
  const v = labels[args.key];
  if (v === undefined) return;
  const k = pairKey(args.key, v);
  counts.set(k, (counts.get(k) ?? 0) + args.by);
}

function countIncomingTerms(ctx: CycleContext, state: FilterState): void {
  const pod = ctx.pod;
  for (const node of ctx.cache.nodes()) {
    for (const existing of node.pods.values()) {
      for (const t of pod.requiredAffinity)
        if (termMatches(ctx, t, existing))
          bump(state.affinity, node.labels, { key: t.topologyKey, by: 1 });
      for (const t of pod.requiredAntiAffinity)
        if (termMatches(ctx, t, existing))
          bump(state.anti, node.labels, { key: t.topologyKey, by: 1 });
    }
  }
}

function filterState(ctx: CycleContext): FilterState {
  const cached = ctx.state.get(NAME);
  // SAFETY: only this module writes the NAME slot, always with a FilterState.
  if (cached !== undefined) return cached as FilterState;
  const state: FilterState = { existingAnti: new Map(), affinity: new Map(), anti: new Map() };
  for (const node of ctx.cache.nodesWithRequiredAntiAffinityPods()) {
    for (const existing of node.podsWithRequiredAntiAffinity) {
      for (const t of existing.requiredAntiAffinity)
        if (termMatches(ctx, t, ctx.pod))
          bump(state.existingAnti, node.labels, { key: t.topologyKey, by: 1 });
    }
  }
  if (ctx.pod.requiredAffinity.length + ctx.pod.requiredAntiAffinity.length > 0)
    countIncomingTerms(ctx, state);
  ctx.state.set(NAME, state);
  return state;
}

function satisfiesExistingAnti(state: FilterState, node: NodeInfo): boolean {
  if (state.existingAnti.size === 0) return true;
  for (const [k, v] of Object.entries(node.labels))
    if ((state.existingAnti.get(pairKey(k, v)) ?? 0) > 0) return false;
  return true;
}

function satisfiesAffinity(ctx: CycleContext, state: FilterState, node: NodeInfo): boolean {
  let podsExist = true;
  for (const t of ctx.pod.requiredAffinity) {
    const v = node.labels[t.topologyKey];
    if (v === undefined) return false;
    if ((state.affinity.get(pairKey(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // The first pod of a group with affinity to itself may go anywhere its topologies exist.
  return (
    state.affinity.size === 0 && ctx.pod.requiredAffinity.every((t) => termMatches(ctx, t, ctx.pod))
  );
}

function satisfiesAnti(ctx: CycleContext, state: FilterState, node: NodeInfo): boolean {
  for (const t of ctx.pod.requiredAntiAffinity) {
    const v = node.labels[t.topologyKey];
    if (v !== undefined && (state.anti.get(pairKey(t.topologyKey, v)) ?? 0) > 0) return false;
  }
  return true;
}

interface ScoreState {
  readonly scores: Counts;
}

function scoreExisting(
  ctx: CycleContext,
  existing: PodInfo,
  args: { node: NodeInfo; scores: Counts },
): void {
  const pod = ctx.pod;
  const add = (t: AffinityTerm, by: number): void => {
    bump(args.scores, args.node.labels, { key: t.topologyKey, by });
  };
  for (const t of pod.preferredAffinity) if (termMatches(ctx, t, existing)) add(t, t.weight);
  for (const t of pod.preferredAntiAffinity) if (termMatches(ctx, t, existing)) add(t, -t.weight);
  for (const t of existing.requiredAffinity)
    if (termMatches(ctx, t, pod)) add(t, HARD_POD_AFFINITY_WEIGHT);
  for (const t of existing.preferredAffinity) if (termMatches(ctx, t, pod)) add(t, t.weight);
  for (const t of existing.preferredAntiAffinity) if (termMatches(ctx, t, pod)) add(t, -t.weight);
}

function scoreState(ctx: CycleContext): ScoreState {
  const cached = ctx.state.get(SCORE_SLOT);
  // SAFETY: only this module writes this slot, always with a ScoreState.
  if (cached !== undefined) return cached as ScoreState;
  const scores: Counts = new Map();
  const own = ctx.pod.preferredAffinity.length + ctx.pod.preferredAntiAffinity.length > 0;
  // Unless the pod has preferred terms of its own, only nodes hosting pods with affinity matter.
  if (own) {
    for (const node of ctx.cache.nodes())
      for (const existing of node.pods.values()) scoreExisting(ctx, existing, { node, scores });
  } else {
    for (const node of ctx.cache.nodesWithAffinityPods())
      for (const existing of node.podsWithAffinity) scoreExisting(ctx, existing, { node, scores });
  }
  const state = { scores };
  ctx.state.set(SCORE_SLOT, state);
  return state;
}

export const interPodAffinity: FilterPlugin & ScorePlugin = {
  name: NAME,
  weight: 2,
  preFilter(ctx) {
    const state = filterState(ctx);
    const own = ctx.pod.requiredAffinity.length + ctx.pod.requiredAntiAffinity.length;
    return own === 0 && state.existingAnti.size === 0 ? SKIP : undefined;
  },
  filter(ctx, node) {
    const state = filterState(ctx);
    if (!satisfiesExistingAnti(state, node))
      return unschedulable(NAME, "node(s) didn't satisfy existing pods anti-affinity rules");
    if (!satisfiesAffinity(ctx, state, node))
      return unresolvable(NAME, "node(s) didn't match pod affinity rules");
    if (!satisfiesAnti(ctx, state, node))
      return unschedulable(NAME, "node(s) didn't match pod anti-affinity rules");
    return undefined;
  },
  preScore(ctx) {
    return scoreState(ctx).scores.size === 0 ? SKIP : undefined;
  },
  score(ctx, node) {
    const { scores } = scoreState(ctx);
    if (scores.size === 0) return 0;
    let sum = 0;
    for (const [k, v] of Object.entries(node.labels)) sum += scores.get(pairKey(k, v)) ?? 0;
    return sum;
  },
  normalize(_ctx, scores) {
    const min = Math.min(...scores);
    const diff = Math.max(...scores) - min;
    for (let i = 0; i < scores.length; i++)
      scores[i] = diff > 0 ? Math.trunc((MAX_NODE_SCORE * ((scores[i] ?? 0) - min)) / diff) : 0;
  },
};

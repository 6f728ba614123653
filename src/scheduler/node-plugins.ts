import type { Taint } from 'kubernetes-types/core/v1.js';
import {
  defaultNormalize,
  MAX_NODE_SCORE,
  unresolvable,
  unschedulable,
  type CycleContext,
  type FilterPlugin,
  type FilterStatus,
  type ScorePlugin,
} from './framework.ts';
import type { NodeInfo, PodInfo } from './model.ts';
import { CPU, MEMORY, type Resources } from './resources.ts';
import { matchesNodeSelectorTerms, toleratesTaint, tolerationsTolerate } from './selectors.ts';

const UNSCHEDULABLE_TAINT: Taint = {
  key: 'node.kubernetes.io/unschedulable',
  effect: 'NoSchedule',
};

export const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter(ctx, node) {
    if (!node.unschedulable) return undefined;
    if (tolerationsTolerate(ctx.pod.pod.spec?.tolerations ?? [], UNSCHEDULABLE_TAINT))
      return undefined;
    return unresolvable(this.name, 'node(s) were unschedulable');
  },
};

export const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter(ctx, node) {
    const want = ctx.pod.nodeName;
    if (want === '' || want === node.name) return undefined;
    return unresolvable(this.name, "node(s) didn't match the requested node name");
  },
};

function isFilterTaint(t: Taint): boolean {
  return t.effect === 'NoSchedule' || t.effect === 'NoExecute';
}

export const taintToleration: FilterPlugin & ScorePlugin = {
  name: 'TaintToleration',
  weight: 3,
  filter(ctx, node) {
    const tolerations = ctx.pod.pod.spec?.tolerations ?? [];
    const taint = node.taints.find((t) => isFilterTaint(t) && !tolerationsTolerate(tolerations, t));
    if (taint === undefined) return undefined;
    return unresolvable(
      this.name,
      `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
    );
  },
  score(ctx, node) {
    if (node.taints.length === 0) return 0;
    const tolerations = (ctx.pod.pod.spec?.tolerations ?? []).filter(
      (t) => t.effect === undefined || t.effect === '' || t.effect === 'PreferNoSchedule',
    );
    return node.taints.filter(
      (t) => t.effect === 'PreferNoSchedule' && !tolerations.some((tol) => toleratesTaint(tol, t)),
    ).length;
  },
  normalize(_ctx, scores) {
    defaultNormalize(scores, true);
  },
};

function matchesNodeSelector(pod: PodInfo, node: NodeInfo): boolean {
  const spec = pod.pod.spec;
  for (const [k, v] of Object.entries(spec?.nodeSelector ?? {}))
    if (node.labels[k] !== v) return false;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return matchesNodeSelectorTerms(required.nodeSelectorTerms, node);
}

export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  filter(ctx, node) {
    if (matchesNodeSelector(ctx.pod, node)) return undefined;
    return unresolvable(this.name, "node(s) didn't match Pod's node affinity/selector");
  },
  score(ctx, node) {
    const preferred =
      ctx.pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ??
      [];
    let sum = 0;
    for (const p of preferred)
      if (p.weight !== 0 && matchesNodeSelectorTerms([p.preference], node)) sum += p.weight;
    return sum;
  },
  normalize(_ctx, scores) {
    defaultNormalize(scores, false);
  },
};

export const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  filter(ctx, node) {
    if (!ctx.pod.hostPorts.some((hp) => node.portConflicts(hp))) return undefined;
    return unschedulable(this.name, "node(s) didn't have free ports for the requested pod ports");
  },
};

interface Insufficient {
  readonly reason: string;
  readonly unresolvable: boolean;
}

function checkResource(node: NodeInfo, name: string, request: number): Insufficient | undefined {
  const alloc = node.allocatable.get(name) ?? 0;
  if (request <= alloc - (node.requested.get(name) ?? 0)) return undefined;
  return { reason: `Insufficient ${name}`, unresolvable: request > alloc };
}

/** noderesources.fitsRequest: pod count, then cpu, memory, ephemeral storage, scalars. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): Insufficient[] {
  const out: Insufficient[] = [];
  if (node.pods.size + 1 > node.allowedPods)
    out.push({ reason: 'Too many pods', unresolvable: false });
  for (const [name, request] of pod.fitRequests) {
    const r = checkResource(node, name, request);
    if (r !== undefined) out.push(r);
  }
  return out;
}

export const nodeResourcesFit: FilterPlugin & ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  filter(ctx, node) {
    const missing = insufficientResources(ctx.pod, node);
    if (missing.length === 0) return undefined;
    const reasons = missing.map((m) => m.reason);
    const status: FilterStatus = missing.some((m) => m.unresolvable)
      ? unresolvable(this.name, ...reasons)
      : unschedulable(this.name, ...reasons);
    return status;
  },
  /** LeastAllocated over cpu and memory (weight 1 each), with non-zero request defaults. */
  score(ctx, node) {
    let total = 0;
    let weights = 0;
    for (const name of [CPU, MEMORY]) {
      const alloc = node.allocatable.get(name) ?? 0;
      if (alloc === 0) continue;
      const requested =
        (node.nonZeroRequested.get(name) ?? 0) + (ctx.pod.nonZeroRequests.get(name) ?? 0);
      total += requested > alloc ? 0 : Math.trunc(((alloc - requested) * MAX_NODE_SCORE) / alloc);
      weights++;
    }
    return weights === 0 ? 0 : Math.trunc(total / weights);
  },
};

function isBestEffort(requests: Resources): boolean {
  return (requests.get(CPU) ?? 0) === 0 && (requests.get(MEMORY) ?? 0) === 0;
}

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(ctx: CycleContext, node: NodeInfo) {
    // Best-effort pods would all look perfectly balanced everywhere (kubernetes#129138).
    if (isBestEffort(ctx.pod.requests)) return 0;
    const fractions: number[] = [];
    for (const name of [CPU, MEMORY]) {
      const alloc = node.allocatable.get(name) ?? 0;
      if (alloc === 0) continue;
      const requested = (node.requested.get(name) ?? 0) + (ctx.pod.requests.get(name) ?? 0);
      fractions.push(Math.min(1, requested / alloc));
    }
    const [a, b] = fractions;
    const std = a !== undefined && b !== undefined ? Math.abs((a - b) / 2) : 0;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};

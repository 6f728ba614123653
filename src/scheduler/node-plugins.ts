import type { Taint } from 'kubernetes-types/core/v1.js';
import {
  defaultNormalize,
  MAX_NODE_SCORE,
  SKIP,
  unresolvable,
  unschedulable,
  type CycleContext,
  type FilterPlugin,
  type FilterStatus,
  type ScorePlugin,
} from './framework.ts';
import type { NodeInfo, PodInfo } from './model.ts';
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
  preFilter(ctx) {
    return ctx.pod.nodeName === '' ? SKIP : undefined;
  },
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
    if (!node.tainted) return undefined;
    const tolerations = ctx.pod.pod.spec?.tolerations ?? [];
    const taint = node.taints.find((t) => isFilterTaint(t) && !tolerationsTolerate(tolerations, t));
    if (taint === undefined) return undefined;
    return unresolvable(
      this.name,
      `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`,
    );
  },
  score(ctx, node) {
    if (!node.tainted) return 0;
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
  if (spec === undefined) return true;
  if (spec.nodeSelector !== undefined)
    for (const [k, v] of Object.entries(spec.nodeSelector)) if (node.labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return required === undefined || matchesNodeSelectorTerms(required.nodeSelectorTerms, node);
}

export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: 'NodeAffinity',
  weight: 2,
  preFilter(ctx) {
    const spec = ctx.pod.pod.spec;
    const selects = Object.keys(spec?.nodeSelector ?? {}).length > 0;
    const requires =
      spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution !== undefined;
    return selects || requires ? undefined : SKIP;
  },
  preScore(ctx) {
    const preferred =
      ctx.pod.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution;
    return (preferred ?? []).length === 0 ? SKIP : undefined;
  },
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
  preFilter(ctx) {
    return ctx.pod.hostPorts.length === 0 ? SKIP : undefined;
  },
  filter(ctx, node) {
    if (ctx.pod.hostPorts.length === 0) return undefined;
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

/** Whether the pod fits the node's free resources, without building the reasons. */
function fitsResources(pod: PodInfo, node: NodeInfo): boolean {
  if (node.podCount + 1 > node.allowedPods) return false;
  if (pod.cpu > 0 && pod.cpu > node.allocatableCpu - node.requestedCpu) return false;
  if (pod.memory > 0 && pod.memory > node.allocatableMemory - node.requestedMemory) return false;
  for (const [name, request] of pod.otherFitRequests)
    if (request > (node.allocatable.get(name) ?? 0) - (node.requested.get(name) ?? 0)) return false;
  return true;
}

/** noderesources.fitsRequest: pod count, then cpu, memory, ephemeral storage, scalars. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): Insufficient[] {
  const out: Insufficient[] = [];
  if (node.podCount + 1 > node.allowedPods)
    out.push({ reason: 'Too many pods', unresolvable: false });
  for (const [name, request] of pod.fitRequests) {
    const r = checkResource(node, name, request);
    if (r !== undefined) out.push(r);
  }
  return out;
}

/** One resource's LeastAllocated score; -1 when the node has none of it (not weighed). */
function leastAllocated(alloc: number, requested: number): number {
  if (alloc === 0) return -1;
  return requested > alloc ? 0 : Math.trunc(((alloc - requested) * MAX_NODE_SCORE) / alloc);
}

export const nodeResourcesFit: FilterPlugin & ScorePlugin = {
  name: 'NodeResourcesFit',
  weight: 1,
  filter(ctx, node) {
    if (fitsResources(ctx.pod, node)) return undefined;
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
    const cpu = leastAllocated(node.allocatableCpu, node.nonZeroCpu + ctx.pod.nonZeroCpu);
    const memory = leastAllocated(
      node.allocatableMemory,
      node.nonZeroMemory + ctx.pod.nonZeroMemory,
    );
    const weights = (cpu < 0 ? 0 : 1) + (memory < 0 ? 0 : 1);
    return weights === 0 ? 0 : Math.trunc((Math.max(0, cpu) + Math.max(0, memory)) / weights);
  },
};

function isBestEffort(pod: PodInfo): boolean {
  return pod.cpu === 0 && pod.memory === 0;
}

/** requested / allocatable capped at 1; -1 when the node has none of the resource. */
function requestedFraction(alloc: number, requested: number): number {
  return alloc === 0 ? -1 : Math.min(1, requested / alloc);
}

export const balancedAllocation: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation',
  weight: 1,
  score(ctx: CycleContext, node: NodeInfo) {
    // Best-effort pods would all look perfectly balanced everywhere (kubernetes#129138).
    if (isBestEffort(ctx.pod)) return 0;
    const a = requestedFraction(node.allocatableCpu, node.requestedCpu + ctx.pod.cpu);
    const b = requestedFraction(node.allocatableMemory, node.requestedMemory + ctx.pod.memory);
    // The standard deviation needs both resources; with one or none it is 0.
    const std = a >= 0 && b >= 0 ? Math.abs((a - b) / 2) : 0;
    return Math.trunc((1 - std) * MAX_NODE_SCORE);
  },
};

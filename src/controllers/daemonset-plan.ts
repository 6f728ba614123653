import type { KubeObject } from '../api/index.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from './controller-history.ts';
import { nodeShouldRunDaemonPod, type NodeView } from './daemonset-nodes.ts';
import { scaledValue } from './deployment-math.ts';
import {
  isPodAvailable,
  isPodReady,
  parseTime,
  type LabelSelector,
  type Pod,
  type PodTemplate,
} from './deployment-objects.ts';

export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** Where apps/v1 carries the internal spec.templateGeneration. */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

export interface DaemonSetSpec {
  selector: LabelSelector;
  template: PodTemplate;
  minReadySeconds?: number;
  revisionHistoryLimit?: number;
  updateStrategy?: {
    type?: 'RollingUpdate' | 'OnDelete';
    rollingUpdate?: { maxUnavailable?: number | string; maxSurge?: number | string };
  };
}

export interface DaemonSetStatus {
  currentNumberScheduled: number;
  numberMisscheduled: number;
  desiredNumberScheduled: number;
  numberReady: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export interface DaemonSet extends KubeObject {
  spec: DaemonSetSpec;
  status?: DaemonSetStatus;
}

// SAFETY: validated by the API server as a DaemonSet; optional fields are read as optional.
export const asDaemonSet = (o: KubeObject): DaemonSet => o as DaemonSet;

/** util.GetTemplateGeneration: the annotation when the server keeps it, else the generation. */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const a = ds.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION];
  if (a !== undefined) {
    const n = Number.parseInt(a, 10);
    return Number.isNaN(n) ? undefined : n;
  }
  return ds.metadata.generation;
}

/** util.IsPodUpdated: the pod carries the current hash or the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const byGeneration =
    generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  return (hash !== '' && labels[CONTROLLER_REVISION_HASH_LABEL] === hash) || byGeneration;
}

function isBound(p: Pod): boolean {
  return (p.spec?.nodeName ?? '') !== '';
}

/** podByCreationTimestampAndPhase: bound pods first, then oldest, then by name. */
export function byCreationAndPhase(a: Pod, b: Pod): number {
  const boundA = isBound(a);
  const boundB = isBound(b);
  if (boundA !== boundB) return boundA ? -1 : 1;
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
}

export function allowsSurge(ds: DaemonSet): boolean {
  const s = ds.spec.updateStrategy;
  if ((s?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  const surge = s?.rollingUpdate?.maxSurge;
  return surge !== undefined && surge !== 0 && surge !== '0' && surge !== '0%';
}

export interface PlanInput {
  readonly ds: DaemonSet;
  readonly nodes: readonly NodeView[];
  /** Claimed pods by target node name. */
  readonly podsByNode: ReadonlyMap<string, readonly Pod[]>;
  readonly hash: string;
  readonly now: number;
}

export interface Plan {
  /** Nodes to create a daemon pod on. */
  readonly create: string[];
  readonly delete: Pod[];
}

export interface ManageInput extends PlanInput {
  /** Whether a failed pod on this node may be deleted now (failed-pod backoff). */
  readonly failedPodMayGo: (node: string) => boolean;
}

/** The surge-mode choice between the oldest current and the oldest old pod on one node. */
function surgeExtras(running: readonly Pod[], i: ManageInput): Pod[] {
  const out: Pod[] = [];
  let newest: Pod | undefined;
  let oldest: Pod | undefined;
  for (const pod of running) {
    const current = pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] === i.hash;
    if (current && newest === undefined) newest = pod;
    else if (!current && oldest === undefined) oldest = pod;
    else out.push(pod);
  }
  if (newest !== undefined && oldest !== undefined) {
    const minReady = i.ds.spec.minReadySeconds ?? 0;
    if (!isPodReady(oldest) || isPodAvailable(newest, minReady, i.now)) out.push(oldest);
  }
  return out;
}

/** podsShouldBeOnNode for a node whose pods may stay: failed pods go, duplicates go. */
function continueRunning(pods: readonly Pod[], node: string, i: ManageInput): Pod[] {
  const out: Pod[] = [];
  const running: Pod[] = [];
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp !== undefined) continue;
    const phase = pod.status?.phase;
    if (phase === 'Failed') {
      if (i.failedPodMayGo(node)) out.push(pod);
    } else if (phase === 'Succeeded') out.push(pod);
    else running.push(pod);
  }
  running.sort(byCreationAndPhase);
  if (allowsSurge(i.ds)) out.push(...surgeExtras(running, i));
  else out.push(...running.slice(1));
  return out;
}

/** manage(): which nodes need a daemon pod and which pods must go. */
export function planManage(i: ManageInput): Plan {
  const plan: Plan = { create: [], delete: [] };
  const known = new Set<string>();
  for (const node of i.nodes) {
    const name = node.metadata.name ?? '';
    known.add(name);
    const pods = i.podsByNode.get(name) ?? [];
    const v = nodeShouldRunDaemonPod(i.ds.spec.template, node);
    if (v.shouldRun && pods.length === 0) plan.create.push(name);
    else if (v.shouldContinueRunning) plan.delete.push(...continueRunning(pods, name, i));
    else plan.delete.push(...pods.filter((p) => p.metadata.deletionTimestamp === undefined));
  }
  // getUnscheduledPodsWithoutNode: unbound pods aimed at a node that no longer exists.
  for (const [name, pods] of i.podsByNode) {
    if (known.has(name)) continue;
    plan.delete.push(
      ...pods.filter(
        (p) => (p.spec?.nodeName ?? '') === '' && p.metadata.deletionTimestamp === undefined,
      ),
    );
  }
  return plan;
}

/** findUpdatedPodsOnNode; undefined when a node has two current or two old pods. */
function splitNode(
  pods: readonly Pod[],
  i: PlanInput,
): { cur: Pod | undefined; old: Pod | undefined } | undefined {
  let cur: Pod | undefined;
  let old: Pod | undefined;
  const generation = templateGeneration(i.ds);
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp !== undefined) continue;
    if (isPodUpdated(pod, i.hash, generation)) {
      if (cur !== undefined) return undefined;
      cur = pod;
    } else {
      if (old !== undefined) return undefined;
      old = pod;
    }
  }
  return { cur, old };
}

/** updatedDesiredNodeCounts: the budget, over the nodes that should run a pod. */
function budget(i: PlanInput): {
  maxSurge: number;
  maxUnavailable: number;
  nodes: Map<string, readonly Pod[]>;
  eligible: Set<string>;
} {
  const nodes = new Map(i.podsByNode);
  const eligible = new Set<string>();
  for (const node of i.nodes) {
    if (!nodeShouldRunDaemonPod(i.ds.spec.template, node).shouldRun) continue;
    const name = node.metadata.name ?? '';
    eligible.add(name);
    if (!nodes.has(name)) nodes.set(name, []);
  }
  const ru = i.ds.spec.updateStrategy?.rollingUpdate;
  const maxUnavailable = scaledValue(ru?.maxUnavailable ?? 1, eligible.size, true);
  const maxSurge = allowsSurge(i.ds) ? scaledValue(ru?.maxSurge, eligible.size, true) : 0;
  // An impossible configuration falls back to the default of one unavailable.
  return {
    maxSurge,
    maxUnavailable: maxUnavailable === 0 && maxSurge === 0 ? 1 : maxUnavailable,
    nodes,
    eligible,
  };
}

/** rollingUpdate without surge: delete old pods while fewer than maxUnavailable are down. */
function planReplace(i: PlanInput, b: ReturnType<typeof budget>): Plan {
  const minReady = i.ds.spec.minReadySeconds ?? 0;
  let unavailable = 0;
  const replace: Pod[] = [];
  const candidates: Pod[] = [];
  for (const pods of b.nodes.values()) {
    const s = splitNode(pods, i);
    if (s === undefined || (s.cur === undefined) === (s.old === undefined)) {
      unavailable++;
      continue;
    }
    if (s.cur !== undefined) {
      if (!isPodAvailable(s.cur, minReady, i.now)) unavailable++;
      continue;
    }
    if (s.old === undefined) continue;
    if (!isPodAvailable(s.old, minReady, i.now)) replace.push(s.old);
    else if (unavailable < b.maxUnavailable) candidates.push(s.old);
  }
  const room = Math.min(Math.max(0, b.maxUnavailable - unavailable), candidates.length);
  return { create: [], delete: [...replace, ...candidates.slice(0, room)] };
}

/** rollingUpdate with surge: start a new pod beside the old, then remove the old once available. */
function planSurge(i: PlanInput, b: ReturnType<typeof budget>): Plan {
  const minReady = i.ds.spec.minReadySeconds ?? 0;
  let surged = 0;
  const plan: Plan = { create: [], delete: [] };
  for (const [name, pods] of b.nodes) {
    const s = splitNode(pods, i);
    if (s?.old === undefined) continue;
    if (s.cur !== undefined) {
      if (isPodAvailable(s.cur, minReady, i.now)) plan.delete.push(s.old);
      else surged++;
      continue;
    }
    if (!b.eligible.has(name)) continue;
    if (!isPodAvailable(s.old, minReady, i.now)) plan.create.push(name);
    else if (surged < b.maxSurge) {
      surged++;
      plan.create.push(name);
    }
  }
  return plan;
}

export function planRollingUpdate(i: PlanInput): Plan {
  const b = budget(i);
  return b.maxSurge === 0 ? planReplace(i, b) : planSurge(i, b);
}

/** updateDaemonSetStatus's counts. */
export function computeStatus(i: PlanInput): DaemonSetStatus {
  const minReady = i.ds.spec.minReadySeconds ?? 0;
  const generation = templateGeneration(i.ds);
  let desired = 0;
  let current = 0;
  let misscheduled = 0;
  let ready = 0;
  let available = 0;
  let updated = 0;
  for (const node of i.nodes) {
    const pods = [...(i.podsByNode.get(node.metadata.name ?? '') ?? [])].sort(byCreationAndPhase);
    const shouldRun = nodeShouldRunDaemonPod(i.ds.spec.template, node).shouldRun;
    const pod = pods[0];
    if (!shouldRun) {
      if (pod !== undefined) misscheduled++;
      continue;
    }
    desired++;
    if (pod === undefined) continue;
    current++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, i.now)) available++;
    }
    if (isPodUpdated(pod, i.hash, generation)) updated++;
  }
  return {
    currentNumberScheduled: current,
    numberMisscheduled: misscheduled,
    desiredNumberScheduled: desired,
    numberReady: ready,
    updatedNumberScheduled: updated,
    numberAvailable: available,
    numberUnavailable: desired - available,
  };
}

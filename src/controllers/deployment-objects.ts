import type { JsonObject, KubeObject, OwnerReference } from '../api/index.ts';
import { cloneJson } from '../util/index.ts';

/** The views of apps/v1 and core/v1 objects these controllers read. */

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface PodTemplate {
  metadata?: {
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    finalizers?: string[];
  };
  spec?: JsonObject;
}

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface ReplicaSetSpec {
  replicas?: number;
  minReadySeconds?: number;
  selector: LabelSelector;
  template: PodTemplate;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ReplicaSet extends KubeObject {
  spec: ReplicaSetSpec;
  status?: ReplicaSetStatus;
}

export interface RollingUpdate {
  maxSurge?: number | string;
  maxUnavailable?: number | string;
}

export interface DeploymentSpec extends ReplicaSetSpec {
  strategy?: { type?: 'Recreate' | 'RollingUpdate'; rollingUpdate?: RollingUpdate };
  revisionHistoryLimit?: number;
  progressDeadlineSeconds?: number;
  paused?: boolean;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  collisionCount?: number;
  conditions?: Condition[];
}

export interface Deployment extends KubeObject {
  spec: DeploymentSpec;
  status?: DeploymentStatus;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: { restartCount?: number }[];
  };
}

// SAFETY (both casts): the API server validated these objects against their kinds, so
// `spec.selector` and `spec.template` exist; optional fields are read as optional.
export const asReplicaSet = (o: KubeObject): ReplicaSet => o as ReplicaSet;
export const asDeployment = (o: KubeObject): Deployment => o as Deployment;
export const asPod = (o: KubeObject): Pod => o;

export function matchesSelector(sel: LabelSelector, labels: Record<string, string> = {}): boolean {
  // Plain loops: controllers call this for every pod on every sync.
  const want = sel.matchLabels;
  if (want !== undefined) for (const k in want) if (labels[k] !== want[k]) return false;
  for (const r of sel.matchExpressions ?? []) if (!requirementHolds(r, labels)) return false;
  return true;
}

function requirementHolds(r: LabelSelectorRequirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'In':
      return has && (r.values ?? []).includes(labels[r.key] ?? '');
    case 'NotIn':
      return !(has && (r.values ?? []).includes(labels[r.key] ?? ''));
  }
}

/** Upstream refuses to act on an empty selector: it would select every pod. */
export function isEmptySelector(sel: LabelSelector): boolean {
  return (
    Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0
  );
}

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function controllerRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

export function nsOf(obj: KubeObject): string {
  return obj.metadata.namespace ?? '';
}

export function replicasOf(rs: { spec: { replicas?: number } }): number {
  return rs.spec.replicas ?? 1;
}

/** Succeeded, failed and terminating pods no longer count as replicas. */
export function isPodActive(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return (
    phase !== 'Succeeded' && phase !== 'Failed' && pod.metadata.deletionTimestamp === undefined
  );
}

export function readyCondition(pod: Pod): Condition | undefined {
  // A loop, not find(): the ReplicaSet controller asks this of every pod on every sync.
  for (const c of pod.status?.conditions ?? []) if (c.type === 'Ready') return c;
  return undefined;
}

export function isPodReady(pod: Pod): boolean {
  return readyCondition(pod)?.status === 'True';
}

export function parseTime(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Milliseconds until a ready pod counts as available (0 when it already does), or undefined
 * for a pod that is not ready.
 */
export function msUntilAvailable(
  pod: Pod,
  minReadySeconds: number,
  now: number,
): number | undefined {
  if (!isPodReady(pod)) return undefined;
  if (minReadySeconds === 0) return 0;
  const since = parseTime(readyCondition(pod)?.lastTransitionTime);
  if (since === undefined) return minReadySeconds * 1000;
  // Upstream requires `since + minReadySeconds` to be strictly before now.
  return Math.max(0, since + minReadySeconds * 1000 + 1 - now);
}

export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return msUntilAvailable(pod, minReadySeconds, now) === 0;
}

export const clone = cloneJson;

/** Orders by creation time, then name, as controller.ReplicaSetsByCreationTimestamp. */
export function byCreation(a: KubeObject, b: KubeObject): number {
  const ta = parseTime(a.metadata.creationTimestamp) ?? 0;
  const tb = parseTime(b.metadata.creationTimestamp) ?? 0;
  if (ta !== tb) return ta - tb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

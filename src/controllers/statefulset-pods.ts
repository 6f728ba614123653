import type { JsonObject, KubeObject, OwnerReference } from '../api/index.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from './controller-history.ts';
import {
  controllerRef,
  isPodAvailable,
  isPodReady,
  nsOf,
  type LabelSelector,
  type Pod,
  type PodTemplate,
} from './deployment-objects.ts';
import { cloneJson } from '../util/index.ts';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

type Policy = 'Retain' | 'Delete';

export interface StatefulSetSpec {
  replicas?: number;
  selector: LabelSelector;
  template: PodTemplate;
  serviceName?: string;
  podManagementPolicy?: 'OrderedReady' | 'Parallel';
  updateStrategy?: {
    type?: 'RollingUpdate' | 'OnDelete';
    rollingUpdate?: { partition?: number; maxUnavailable?: number | string };
  };
  volumeClaimTemplates?: KubeObject[];
  revisionHistoryLimit?: number;
  minReadySeconds?: number;
  ordinals?: { start?: number };
  persistentVolumeClaimRetentionPolicy?: { whenDeleted?: Policy; whenScaled?: Policy };
}

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  availableReplicas: number;
  conditions?: unknown[];
}

export interface StatefulSet extends KubeObject {
  spec: StatefulSetSpec;
  status?: StatefulSetStatus;
}

// SAFETY: validated by the API server as a StatefulSet; optional fields are read as optional.
export const asStatefulSet = (o: KubeObject): StatefulSet => o as StatefulSet;

export function startOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

export function replicaCount(set: StatefulSet): number {
  return set.spec.replicas ?? 1;
}

/** getParentNameAndOrdinal: `<parent>-<ordinal>`, or undefined for any other name. */
export function parentAndOrdinal(
  name: string | undefined,
): { parent: string; ordinal: number } | undefined {
  const m = /^(.*)-(\d+)$/.exec(name ?? '');
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { parent: m[1], ordinal: Number.parseInt(m[2], 10) };
}

export function ordinalOf(pod: KubeObject): number {
  return parentAndOrdinal(pod.metadata.name)?.ordinal ?? -1;
}

/** isMemberOf: the pod's name says it belongs to this set. */
export function isMemberOf(set: StatefulSet, pod: KubeObject): boolean {
  return parentAndOrdinal(pod.metadata.name)?.parent === set.metadata.name;
}

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name ?? ''}-${String(ordinal)}`;
}

export function claimName(claim: KubeObject, set: StatefulSet, ordinal: number): string {
  return `${claim.metadata.name ?? ''}-${podName(set, ordinal)}`;
}

export function inOrdinalRange(set: StatefulSet, pod: KubeObject): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o < startOrdinal(set) + replicaCount(set);
}

/** getPersistentVolumeClaims: one claim per template, labelled with the set's matchLabels. */
export function claimsFor(set: StatefulSet, ordinal: number): KubeObject[] {
  return (set.spec.volumeClaimTemplates ?? []).map((t) => {
    const { status: _status, ...rest } = cloneJson(t);
    return {
      ...rest,
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...rest.metadata,
        name: claimName(t, set, ordinal),
        namespace: nsOf(set),
        labels: { ...t.metadata.labels, ...set.spec.selector.matchLabels },
      },
    };
  });
}

interface Volume {
  name: string;
  [k: string]: unknown;
}

/** updateStorage: claim volumes replace template volumes of the same name. */
function storageVolumes(set: StatefulSet, ordinal: number, spec: JsonObject): Volume[] {
  const claims = set.spec.volumeClaimTemplates ?? [];
  const names = new Set(claims.map((c) => c.metadata.name ?? ''));
  // SAFETY: a PodSpec's volumes are objects with a name.
  const existing = (Array.isArray(spec['volumes']) ? spec['volumes'] : []) as unknown as Volume[];
  const claimVolumes = claims.map((c) => ({
    name: c.metadata.name ?? '',
    persistentVolumeClaim: { claimName: claimName(c, set, ordinal) },
  }));
  return [...claimVolumes, ...existing.filter((v) => !names.has(v.name))];
}

/** newStatefulSetPod + setPodRevision: the pod for one ordinal at one revision's template. */
export function newStatefulSetPod(
  set: StatefulSet,
  a: { template: PodTemplate; ordinal: number; revision: string },
): Pod {
  const name = podName(set, a.ordinal);
  const meta = a.template.metadata ?? {};
  const spec: JsonObject = cloneJson(a.template.spec ?? {});
  spec['hostname'] = name;
  if ((set.spec.serviceName ?? '') !== '') spec['subdomain'] = set.spec.serviceName ?? '';
  // SAFETY: plain JSON volumes built above.
  if ((set.spec.volumeClaimTemplates ?? []).length > 0)
    spec['volumes'] = storageVolumes(set, a.ordinal, spec) as unknown as JsonObject[];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: nsOf(set),
      labels: {
        ...meta.labels,
        [POD_NAME_LABEL]: name,
        [POD_INDEX_LABEL]: String(a.ordinal),
        [CONTROLLER_REVISION_HASH_LABEL]: a.revision,
      },
      ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
      ...(meta.finalizers === undefined ? {} : { finalizers: meta.finalizers }),
      ownerReferences: [controllerRef(set)],
    },
    spec,
  };
}

/** identityMatches (plus the pod-index label updateIdentity also keeps). */
export function identityLabelsMatch(pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return (
    labels[POD_NAME_LABEL] === pod.metadata.name &&
    labels[POD_INDEX_LABEL] === String(ordinalOf(pod))
  );
}

export function revisionOfPod(pod: Pod): string {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
}

/** isCreated: the API server has given the pod a phase. */
export const isCreated = (p: Pod): boolean => (p.status?.phase ?? '') !== '';
export const isTerminating = (p: Pod): boolean => p.metadata.deletionTimestamp !== undefined;
export const isRunningAndReady = (p: Pod): boolean =>
  p.status?.phase === 'Running' && isPodReady(p);
export const isFinished = (p: Pod): boolean =>
  p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded';

export function isRunningAndAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  return p.status?.phase === 'Running' && isPodAvailable(p, minReadySeconds, now);
}

export function isHealthy(p: Pod): boolean {
  return isRunningAndReady(p) && !isTerminating(p);
}

/** computeReplicaStatus over the pods that exist. */
export function replicaStatus(
  pods: readonly Pod[],
  a: { minReadySeconds: number; now: number; current: string; update: string },
): Pick<StatefulSetStatus, 'replicas' | 'readyReplicas' | 'availableReplicas'> & {
  currentReplicas: number;
  updatedReplicas: number;
} {
  const s = { replicas: 0, readyReplicas: 0, availableReplicas: 0 };
  let currentReplicas = 0;
  let updatedReplicas = 0;
  for (const p of pods) {
    if (!isCreated(p)) continue;
    s.replicas++;
    if (isRunningAndReady(p)) {
      s.readyReplicas++;
      if (isRunningAndAvailable(p, a.minReadySeconds, a.now)) s.availableReplicas++;
    }
    if (isTerminating(p)) continue;
    if (revisionOfPod(p) === a.current) currentReplicas++;
    if (revisionOfPod(p) === a.update) updatedReplicas++;
  }
  return { ...s, currentReplicas, updatedReplicas };
}

function plainRef(owner: KubeObject): OwnerReference {
  return {
    apiVersion: owner.apiVersion ?? '',
    kind: owner.kind ?? '',
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
  };
}

/**
 * updateClaimOwnerRefForSetAndPod: the owner references a claim needs for the retention
 * policy, or undefined when it already has them. WhenDeleted=Delete makes the set an owner;
 * WhenScaled=Delete makes a scaled-down pod the owner.
 */
export function retentionOwnerRefs(
  claim: KubeObject,
  a: { set: StatefulSet; pod: KubeObject },
): OwnerReference[] | undefined {
  const policy = a.set.spec.persistentVolumeClaimRetentionPolicy ?? {};
  const scaledDown = !inOrdinalRange(a.set, a.pod);
  const wantPod = policy.whenScaled === 'Delete' && scaledDown && a.pod.metadata.uid !== undefined;
  const wantSet = policy.whenDeleted === 'Delete' && !wantPod;
  const refs = claim.metadata.ownerReferences ?? [];
  const setUid = a.set.metadata.uid;
  const podUid = a.pod.metadata.uid;
  const hasSet = refs.some((r) => r.uid === setUid);
  const hasPod = refs.some((r) => r.uid === podUid);
  if (hasSet === wantSet && hasPod === wantPod) return undefined;
  const rest = refs.filter((r) => r.uid !== setUid && r.uid !== podUid);
  if (wantSet) rest.push(plainRef(a.set));
  if (wantPod) rest.push(plainRef(a.pod));
  return rest;
}

/** hasStaleOwnerRef: the claim is owned by an earlier pod of the same name (it will go). */
export function claimIsStale(claim: KubeObject, pod: KubeObject): boolean {
  return (claim.metadata.ownerReferences ?? []).some(
    (r) => r.kind === 'Pod' && r.name === pod.metadata.name && r.uid !== pod.metadata.uid,
  );
}

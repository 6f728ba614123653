import type { Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.ts';
import { COMPUTE_TYPE_KEY, FARGATE_PROFILE_LABEL } from '../fargate/matching.ts';
import {
  CAPACITY_PROVISIONED_ANNOTATION,
  fargateNeeds,
  parseCapacityProvisioned,
  provisionedEphemeralGiB,
} from '../fargate/sizing.ts';
import type { FargatePodUsage, NodeUsage } from './types.ts';

export const INSTANCE_TYPE_LABEL = 'node.kubernetes.io/instance-type';
export const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';

/** Which cluster (EKS name and region) the objects come from. */
export interface MeteredCluster {
  readonly cluster: string;
  readonly region: string;
}

function parseTime(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** What the pod asked for, as Fargate sizes it: effective requests, memory + 256 MB. */
function requested(
  pod: Pod,
  provisioned: { vcpu: number; memoryGb: number },
): { requestedVcpu: number; requestedGb: number; storageGb: number } {
  try {
    const needs = fargateNeeds(pod);
    return {
      requestedVcpu: Number(needs.milliCpu) / 1000,
      requestedGb: Number(needs.memoryMiB) / 1024,
      storageGb: provisionedEphemeralGiB(needs.ephemeralBytes),
    };
  } catch {
    // The API server validated the quantities; should one still not parse, the pod is billed
    // as provisioned with no waste rather than not at all.
    return {
      requestedVcpu: provisioned.vcpu,
      requestedGb: provisioned.memoryGb,
      storageGb: provisionedEphemeralGiB(0n),
    };
  }
}

/**
 * The usage record a Fargate pod opens, or undefined for a pod that is not billed (yet): one
 * without a profile label or a `CapacityProvisioned` size, or whose start time is not set.
 * Billing starts at `status.startTime`, which the kubelet sets as it starts on the pod, before
 * pulling images.
 */
export function fargatePodUsage(
  obj: KubeObject,
  where: MeteredCluster,
): Omit<FargatePodUsage, 'endMs' | 'lastSeenMs'> | undefined {
  // SAFETY: a KubeObject from the pods collection is a core/v1 Pod.
  const pod = obj as Pod;
  const profile = obj.metadata.labels?.[FARGATE_PROFILE_LABEL];
  const size = parseCapacityProvisioned(
    obj.metadata.annotations?.[CAPACITY_PROVISIONED_ANNOTATION],
  );
  const startMs = parseTime(pod.status?.startTime);
  const uid = obj.metadata.uid;
  if (profile === undefined || size === undefined || startMs === undefined || uid === undefined)
    return undefined;
  return {
    kind: 'fargate-pod',
    ...where,
    uid,
    name: obj.metadata.name ?? '',
    namespace: obj.metadata.namespace ?? '',
    profile,
    node: pod.spec?.nodeName ?? '',
    vcpu: size.vcpu,
    memoryGb: size.memoryGb,
    ...requested(pod, size),
    startMs,
  };
}

/**
 * The usage record a node-group node opens (an EC2 instance billed from the Node's creation),
 * or undefined for a Fargate node (billed through its pod) or one without an instance type.
 */
export function nodeUsage(
  obj: KubeObject,
  where: MeteredCluster,
): Omit<NodeUsage, 'endMs' | 'lastSeenMs'> | undefined {
  const labels = obj.metadata.labels ?? {};
  const instanceType = labels[INSTANCE_TYPE_LABEL];
  const startMs = parseTime(obj.metadata.creationTimestamp);
  const uid = obj.metadata.uid;
  if (labels[COMPUTE_TYPE_KEY] === 'fargate') return undefined;
  if (instanceType === undefined || startMs === undefined || uid === undefined) return undefined;
  return {
    kind: 'node',
    ...where,
    uid,
    name: obj.metadata.name ?? '',
    instanceType,
    nodegroup: labels[NODEGROUP_LABEL] ?? '',
    startMs,
  };
}

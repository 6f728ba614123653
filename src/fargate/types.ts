import type { Pod } from 'kubernetes-types/core/v1.js';
import { KilnError } from '../util/index.ts';

/** The pod shape the Fargate rules read: kubernetes-types' core/v1 Pod. */
export type FargatePod = Pod;

/** `FargateProfile.status` as EKS's API returns it. */
export type FargateProfileStatus =
  'CREATING' | 'ACTIVE' | 'DELETING' | 'CREATE_FAILED' | 'DELETE_FAILED';

export const FARGATE_PROFILE_STATUSES: readonly FargateProfileStatus[] = [
  'CREATING',
  'ACTIVE',
  'DELETING',
  'CREATE_FAILED',
  'DELETE_FAILED',
];

/**
 * One selector. `namespace` and the label keys and values may hold `*` (zero or more
 * characters) and `?` (exactly one). EKS's model leaves `namespace` optional; a selector
 * without one matches nothing here.
 */
export interface FargateProfileSelector {
  namespace?: string;
  /** Every entry must match one of the pod's labels; absent or empty matches any pod. */
  labels?: Record<string, string>;
}

export type FargateProfileIssueCode =
  'PodExecutionRoleAlreadyInUse' | 'AccessDenied' | 'ClusterUnreachable' | 'InternalFailure';

export interface FargateProfileIssue {
  code?: FargateProfileIssueCode;
  message?: string;
  resourceIds?: string[];
}

/** `FargateProfile` as EKS's DescribeFargateProfile returns it (rest-json field names). */
export interface FargateProfile {
  fargateProfileName: string;
  /** `arn:aws:eks:<region>:<acct>:fargateprofile/<cluster>/<name>/<uuid>`. */
  fargateProfileArn: string;
  clusterName: string;
  /** Seconds since the epoch, as the rest-json wire carries timestamps. */
  createdAt: number;
  podExecutionRoleArn: string;
  subnets: string[];
  selectors: FargateProfileSelector[];
  status: FargateProfileStatus;
  tags: Record<string, string>;
  health?: { issues: FargateProfileIssue[] };
}

/** What matching needs of a profile, so callers may pass a full or a partial profile. */
export type MatchableFargateProfile = Pick<
  FargateProfile,
  'fargateProfileName' | 'status' | 'selectors'
>;

/** One RFC 6902 operation of an admission response's JSONPatch. */
export interface JsonPatchOperation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** The platform generations whose size limits differ. */
export type FargatePlatform = 'current' | 'legacy';

/** The size a Fargate pod is given, as `CapacityProvisioned` reports it. */
export interface FargatePodSize {
  vcpu: number;
  memoryGb: number;
  ephemeralGiB: number;
  /** The `CapacityProvisioned` annotation value, e.g. `0.5vCPU 1GB`. */
  annotation: string;
}

export type FargateSizingReason =
  'POD_CPU_MEM_EXCEEDS_MAX_FARGATE_SIZE' | 'POD_EPHEMERAL_STORAGE_EXCEEDS_MAX_FARGATE_SIZE';

/** A pod too big for any Fargate size; `message` is the PodScheduled condition's text. */
export class FargateSizingError extends KilnError {
  readonly code = 'KILN_FARGATE_POD_TOO_LARGE';
  readonly reason: FargateSizingReason;
  constructor(reason: FargateSizingReason, message: string) {
    super(message);
    this.reason = reason;
  }
}

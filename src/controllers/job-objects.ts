import type { JsonObject, KubeObject } from '../api/index.ts';
import { rfc3339 } from '../util/index.ts';
import type { Condition, LabelSelector, Pod } from './deployment-objects.ts';

/** The views of batch/v1 objects (and the pod fields) the Job and CronJob controllers read. */

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_KEY = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
export const CRONJOB_SCHEDULED_TIMESTAMP = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number;
  suspend?: boolean;
  completionMode?: 'NonIndexed' | 'Indexed';
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  podFailurePolicy?: JsonObject;
  selector?: LabelSelector;
  template: {
    metadata?: {
      labels?: Record<string, string>;
      annotations?: Record<string, string>;
      finalizers?: string[];
    };
    spec?: JsonObject;
  };
}

export interface JobCondition extends Condition {
  lastProbeTime?: string;
}

export interface UncountedTerminatedPods {
  succeeded?: string[];
  failed?: string[];
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  uncountedTerminatedPods?: UncountedTerminatedPods;
}

export interface Job extends KubeObject {
  spec: JobSpec;
  status?: JobStatus;
}

export interface ObjectReference {
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  apiVersion: string;
  resourceVersion: string;
}

export interface CronJob extends KubeObject {
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: {
      metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
      spec: JsonObject;
    };
  };
  status?: {
    active?: ObjectReference[];
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
}

interface ContainerStatus {
  restartCount?: number;
  state?: { terminated?: { finishedAt?: string } };
}

export interface JobPod extends Pod {
  spec?: { nodeName?: string; restartPolicy?: string };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

// SAFETY (all three casts): the API server validated these objects against their kinds (and
// defaulted a Job's selector and template); optional fields are read as optional.
export const asJob = (o: KubeObject): Job => o as Job;
export const asCronJob = (o: KubeObject): CronJob => o as CronJob;
export const asJobPod = (o: KubeObject): JobPod => o;

export function findCondition(
  status: { conditions?: JobCondition[] } | undefined,
  type: string,
): JobCondition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

function isTrue(job: Job, type: string): boolean {
  return findCondition(job.status, type)?.status === 'True';
}

/** The Complete or Failed condition that ends a Job (util.FinishedCondition). */
export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find(
    (c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True',
  );
}

export function isJobFinished(job: Job): boolean {
  return finishedCondition(job) !== undefined;
}

export function isJobSucceeded(job: Job): boolean {
  return isTrue(job, 'Complete');
}

export function newCondition(
  type: string,
  reason: string,
  a: { message: string; now: number },
): JobCondition {
  const t = rfc3339(a.now);
  return {
    type,
    status: 'True',
    lastProbeTime: t,
    lastTransitionTime: t,
    reason,
    message: a.message,
  };
}

/**
 * Sets a condition's status as ensureJobConditionStatus does: a new condition is added only
 * when it is True; a changed status moves both timestamps. Returns whether anything changed.
 */
export function ensureCondition(
  status: JobStatus,
  want: { type: string; status: 'True' | 'False'; reason: string; message: string; now: number },
): boolean {
  const conditions = status.conditions ?? [];
  const t = rfc3339(want.now);
  const existing = conditions.find((c) => c.type === want.type);
  if (!existing) {
    if (want.status === 'False') return false;
    status.conditions = [...conditions, newCondition(want.type, want.reason, want)];
    return true;
  }
  if (
    existing.status === want.status &&
    existing.reason === want.reason &&
    existing.message === want.message
  )
    return false;
  if (existing.status !== want.status) existing.lastTransitionTime = t;
  existing.status = want.status;
  existing.lastProbeTime = t;
  existing.reason = want.reason;
  existing.message = want.message;
  return true;
}

export function isIndexed(job: Job): boolean {
  return job.spec.completionMode === 'Indexed';
}

/** The pod's completion index, or undefined when it has none or it is malformed. */
export function completionIndex(pod: KubeObject): number | undefined {
  const v = pod.metadata.annotations?.[COMPLETION_INDEX_KEY];
  if (v === undefined || !/^(0|[1-9][0-9]*)$/.test(v)) return undefined;
  return Number(v);
}

/** A sorted set of indexes as status.completedIndexes writes it: `0-2,4,6-7`. */
export function formatIndexes(sorted: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    const first = sorted[i] ?? 0;
    let last = first;
    while (sorted[i + 1] === last + 1) {
      last++;
      i++;
    }
    parts.push(first === last ? String(first) : `${String(first)}-${String(last)}`);
    i++;
  }
  return parts.join(',');
}

/** parseIndexesFromString: indexes at or above `completions` are dropped. */
export function parseIndexes(text: string | undefined, completions: number): Set<number> {
  const out = new Set<number>();
  for (const part of (text ?? '').split(',')) {
    const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
    if (!m) continue;
    const first = Number(m[1]);
    const last = Math.min(m[2] === undefined ? first : Number(m[2]), completions - 1);
    for (let k = first; k <= last; k++) out.add(k);
  }
  return out;
}

export function hasTrackingFinalizer(pod: KubeObject): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) === true;
}

/** When the pod finished: its last container termination, else undefined. */
export function podFinishTime(pod: JobPod): number | undefined {
  let latest: number | undefined;
  for (const s of pod.status?.containerStatuses ?? []) {
    const t = Date.parse(s.state?.terminated?.finishedAt ?? '');
    if (!Number.isNaN(t) && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}

export function jobPath(ns: string, name: string): string {
  return `/apis/batch/v1/namespaces/${ns}/jobs/${name}`;
}

export function podPath(pod: KubeObject): string {
  return `/api/v1/namespaces/${pod.metadata.namespace ?? ''}/pods/${pod.metadata.name ?? ''}`;
}

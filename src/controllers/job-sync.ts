import { isPodActive, isPodReady } from './deployment-objects.ts';
import { comparePodsForDeletion } from './deployment-pod-rank.ts';
import {
  completionIndex,
  findCondition,
  hasTrackingFinalizer,
  isIndexed,
  newCondition,
  parseIndexes,
  podFinishTime,
  type Job,
  type JobCondition,
  type JobPod,
} from './job-objects.ts';

/**
 * The pure parts of the Job controller's syncJob: what the pods say, which pods to count,
 * delete or create, and which condition ends the Job. The controller does the I/O.
 */

export const BACKOFF_LIMIT_MESSAGE = 'Job has reached the specified backoff limit';
export const DEADLINE_MESSAGE = 'Job was active longer than specified deadline';

/** One sync's view of a Job and its pods (upstream's syncJobCtx). */
export interface SyncCtx {
  /** A private copy whose status the sync rewrites. */
  readonly job: Job;
  readonly pods: readonly JobPod[];
  readonly active: readonly JobPod[];
  readonly uncounted: { readonly succeeded: Set<string>; readonly failed: Set<string> };
  /** Pods whose finalizer removal was sent but not yet seen. */
  readonly expectedRm: ReadonlySet<string>;
  readonly newSucceeded: readonly JobPod[];
  readonly newFailed: readonly JobPod[];
  succeeded: number;
  failed: number;
  terminating: number;
  finished: JobCondition | undefined;
  /** Indexed Jobs: the indexes already recorded in status.completedIndexes. */
  readonly prevSucceededIndexes: ReadonlySet<number>;
  /** Indexed Jobs: every succeeded index, recorded or not. */
  succeededIndexes: Set<number>;
}

export function completionsOf(job: Job): number | undefined {
  const c = job.spec.completions;
  return c === null ? undefined : c;
}

export function isSuspended(job: Job): boolean {
  return job.spec.suspend === true;
}

/** podReplacementPolicy Failed (or a podFailurePolicy): terminating pods are not yet failed. */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || job.spec.podFailurePolicy !== undefined;
}

/** isPodFailed: a deleted pod counts as failed, as an orphan may never reach Failed. */
export function isPodFailed(pod: JobPod, job: Job): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return pod.metadata.deletionTimestamp !== undefined && phase !== 'Succeeded';
}

function isTerminating(pod: JobPod): boolean {
  const phase = pod.status?.phase;
  return (
    pod.metadata.deletionTimestamp !== undefined && phase !== 'Failed' && phase !== 'Succeeded'
  );
}

/** An Indexed Job ignores pods without a valid index below `completions`. */
function hasValidIndex(pod: JobPod, job: Job): boolean {
  if (!isIndexed(job)) return true;
  const ix = completionIndex(pod);
  return ix !== undefined && ix < (completionsOf(job) ?? 0);
}

/** getValidPodsWithFilter: tracked pods not yet counted. */
function newlyFinished(
  a: { job: Job; pods: readonly JobPod[]; expectedRm: ReadonlySet<string> },
  uncounted: ReadonlySet<string>,
  filter: (p: JobPod) => boolean,
): JobPod[] {
  return a.pods.filter((p) => {
    const uid = p.metadata.uid ?? '';
    if (!hasTrackingFinalizer(p) || uncounted.has(uid) || a.expectedRm.has(uid)) return false;
    return hasValidIndex(p, a.job) && filter(p);
  });
}

export function newSyncCtx(
  job: Job,
  pods: readonly JobPod[],
  expectedRm: ReadonlySet<string>,
): SyncCtx {
  const status = (job.status ??= {});
  const u = (status.uncountedTerminatedPods ??= {});
  const uncounted = { succeeded: new Set(u.succeeded ?? []), failed: new Set(u.failed ?? []) };
  const base = { job, pods, expectedRm };
  const newSucceeded = newlyFinished(
    base,
    uncounted.succeeded,
    (p) => p.status?.phase === 'Succeeded',
  );
  const newFailed = newlyFinished(base, uncounted.failed, (p) => isPodFailed(p, job));
  const prev = isIndexed(job)
    ? parseIndexes(status.completedIndexes, completionsOf(job) ?? 0)
    : new Set<number>();
  return {
    ...base,
    active: pods.filter(isPodActive),
    uncounted,
    newSucceeded,
    newFailed,
    succeeded: (status.succeeded ?? 0) + newSucceeded.length + uncounted.succeeded.size,
    failed: (status.failed ?? 0) + newFailed.length + uncounted.failed.size,
    terminating: pods.filter(isTerminating).length,
    finished: undefined,
    prevSucceededIndexes: prev,
    succeededIndexes: new Set(prev),
  };
}

export function readyCount(ctx: SyncCtx): number {
  return ctx.active.filter(isPodReady).length;
}

/** calculateSucceededIndexes: the recorded indexes plus those of succeeded pods. */
export function computeSucceededIndexes(ctx: SyncCtx): void {
  const completions = completionsOf(ctx.job) ?? 0;
  for (const p of ctx.pods) {
    const ix = completionIndex(p);
    if (p.status?.phase === 'Succeeded' && ix !== undefined && ix < completions)
      ctx.succeededIndexes.add(ix);
  }
  ctx.succeeded = ctx.succeededIndexes.size;
}

function restartCount(pod: JobPod): number {
  const all = [
    ...(pod.status?.containerStatuses ?? []),
    ...(pod.status?.initContainerStatuses ?? []),
  ];
  return all.reduce((n, s) => n + (s.restartCount ?? 0), 0);
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts are failures. */
function pastBackoffLimitOnFailure(ctx: SyncCtx): boolean {
  if (ctx.job.spec.template.spec?.['restartPolicy'] !== 'OnFailure') return false;
  const limit = ctx.job.spec.backoffLimit ?? 6;
  const restarts = ctx.pods
    .filter((p) => p.status?.phase === 'Running' || p.status?.phase === 'Pending')
    .reduce((n, p) => n + restartCount(p), 0);
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** Milliseconds the Job has left before activeDeadlineSeconds, or undefined without one. */
export function deadlineRemainingMs(job: Job, now: number): number | undefined {
  const ads = job.spec.activeDeadlineSeconds;
  const start = Date.parse(job.status?.startTime ?? '');
  if (ads === undefined || Number.isNaN(start) || isSuspended(job)) return undefined;
  return start + ads * 1000 - now;
}

/**
 * The failure that ends the Job, if any. As 1.31+ with JobPodReplacementPolicy on, it is the
 * interim FailureTarget; Failed follows once no pod is terminating.
 */
export function failureCondition(ctx: SyncCtx, now: number): JobCondition | undefined {
  const job = ctx.job;
  if (findCondition(job.status, 'SuccessCriteriaMet')?.status === 'True') return undefined;
  const target = findCondition(job.status, 'FailureTarget');
  if (target?.status === 'True')
    return newCondition('Failed', target.reason ?? '', { message: target.message ?? '', now });
  if (ctx.failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(ctx))
    return newCondition('FailureTarget', 'BackoffLimitExceeded', {
      message: BACKOFF_LIMIT_MESSAGE,
      now,
    });
  const left = deadlineRemainingMs(job, now);
  if (left !== undefined && left <= 0)
    return newCondition('FailureTarget', 'DeadlineExceeded', { message: DEADLINE_MESSAGE, now });
  return undefined;
}

export function successCondition(now: number): JobCondition {
  return newCondition('SuccessCriteriaMet', 'CompletionsReached', {
    message: 'Reached expected number of succeeded pods',
    now,
  });
}

/** The active pods a Job wants, given its parallelism, completions and successes. */
export function wantActive(ctx: SyncCtx): number {
  const parallelism = ctx.job.spec.parallelism ?? 1;
  const completions = completionsOf(ctx.job);
  // Without completions, the first success means: let the rest finish, start no more.
  if (completions === undefined) return ctx.succeeded > 0 ? ctx.active.length : parallelism;
  return Math.max(0, Math.min(completions - ctx.succeeded, parallelism));
}

function byActiveOrder(now: number): (a: JobPod, b: JobPod) => number {
  return (a, b) => comparePodsForDeletion({ pod: a, rank: 0 }, { pod: b, rank: 0 }, now);
}

/**
 * activePodsForRemoval: for an Indexed Job, pods with a bad or repeated index go first (the
 * most advanced pod of an index stays); then the least advanced pods.
 */
export function activePodsForRemoval(ctx: SyncCtx, atLeast: number, now: number): JobPod[] {
  const order = byActiveOrder(now);
  const rm: JobPod[] = [];
  let left: JobPod[] = [...ctx.active];
  if (isIndexed(ctx.job)) {
    const byIndex = new Map<number, JobPod[]>();
    left = [];
    for (const p of ctx.active) {
      const ix = completionIndex(p);
      if (ix === undefined || ix >= (completionsOf(ctx.job) ?? 0)) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    for (const group of byIndex.values()) {
      group.sort(order);
      rm.push(...group.slice(0, -1));
      left.push(...group.slice(-1));
    }
  }
  if (rm.length < atLeast) rm.push(...left.sort(order).slice(0, atLeast - rm.length));
  return rm;
}

/** firstPendingIndexes: the lowest indexes neither succeeded nor held by an active pod. */
export function pendingIndexes(ctx: SyncCtx, count: number): number[] {
  const taken = new Set(ctx.succeededIndexes);
  for (const p of ctx.active) {
    const ix = completionIndex(p);
    if (ix !== undefined) taken.add(ix);
  }
  const out: number[] = [];
  const completions = completionsOf(ctx.job) ?? 0;
  for (let ix = 0; ix < completions && out.length < count; ix++) if (!taken.has(ix)) out.push(ix);
  return out;
}

/** The pod failure backoff state of one Job (upstream's backoffRecord). */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime: number | undefined;
  /** Pods already folded into the record, so a retried sync does not count them twice. */
  readonly seen: Set<string>;
}

/**
 * newBackoffRecord, simplified: a new success resets the count (upstream keeps failures that
 * finished after the last success); each new failure adds one and moves the failure time.
 */
export function updateBackoff(rec: BackoffRecord, ctx: SyncCtx, now: number): void {
  const fresh = (p: JobPod): boolean => !rec.seen.has(p.metadata.uid ?? '');
  const succeeded = ctx.newSucceeded.filter(fresh);
  const failed = ctx.newFailed.filter(fresh);
  if (succeeded.length > 0) {
    rec.failuresAfterLastSuccess = 0;
    rec.lastFailureTime = undefined;
  }
  for (const p of [...succeeded, ...failed]) rec.seen.add(p.metadata.uid ?? '');
  if (failed.length === 0) return;
  rec.failuresAfterLastSuccess += failed.length;
  const times = failed.map((p) => podFinishTime(p) ?? now);
  rec.lastFailureTime = Math.max(...times);
}

/** getRemainingTimeForFailuresCount: the base delay doubles per failure, up to the cap. */
export function backoffRemainingMs(
  rec: BackoffRecord,
  limits: { baseMs: number; maxMs: number },
  now: number,
): number {
  if (rec.failuresAfterLastSuccess === 0 || rec.lastFailureTime === undefined) return 0;
  let delay = limits.baseMs;
  for (let i = 1; i < rec.failuresAfterLastSuccess && delay < limits.maxMs; i++) delay *= 2;
  delay = Math.min(delay, limits.maxMs);
  return Math.max(0, delay - (now - rec.lastFailureTime));
}

/** canRemoveFinalizer (without backoffLimitPerIndex). */
export function canRemoveFinalizer(ctx: SyncCtx, pod: JobPod, consideredFailed: boolean): boolean {
  return (
    ctx.job.metadata.deletionTimestamp !== undefined ||
    ctx.finished !== undefined ||
    pod.status?.phase === 'Succeeded' ||
    consideredFailed
  );
}

export function isCompleted(ctx: SyncCtx, active: number): boolean {
  const completions = completionsOf(ctx.job);
  if (completions === undefined) return ctx.succeeded > 0 && active === 0;
  return ctx.succeeded >= completions && active === 0;
}

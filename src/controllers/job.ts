import type { JsonObject, KubeObject, OwnerReference } from '../api/index.ts';
import { isJsonObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isNotFound,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import { rfc3339, toError, type Clock } from '../util/index.ts';
import { canonicalJson } from './deployment-hash.ts';
import { Expectations } from './deployment-expectations.ts';
import { clone, controllerOf, keyOf, matchesSelector, nsOf } from './deployment-objects.ts';
import {
  asJob,
  asJobPod,
  COMPLETION_INDEX_ENV,
  COMPLETION_INDEX_KEY,
  ensureCondition,
  formatIndexes,
  hasTrackingFinalizer,
  isIndexed,
  isJobFinished,
  JOB_TRACKING_FINALIZER,
  jobPath,
  podPath,
  type Job,
  type JobPod,
  type JobStatus,
} from './job-objects.ts';
import {
  activePodsForRemoval,
  backoffRemainingMs,
  canRemoveFinalizer,
  completionsOf,
  computeSucceededIndexes,
  deadlineRemainingMs,
  failureCondition,
  isCompleted,
  isPodFailed,
  isSuspended,
  newSyncCtx,
  onlyReplaceFailedPods,
  pendingIndexes,
  readyCount,
  successCondition,
  updateBackoff,
  wantActive,
  type BackoffRecord,
  type SyncCtx,
} from './job-sync.ts';
import { JobTtlController } from './job-ttl.ts';

export interface JobControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly workers?: number;
  /** The first pod failure backoff (upstream DefaultJobPodFailureBackOff, 10 s). */
  readonly podFailureBackoffMs?: number;
  /** The backoff cap (upstream MaxJobPodFailureBackOff, 10 min). */
  readonly maxPodFailureBackoffMs?: number;
}

interface StepResult {
  active: number;
  requeueMs: number | undefined;
  failure: Error | undefined;
}

/** MaxPodCreateDeletePerSync. */
const MAX_PER_SYNC = 500;
/** MaxUncountedPods: a bigger uncounted list would bloat the Job object. */
const MAX_UNCOUNTED = 500;
const JOBS = '/apis/batch/v1/jobs';

function jobRef(job: Job): OwnerReference {
  // Built by hand: list items may come without apiVersion and kind.
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    name: job.metadata.name ?? '',
    uid: job.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/**
 * kube-controller-manager's job controller: runs a Job's pods to `completions` with at most
 * `parallelism` at once (NonIndexed or Indexed), counts finished pods through the
 * `batch.kubernetes.io/job-tracking` finalizer and `status.uncountedTerminatedPods`, fails
 * the Job past `backoffLimit` or `activeDeadlineSeconds`, and suspends and resumes it. It also
 * runs the ttl-after-finished controller, which deletes finished Jobs after their TTL.
 */
export class JobController {
  readonly #opts: JobControllerOptions;
  readonly #expectations: Expectations;
  readonly #events: EventRecorder;
  readonly #pods = new Map<string, Map<string, JobPod>>();
  /** Per Job: pod UIDs whose finalizer removal was sent but not yet observed. */
  readonly #expectedRm = new Map<string, Set<string>>();
  readonly #backoff = new Map<string, BackoffRecord>();
  #jobs: Informer | undefined;
  #queue: WorkQueue | undefined;
  #orphans: WorkQueue | undefined;

  constructor(opts: JobControllerOptions) {
    this.#opts = opts;
    this.#expectations = new Expectations(opts.clock);
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'job-controller' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const orphans = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const ttlQueue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    this.#queue = queue;
    this.#orphans = orphans;
    const jobs = new Informer({
      client: this.#opts.client,
      path: JOBS,
      sleep: this.#opts.sleep,
      handlers: {
        onChange: (job) => {
          queue.add(keyOf(job));
          if (asJob(job).spec.ttlSecondsAfterFinished !== undefined) ttlQueue.add(keyOf(job));
        },
        onDelete: (job) => {
          this.#forget(keyOf(job));
          queue.add(keyOf(job));
        },
      },
    });
    this.#jobs = jobs;
    const ttl = new JobTtlController({
      client: this.#opts.client,
      clock: this.#opts.clock,
      get: (key) => jobs.get(key),
    });
    const pods = new Informer({
      client: this.#opts.client,
      path: '/api/v1/pods',
      sleep: this.#opts.sleep,
      handlers: {
        onChange: (pod, old) => {
          this.#podChanged(asJobPod(pod), old === undefined ? undefined : asJobPod(old));
        },
        onDelete: (pod) => {
          this.#podDeleted(asJobPod(pod));
        },
      },
    });
    const work = async (): Promise<void> => {
      await Promise.all([jobs.waitForSync(), pods.waitForSync()]);
      const workers = this.#opts.workers ?? 2;
      await Promise.all([
        runWorkers({ queue, workers, reconcile: (k) => this.reconcile(k) }),
        runWorkers({ queue: orphans, workers: 1, reconcile: (k) => this.#syncOrphanPod(k) }),
        runWorkers({ queue: ttlQueue, workers: 1, reconcile: (k) => ttl.reconcile(k) }),
      ]);
    };
    await Promise.all([jobs.run(signal), pods.run(signal), work()]);
  }

  #forget(key: string): void {
    this.#expectations.forget(key);
    this.#expectedRm.delete(key);
    this.#backoff.delete(key);
  }

  /** The cached Job a controller reference points at, if it is still that object. */
  #owner(pod: JobPod): Job | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'Job') return undefined;
    const job = this.#jobs?.get(`${nsOf(pod)}/${ref.name}`);
    return job?.metadata.uid === ref.uid ? asJob(job) : undefined;
  }

  #podChanged(pod: JobPod, old: JobPod | undefined): void {
    let m = this.#pods.get(nsOf(pod));
    if (!m) {
      m = new Map();
      this.#pods.set(nsOf(pod), m);
    }
    m.set(keyOf(pod), pod);
    const job = this.#owner(pod);
    if (old && controllerOf(old)?.uid !== controllerOf(pod)?.uid) {
      const prev = this.#owner(old);
      if (prev) this.#queue?.add(keyOf(prev));
    }
    this.#enqueueOrphan(pod, job);
    if (job) this.#observe(keyOf(job), pod, old === undefined);
    else if (controllerOf(pod) === undefined) this.#enqueueMatching(pod);
  }

  /** Settles the expectations a pod change answers, and syncs its Job. */
  #observe(key: string, pod: JobPod, isNew: boolean): void {
    if (isNew) this.#expectations.creationObserved(key);
    if (pod.metadata.deletionTimestamp !== undefined)
      this.#expectations.deletionObserved(key, keyOf(pod));
    if (!hasTrackingFinalizer(pod)) this.#expectedRm.get(key)?.delete(pod.metadata.uid ?? '');
    this.#queue?.add(key);
  }

  #podDeleted(pod: JobPod): void {
    this.#pods.get(nsOf(pod))?.delete(keyOf(pod));
    const job = this.#owner(pod);
    if (!job) return;
    const key = keyOf(job);
    this.#expectations.deletionObserved(key, keyOf(pod));
    this.#expectedRm.get(key)?.delete(pod.metadata.uid ?? '');
    this.#queue?.add(key);
  }

  /** A tracked pod whose Job is gone or finished will never be counted: free it. */
  #enqueueOrphan(pod: JobPod, job: Job | undefined): void {
    if (!hasTrackingFinalizer(pod)) return;
    const ref = controllerOf(pod);
    if (ref !== undefined && ref.kind !== 'Job') return;
    if (job === undefined || isJobFinished(job)) this.#orphans?.add(keyOf(pod));
  }

  #enqueueMatching(pod: JobPod): void {
    for (const o of this.#jobs?.list() ?? []) {
      const job = asJob(o);
      const sel = job.spec.selector;
      if (sel && nsOf(job) === nsOf(pod) && matchesSelector(sel, pod.metadata.labels))
        this.#queue?.add(keyOf(job));
    }
  }

  async #syncOrphanPod(key: string): Promise<ReconcileResult> {
    const [ns = '', name = ''] = key.split('/');
    const pod = this.#pods.get(ns)?.get(key);
    if (!pod || !hasTrackingFinalizer(pod)) return undefined;
    const ref = controllerOf(pod);
    if (ref !== undefined) {
      if (ref.kind !== 'Job') return undefined;
      const job = this.#owner(pod);
      if (job && !isJobFinished(job)) return undefined;
    }
    await this.#removeFinalizer({ ...pod, metadata: { ...pod.metadata, namespace: ns, name } });
    return undefined;
  }

  async #removeFinalizer(pod: JobPod): Promise<boolean> {
    try {
      await this.#opts.client.patch(
        podPath(pod),
        { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } },
        'strategic',
      );
      return true;
    } catch (e: unknown) {
      if (isNotFound(e)) return true;
      throw e;
    }
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.#jobs?.get(key);
    if (!cached) {
      this.#forget(key);
      return undefined;
    }
    const job = asJob(clone(cached));
    if (isJobFinished(job)) {
      this.#backoff.delete(key);
      return undefined;
    }
    const satisfied = this.#expectations.satisfied(key);
    const pods = await this.#claimPods(job);
    const ctx = newSyncCtx(job, pods, new Set(this.#expectedRm.get(key)));
    return this.#sync(ctx, { key, satisfied, written: clone(asJob(cached).status) });
  }

  async #sync(
    ctx: SyncCtx,
    a: { key: string; satisfied: boolean; written: unknown },
  ): Promise<ReconcileResult> {
    const job = ctx.job;
    const status = job.status ?? {};
    const now = this.#opts.clock.now();
    if (status.startTime === undefined && !isSuspended(job)) status.startTime = rfc3339(now);
    const rec = this.#backoffRecord(a.key);
    updateBackoff(rec, ctx, now);
    const requeue: number[] = [];
    ctx.finished = failureCondition(ctx, now);
    const left = deadlineRemainingMs(job, now);
    if (ctx.finished === undefined && left !== undefined) requeue.push(left);
    if (isIndexed(job)) computeSucceededIndexes(ctx);
    const r =
      ctx.finished !== undefined
        ? await this.#terminate(ctx, a)
        : await this.#progress(ctx, { ...a, rec, now });
    if (r.requeueMs !== undefined) requeue.push(r.requeueMs);
    status.active = r.active;
    status.ready = readyCount(ctx);
    status.terminating = ctx.terminating;
    await this.#trackStatus(ctx, { key: a.key, written: a.written });
    if (r.failure) throw r.failure;
    return requeue.length === 0 ? undefined : { requeueAfterMs: Math.max(0, Math.min(...requeue)) };
  }

  /** A failed Job: its active pods go; it finishes once they all have. */
  async #terminate(ctx: SyncCtx, a: { key: string; satisfied: boolean }): Promise<StepResult> {
    const active = ctx.active.length;
    let failure: Error | undefined;
    const deleted = await this.#deletePods(ctx, a.key, ctx.active).catch((e: unknown) => {
      failure = toError(e);
      return 0;
    });
    if (deleted !== active || !a.satisfied) ctx.finished = undefined;
    ctx.terminating += deleted;
    return { active: active - deleted, requeueMs: undefined, failure };
  }

  /** A running Job: pods are created or deleted, then completion or suspension is noted. */
  async #progress(
    ctx: SyncCtx,
    a: { key: string; satisfied: boolean; rec: BackoffRecord; now: number },
  ): Promise<StepResult> {
    const managed = a.satisfied && ctx.job.metadata.deletionTimestamp === undefined;
    let r: StepResult = { active: ctx.active.length, requeueMs: undefined, failure: undefined };
    if (managed) {
      r = await this.#manageJob(ctx, a.key, a.rec).then(
        (x) => ({ ...x, failure: undefined }),
        (e: unknown) => ({ ...r, failure: toError(e) }),
      );
    }
    if (isCompleted(ctx, r.active)) ctx.finished = successCondition(a.now);
    else if (managed) await this.#suspendCondition(ctx, a.now);
    return r;
  }

  #backoffRecord(key: string): BackoffRecord {
    let rec = this.#backoff.get(key);
    if (!rec) {
      rec = { failuresAfterLastSuccess: 0, lastFailureTime: undefined, seen: new Set() };
      this.#backoff.set(key, rec);
    }
    return rec;
  }

  async #suspendCondition(ctx: SyncCtx, now: number): Promise<void> {
    const status = ctx.job.status ?? {};
    if (isSuspended(ctx.job)) {
      const changed = ensureCondition(status, {
        type: 'Suspended',
        status: 'True',
        reason: 'JobSuspended',
        message: 'Job suspended',
        now,
      });
      if (changed) await this.#event(ctx.job, 'Normal', ['Suspended', 'Job suspended']);
      return;
    }
    const changed = ensureCondition(status, {
      type: 'Suspended',
      status: 'False',
      reason: 'JobResumed',
      message: 'Job resumed',
      now,
    });
    if (!changed) return;
    await this.#event(ctx.job, 'Normal', ['Resumed', 'Job resumed']);
    // activeDeadlineSeconds counts continuous activity: a resumed Job starts its clock again.
    status.startTime = rfc3339(now);
  }

  async #event(
    job: Job,
    type: 'Normal' | 'Warning',
    [reason, message]: readonly [string, string],
  ): Promise<void> {
    await this.#events.record({
      object: { kind: 'Job', apiVersion: 'batch/v1', ...job },
      type,
      reason,
      message,
    });
  }

  /** manageJob: deletes surplus pods, or creates missing ones, never both in one sync. */
  async #manageJob(
    ctx: SyncCtx,
    key: string,
    rec: BackoffRecord,
  ): Promise<{ active: number; requeueMs: number | undefined }> {
    const active = ctx.active.length;
    const now = this.#opts.clock.now();
    if (isSuspended(ctx.job)) {
      const removed = await this.#deletePods(ctx, key, [...ctx.active]);
      ctx.terminating += removed;
      return { active: active - removed, requeueMs: undefined };
    }
    const want = wantActive(ctx);
    const surplus = activePodsForRemoval(ctx, Math.max(0, active - want), now).slice(
      0,
      MAX_PER_SYNC,
    );
    if (surplus.length > 0) {
      const removed = await this.#deletePods(ctx, key, surplus);
      ctx.terminating += removed;
      return { active: active - removed, requeueMs: undefined };
    }
    const terminating = onlyReplaceFailedPods(ctx.job) ? ctx.terminating : 0;
    let diff = Math.min(want - terminating - active, MAX_PER_SYNC);
    if (diff <= 0) return { active, requeueMs: undefined };
    const wait = backoffRemainingMs(
      rec,
      {
        baseMs: this.#opts.podFailureBackoffMs ?? 10_000,
        maxMs: this.#opts.maxPodFailureBackoffMs ?? 600_000,
      },
      now,
    );
    if (wait > 0) return { active, requeueMs: wait };
    const indexes = isIndexed(ctx.job) ? pendingIndexes(ctx, diff) : undefined;
    if (indexes) diff = indexes.length;
    const created = await this.#createPods(ctx, { key, n: diff, indexes });
    return { active: active + created, requeueMs: undefined };
  }

  /** Creates in batches of 1, 2, 4… so a failing template costs one error, not hundreds. */
  async #createPods(
    ctx: SyncCtx,
    a: { key: string; n: number; indexes: number[] | undefined },
  ): Promise<number> {
    this.#expectations.expectCreations(a.key, a.n);
    const template = this.#podTemplate(ctx.job);
    let attempted = 0;
    let created = 0;
    let batch = 1;
    let failure: Error | undefined;
    while (attempted < a.n && failure === undefined) {
      const size = Math.min(batch, a.n - attempted);
      const slice = Array.from({ length: size }, (_, i) => a.indexes?.[attempted + i]);
      attempted += size;
      const results = await Promise.allSettled(
        slice.map((ix) => this.#createPod(ctx.job, template, ix)),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') created++;
        else {
          this.#expectations.creationObserved(a.key);
          failure ??= toError(r.reason);
        }
      }
      batch *= 2;
    }
    // Creations never attempted will never be observed.
    for (let i = attempted; i < a.n; i++) this.#expectations.creationObserved(a.key);
    if (failure) throw failure;
    return created;
  }

  #podTemplate(job: Job): {
    meta: NonNullable<Job['spec']['template']['metadata']>;
    spec: JsonObject;
  } {
    const t = clone(job.spec.template);
    const spec = t.spec ?? {};
    if (isIndexed(job)) addCompletionIndexEnv(spec);
    const meta = t.metadata ?? {};
    const finalizers = meta.finalizers ?? [];
    if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
    return { meta: { ...meta, finalizers }, spec };
  }

  async #createPod(
    job: Job,
    t: { meta: NonNullable<Job['spec']['template']['metadata']>; spec: JsonObject },
    index: number | undefined,
  ): Promise<void> {
    const name = job.metadata.name ?? '';
    const labels = { ...t.meta.labels };
    const annotations = { ...t.meta.annotations };
    const spec = clone(t.spec);
    let generateName = `${name}-`;
    if (index !== undefined) {
      annotations[COMPLETION_INDEX_KEY] = String(index);
      labels[COMPLETION_INDEX_KEY] = String(index);
      spec['hostname'] = `${name}-${String(index)}`;
      generateName = generateNameWithIndex(name, index);
    }
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName,
        namespace: nsOf(job),
        labels,
        ...(Object.keys(annotations).length === 0 ? {} : { annotations }),
        finalizers: t.meta.finalizers ?? [],
        ownerReferences: [jobRef(job)],
      },
      spec,
    };
    try {
      const created = await this.#opts.client.create(`/api/v1/namespaces/${nsOf(job)}/pods`, pod);
      await this.#event(job, 'Normal', [
        'SuccessfulCreate',
        `Created pod: ${created.metadata.name ?? ''}`,
      ]);
    } catch (e: unknown) {
      await this.#event(job, 'Warning', ['FailedCreate', `Error creating: ${toError(e).message}`]);
      throw e;
    }
  }

  /** Deletes pods keeping their finalizers; the sync that sees them terminating counts them. */
  async #deletePods(ctx: SyncCtx, key: string, pods: readonly JobPod[]): Promise<number> {
    this.#expectations.expectDeletions(key, pods.map(keyOf));
    const results = await Promise.allSettled(pods.map((p) => this.#deletePod(ctx.job, key, p)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return results.length;
  }

  async #deletePod(job: Job, key: string, pod: JobPod): Promise<void> {
    try {
      await this.#opts.client.delete(podPath(pod));
      await this.#event(job, 'Normal', [
        'SuccessfulDelete',
        `Deleted pod: ${pod.metadata.name ?? ''}`,
      ]);
    } catch (e: unknown) {
      this.#expectations.deletionObserved(key, keyOf(pod));
      if (isNotFound(e)) return;
      await this.#event(job, 'Warning', ['FailedDelete', `Error deleting: ${toError(e).message}`]);
      throw e;
    }
  }

  /** Pods this Job controls, adopting matching orphans and releasing pods that stopped matching. */
  async #claimPods(job: Job): Promise<JobPod[]> {
    const claimed: JobPod[] = [];
    for (const pod of this.#pods.get(nsOf(job))?.values() ?? []) {
      const mine = await this.#claim(job, pod);
      if (mine) claimed.push(mine);
    }
    return claimed;
  }

  /** The pod if this Job controls it (adopting a matching orphan), else undefined. */
  async #claim(job: Job, pod: JobPod): Promise<JobPod | undefined> {
    const sel = job.spec.selector;
    const deleting = job.metadata.deletionTimestamp !== undefined;
    const ref = controllerOf(pod);
    const matches = sel !== undefined && matchesSelector(sel, pod.metadata.labels);
    if (ref !== undefined) {
      if (ref.uid !== job.metadata.uid) return undefined;
      if (matches || deleting) return pod;
      await this.#release(job, pod);
      return undefined;
    }
    if (!matches || deleting || pod.metadata.deletionTimestamp !== undefined) return undefined;
    return this.#adopt(job, pod);
  }

  /** Adoption also adds the tracking finalizer, so the adopted pod is counted once it ends. */
  async #adopt(job: Job, pod: JobPod): Promise<JobPod | undefined> {
    const finalizers = pod.metadata.finalizers ?? [];
    try {
      const patched = await this.#opts.client.patch(podPath(pod), {
        metadata: {
          ownerReferences: [...(pod.metadata.ownerReferences ?? []), jobRef(job)],
          finalizers: finalizers.includes(JOB_TRACKING_FINALIZER)
            ? finalizers
            : [...finalizers, JOB_TRACKING_FINALIZER],
          resourceVersion: pod.metadata.resourceVersion,
        },
      });
      return asJobPod(patched);
    } catch (e: unknown) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async #release(job: Job, pod: JobPod): Promise<void> {
    const rest = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== job.metadata.uid);
    const finalizers = (pod.metadata.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER);
    try {
      await this.#opts.client.patch(podPath(pod), {
        metadata: {
          ownerReferences: rest.length === 0 ? null : rest,
          finalizers: finalizers.length === 0 ? null : finalizers,
          resourceVersion: pod.metadata.resourceVersion,
        },
      });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }

  /**
   * trackJobStatusAndRemoveFinalizers: finished pods go into uncountedTerminatedPods (written
   * first, so a crash cannot lose them), then lose their finalizer, then move to the counters.
   * The terminal condition is written only once nothing is uncounted or terminating.
   */
  async #trackStatus(ctx: SyncCtx, a: { key: string; written: unknown }): Promise<void> {
    const status = ctx.job.status ?? {};
    const withFinalizer = new Set(
      ctx.pods
        .filter((p) => hasTrackingFinalizer(p) && !ctx.expectedRm.has(p.metadata.uid ?? ''))
        .map((p) => p.metadata.uid ?? ''),
    );
    cleanUncounted(status, withFinalizer);
    const toRemove = this.#collectFinished(ctx);
    this.#interimCondition(ctx);
    let written = a.written;
    let job = ctx.job;
    omitZeros(status);
    if (canonicalJson(status) !== canonicalJson(written)) {
      job = await this.#writeStatus(ctx.job);
      written = clone(job.status);
    }
    const removed = await this.#removeFinalizers(a.key, toRemove);
    for (const uid of removed) withFinalizer.delete(uid);
    cleanUncounted(status, withFinalizer);
    const finished = this.#enactFinished(ctx);
    omitZeros(status);
    if (canonicalJson(status) === canonicalJson(written)) return;
    const final = await this.#writeStatus({ ...job, status });
    if (finished) await this.#recordFinished(final, ctx);
  }

  /** The finished pods that can lose their finalizer, adding each to the uncounted lists. */
  #collectFinished(ctx: SyncCtx): JobPod[] {
    const status = ctx.job.status ?? {};
    const toRemove: JobPod[] = [];
    for (const pod of ctx.pods) {
      const uid = pod.metadata.uid ?? '';
      if (!hasTrackingFinalizer(pod) || ctx.expectedRm.has(uid)) continue;
      const failed = isPodFailed(pod, ctx.job);
      if (!canRemoveFinalizer(ctx, pod, failed)) continue;
      if (toRemove.length >= MAX_UNCOUNTED) break;
      toRemove.push(pod);
      countPod(ctx, pod, failed);
    }
    if (isIndexed(ctx.job)) {
      const sorted = [...ctx.succeededIndexes].sort((x, y) => x - y);
      status.completedIndexes = formatIndexes(sorted);
      status.succeeded = sorted.length;
    }
    return toRemove;
  }

  /** Appends FailureTarget or SuccessCriteriaMet now; Failed or Complete come once settled. */
  #interimCondition(ctx: SyncCtx): void {
    const f = ctx.finished;
    if (!f) return;
    const status = ctx.job.status ?? {};
    const now = this.#opts.clock.now();
    const final = (type: string): typeof f => ({
      ...f,
      type,
      lastProbeTime: rfc3339(now),
      lastTransitionTime: rfc3339(now),
    });
    if (f.type === 'FailureTarget') {
      status.conditions = [...(status.conditions ?? []), f];
      ctx.finished = final('Failed');
    } else if (f.type === 'SuccessCriteriaMet') {
      if (!status.conditions?.some((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True'))
        status.conditions = [...(status.conditions ?? []), f];
      ctx.finished = final('Complete');
    }
  }

  async #removeFinalizers(key: string, pods: readonly JobPod[]): Promise<string[]> {
    const results = await Promise.allSettled(pods.map((p) => this.#removeFinalizer(p)));
    const done: string[] = [];
    let expected = this.#expectedRm.get(key);
    if (!expected) {
      expected = new Set();
      this.#expectedRm.set(key, expected);
    }
    results.forEach((r, i) => {
      const uid = pods[i]?.metadata.uid ?? '';
      if (r.status === 'fulfilled') {
        done.push(uid);
        expected.add(uid);
      }
    });
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    return done;
  }

  /** enactJobFinished: the terminal condition, once every pod is counted and gone. */
  #enactFinished(ctx: SyncCtx): boolean {
    const f = ctx.finished;
    const status = ctx.job.status ?? {};
    if (!f || !settled(status, ctx.terminating)) return false;
    const now = this.#opts.clock.now();
    ensureCondition(status, {
      type: f.type,
      status: 'True',
      reason: f.reason ?? '',
      message: f.message ?? '',
      now,
    });
    if (f.type === 'Complete') status.completionTime = rfc3339(now);
    return true;
  }

  async #recordFinished(job: Job, ctx: SyncCtx): Promise<void> {
    const f = ctx.finished;
    if (!f) return;
    if (f.type !== 'Complete') {
      await this.#event(job, 'Warning', [f.reason ?? '', f.message ?? '']);
      return;
    }
    const completions = completionsOf(job);
    if (completions !== undefined && (job.status?.succeeded ?? 0) > completions)
      await this.#event(job, 'Warning', [
        'TooManySucceededPods',
        'Too many succeeded pods running after completion count reached',
      ]);
    await this.#event(job, 'Normal', ['Completed', 'Job completed']);
  }

  async #writeStatus(job: Job): Promise<Job> {
    const path = `${jobPath(nsOf(job), job.metadata.name ?? '')}/status`;
    return asJob(await this.#opts.client.update(path, job));
  }
}

/**
 * Records a finished pod in uncountedTerminatedPods. An Indexed Job counts successes by index
 * instead; once the Job is failing, every pod still running counts as failed.
 */
function countPod(ctx: SyncCtx, pod: JobPod, failed: boolean): void {
  const uid = pod.metadata.uid ?? '';
  const uncounted = ((ctx.job.status ??= {}).uncountedTerminatedPods ??= {});
  const add = (kind: 'succeeded' | 'failed'): void => {
    ctx.uncounted[kind].add(uid);
    uncounted[kind] = [...(uncounted[kind] ?? []), uid];
  };
  if (pod.status?.phase === 'Succeeded' && !ctx.uncounted.failed.has(uid)) {
    if (!isIndexed(ctx.job) && !ctx.uncounted.succeeded.has(uid)) add('succeeded');
    return;
  }
  if (countsAsFailed(ctx, pod, failed)) add('failed');
}

function countsAsFailed(ctx: SyncCtx, pod: JobPod, failed: boolean): boolean {
  const failing = ctx.finished !== undefined && ctx.finished.type !== 'SuccessCriteriaMet';
  const uid = pod.metadata.uid ?? '';
  return (failed || failing) && !ctx.uncounted.failed.has(uid) && validIndex(ctx, pod);
}

/** Nothing left uncounted and no pod still terminating. */
function settled(status: JobStatus, terminating: number): boolean {
  const u = status.uncountedTerminatedPods;
  return (u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) === 0 && terminating === 0;
}

function validIndex(ctx: SyncCtx, pod: JobPod): boolean {
  if (!isIndexed(ctx.job)) return true;
  const ix = pod.metadata.annotations?.[COMPLETION_INDEX_KEY];
  return ix !== undefined && /^\d+$/.test(ix) && Number(ix) < (completionsOf(ctx.job) ?? 0);
}

/** cleanUncountedPodsWithoutFinalizers: an uncounted pod that lost its finalizer is counted. */
function cleanUncounted(status: JobStatus, withFinalizer: ReadonlySet<string>): void {
  const u = (status.uncountedTerminatedPods ??= {});
  const keep = (uids: string[] | undefined): string[] =>
    (uids ?? []).filter((x) => withFinalizer.has(x));
  const succeeded = keep(u.succeeded);
  const failed = keep(u.failed);
  status.succeeded = (status.succeeded ?? 0) + (u.succeeded?.length ?? 0) - succeeded.length;
  status.failed = (status.failed ?? 0) + (u.failed?.length ?? 0) - failed.length;
  if (succeeded.length > 0) u.succeeded = succeeded;
  else delete u.succeeded;
  if (failed.length > 0) u.failed = failed;
  else delete u.failed;
}

/** The counters are `omitempty` int32s upstream (terminating and ready are pointers: kept). */
function omitZeros(status: JobStatus): void {
  if (status.active === 0) delete status.active;
  if (status.succeeded === 0) delete status.succeeded;
  if (status.failed === 0) delete status.failed;
  if (status.completedIndexes === '') delete status.completedIndexes;
}

/** addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the index annotation. */
function addCompletionIndexEnv(spec: JsonObject): void {
  for (const field of ['initContainers', 'containers']) {
    const list = spec[field];
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      if (!isJsonObject(c)) continue;
      const env = Array.isArray(c['env']) ? c['env'] : [];
      if (env.some((e) => isJsonObject(e) && e['name'] === COMPLETION_INDEX_ENV)) continue;
      c['env'] = [
        ...env,
        {
          name: COMPLETION_INDEX_ENV,
          valueFrom: {
            fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_KEY}']` },
          },
        },
      ];
    }
  }
}

/** podGenerateNameWithIndex: `<job>-<index>-`, the job name cut to keep 58 characters. */
function generateNameWithIndex(job: string, index: number): string {
  const suffix = `-${String(index)}-`;
  const prefix = job + suffix;
  return prefix.length > 58 ? job.slice(0, 58 - suffix.length) + suffix : prefix;
}

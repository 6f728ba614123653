import type { KubeObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isAlreadyExists,
  isNotFound,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import { rfc3339, toError, type Clock } from '../util/index.ts';
import { canonicalJson } from './deployment-hash.ts';
import { clone, controllerOf, keyOf, nsOf } from './deployment-objects.ts';
import {
  formatInZone,
  loadLocationError,
  parseSchedule,
  rfc1123z,
  type CronSchedule,
} from './cronjob-schedule.ts';
import {
  asCronJob,
  asJob,
  CRONJOB_SCHEDULED_TIMESTAMP,
  finishedCondition,
  isJobFinished,
  isJobSucceeded,
  jobPath,
  type CronJob,
  type Job,
} from './job-objects.ts';

export interface CronJobControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly workers?: number;
}

/** nextScheduleDelta: wake a little after the schedule time, never just before it. */
const NEXT_SCHEDULE_DELTA_MS = 100;
const CRONJOBS = '/apis/batch/v1/cronjobs';

/** What one sync decided (upstream's `*time.Duration, updateStatus, error`). */
interface Outcome {
  requeueMs: number | undefined;
  updateStatus: boolean;
}

function parseMs(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Where the search for missed schedule times starts. */
function earliestTime(cj: CronJob, a: { now: number; withDeadline: boolean }): number {
  const earliest =
    parseMs(cj.status?.lastScheduleTime) ?? parseMs(cj.metadata.creationTimestamp) ?? a.now;
  const sds = cj.spec.startingDeadlineSeconds;
  // The controller schedules nothing older than the starting deadline.
  return a.withDeadline && sds !== undefined ? Math.max(earliest, a.now - sds * 1000) : earliest;
}

/**
 * mostRecentScheduleTime: the latest schedule time at or before `now` not yet started (or
 * undefined), counting from the last schedule time, or from creation, or from
 * `now - startingDeadlineSeconds` when that is later and `withDeadline` is set.
 */
export function mostRecentScheduleTime(
  cj: CronJob,
  sched: CronSchedule,
  a: { now: number; withDeadline: boolean },
): { earliest: number; mostRecent: number | undefined; missed: number } | Error {
  const earliest = earliestTime(cj, a);
  const t1 = sched.next(earliest);
  const t2 = t1 === undefined ? undefined : sched.next(t1);
  if (t1 === undefined || a.now < t1) return { earliest, mostRecent: undefined, missed: 0 };
  if (t2 === undefined || a.now < t2) return { earliest, mostRecent: t1, missed: 0 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return new Error('time difference between two schedules is less than 1 second');
  const missed = Math.floor((a.now - t1) / 1000 / between) + 1;
  const mostRecent = latestUpTo(sched, t1 + (missed - 2) * between * 1000, a.now);
  return { earliest, mostRecent, missed };
}

/** The last activation after `from` and at or before `now`. */
function latestUpTo(sched: CronSchedule, from: number, now: number): number | undefined {
  let mostRecent: number | undefined;
  let t = sched.next(from);
  while (t !== undefined && t <= now) {
    mostRecent = t;
    t = sched.next(t);
  }
  return mostRecent;
}

/** nextScheduleTimeDuration: how long until the next schedule time after the last one due. */
export function msUntilNextSchedule(cj: CronJob, sched: CronSchedule, now: number): number {
  const r = mostRecentScheduleTime(cj, sched, { now, withDeadline: false });
  let from = now;
  if (!(r instanceof Error)) from = r.mostRecent ?? (r.missed === 0 ? r.earliest : now);
  const next = sched.next(from);
  return next === undefined ? 24 * 3600 * 1000 : next + NEXT_SCHEDULE_DELTA_MS - now;
}

/** getJobName: the scheduled time in minutes names the Job, so a retry cannot make two. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name ?? ''}-${String(Math.floor(scheduledMs / 60_000))}`;
}

/** byJobStartTime: jobs without a start time last, ties by name. */
function byStartTime(a: Job, b: Job): number {
  const ta = parseMs(a.status?.startTime);
  const tb = parseMs(b.status?.startTime);
  if (ta === undefined && tb !== undefined) return 1;
  if (ta !== undefined && tb === undefined) return -1;
  if (ta === tb) return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  return (ta ?? 0) - (tb ?? 0);
}

/**
 * kube-controller-manager's cronjob controller (v2): creates a Job from `jobTemplate` at each
 * schedule time (within `startingDeadlineSeconds`), honours `concurrencyPolicy`, tracks the
 * active Jobs and last schedule/success times in status, trims finished Jobs to the history
 * limits, and requeues itself for the next schedule time.
 */
export class CronJobController {
  readonly #opts: CronJobControllerOptions;
  readonly #events: EventRecorder;
  #cronJobs: Informer | undefined;
  #jobs: Informer | undefined;

  constructor(opts: CronJobControllerOptions) {
    this.#opts = opts;
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'cronjob-controller' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const cronJobs = new Informer({
      client: this.#opts.client,
      path: CRONJOBS,
      sleep: this.#opts.sleep,
      handlers: {
        onChange: (cj) => {
          queue.add(keyOf(cj));
        },
      },
    });
    const parentKey = (job: KubeObject): void => {
      const ref = controllerOf(job);
      if (ref?.kind === 'CronJob') queue.add(`${nsOf(job)}/${ref.name}`);
    };
    const jobs = new Informer({
      client: this.#opts.client,
      path: '/apis/batch/v1/jobs',
      sleep: this.#opts.sleep,
      handlers: { onChange: parentKey, onDelete: parentKey },
    });
    this.#cronJobs = cronJobs;
    this.#jobs = jobs;
    await Promise.all([
      cronJobs.run(signal),
      jobs.run(signal),
      Promise.all([cronJobs.waitForSync(), jobs.waitForSync()]).then(() =>
        runWorkers({
          queue,
          workers: this.#opts.workers ?? 1,
          reconcile: (k) => this.reconcile(k),
        }),
      ),
    ]);
  }

  async #event(
    cj: CronJob,
    type: 'Normal' | 'Warning',
    [reason, message]: readonly [string, string],
  ): Promise<void> {
    await this.#events.record({
      object: { kind: 'CronJob', apiVersion: 'batch/v1', ...cj },
      type,
      reason,
      message,
    });
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.#cronJobs?.get(key);
    if (!cached) return undefined;
    const cj = asCronJob(clone(cached));
    const before = canonicalJson(asCronJob(cached).status ?? {});
    const jobs = (this.#jobs?.list() ?? [])
      .filter((j) => nsOf(j) === nsOf(cj) && controllerOf(j)?.uid === cj.metadata.uid)
      .map((j) => asJob(j));
    await this.#cleanupFinishedJobs(cj, jobs);
    let failure: Error | undefined;
    const outcome = await this.#syncCronJob(cj, jobs).catch((e: unknown) => {
      failure = toError(e);
      return { requeueMs: undefined, updateStatus: true };
    });
    if (outcome.updateStatus || canonicalJson(cj.status ?? {}) !== before) {
      const path = `/apis/batch/v1/namespaces/${nsOf(cj)}/cronjobs/${cj.metadata.name ?? ''}/status`;
      await this.#opts.client.update(path, cj);
    }
    if (outcome.requeueMs !== undefined) return { requeueAfterMs: Math.max(0, outcome.requeueMs) };
    if (failure) throw failure;
    return undefined;
  }

  async #cleanupFinishedJobs(cj: CronJob, jobs: readonly Job[]): Promise<void> {
    const succeeded = jobs.filter((j) => finishedCondition(j)?.type === 'Complete');
    const failed = jobs.filter((j) => finishedCondition(j)?.type === 'Failed');
    const limits: [Job[], number | undefined][] = [
      [succeeded, cj.spec.successfulJobsHistoryLimit],
      [failed, cj.spec.failedJobsHistoryLimit],
    ];
    for (const [list, limit] of limits) {
      if (limit === undefined || list.length <= limit) continue;
      list.sort(byStartTime);
      for (const job of list.slice(0, list.length - limit)) await this.#deleteJob(cj, job);
    }
  }

  /** deleteJob: the Job (its pods follow in the background) and its active entry. */
  async #deleteJob(cj: CronJob, job: Job): Promise<boolean> {
    try {
      await this.#opts.client.delete(jobPath(nsOf(job), job.metadata.name ?? ''), {
        propagationPolicy: 'Background',
      });
    } catch (e: unknown) {
      if (!isNotFound(e)) {
        await this.#event(cj, 'Warning', ['FailedDelete', `Deleted job: ${toError(e).message}`]);
        return false;
      }
    }
    this.#removeActive(cj, job.metadata.uid);
    await this.#event(cj, 'Normal', ['SuccessfulDelete', `Deleted job ${job.metadata.name ?? ''}`]);
    return true;
  }

  #removeActive(cj: CronJob, uid: string | undefined): void {
    const status = (cj.status ??= {});
    const active = (status.active ?? []).filter((r) => r.uid !== uid);
    if (active.length > 0) status.active = active;
    else delete status.active;
  }

  /** Reconciles status.active and lastSuccessfulTime with the Jobs this CronJob owns. */
  async #trackJobs(cj: CronJob, jobs: readonly Job[]): Promise<boolean> {
    let update = false;
    for (const j of jobs) {
      update = (await this.#trackJob(cj, j)) || update;
      if (isJobSucceeded(j)) update = this.#noteSuccess(cj, j) || update;
    }
    return (await this.#dropMissing(cj, jobs)) || update;
  }

  async #trackJob(cj: CronJob, j: Job): Promise<boolean> {
    const listed = cj.status?.active?.some((r) => r.uid === j.metadata.uid) === true;
    const name = j.metadata.name ?? '';
    if (!listed && !isJobFinished(j)) {
      await this.#event(cj, 'Warning', [
        'UnexpectedJob',
        `Saw a job that the controller did not create or forgot: ${name}`,
      ]);
      return false;
    }
    if (!listed || !isJobFinished(j)) return false;
    this.#removeActive(cj, j.metadata.uid);
    const cond = finishedCondition(j)?.type ?? '';
    await this.#event(cj, 'Normal', [
      'SawCompletedJob',
      `Saw completed job: ${name}, condition: ${cond}`,
    ]);
    return true;
  }

  #noteSuccess(cj: CronJob, j: Job): boolean {
    const completion = j.status?.completionTime;
    const done = parseMs(completion);
    const last = parseMs(cj.status?.lastSuccessfulTime);
    if (completion === undefined || done === undefined || (last !== undefined && done <= last))
      return false;
    (cj.status ??= {}).lastSuccessfulTime = completion;
    return true;
  }

  /** An active entry whose Job is really gone (asked of the API, not the cache) is dropped. */
  async #dropMissing(cj: CronJob, jobs: readonly Job[]): Promise<boolean> {
    let update = false;
    for (const ref of [...(cj.status?.active ?? [])]) {
      if (jobs.some((j) => j.metadata.uid === ref.uid)) continue;
      try {
        await this.#opts.client.get(jobPath(ref.namespace, ref.name));
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
        await this.#event(cj, 'Normal', ['MissingJob', `Active job went missing: ${ref.name}`]);
        this.#removeActive(cj, ref.uid);
        update = true;
      }
    }
    return update;
  }

  async #schedule(cj: CronJob): Promise<CronSchedule | undefined> {
    const tz = cj.spec.timeZone;
    if (tz !== undefined) {
      const err = loadLocationError(tz);
      if (err !== undefined) {
        await this.#event(cj, 'Warning', [
          'UnknownTimeZone',
          `invalid timeZone: ${JSON.stringify(tz)}: ${err}`,
        ]);
        return undefined;
      }
    }
    if (/^(CRON_TZ|TZ)=/.test(cj.spec.schedule)) {
      await this.#event(cj, 'Warning', [
        'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
      ]);
    }
    const sched = parseSchedule(cj.spec.schedule, tz);
    if (sched instanceof Error) {
      await this.#event(cj, 'Warning', [
        'UnparseableSchedule',
        `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${sched.message}`,
      ]);
      return undefined;
    }
    return sched;
  }

  async #syncCronJob(cj: CronJob, jobs: readonly Job[]): Promise<Outcome> {
    const now = this.#opts.clock.now();
    const update = await this.#trackJobs(cj, jobs);
    const idle = { requeueMs: undefined, updateStatus: update };
    if (cj.metadata.deletionTimestamp !== undefined || cj.spec.suspend === true) return idle;
    const sched = await this.#schedule(cj);
    if (!sched) return idle;
    const wait = { requeueMs: msUntilNextSchedule(cj, sched, now), updateStatus: update };
    const due = mostRecentScheduleTime(cj, sched, { now, withDeadline: true });
    if (due instanceof Error) {
      await this.#event(cj, 'Warning', [
        'InvalidSchedule',
        `invalid schedule: ${cj.spec.schedule} : ${due.message}`,
      ]);
      return idle;
    }
    const scheduled = due.mostRecent;
    if (scheduled === undefined) return wait;
    if (due.missed > 100)
      await this.#event(cj, 'Warning', [
        'TooManyMissedTimes',
        'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
      ]);
    const proceed = await this.#mayStart(cj, scheduled, now);
    if (!proceed) return wait;
    await this.#start(cj, { scheduled, timeZone: sched.timeZone });
    return { requeueMs: msUntilNextSchedule(cj, sched, now), updateStatus: true };
  }

  /** The checks between a due schedule time and a new Job: deadline, duplicates, policy. */
  async #mayStart(cj: CronJob, scheduled: number, now: number): Promise<boolean> {
    const sds = cj.spec.startingDeadlineSeconds;
    if (sds !== undefined && scheduled + sds * 1000 < now) {
      await this.#event(cj, 'Warning', [
        'MissSchedule',
        `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`,
      ]);
      return false;
    }
    const name = jobNameFor(cj, scheduled);
    const active = cj.status?.active ?? [];
    if (active.some((r) => r.name === name) || parseMs(cj.status?.lastScheduleTime) === scheduled)
      return false;
    if (cj.spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      await this.#event(cj, 'Normal', [
        'JobAlreadyActive',
        'Not starting job because prior execution is running and concurrency policy is Forbid',
      ]);
      return false;
    }
    if (cj.spec.concurrencyPolicy === 'Replace') await this.#replace(cj);
    return true;
  }

  async #replace(cj: CronJob): Promise<void> {
    for (const ref of [...(cj.status?.active ?? [])]) {
      const job = asJob(await this.#opts.client.get(jobPath(ref.namespace, ref.name)));
      if (!(await this.#deleteJob(cj, job)))
        throw new Error(`could not replace job ${ref.namespace}/${ref.name}`);
    }
  }

  /** Creates the scheduled Job (or finds the one an earlier attempt made) and lists it. */
  async #start(cj: CronJob, a: { scheduled: number; timeZone: string | undefined }): Promise<void> {
    const created = await this.#createJob(cj, jobFromTemplate(cj, a));
    if (!created) return;
    const status = (cj.status ??= {});
    status.active = [
      ...(status.active ?? []),
      {
        kind: 'Job',
        namespace: nsOf(cj),
        name: created.metadata.name ?? '',
        uid: created.metadata.uid ?? '',
        apiVersion: 'batch/v1',
        resourceVersion: created.metadata.resourceVersion ?? '',
      },
    ];
    status.lastScheduleTime = rfc3339(a.scheduled);
  }

  /** The new Job; or, when it exists already, that Job if ours and not yet listed. */
  async #createJob(cj: CronJob, job: KubeObject): Promise<KubeObject | undefined> {
    const ns = nsOf(cj);
    try {
      const created = await this.#opts.client.create(`/apis/batch/v1/namespaces/${ns}/jobs`, job);
      await this.#event(cj, 'Normal', [
        'SuccessfulCreate',
        `Created job ${created.metadata.name ?? ''}`,
      ]);
      return created;
    } catch (e: unknown) {
      if (!isAlreadyExists(e)) {
        await this.#event(cj, 'Warning', [
          'FailedCreate',
          `Error creating job: ${toError(e).message}`,
        ]);
        throw e;
      }
    }
    const found = await this.#opts.client.get(jobPath(ns, job.metadata.name ?? ''));
    // A Job of that name someone else made: assume its maker keeps the status.
    if (controllerOf(found)?.uid !== cj.metadata.uid) return undefined;
    const listed = cj.status?.active?.some((r) => r.uid === found.metadata.uid) === true;
    return listed ? undefined : found;
  }
}

/** getJobFromTemplate2. */
function jobFromTemplate(
  cj: CronJob,
  a: { scheduled: number; timeZone: string | undefined },
): KubeObject {
  const meta = cj.spec.jobTemplate.metadata ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, a.scheduled),
      namespace: nsOf(cj),
      labels: { ...meta.labels },
      annotations: {
        ...meta.annotations,
        [CRONJOB_SCHEDULED_TIMESTAMP]: formatInZone(a.scheduled, a.timeZone),
      },
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          name: cj.metadata.name ?? '',
          uid: cj.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: clone(cj.spec.jobTemplate.spec),
  };
}

import type { KubeObject } from '../api/index.ts';
import { isNotFound, type KubeClient, type ReconcileResult } from '../client/index.ts';
import type { Clock } from '../util/index.ts';
import { nsOf } from './deployment-objects.ts';
import { asJob, finishedCondition, jobPath, type Job } from './job-objects.ts';

export interface JobTtlControllerOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  /** The Job informer's cache. */
  readonly get: (key: string) => KubeObject | undefined;
}

/** Milliseconds until a finished Job's TTL runs out (0: now), or undefined if it has none. */
export function msUntilExpiry(job: Job, now: number): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  const done = Date.parse(finishedCondition(job)?.lastTransitionTime ?? '');
  if (ttl === undefined || Number.isNaN(done) || job.metadata.deletionTimestamp !== undefined)
    return undefined;
  return Math.max(0, done + ttl * 1000 - now);
}

/**
 * The ttl-after-finished controller: deletes a finished Job (and, through background
 * propagation, its pods) `ttlSecondsAfterFinished` after its Complete or Failed condition.
 */
export class JobTtlController {
  readonly #opts: JobTtlControllerOptions;

  constructor(opts: JobTtlControllerOptions) {
    this.#opts = opts;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.#opts.get(key);
    if (!cached) return undefined;
    const left = msUntilExpiry(asJob(cached), this.#opts.clock.now());
    if (left === undefined) return undefined;
    if (left > 0) return { requeueAfterMs: left };
    // The cache may be stale: the TTL may have been raised since, so check the live object.
    const path = jobPath(nsOf(cached), cached.metadata.name ?? '');
    try {
      const fresh = asJob(await this.#opts.client.get(path));
      const freshLeft = msUntilExpiry(fresh, this.#opts.clock.now());
      if (freshLeft === undefined) return undefined;
      if (freshLeft > 0) return { requeueAfterMs: freshLeft };
      await this.#opts.client.delete(path, { propagationPolicy: 'Background' });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
    return undefined;
  }
}

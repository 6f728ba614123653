import type { Store } from '../../store/index.ts';
import type { AwsCall, AwsProtocol, AwsResult, AwsService } from '../types.ts';
import { makeContext, type EksContext, type EksServiceOptions } from './context.ts';
import type { FargateProfile } from './model.ts';
import { fargateProfiles } from './read.ts';
import { EksReconciler } from './reconciler.ts';
import { resolveRoute } from './routes.ts';

/**
 * Amazon EKS (rest-json, API 2017-11-01) over Kiln's store. Construction does no I/O; the
 * lifecycle (CREATING → ACTIVE, DELETING → gone) advances only while `run(signal)` runs or
 * when `reconcileOnce()` is called.
 */
export class EksService implements AwsService {
  readonly signingName = 'eks';
  readonly protocol: AwsProtocol = 'rest-json';
  readonly #ctx: EksContext;
  readonly #reconciler: EksReconciler;

  constructor(opts: EksServiceOptions) {
    this.#ctx = makeContext(opts);
    this.#reconciler = new EksReconciler(this.#ctx, opts.sleep);
  }

  handle(call: AwsCall): Promise<AwsResult> {
    const { handler, params } = resolveRoute(call.method, call.path);
    return handler(this.#ctx, { call, params });
  }

  /** Runs the lifecycle reconciler until the signal aborts. */
  run(signal: AbortSignal): Promise<void> {
    return this.#reconciler.run(signal);
  }

  /** Runs every due transition once; returns when the next falls due (epoch ms), if any. */
  reconcileOnce(): Promise<number | undefined> {
    return this.#reconciler.reconcileOnce();
  }

  /** All profiles of a cluster, whatever their status. */
  fargateProfiles(region: string, cluster: string): FargateProfile[] {
    return fargateProfiles(this.store, region, cluster);
  }

  get store(): Store {
    return this.#ctx.store;
  }
}

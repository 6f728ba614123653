import type { Clock } from '../util/index.ts';

/** AWS's Fargate launch throttling and concurrency quota, as one value object. */
export interface FargateThrottleOptions {
  /** Launches allowed at once; AWS: 20 for accounts that launch only EKS pods (100 with ECS). */
  readonly burst?: number;
  /** Tokens added per second; AWS: 20. */
  readonly ratePerSecond?: number;
  /**
   * The account's "Fargate On-Demand vCPU resource count" quota, summed over provisioned sizes.
   * AWS's current default is not published (new accounts start low and grow with use), so
   * Kiln sets none unless told.
   */
  readonly vcpuQuota?: number;
}

/**
 * What the fargate-scheduler reports about its launches (the daemon exports them to
 * Prometheus). Calls are cheap and never throw.
 */
export interface FargateLaunchMetrics {
  /** A node was launched for a pod (re-launches of adopted nodes are not counted). */
  launched(): void;
  /** A launch was deferred because the token bucket was empty. */
  throttled(): void;
  /** Called once by the scheduler: reads how many tokens its bucket holds now. */
  watchTokens(read: () => number): void;
}

export const FARGATE_LAUNCH_BURST = 20;
export const FARGATE_LAUNCH_RATE_PER_SECOND = 20;

/**
 * A token bucket on an injected clock: `burst` tokens, refilled continuously at `ratePerSecond`.
 * Not thread-safe by design; one scheduler owns it.
 */
export class TokenBucket {
  readonly #clock: Clock;
  readonly #burst: number;
  readonly #perMs: number;
  #tokens: number;
  #at: number;

  constructor(opts: { clock: Clock; burst: number; ratePerSecond: number }) {
    this.#clock = opts.clock;
    this.#burst = opts.burst;
    this.#perMs = opts.ratePerSecond / 1000;
    this.#tokens = opts.burst;
    this.#at = opts.clock.now();
  }

  #refill(): void {
    const now = this.#clock.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#at) * this.#perMs);
    this.#at = now;
  }

  /** Takes a token and returns 0, or returns how many ms until one is available. */
  take(): number {
    this.#refill();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    if (this.#perMs <= 0) return Number.POSITIVE_INFINITY;
    return Math.ceil((1 - this.#tokens) / this.#perMs);
  }

  /** The tokens the bucket holds now (fractional while refilling). */
  available(): number {
    this.#refill();
    return this.#tokens;
  }

  /** Gives back a token taken for a launch that did not happen. */
  refund(): void {
    this.#refill();
    this.#tokens = Math.min(this.#burst, this.#tokens + 1);
  }
}

import type { Clock } from '../util/index.ts';

/** client-go's ExpectationsTimeout: a lost watch event must not wedge a controller forever. */
const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Pending {
  adds: number;
  readonly deletes: Set<string>;
  readonly since: number;
}

/**
 * The creates and deletes a controller has issued but not yet seen through its informer
 * (controller.UIDTrackingControllerExpectations). While any are pending, the controller must
 * not size its owner again from a cache that cannot yet show its own writes.
 */
export class Expectations {
  readonly #clock: Clock;
  readonly #pending = new Map<string, Pending>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** True when nothing is pending for `key`, or what is pending has expired. */
  satisfied(key: string): boolean {
    const p = this.#pending.get(key);
    if (!p) return true;
    if (p.adds <= 0 && p.deletes.size === 0) return true;
    return this.#clock.now() - p.since > EXPECTATIONS_TTL_MS;
  }

  expectCreations(key: string, n: number): void {
    this.#pending.set(key, { adds: n, deletes: new Set(), since: this.#clock.now() });
  }

  expectDeletions(key: string, podKeys: readonly string[]): void {
    this.#pending.set(key, { adds: 0, deletes: new Set(podKeys), since: this.#clock.now() });
  }

  creationObserved(key: string): void {
    const p = this.#pending.get(key);
    if (p) p.adds--;
  }

  deletionObserved(key: string, podKey: string): void {
    this.#pending.get(key)?.deletes.delete(podKey);
  }

  forget(key: string): void {
    this.#pending.delete(key);
  }
}

import type { Clock } from '../util/index.ts';

/** client-go's ExpectationsTimeout: a lost watch event must not wedge a controller forever. */
const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;

interface Pending {
  adds: number;
  readonly deletes: Set<string>;
  readonly since: number;
}

/**
 * Creates and deletes issued in one sync and not yet seen through the informer, both at once
 * (upstream's SetExpectations(key, add, del) with UID tracking for deletions): the DaemonSet
 * controller creates on some nodes and deletes on others in the same pass.
 */
export class DaemonExpectations {
  readonly #clock: Clock;
  readonly #pending = new Map<string, Pending>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  satisfied(key: string): boolean {
    const p = this.#pending.get(key);
    if (!p) return true;
    if (p.adds <= 0 && p.deletes.size === 0) return true;
    return this.#clock.now() - p.since > EXPECTATIONS_TTL_MS;
  }

  expect(key: string, e: { adds: number; deletes: readonly string[] }): void {
    this.#pending.set(key, { adds: e.adds, deletes: new Set(e.deletes), since: this.#clock.now() });
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

import { setMaxListeners } from 'node:events';
import type { Sleep } from './informer.ts';

/**
 * A de-duplicating work queue with per-key exponential backoff, as client-go's rate-limited
 * queue: a key is never processed by two workers at once, and a key added while processing is
 * processed again afterwards.
 */
export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #queued = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  /** Keys waiting out a batch period (addBatched). */
  readonly #batching = new Set<string>();
  readonly #waiters: (() => void)[] = [];
  readonly #sleep: Sleep;
  readonly #signal: AbortSignal;

  constructor(opts: { sleep: Sleep; signal: AbortSignal }) {
    this.#sleep = opts.sleep;
    this.#signal = opts.signal;
    // Every pending requeue waits on this signal.
    setMaxListeners(0, opts.signal);
    opts.signal.addEventListener('abort', () => {
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  add(key: string): void {
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return;
    }
    if (this.#queued.has(key)) return;
    this.#queued.add(key);
    this.#queue.push(key);
    this.#waiters.shift()?.();
  }

  addAfter(key: string, ms: number): void {
    void this.#sleep(ms, this.#signal).then(() => {
      if (!this.#signal.aborted) this.add(key);
    });
  }

  /**
   * Adds the key once `ms` have passed, folding every further addBatched of it until then into
   * that one add: as upstream's endpoint-updates batch period, for keys whose events come in
   * bursts (a scale-out's pods) and whose sync reads them all.
   */
  addBatched(key: string, ms: number): void {
    if (this.#queued.has(key) || this.#batching.has(key)) return;
    this.#batching.add(key);
    void this.#sleep(ms, this.#signal).then(() => {
      this.#batching.delete(key);
      if (!this.#signal.aborted) this.add(key);
    });
  }

  /** Requeues after this key's backoff: 5 ms doubling to 1000 s. */
  addRateLimited(key: string): void {
    const n = this.#failures.get(key) ?? 0;
    this.#failures.set(key, n + 1);
    this.addAfter(key, Math.min(5 * 2 ** n, 1_000_000));
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** The next key, or undefined once the signal aborts. */
  async get(): Promise<string | undefined> {
    while (this.#queue.length === 0) {
      if (this.#signal.aborted) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    const key = this.#queue.shift();
    if (key === undefined) return undefined;
    this.#queued.delete(key);
    this.#processing.add(key);
    return key;
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.delete(key)) this.add(key);
  }

  len(): number {
    return this.#queue.length;
  }
}

export type ReconcileResult = { requeueAfterMs?: number } | undefined;

/** Runs `workers` loops of get → reconcile → done until the signal aborts. */
export async function runWorkers(opts: {
  queue: WorkQueue;
  workers: number;
  reconcile: (key: string) => Promise<ReconcileResult>;
  onError?: (key: string, e: unknown) => void;
}): Promise<void> {
  const worker = async (): Promise<void> => {
    for (;;) {
      const key = await opts.queue.get();
      if (key === undefined) return;
      try {
        const r = await opts.reconcile(key);
        opts.queue.forget(key);
        if (r?.requeueAfterMs !== undefined) opts.queue.addAfter(key, r.requeueAfterMs);
      } catch (e: unknown) {
        opts.onError?.(key, e);
        opts.queue.addRateLimited(key);
      } finally {
        opts.queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: opts.workers }, worker));
}

import type { Clock } from '../util/index.ts';

interface Entry {
  readonly key: string;
  priority: number;
  /** When the pod (re)entered the active queue; FIFO within a priority. */
  timestamp: number;
  seq: number;
  attempts: number;
  backoffUntil: number;
  /** The move generation when this pod was last popped (see moveAll). */
  poppedAt: number;
  /** Plugins that rejected the pod, so unrelated cluster events need not wake it. */
  plugins: ReadonlySet<string>;
  unschedulableSince: number;
}

const INITIAL_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 10_000;
/** podMaxInUnschedulablePodsDuration. */
const MAX_UNSCHEDULABLE_MS = 5 * 60_000;

function before(a: Entry, b: Entry): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.timestamp !== b.timestamp) return a.timestamp < b.timestamp;
  return a.seq < b.seq;
}

/**
 * kube-scheduler's PriorityQueue in small: an active heap ordered by priority then arrival, an
 * unschedulable set woken by cluster events, and a backoff set flushed by `flush`.
 */
export class SchedulingQueue {
  readonly #clock: Clock;
  readonly #entries = new Map<string, Entry>();
  readonly #heap: Entry[] = [];
  readonly #inHeap = new Set<Entry>();
  readonly #unschedulable = new Set<string>();
  readonly #backoff = new Set<string>();
  readonly #inFlight = new Set<string>();
  #waiter: (() => void) | undefined;
  #seq = 0;
  #moves = 0;

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** Adds a new pending pod, or refreshes one; a changed pod waiting as unschedulable retries. */
  add(key: string, priority: number, opts: { changed: boolean } = { changed: true }): void {
    const e = this.#entries.get(key);
    if (e === undefined) {
      const now = this.#clock.now();
      const entry: Entry = {
        key,
        priority,
        timestamp: now,
        seq: this.#seq++,
        attempts: 0,
        backoffUntil: 0,
        poppedAt: 0,
        plugins: new Set(),
        unschedulableSince: 0,
      };
      this.#entries.set(key, entry);
      this.#push(entry);
      return;
    }
    e.priority = priority;
    if (opts.changed && this.#unschedulable.has(key)) this.#activateOrBackoff(e);
  }

  delete(key: string): void {
    const e = this.#entries.get(key);
    if (e !== undefined) this.#inHeap.delete(e);
    this.#entries.delete(key);
    this.#unschedulable.delete(key);
    this.#backoff.delete(key);
    // A heap entry for a deleted key is skipped when popped.
  }

  has(key: string): boolean {
    return this.#entries.has(key);
  }

  /** The next pod to schedule, highest priority first; waits while none is active. */
  async pop(signal: AbortSignal): Promise<string | undefined> {
    for (;;) {
      if (signal.aborted) return undefined;
      const e = this.#popHeap();
      if (e !== undefined) {
        e.attempts++;
        e.poppedAt = this.#moves;
        this.#inFlight.add(e.key);
        return e.key;
      }
      await new Promise<void>((resolve) => {
        this.#waiter = resolve;
        signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
      });
      this.#waiter = undefined;
    }
  }

  /** The attempt ended in a binding: forget the pod. */
  done(key: string): void {
    this.#inFlight.delete(key);
    this.delete(key);
  }

  /**
   * The attempt failed. If a cluster event arrived while it was in flight the pod goes to
   * backoff at once (it may fit now); otherwise it waits for a relevant event.
   */
  unschedulable(key: string, plugins: ReadonlySet<string>): void {
    this.#inFlight.delete(key);
    const e = this.#entries.get(key);
    if (e === undefined) return;
    e.plugins = plugins;
    e.backoffUntil =
      this.#clock.now() + Math.min(INITIAL_BACKOFF_MS * 2 ** (e.attempts - 1), MAX_BACKOFF_MS);
    if (this.#moves > e.poppedAt) {
      this.#backoff.add(key);
      return;
    }
    e.unschedulableSince = this.#clock.now();
    this.#unschedulable.add(key);
  }

  /** A transient error: retry after backoff regardless of events. */
  retry(key: string): void {
    this.#inFlight.delete(key);
    const e = this.#entries.get(key);
    if (e === undefined) return;
    e.backoffUntil =
      this.#clock.now() + Math.min(INITIAL_BACKOFF_MS * 2 ** (e.attempts - 1), MAX_BACKOFF_MS);
    this.#backoff.add(key);
  }

  /** A cluster event: wake unschedulable pods rejected by a plugin the event may affect. */
  moveAll(affects: (plugins: ReadonlySet<string>) => boolean = () => true): void {
    this.#moves++;
    for (const key of [...this.#unschedulable]) {
      const e = this.#entries.get(key);
      if (e !== undefined && affects(e.plugins)) this.#activateOrBackoff(e);
    }
  }

  /** Moves finished backoffs and long-unschedulable pods to the active queue. */
  flush(): void {
    const now = this.#clock.now();
    for (const key of [...this.#backoff]) {
      const e = this.#entries.get(key);
      if (e !== undefined && e.backoffUntil <= now) this.#activate(e);
    }
    for (const key of [...this.#unschedulable]) {
      const e = this.#entries.get(key);
      if (e !== undefined && now - e.unschedulableSince >= MAX_UNSCHEDULABLE_MS)
        this.#activateOrBackoff(e);
    }
  }

  /** Sizes of the active, backoff and unschedulable sets. */
  stats(): { active: number; backoff: number; unschedulable: number } {
    return {
      active: this.#inHeap.size,
      backoff: this.#backoff.size,
      unschedulable: this.#unschedulable.size,
    };
  }

  #activateOrBackoff(e: Entry): void {
    this.#unschedulable.delete(e.key);
    if (e.backoffUntil > this.#clock.now()) this.#backoff.add(e.key);
    else this.#activate(e);
  }

  #activate(e: Entry): void {
    this.#unschedulable.delete(e.key);
    this.#backoff.delete(e.key);
    e.timestamp = this.#clock.now();
    this.#push(e);
  }

  #push(e: Entry): void {
    if (this.#inHeap.has(e) || this.#inFlight.has(e.key)) return;
    this.#inHeap.add(e);
    const h = this.#heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pe = h[parent];
      if (pe === undefined || !before(e, pe)) break;
      h[i] = pe;
      i = parent;
    }
    h[i] = e;
    this.#waiter?.();
  }

  #popHeap(): Entry | undefined {
    const h = this.#heap;
    for (;;) {
      const top = h[0];
      if (top === undefined) return undefined;
      const last = h.pop();
      if (last !== undefined && h.length > 0) this.#siftDown(last);
      this.#inHeap.delete(top);
      if (this.#entries.get(top.key) === top) return top;
    }
  }

  #siftDown(e: Entry): void {
    const h = this.#heap;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = l;
      const le = h[l];
      if (le === undefined) break;
      const re = h[r];
      if (re !== undefined && before(re, le)) m = r;
      const me = h[m];
      if (me === undefined || !before(me, e)) break;
      h[i] = me;
      i = m;
    }
    h[i] = e;
  }
}

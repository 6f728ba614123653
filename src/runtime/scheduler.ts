import type { Clock, ManualClock } from '../util/index.ts';

/** Cancels a scheduled callback; calling it again, or after it ran, does nothing. */
export type Cancel = () => void;

/**
 * Timers on an injected clock. Runtimes keep all their deadlines in one of these instead of a
 * timer per pod, so thousands of simulated pods cost one host timer.
 */
export interface Scheduler {
  readonly clock: Clock;
  /** Runs `fn` once, `ms` from now (as the clock counts). */
  after(ms: number, fn: () => void): Cancel;
}

interface Entry {
  readonly at: number;
  readonly seq: number;
  fn: (() => void) | undefined;
}

/** A binary min-heap of deadlines ordered by time, then by insertion. */
class DeadlineHeap {
  readonly #items: Entry[] = [];

  get size(): number {
    return this.#items.length;
  }

  peek(): Entry | undefined {
    return this.#items[0];
  }

  push(e: Entry): void {
    const a = this.#items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }

  pop(): Entry | undefined {
    const a = this.#items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      this.#down(0);
    }
    return top;
  }

  #down(start: number): void {
    const n = this.#items.length;
    let i = start;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#less(l, m)) m = l;
      if (r < n && this.#less(r, m)) m = r;
      if (m === i) return;
      this.#swap(i, m);
      i = m;
    }
  }

  #less(i: number, j: number): boolean {
    const a = this.#items[i];
    const b = this.#items[j];
    if (a === undefined || b === undefined) return false;
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  #swap(i: number, j: number): void {
    const a = this.#items;
    const x = a[i];
    const y = a[j];
    if (x === undefined || y === undefined) return;
    a[i] = y;
    a[j] = x;
  }
}

function schedule(heap: DeadlineHeap, e: Entry): Cancel {
  heap.push(e);
  return () => {
    e.fn = undefined;
  };
}

/** A scheduler on the system timer: one host timeout, armed for the earliest deadline. */
export class TimerScheduler implements Scheduler {
  readonly clock: Clock;
  readonly #heap = new DeadlineHeap();
  #seq = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Infinity;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  after(ms: number, fn: () => void): Cancel {
    const at = this.clock.now() + Math.max(0, ms);
    const cancel = schedule(this.#heap, { at, seq: this.#seq++, fn });
    this.#arm();
    return cancel;
  }

  #arm(): void {
    const next = this.#heap.peek();
    if (next === undefined || next.at >= this.#armedAt) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#armedAt = next.at;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#armedAt = Infinity;
        this.#fire();
      },
      Math.max(0, next.at - this.clock.now()),
    );
    // Simulated work alone must not keep the process alive.
    this.#timer.unref();
  }

  #fire(): void {
    const now = this.clock.now();
    for (let e = this.#heap.peek(); e !== undefined && e.at <= now; e = this.#heap.peek()) {
      this.#heap.pop();
      e.fn?.();
    }
    this.#arm();
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A scheduler for tests: time moves only through `advance`, which fires due callbacks in
 * deadline order with the clock set to each deadline, letting async work settle in between.
 */
export class ManualScheduler implements Scheduler {
  readonly clock: ManualClock;
  readonly #heap = new DeadlineHeap();
  #seq = 0;

  constructor(clock: ManualClock) {
    this.clock = clock;
  }

  after(ms: number, fn: () => void): Cancel {
    return schedule(this.#heap, { at: this.clock.now() + Math.max(0, ms), seq: this.#seq++, fn });
  }

  /** Callbacks still waiting (cancelled ones included until their time comes). */
  get pending(): number {
    return this.#heap.size;
  }

  async advance(ms: number): Promise<void> {
    const end = this.clock.now() + ms;
    await settle();
    for (let e = this.#heap.peek(); e !== undefined && e.at <= end; e = this.#heap.peek()) {
      this.#heap.pop();
      if (e.at > this.clock.now()) this.clock.advance(e.at - this.clock.now());
      e.fn?.();
      await settle();
    }
    if (end > this.clock.now()) this.clock.advance(end - this.clock.now());
    await settle();
  }
}

/** A `Sleep` (as controllers take) on a scheduler, so loops follow the injected clock. */
export function sleepOn(scheduler: Scheduler): (ms: number, signal: AbortSignal) => Promise<void> {
  return (ms, signal) =>
    new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        cancel();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const cancel = scheduler.after(ms, done);
      signal.addEventListener('abort', done, { once: true });
    });
}

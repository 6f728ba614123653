import { realSleep, type Sleep } from '../client/index.ts';
import type { ManualClock } from '../util/index.ts';

/**
 * Test support for the Job and CronJob controllers: a sleep that ends when either the manual
 * clock or the real one has moved `ms` on, so requeues at schedule times and TTLs follow the
 * test's clock while short retry backoffs still pass in real time.
 */
export function clockSleep(clock: ManualClock): Sleep {
  return async (ms, signal) => {
    const until = clock.now() + ms;
    const realUntil = Date.now() + ms;
    while (!signal.aborted && clock.now() < until && Date.now() < realUntil)
      await realSleep(Math.min(5, ms), signal);
  };
}

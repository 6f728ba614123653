import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatInZone, parseSchedule, rfc1123z, type CronSchedule } from './cronjob-schedule.ts';

function sched(spec: string, tz?: string): CronSchedule {
  const s = parseSchedule(spec, tz);
  if (s instanceof Error) throw s;
  return s;
}

const at = (iso: string): number => Date.parse(iso);
const iso = (ms: number | undefined): string => new Date(ms ?? 0).toISOString();

test('next activation of five-field schedules and descriptors', () => {
  const from = at('2026-01-01T10:07:30Z'); // a Thursday
  assert.equal(iso(sched('*/15 * * * *').next(from)), '2026-01-01T10:15:00.000Z');
  assert.equal(iso(sched('0 9 * * 1-5').next(from)), '2026-01-02T09:00:00.000Z');
  assert.equal(iso(sched('0 9 * * sat').next(from)), '2026-01-03T09:00:00.000Z');
  assert.equal(iso(sched('@hourly').next(from)), '2026-01-01T11:00:00.000Z');
  assert.equal(iso(sched('@monthly').next(from)), '2026-02-01T00:00:00.000Z');
  assert.equal(iso(sched('5/20 * * * *').next(from)), '2026-01-01T10:25:00.000Z');
  // Exactly on a boundary, the next one is a minute later.
  assert.equal(
    iso(sched('* * * * *').next(at('2026-01-01T10:00:00Z'))),
    '2026-01-01T10:01:00.000Z',
  );
  // Both day fields restricted: either matches.
  assert.equal(iso(sched('0 0 15 * 1').next(from)), '2026-01-05T00:00:00.000Z');
  assert.equal(iso(sched('0 0 13 * 5').next(from)), '2026-01-02T00:00:00.000Z');
  // Day of month starred with a step above 1 is no star: either matches again.
  assert.equal(iso(sched('0 0 */2 * 1').next(from)), '2026-01-03T00:00:00.000Z');
  // A plain star: the other field alone decides.
  assert.equal(iso(sched('0 0 * * 1').next(from)), '2026-01-05T00:00:00.000Z');
  assert.equal(iso(sched('@every 90s').next(from)), '2026-01-01T10:09:00.000Z');
  assert.equal(sched('0 0 30 2 *').next(from), undefined);
});

test('time zones from spec.timeZone or a CRON_TZ prefix', () => {
  const from = at('2026-01-01T10:07:30Z');
  assert.equal(iso(sched('0 9 * * *', 'Asia/Tokyo').next(from)), '2026-01-02T00:00:00.000Z');
  assert.equal(
    iso(sched('CRON_TZ=America/New_York 30 6 * * *').next(from)),
    '2026-01-01T11:30:00.000Z',
  );
  // Summer time in New York: UTC-4.
  assert.equal(
    iso(sched('0 6 * * *', 'America/New_York').next(at('2026-07-01T00:00:00Z'))),
    '2026-07-01T10:00:00.000Z',
  );
  assert.equal(formatInZone(at('2026-01-02T00:00:00Z'), 'Asia/Tokyo'), '2026-01-02T09:00:00+09:00');
  assert.equal(formatInZone(at('2026-01-02T00:00:00Z'), undefined), '2026-01-02T00:00:00Z');
  assert.equal(rfc1123z(at('2026-01-02T03:04:05Z')), 'Fri, 02 Jan 2026 03:04:05 +0000');
});

test('bad schedules are errors', () => {
  assert.ok(parseSchedule('* * * *') instanceof Error);
  assert.ok(parseSchedule('61 * * * *') instanceof Error);
  assert.ok(parseSchedule('@fortnightly') instanceof Error);
  assert.ok(parseSchedule('* * * * *', 'Mars/Olympus') instanceof Error);
});

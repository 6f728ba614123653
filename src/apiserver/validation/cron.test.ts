import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cronScheduleError, goDurationError, loadLocationError } from './cron.ts';

/** Expected texts are robfig/cron v3 ParseStandard's and Go time.ParseDuration's errors. */

const SCHEDULES: readonly (readonly [string, string | undefined])[] = [
  ['0 0 * * *', undefined],
  ['*/15 1-5 * JAN-MAR MON-FRI', undefined],
  ['0 0 1,15 * SUN', undefined],
  ['0 0 ? * *', undefined],
  ['@weekly', undefined],
  ['@every 1h30m', undefined],
  ['@every -5m', undefined],
  ['CRON_TZ=Europe/Paris 0 0 * * *', undefined],
  ['', 'empty spec string'],
  ['  ', 'expected exactly 5 fields, found 0: []'],
  ['* * *', 'expected exactly 5 fields, found 3: [* * *]'],
  ['* * * * * *', 'expected exactly 5 fields, found 6: [* * * * * *]'],
  ['@every', 'unrecognized descriptor: @every'],
  ['@foo', 'unrecognized descriptor: @foo'],
  ['@every 5', 'failed to parse duration @every 5: time: missing unit in duration "5"'],
  ['@every 5x', 'failed to parse duration @every 5x: time: unknown unit "x" in duration "5x"'],
  ['61 * * * *', 'end of range (61) above maximum (59): 61'],
  ['* * * * 8', 'end of range (8) above maximum (6): 8'],
  ['0 0 0 * *', 'beginning of range (0) below minimum (1): 0'],
  ['5-3 * * * *', 'beginning of range (5) beyond end of range (3): 5-3'],
  ['*/0 * * * *', 'step of range should be a positive number: */0'],
  ['1-2-3 * * * *', 'too many hyphens: 1-2-3'],
  ['1/2/3 * * * *', 'too many slashes: 1/2/3'],
  ['a b c d e', 'failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax'],
  ['-1 * * * *', 'failed to parse int from : strconv.Atoi: parsing "": invalid syntax'],
  ['TZ=Nowhere/X * * * * *', 'provided bad location Nowhere/X: unknown time zone Nowhere/X'],
];

const DURATIONS: readonly (readonly [string, string | undefined])[] = [
  ['1h', undefined],
  ['1.5h', undefined],
  ['-2m3s', undefined],
  ['10µs', undefined],
  ['0', undefined],
  ['', 'time: invalid duration ""'],
  ['.', 'time: invalid duration "."'],
  ['5', 'time: missing unit in duration "5"'],
  ['3d', 'time: unknown unit "d" in duration "3d"'],
  ['1e3s', 'time: unknown unit "e" in duration "1e3s"'],
  ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
];

void describe('cron schedules', () => {
  for (const [schedule, want] of SCHEDULES) {
    void it(JSON.stringify(schedule), () => {
      assert.equal(cronScheduleError(schedule), want);
    });
  }
});

void describe('Go durations', () => {
  for (const [text, want] of DURATIONS) {
    void it(JSON.stringify(text), () => {
      assert.equal(goDurationError(text), want);
    });
  }
});

void describe('time zones', () => {
  void it('accepts IANA names, UTC and Local', () => {
    for (const tz of ['Etc/UTC', 'America/New_York', 'UTC', 'Local', ''])
      assert.equal(loadLocationError(tz), undefined, tz);
  });
  void it('rejects unknown zones', () => {
    assert.equal(loadLocationError('Mars/Olympus'), 'unknown time zone Mars/Olympus');
  });
});

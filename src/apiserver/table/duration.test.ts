import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { humanDuration, sinceText } from './duration.ts';

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;
/** One Go nanosecond, in ms. */
const NS = 1e-6;

void describe('humanDuration', () => {
  // apimachinery pkg/util/duration TestHumanDuration.
  const cases: [number, string][] = [
    [S, '1s'],
    [70 * S, '70s'],
    [190 * S, '3m10s'],
    [70 * M, '70m'],
    [47 * H, '47h'],
    [49 * H, '2d1h'],
    [(8 * 24 + 2) * H, '8d'],
    [367 * D, '367d'],
    [(365 * 2 * 24 + 25) * H, '2y1d'],
    [(365 * 8 * 24 + 2) * H, '8y'],
  ];
  for (const [ms, want] of cases) {
    void it(`${ms}ms → ${want}`, () => {
      assert.equal(humanDuration(ms), want);
    });
  }

  // apimachinery pkg/util/duration TestHumanDurationBoundaries.
  const boundaries: [number, string][] = [
    [-2 * S, '<invalid>'],
    [-2 * S + NS, '0s'],
    [0, '0s'],
    [S - 1, '0s'],
    [2 * M - 1, '119s'],
    [2 * M, '2m'],
    [2 * M + S, '2m1s'],
    [10 * M - 1, '9m59s'],
    [10 * M, '10m'],
    [10 * M + S, '10m'],
    [3 * H - 1, '179m'],
    [3 * H, '3h'],
    [3 * H + M, '3h1m'],
    [8 * H - 1, '7h59m'],
    [8 * H, '8h'],
    [8 * H + 59 * M, '8h'],
    [2 * D - 1, '47h'],
    [2 * D, '2d'],
    [2 * D + H, '2d1h'],
    [8 * D - 1, '7d23h'],
    [8 * D, '8d'],
    [8 * D + 23 * H, '8d'],
    [2 * 365 * D - 1, '729d'],
    [2 * 365 * D, '2y'],
    [2 * 365 * D + 23 * H, '2y'],
    [2 * 365 * D + 23 * H + 59 * M, '2y'],
    [2 * 365 * D + D - 1, '2y'],
    [2 * 365 * D + D, '2y1d'],
    [3 * 365 * D, '3y'],
    [4 * 365 * D, '4y'],
    [5 * 365 * D, '5y'],
    [6 * 365 * D, '6y'],
    [7 * 365 * D, '7y'],
    [8 * 365 * D - 1, '7y364d'],
    [8 * 365 * D, '8y'],
    [8 * 365 * D + 364 * D, '8y'],
    [9 * 365 * D, '9y'],
  ];
  for (const [ms, want] of boundaries) {
    void it(`boundary ${ms}ms → ${want}`, () => {
      assert.equal(humanDuration(ms), want);
    });
  }
});

void describe('sinceText', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');
  void it('ages an RFC 3339 timestamp', () => {
    assert.equal(sinceText('2025-03-01T11:56:50Z', now), '3m10s');
    assert.equal(sinceText('2025-03-01T11:59:59.500000Z', now), '0s');
    assert.equal(sinceText('2025-03-01T13:00:00+02:00', now), '60m');
  });
  void it('is <unknown> for a zero (absent) or unparsable timestamp', () => {
    assert.equal(sinceText(undefined, now), '<unknown>');
    assert.equal(sinceText(null, now), '<unknown>');
    assert.equal(sinceText('', now), '<unknown>');
    assert.equal(sinceText('yesterday', now), '<unknown>');
  });
  void it('is <invalid> for timestamps in the future beyond skew', () => {
    assert.equal(sinceText('2025-03-01T12:00:05Z', now), '<invalid>');
  });
});

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * apimachinery's `duration.HumanDuration`: about two or three significant figures, `45s`, `3m10s`,
 * `5h`, `2d1h`, `2y1d`. Durations a little below zero (clock skew) print as `0s`.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  return hours < 48 ? hoursText(hours, minutes) : daysText(hours);
}

function hoursText(hours: number, minutes: number): string {
  if (hours >= 8) return `${hours}h`;
  const m = minutes % 60;
  return m === 0 ? `${hours}h` : `${hours}h${m}m`;
}

function daysText(hours: number): string {
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const d = days % 365;
    return d === 0 ? `${years}y` : `${years}y${d}d`;
  }
  return `${years}y`;
}

// Go's time.RFC3339 layout: fractional seconds optional, a zone is required.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

/** Epoch ms of an RFC 3339 timestamp, or undefined for absent, empty or unparsable values. */
export function parseTimestamp(value: unknown): number | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : ms;
}

/** printers.go `translateTimestampSince`: the age of a timestamp, `<unknown>` when unset. */
export function sinceText(timestamp: unknown, now: number): string {
  const ms = parseTimestamp(timestamp);
  return ms === undefined ? '<unknown>' : humanDuration(now - ms);
}

/**
 * Cron schedule parsing as github.com/robfig/cron/v3 ParseStandard does it (five fields or
 * a descriptor, optional TZ=/CRON_TZ= prefix), returning its exact error text. Also Go's
 * time.ParseDuration for `@every`, and time zone lookup for CronJob `timeZone`.
 */

interface Bounds {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DOM: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: {
    jan: 1,
    feb: 2,
    mar: 3,
    apr: 4,
    may: 5,
    jun: 6,
    jul: 7,
    aug: 8,
    sep: 9,
    oct: 10,
    nov: 11,
    dec: 12,
  },
};
const DOW: Bounds = {
  min: 0,
  max: 6,
  names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 },
};

/** Go's strconv.Quote for the plain ASCII strings these messages carry. */
function quote(s: string): string {
  return JSON.stringify(s);
}

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** strconv.Atoi. */
function atoi(s: string): number | string {
  if (!/^[+-]?[0-9]+$/.test(s)) return `strconv.Atoi: parsing ${quote(s)}: invalid syntax`;
  const n = BigInt(s);
  if (n > INT64_MAX || n < INT64_MIN)
    return `strconv.Atoi: parsing ${quote(s)}: value out of range`;
  return Number(n);
}

/** mustParseInt. */
function parseUint(expr: string): number | Error {
  const n = atoi(expr);
  if (typeof n === 'string') return new Error(`failed to parse int from ${expr}: ${n}`);
  if (n < 0) return new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function parseIntOrName(expr: string, r: Bounds): number | Error {
  const named = r.names?.[expr.toLowerCase()];
  return named ?? parseUint(expr);
}

function parseLowHigh(
  lowAndHigh: readonly string[],
  expr: string,
  r: Bounds,
): [number, number] | Error {
  const low = lowAndHigh[0] ?? '';
  if (low === '*' || low === '?') return [r.min, r.max];
  const start = parseIntOrName(low, r);
  if (start instanceof Error) return start;
  if (lowAndHigh.length === 1) return [start, start];
  if (lowAndHigh.length > 2) return new Error(`too many hyphens: ${expr}`);
  const end = parseIntOrName(lowAndHigh[1] ?? '', r);
  return end instanceof Error ? end : [start, end];
}

/** getRange: `number | number "-" number [ "/" number ]`. */
function checkRange(expr: string, r: Bounds): Error | undefined {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  const bounds = parseLowHigh(lowAndHigh, expr, r);
  if (bounds instanceof Error) return bounds;
  const [start, first] = bounds;
  let end = first;
  let step = 1;
  if (rangeAndStep.length === 2) {
    const s = parseUint(rangeAndStep[1] ?? '');
    if (s instanceof Error) return s;
    step = s;
    if (lowAndHigh.length === 1) end = r.max;
  } else if (rangeAndStep.length > 2) return new Error(`too many slashes: ${expr}`);
  if (start < r.min)
    return new Error(`beginning of range (${start}) below minimum (${r.min}): ${expr}`);
  if (end > r.max) return new Error(`end of range (${end}) above maximum (${r.max}): ${expr}`);
  if (start > end)
    return new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) return new Error(`step of range should be a positive number: ${expr}`);
  return undefined;
}

function checkField(field: string, r: Bounds): Error | undefined {
  for (const expr of field.split(',').filter((e) => e !== '')) {
    const err = checkRange(expr, r);
    if (err !== undefined) return err;
  }
  return undefined;
}

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n,
  us: 1000n,
  µs: 1000n,
  μs: 1000n,
  ms: 1000000n,
  s: 1000000000n,
  m: 60000000000n,
  h: 3600000000000n,
};

/** One `<number><unit>` term of a Go duration: the rest of the text and its nanoseconds. */
function durationTerm(s: string, orig: string): { rest: string; nanos: bigint } | string {
  const m = /^([0-9]*)(?:\.([0-9]*))?/.exec(s);
  const whole = m?.[1] ?? '';
  if (m === null || (whole === '' && (m[2] ?? '') === ''))
    return `time: invalid duration ${quote(orig)}`;
  const afterNumber = s.slice(m[0].length);
  const unit = /^[^0-9.]*/.exec(afterNumber)?.[0] ?? '';
  if (unit === '') return `time: missing unit in duration ${quote(orig)}`;
  const scale = UNITS[unit];
  if (scale === undefined) return `time: unknown unit ${quote(unit)} in duration ${quote(orig)}`;
  return {
    rest: afterNumber.slice(unit.length),
    nanos: BigInt(whole === '' ? '0' : whole) * scale,
  };
}

/** time.ParseDuration; returns the error text, or undefined when it parses. */
export function goDurationError(orig: string): string | undefined {
  const invalid = `time: invalid duration ${quote(orig)}`;
  let s = orig;
  if (s.startsWith('-') || s.startsWith('+')) s = s.slice(1);
  if (s === '0') return undefined;
  if (s === '') return invalid;
  let total = 0n;
  while (s !== '') {
    const term = durationTerm(s, orig);
    if (typeof term === 'string') return term;
    s = term.rest;
    total += term.nanos;
    if (total > INT64_MAX) return invalid;
  }
  return undefined;
}

const DESCRIPTORS: ReadonlySet<string> = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);

function parseDescriptor(spec: string): string | undefined {
  if (DESCRIPTORS.has(spec)) return undefined;
  if (spec.startsWith('@every ')) {
    const err = goDurationError(spec.slice('@every '.length));
    return err === undefined ? undefined : `failed to parse duration ${spec}: ${err}`;
  }
  return `unrecognized descriptor: ${spec}`;
}

/** time.LoadLocation's error, or undefined when the zone exists. */
export function loadLocationError(name: string): string | undefined {
  if (name === '' || name === 'UTC' || name === 'Local') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return undefined;
  } catch {
    return `unknown time zone ${name}`;
  }
}

/** Go's `%s` of a []string. */
function goList(fields: readonly string[]): string {
  return `[${fields.join(' ')}]`;
}

function stripTimeZone(spec: string): { spec: string } | string {
  if (!spec.startsWith('TZ=') && !spec.startsWith('CRON_TZ=')) return { spec };
  const space = spec.indexOf(' ');
  const eq = spec.indexOf('=');
  const name = space < 0 ? spec.slice(eq + 1) : spec.slice(eq + 1, space);
  const err = loadLocationError(name);
  if (err !== undefined || space < 0)
    return `provided bad location ${name}: ${err ?? 'missing schedule'}`;
  return { spec: spec.slice(space).trim() };
}

/** cron.ParseStandard; returns its error text, or undefined when the schedule parses. */
export function cronScheduleError(schedule: string): string | undefined {
  if (schedule.length === 0) return 'empty spec string';
  const tz = stripTimeZone(schedule);
  if (typeof tz === 'string') return tz;
  const spec = tz.spec;
  if (spec.startsWith('@')) return parseDescriptor(spec);
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5)
    return `expected exactly 5 fields, found ${fields.length}: ${goList(fields)}`;
  const bounds = [MINUTES, HOURS, DOM, MONTHS, DOW];
  for (let i = 0; i < 5; i++) {
    const err = checkField(fields[i] ?? '', bounds[i] ?? MINUTES);
    if (err !== undefined) return err.message;
  }
  return undefined;
}

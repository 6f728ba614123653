/**
 * Cron schedules as github.com/robfig/cron/v3's ParseStandard reads them (five fields, the
 * `@hourly`-style descriptors, `@every <duration>`, and a `TZ=`/`CRON_TZ=` prefix) and as its
 * Next computes them, in the schedule's time zone. Syntax errors are reported by the API
 * server's validation; here a bad schedule is just an Error for the UnparseableSchedule event.
 */

export interface CronSchedule {
  /** The first activation strictly after `afterMs` (whole seconds), or undefined in 5 years. */
  next(afterMs: number): number | undefined;
  /** The schedule's time zone: an IANA name, or undefined for UTC. */
  readonly timeZone: string | undefined;
}

interface Field {
  readonly bits: ReadonlySet<number>;
  /** `*` or `?` (robfig's starBit), which changes how day-of-month and day-of-week combine. */
  readonly star: boolean;
}

interface Range {
  readonly min: number;
  readonly max: number;
  readonly names?: Readonly<Record<string, number>>;
}

const MONTH_NAMES = [
  'jan',
  'feb',
  'mar',
  'apr',
  'may',
  'jun',
  'jul',
  'aug',
  'sep',
  'oct',
  'nov',
  'dec',
];
const DOW_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const RANGES: readonly Range[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: Object.fromEntries(MONTH_NAMES.map((n, i) => [n, i + 1])) },
  { min: 0, max: 6, names: Object.fromEntries(DOW_NAMES.map((n, i) => [n, i])) },
];

const DESCRIPTORS: Readonly<Record<string, string>> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

function parseNumber(s: string, r: Range): number {
  const named = r.names?.[s.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^[0-9]+$/.test(s)) throw new Error(`failed to parse int from ${s}`);
  return Number(s);
}

/** The bounds of `*`, `n` or `a-b`, and whether it was a star. */
function parseBounds(range: string, expr: string, r: Range): [number, number, boolean] {
  if (range === '*' || range === '?') return [r.min, r.max, true];
  const bounds = range.split('-');
  if (bounds.length > 2) throw new Error(`too many hyphens: ${expr}`);
  const lo = parseNumber(bounds[0] ?? '', r);
  return [lo, bounds[1] === undefined ? lo : parseNumber(bounds[1], r), false];
}

/** One comma-separated term: `*`, `n`, `a-b`, each with an optional `/step`. */
function parseTerm(expr: string, r: Range, bits: Set<number>): boolean {
  const [range = '', stepText, extra] = expr.split('/');
  if (extra !== undefined) throw new Error(`too many slashes: ${expr}`);
  const [lo, first, wasStar] = parseBounds(range, expr, r);
  let hi = first;
  let star = wasStar;
  let step = 1;
  if (stepText !== undefined) {
    step = parseNumber(stepText, { min: 0, max: 0 });
    // `n/step` means `n-max/step`.
    if (!range.includes('-') && !star) hi = r.max;
    if (step > 1) star = false;
  }
  if (lo < r.min || hi > r.max || lo > hi || step === 0) throw new Error(`invalid range: ${expr}`);
  for (let v = lo; v <= hi; v += step) bits.add(v);
  return star;
}

function parseField(text: string, r: Range): Field {
  const bits = new Set<number>();
  let star = false;
  for (const term of text.split(',')) if (parseTerm(term, r, bits)) star = true;
  return { bits, star };
}

/** Go's time.ParseDuration for the `@every` descriptor, to whole milliseconds. */
function parseDuration(text: string): number {
  const units: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /([0-9]+(?:\.[0-9]*)?)(ms|s|m|h)/y;
  let m: RegExpExecArray | null;
  let at = 0;
  while ((m = re.exec(text)) !== null) {
    total += Number(m[1]) * (units[m[2] ?? ''] ?? 0);
    at = re.lastIndex;
  }
  if (at !== text.length || text === '') throw new Error(`failed to parse duration ${text}`);
  return total;
}

/** The wall-clock fields of an instant in a zone, as a UTC timestamp with those fields. */
function wallClock(zone: Intl.DateTimeFormat | undefined, ms: number): number {
  if (!zone) return ms;
  const parts: Record<string, number> = {};
  for (const p of zone.formatToParts(ms)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  const get = (k: string): number => parts[k] ?? 0;
  return Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
}

/** The instant showing a wall-clock time in a zone (in a DST gap, an hour off). */
function fromWallClock(zone: Intl.DateTimeFormat | undefined, wall: number): number {
  if (!zone) return wall;
  const guess = wall - (wallClock(zone, wall) - wall);
  return wall - (wallClock(zone, guess) - guess);
}

function zoneFormat(timeZone: string | undefined): Intl.DateTimeFormat | undefined {
  if (timeZone === undefined || timeZone === 'UTC' || timeZone === 'Local' || timeZone === '')
    return undefined;
  return new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  });
}

/** time.LoadLocation's error text, or undefined when the zone exists. */
export function loadLocationError(name: string): string | undefined {
  try {
    zoneFormat(name);
    return undefined;
  } catch {
    return `unknown time zone ${name}`;
  }
}

/** UTC offset of a zone at an instant, in minutes. */
export function zoneOffsetMinutes(timeZone: string | undefined, ms: number): number {
  const whole = Math.floor(ms / 1000) * 1000;
  return Math.round((wallClock(zoneFormat(timeZone), whole) - whole) / 60_000);
}

class SpecSchedule implements CronSchedule {
  readonly timeZone: string | undefined;
  readonly #fields: readonly Field[];
  readonly #zone: Intl.DateTimeFormat | undefined;

  constructor(fields: readonly Field[], timeZone: string | undefined) {
    this.#fields = fields;
    this.timeZone = timeZone;
    this.#zone = zoneFormat(timeZone);
  }

  #has(i: number, v: number): boolean {
    return this.#fields[i]?.bits.has(v) === true;
  }

  #dayMatches(d: Date): boolean {
    const dom = this.#has(2, d.getUTCDate());
    const dow = this.#has(4, d.getUTCDay());
    if (this.#fields[2]?.star === true || this.#fields[4]?.star === true) return dom && dow;
    return dom || dow;
  }

  next(afterMs: number): number | undefined {
    let wall = Math.floor(wallClock(this.#zone, afterMs) / 60_000) * 60_000 + 60_000;
    const limit = new Date(wall).getUTCFullYear() + 5;
    for (;;) {
      const d = new Date(wall);
      const [y, mo, day, h] = [
        d.getUTCFullYear(),
        d.getUTCMonth(),
        d.getUTCDate(),
        d.getUTCHours(),
      ];
      if (y > limit) return undefined;
      if (!this.#has(3, mo + 1)) wall = Date.UTC(y, mo + 1, 1);
      else if (!this.#dayMatches(d)) wall = Date.UTC(y, mo, day + 1);
      else if (!this.#has(1, h)) wall = Date.UTC(y, mo, day, h + 1);
      else if (!this.#has(0, d.getUTCMinutes())) wall += 60_000;
      else return fromWallClock(this.#zone, wall);
    }
  }
}

class EverySchedule implements CronSchedule {
  readonly timeZone: string | undefined;
  readonly #delayMs: number;
  constructor(delayMs: number, timeZone: string | undefined) {
    // robfig rounds the delay down to whole seconds, and to at least one.
    this.#delayMs = Math.max(1000, Math.floor(delayMs / 1000) * 1000);
    this.timeZone = timeZone;
  }
  next(afterMs: number): number {
    return afterMs - (afterMs % 1000) + this.#delayMs;
  }
}

function splitTimeZone(spec: string): { spec: string; timeZone: string | undefined } {
  const m = /^(?:CRON_TZ|TZ)=(\S+)\s+(.*)$/.exec(spec);
  if (!m) return { spec, timeZone: undefined };
  return { spec: m[2] ?? '', timeZone: m[1] };
}

/** Parses a schedule; `timeZone` (the CronJob's spec.timeZone) wins over a `TZ=` prefix. */
export function parseSchedule(schedule: string, timeZone?: string): CronSchedule | Error {
  try {
    const split = splitTimeZone(schedule.trim());
    const tz = timeZone ?? split.timeZone;
    if (tz !== undefined) zoneFormat(tz);
    const spec = DESCRIPTORS[split.spec] ?? split.spec;
    if (spec.startsWith('@every ')) return new EverySchedule(parseDuration(spec.slice(7)), tz);
    if (spec.startsWith('@')) return new Error(`unrecognized descriptor: ${spec}`);
    const fields = spec.split(/\s+/).filter((f) => f !== '');
    if (fields.length !== 5)
      return new Error(
        `expected exactly 5 fields, found ${String(fields.length)}: [${fields.join(' ')}]`,
      );
    return new SpecSchedule(
      fields.map((f, i) => parseField(f, RANGES[i] ?? { min: 0, max: 0 })),
      tz,
    );
  } catch (e: unknown) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

/** Go's RFC 3339 formatting of an instant in a zone: `2026-01-01T09:00:00+09:00` or `…Z`. */
export function formatInZone(ms: number, timeZone: string | undefined): string {
  const offset = zoneOffsetMinutes(timeZone, ms);
  const wall = new Date(Math.floor(ms / 1000) * 1000 + offset * 60_000).toISOString().slice(0, 19);
  if (offset === 0) return `${wall}Z`;
  const abs = Math.abs(offset);
  const hh = String(Math.floor(abs / 60)).padStart(2, '0');
  const mm = String(abs % 60).padStart(2, '0');
  return `${wall}${offset < 0 ? '-' : '+'}${hh}:${mm}`;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Go's time.RFC1123Z of a UTC instant: `Mon, 02 Jan 2006 15:04:05 +0000`. */
export function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()] ?? ''}, ${p(d.getUTCDate())} ${MONTHS[d.getUTCMonth()] ?? ''} ${String(d.getUTCFullYear())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/**
 * Go's text forms for the values the protobuf decoder renders: what `time.Time.AppendFormat`,
 * `time.Duration.String` and `encoding/json` write, so decoded objects read as Go would
 * have written them.
 */

const SECONDS_PER_DAY = 86400n;
/** Seconds from 0001-01-01T00:00:00Z (Go's zero time) to the Unix epoch, negated. */
export const GO_ZERO_TIME_UNIX = -62135596800n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** A proleptic Gregorian date from days since 1970-01-01 (H. Hinnant's civil_from_days). */
function civilFromDays(days: bigint): { year: bigint; month: number; day: number } {
  const z = days + 719468n;
  const era = floorDiv(z, 146097n);
  const doe = Number(z - era * 146097n);
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = BigInt(yoe) + era * 400n + (month <= 2 ? 1n : 0n);
  return { year, month, day };
}

/** Go's appendInt(year, 4): at least four digits, sign in front. */
function formatYear(year: bigint): string {
  const abs = year < 0n ? -year : year;
  return `${year < 0n ? '-' : ''}${abs.toString().padStart(4, '0')}`;
}

/**
 * RFC 3339 in UTC as Go's `time.RFC3339` (`fractionDigits` 0) or metav1's RFC3339Micro
 * (`fractionDigits` 6, truncated, never rounded) lay it out.
 */
export function formatRfc3339(unixSeconds: bigint, nanos: number, fractionDigits: 0 | 6): string {
  const days = floorDiv(unixSeconds, SECONDS_PER_DAY);
  const secondOfDay = Number(unixSeconds - days * SECONDS_PER_DAY);
  const { year, month, day } = civilFromDays(days);
  const hh = Math.floor(secondOfDay / 3600);
  const mm = Math.floor((secondOfDay % 3600) / 60);
  const ss = secondOfDay % 60;
  const fraction = fractionDigits === 0 ? '' : `.${pad(Math.floor(nanos / 1000), 6)}`;
  return `${formatYear(year)}-${pad(month, 2)}-${pad(day, 2)}T${pad(hh, 2)}:${pad(mm, 2)}:${pad(ss, 2)}${fraction}Z`;
}

/** time.Unix's normalisation of out-of-range nanoseconds into the seconds. */
export function normalizeUnix(seconds: bigint, nanos: number): { seconds: bigint; nanos: number } {
  if (nanos >= 0 && nanos < 1e9) return { seconds, nanos };
  const carry = Math.floor(nanos / 1e9);
  return { seconds: seconds + BigInt(carry), nanos: nanos - carry * 1e9 };
}

/** Go's fmtFrac: `v / 10^prec` as `.ddd` without trailing zeros; returns the integer part. */
function fraction(v: bigint, prec: number): [text: string, rest: bigint] {
  let digits = '';
  let rest = v;
  let print = false;
  for (let i = 0; i < prec; i++) {
    const digit = rest % 10n;
    print ||= digit !== 0n;
    if (print) digits = `${digit}${digits}`;
    rest /= 10n;
  }
  return [print ? `.${digits}` : '', rest];
}

/** time.Duration(nanoseconds).String(), e.g. `1h0m0s`, `1.5s`, `300ms`, `0s`. */
export function formatGoDuration(nanoseconds: bigint): string {
  const negative = nanoseconds < 0n;
  const u = negative ? -nanoseconds : nanoseconds;
  let text: string;
  if (u === 0n) return '0s';
  if (u < 1_000_000_000n) {
    const [unit, prec] = u < 1000n ? ['ns', 0] : u < 1_000_000n ? ['µs', 3] : ['ms', 6];
    const [frac, whole] = fraction(u, prec);
    text = `${whole}${frac}${unit}`;
  } else {
    const [frac, wholeSeconds] = fraction(u, 9);
    const minutes = wholeSeconds / 60n;
    const hours = minutes / 60n;
    text = `${wholeSeconds % 60n}${frac}s`;
    if (minutes > 0n) text = `${minutes % 60n}m${text}`;
    if (hours > 0n) text = `${hours}h${text}`;
  }
  return negative ? `-${text}` : text;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Go's utf8 acceptance table: for each lead byte range, the sequence length and the range the
 * second byte must fall in (which excludes overlongs, surrogates and code points past U+10FFFF).
 */
const UTF8_LEADS: readonly (readonly [
  from: number,
  to: number,
  length: number,
  lo: number,
  hi: number,
])[] = [
  [0xc2, 0xdf, 2, 0x80, 0xbf],
  [0xe0, 0xe0, 3, 0xa0, 0xbf],
  [0xe1, 0xec, 3, 0x80, 0xbf],
  [0xed, 0xed, 3, 0x80, 0x9f],
  [0xee, 0xef, 3, 0x80, 0xbf],
  [0xf0, 0xf0, 4, 0x90, 0xbf],
  [0xf1, 0xf3, 4, 0x80, 0xbf],
  [0xf4, 0xf4, 4, 0x80, 0x8f],
];

/** Length of the valid UTF-8 sequence at `i` under Go's utf8.DecodeRune rules, 0 if invalid. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const b = bytes[i] ?? 0;
  if (b < 0x80) return 1;
  const lead = UTF8_LEADS.find(([from, to]) => b >= from && b <= to);
  if (lead === undefined) return 0;
  const [, , length, lo, hi] = lead;
  const second = bytes[i + 1] ?? 0;
  if (second < lo || second > hi) return 0;
  for (let k = 2; k < length; k++) {
    const c = bytes[i + k] ?? 0;
    if (c < 0x80 || c > 0xbf) return 0;
  }
  return length;
}

/**
 * A Go string's bytes as encoding/json writes them: valid UTF-8 as is, and each byte of an
 * invalid sequence as its own U+FFFD (WHATWG decoders would merge some of them).
 */
export function decodeGoString(bytes: Uint8Array): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    let out = '';
    for (let i = 0; i < bytes.length;) {
      const n = sequenceLength(bytes, i);
      out += n === 0 ? '\ufffd' : strictUtf8.decode(bytes.subarray(i, i + n));
      i += n === 0 ? 1 : n;
    }
    return out;
  }
}

/** encoding/json's form of a []byte: standard, padded base64. */
export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

import { KilnError } from '../../util/index.ts';

/**
 * resource.Quantity as apimachinery implements it: the full grammar
 *   <quantity> ::= <signedNumber><suffix>
 *   <suffix>   ::= Ki | Mi | Gi | Ti | Pi | Ei | n | u | m | "" | k | M | G | T | P | E | (e|E)<signedNumber>
 * parsed exactly (BigInt, rounded up to nano units as Go does) and printed in the same
 * canonical form kube-apiserver serializes.
 */

export type QuantityFormat = 'DecimalExponent' | 'BinarySI' | 'DecimalSI';

export interface Quantity {
  /** The value is `unscaled × 10^scale`. */
  readonly unscaled: bigint;
  readonly scale: number;
  readonly format: QuantityFormat;
  /** The input text when it was already canonical: Go keeps and re-emits it verbatim. */
  readonly text?: string;
  /** Held as Go's int64Amount rather than inf.Dec, which RoundUp treats differently. */
  readonly fast: boolean;
}

const SPLIT_RE = '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$';

/** The error strings of ParseQuantity. */
export const QUANTITY_ERRORS = {
  format: `quantities must match the regular expression '${SPLIT_RE}'`,
  numeric: 'unable to parse numeric part of quantity',
  suffix: "unable to parse quantity's suffix",
} as const;

/** A quantity string that does not parse; `message` is ParseQuantity's error text. */
export class QuantityParseError extends KilnError {
  readonly code = 'KILN_QUANTITY_INVALID';
}

interface Scanned {
  positive: boolean;
  value: string;
  num: string;
  denom: string;
  suffix: string;
}

const DIGIT = /[0-9]/;
const SUFFIX_CHARS = 'eEinumkKMGTP';

function isDigit(c: string | undefined): boolean {
  return c !== undefined && DIGIT.test(c);
}

/** parseQuantityString: a scanner that splits sign, number and suffix. */
function scanSuffix(str: string, start: number): string | undefined {
  let pos = start;
  while (pos < str.length && SUFFIX_CHARS.includes(str[pos] ?? '')) pos++;
  if (pos >= str.length) return str.slice(start);
  if (str[pos] === '-' || str[pos] === '+') pos++;
  while (pos < str.length && isDigit(str[pos])) pos++;
  return pos >= str.length ? str.slice(start) : undefined;
}

function skipDigits(str: string, from: number): number {
  let pos = from;
  while (pos < str.length && isDigit(str[pos])) pos++;
  return pos;
}

function scan(str: string): Scanned | undefined {
  const end = str.length;
  const positive = !str.startsWith('-');
  let pos = str.startsWith('-') || str.startsWith('+') ? 1 : 0;
  while (pos < end && str[pos] === '0') pos++;
  if (pos >= end) return { positive, value: '0', num: '0', denom: '', suffix: '' };
  const numStart = pos;
  pos = skipDigits(str, pos);
  const num = str.slice(numStart, pos) || '0';
  if (pos >= end) return { positive, value: str, num, denom: '', suffix: '' };
  let denom = '';
  if (str[pos] === '.') {
    const denomEnd = skipDigits(str, pos + 1);
    denom = str.slice(pos + 1, denomEnd);
    pos = denomEnd;
    if (pos >= end) return { positive, value: str, num, denom, suffix: '' };
  }
  const suffix = scanSuffix(str, pos);
  return suffix === undefined
    ? undefined
    : { positive, value: str.slice(0, pos), num, denom, suffix };
}

interface Suffix {
  base: 2 | 10;
  exponent: number;
  format: QuantityFormat;
}

const DEC_SUFFIXES: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BIN_SUFFIXES: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};

/** Go's int32(x) for an int64 exponent. */
function toInt32(x: bigint): number {
  return Number(BigInt.asIntN(32, x));
}

function interpret(s: string): Suffix | undefined {
  const dec = DEC_SUFFIXES[s];
  if (dec !== undefined) return { base: 10, exponent: dec, format: 'DecimalSI' };
  const bin = BIN_SUFFIXES[s];
  if (bin !== undefined) return { base: 2, exponent: bin, format: 'BinarySI' };
  if (
    s.length > 1 &&
    (s.startsWith('E') || s.startsWith('e')) &&
    /^[+-]?[0-9]+$/.test(s.slice(1))
  ) {
    const parsed = BigInt(s.slice(1));
    if (parsed > 9223372036854775807n || parsed < -9223372036854775808n) return undefined;
    return { base: 10, exponent: toInt32(parsed), format: 'DecimalExponent' };
  }
  return undefined;
}

const NANO = -9;
const MAX_INT64 = 9223372036854775807n;

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** Quantizes to a scale no finer than `minScale`, rounding away from zero (inf.RoundUp). */
function roundUpTo(unscaled: bigint, scale: number, minScale: number): [bigint, number] {
  if (scale >= minScale) return [unscaled, scale];
  const d = pow10(minScale - scale);
  let q = unscaled / d;
  if (unscaled % d !== 0n) q += unscaled > 0n ? 1n : -1n;
  return [q, minScale];
}

function compareValues(x: readonly [bigint, number], y: readonly [bigint, number]): number {
  const [a, as] = x;
  const [b, bs] = y;
  const s = Math.min(as, bs);
  const l = a * pow10(as - s);
  const r = b * pow10(bs - s);
  return l === r ? 0 : l < r ? -1 : 1;
}

/** The fast path's precision budget, scale and mantissa; undefined when it cannot apply. */
function fastShape(
  sc: Scanned,
  sfx: Suffix,
): { precision: number; scale: number; mantissa: bigint } | undefined {
  if (sfx.format !== 'BinarySI')
    return { precision: 18 - sc.num.length - sc.denom.length, scale: sfx.exponent, mantissa: 1n };
  if (sfx.exponent < 0 || sc.denom.length > 0) return undefined;
  return {
    precision: 15 - sc.num.length - Math.trunc((Math.fround(sfx.exponent) * 3) / 10) - 1,
    scale: 0,
    mantissa: 1n << BigInt(sfx.exponent),
  };
}

/** The int64 fast path of ParseQuantity; undefined when Go would take the inf.Dec path. */
function fastPath(str: string, sc: Scanned, sfx: Suffix): Quantity | undefined {
  const shape = fastShape(sc, sfx);
  if (shape === undefined || shape.precision < 0) return undefined;
  const scale = shape.scale - sc.denom.length;
  if (scale < NANO) return undefined;
  const shifted = sc.num + sc.denom;
  const value = BigInt(shifted);
  const magnitude = value * shape.mantissa;
  if (magnitude > MAX_INT64) return undefined;
  const result = sc.positive ? magnitude : -magnitude;
  // Go caches the input text as the canonical form only when it already is canonical.
  const canonical =
    sfx.format === 'BinarySI'
      ? sfx.exponent % 10 === 0 && (value & 7n) !== 0n
      : scale % 3 === 0 && !shifted.endsWith('000') && !shifted.startsWith('0');
  return canonical
    ? { unscaled: result, scale, format: sfx.format, text: str, fast: true }
    : { unscaled: result, scale, format: sfx.format, fast: true };
}

/** Binary quantities are capped at MaxInt64 and fall back to DecimalSI below 1. */
function binaryBounds(
  value: readonly [bigint, number],
  format: QuantityFormat,
): { value: [bigint, number]; format: QuantityFormat } {
  const [unscaled, scale] = value;
  if (format !== 'BinarySI') return { value: [unscaled, scale], format };
  if (compareValues(value, [MAX_INT64, 0]) > 0) return { value: [MAX_INT64, 0], format };
  if (unscaled > 0n && compareValues(value, [1n, 0]) < 0)
    return { value: [unscaled, scale], format: 'DecimalSI' };
  return { value: [unscaled, scale], format };
}

function decPath(sc: Scanned, sfx: Suffix): Quantity | string {
  const m = /^[+-]?([0-9]*)(?:\.([0-9]*))?$/.exec(sc.value);
  const intPart = m?.[1] ?? '';
  const fracPart = m?.[2] ?? '';
  if (m === null || intPart.length + fracPart.length === 0) return QUANTITY_ERRORS.numeric;
  let unscaled = BigInt(intPart + fracPart);
  let scale = -fracPart.length;
  if (sfx.base === 10) scale += sfx.exponent;
  else unscaled *= 1n << BigInt(sfx.exponent);
  if (unscaled !== 0n) [unscaled, scale] = roundUpTo(unscaled, scale, NANO);
  const bounded = binaryBounds([unscaled, scale], sfx.format);
  const [magnitude, finalScale] = bounded.value;
  return {
    unscaled: sc.positive ? magnitude : -magnitude,
    scale: finalScale,
    format: bounded.format,
    fast: false,
  };
}

/** ParseQuantity; returns the Go error text on failure. */
export function tryParseQuantity(str: string): Quantity | string {
  if (str.length === 0) return QUANTITY_ERRORS.format;
  if (str === '0') return { unscaled: 0n, scale: 0, format: 'DecimalSI', text: '0', fast: true };
  const sc = scan(str);
  if (sc === undefined) return QUANTITY_ERRORS.format;
  const sfx = interpret(sc.suffix);
  if (sfx === undefined) return QUANTITY_ERRORS.suffix;
  return fastPath(str, sc, sfx) ?? decPath(sc, sfx);
}

/** Parses a quantity; throws QuantityParseError for text outside the grammar. */
export function parseQuantityExact(s: string): Quantity {
  const q = tryParseQuantity(s);
  if (typeof q === 'string') throw new QuantityParseError(q);
  return q;
}

/** Parses a quantity to a (possibly rounded) JS number, e.g. `500m` → 0.5, `1Ki` → 1024. */
export function parseQuantity(s: string): number {
  return quantityToNumber(parseQuantityExact(s));
}

export function quantityToNumber(q: Quantity): number {
  // Dividing by an exact power of ten avoids the error of multiplying by 10^-n.
  return q.scale >= 0 ? Number(q.unscaled) * 10 ** q.scale : Number(q.unscaled) / 10 ** -q.scale;
}

/** Cmp: -1, 0 or 1. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  return compareValues([a.unscaled, a.scale], [b.unscaled, b.scale]);
}

export function isZeroQuantity(q: Quantity): boolean {
  return q.unscaled === 0n;
}

/** ScaledValue: the value in units of 10^scale, rounded up away from zero. */
export function scaledValue(q: Quantity, scale: number): bigint {
  return roundUpTo(q.unscaled, q.scale, scale)[0] * pow10(Math.max(0, q.scale - scale));
}

function removeFactors(v: bigint, base: bigint): [bigint, number] {
  let n = v < 0n ? -v : v;
  let times = 0;
  while (n >= base && n % base === 0n) {
    n /= base;
    times++;
  }
  return [v < 0n ? -n : n, times];
}

const DEC_SUFFIX_BY_EXPONENT: ReadonlyMap<number, string> = new Map(
  Object.entries(DEC_SUFFIXES).map(([s, e]) => [e, s]),
);
const BIN_SUFFIX_BY_POWER: readonly string[] = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

function canonicalDecimal(q: Quantity, format: QuantityFormat): string {
  const [m0, times] = removeFactors(q.unscaled, 10n);
  let mantissa = m0;
  let exponent = q.scale + times;
  while (exponent % 3 !== 0) {
    mantissa *= 10n;
    exponent--;
  }
  // Go prints no suffix where its table has none, e.g. DecimalSI beyond exa.
  const suffix =
    format === 'DecimalExponent'
      ? exponent === 0
        ? ''
        : `e${exponent}`
      : (DEC_SUFFIX_BY_EXPONENT.get(exponent) ?? '');
  return `${mantissa.toString()}${suffix}`;
}

/** CanonicalizeBytes: the canonical text, ignoring any retained input text. */
export function canonicalQuantity(q: Quantity): string {
  if (q.unscaled === 0n) return '0';
  if (q.format !== 'BinarySI') return canonicalDecimal(q, q.format);
  const small =
    compareValues([q.unscaled, q.scale], [-1024n, 0]) > 0 &&
    compareValues([q.unscaled, q.scale], [1024n, 0]) < 0;
  const [whole, wholeScale] = roundUpTo(q.unscaled, q.scale, 0);
  const exact = compareValues([whole, wholeScale], [q.unscaled, q.scale]) === 0;
  if (small || !exact) return canonicalDecimal(q, 'DecimalSI');
  const [amount, power] = removeFactors(whole * pow10(wholeScale), 1024n);
  return `${amount.toString()}${BIN_SUFFIX_BY_POWER[power] ?? ''}`;
}

/** Quantity.String(): the retained input text, else the canonical form. */
export function formatQuantity(q: Quantity): string {
  return q.text ?? canonicalQuantity(q);
}

/**
 * RoundUp(scale) as SetDefaults_ResourceList applies it with milli scale (-3): values
 * finer than the scale are rounded up and lose their retained text.
 */
export function roundUpQuantity(q: Quantity, scale: number): Quantity {
  if (q.fast && q.scale >= scale) return q;
  const [unscaled, s] = roundUpTo(q.unscaled, q.scale, scale);
  return { unscaled, scale: s, format: q.format, fast: q.fast };
}

/**
 * resource.Quantity's canonical string (`Quantity.String()` after parsing), which printers.go shows
 * for capacities and quota usage: `1024Mi` → `1Gi`, `1.5` → `1500m`, `0.5Gi` → `512Mi`.
 */

const DECIMAL_SUFFIX_EXP: Readonly<Record<string, number>> = {
  '': 0,
  n: -9,
  u: -6,
  m: -3,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};
const BINARY_SUFFIX_EXP: Readonly<Record<string, number>> = {
  Ki: 10,
  Mi: 20,
  Gi: 30,
  Ti: 40,
  Pi: 50,
  Ei: 60,
};
const DECIMAL_SUFFIX_BY_EXP: ReadonlyMap<number, string> = new Map(
  Object.entries(DECIMAL_SUFFIX_EXP).map(([s, e]) => [e, s]),
);
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'] as const;

type Format = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

interface Parsed {
  /** The value in units of 10^-9, rounded away from zero as upstream's `inf.RoundUp` does. */
  nanos: bigint;
  format: Format;
}

const QUANTITY = /^([+-]?)(\d*)(?:\.(\d*))?([eE][+-]?\d+|[a-zA-Z]*)$/;
const NANO_SCALE = 9n;
const ONE = 10n ** NANO_SCALE;

function suffixOf(suffix: string): { base: 2 | 10; exp: number; format: Format } | undefined {
  const dec = DECIMAL_SUFFIX_EXP[suffix];
  if (dec !== undefined) return { base: 10, exp: dec, format: 'DecimalSI' };
  const bin = BINARY_SUFFIX_EXP[suffix];
  if (bin !== undefined) return { base: 2, exp: bin, format: 'BinarySI' };
  if (/^[eE][+-]?\d+$/.test(suffix)) {
    return { base: 10, exp: Number(suffix.slice(1)), format: 'DecimalExponent' };
  }
  return undefined;
}

function divRoundAway(n: bigint, d: bigint): bigint {
  const q = n / d;
  return q * d === n ? q : q + 1n;
}

interface Lexed {
  negative: boolean;
  digits: string;
  fracDigits: number;
  suffix: string;
}

function lex(text: string): Lexed | undefined {
  const m = QUANTITY.exec(text);
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const fracPart = m[3] ?? '';
  if (intPart === '' && fracPart === '') return undefined;
  return {
    negative: m[1] === '-',
    digits: `${intPart}${fracPart}`,
    fracDigits: fracPart.length,
    suffix: m[4] ?? '',
  };
}

function parse(text: string): Parsed | undefined {
  const lexed = lex(text);
  if (lexed === undefined) return undefined;
  const unit = suffixOf(lexed.suffix);
  if (unit === undefined) return undefined;
  // value = digits × 10^-fracDigits × base^exp, scaled to nanos.
  let numerator = BigInt(lexed.digits);
  let denominator = 10n ** BigInt(lexed.fracDigits);
  if (unit.base === 2) numerator *= 2n ** BigInt(unit.exp);
  else if (unit.exp >= 0) numerator *= 10n ** BigInt(unit.exp);
  else denominator *= 10n ** BigInt(-unit.exp);
  const nanos = divRoundAway(numerator * ONE, denominator);
  const format =
    unit.format === 'BinarySI' && nanos > 0n && nanos < ONE ? 'DecimalSI' : unit.format;
  return { nanos: lexed.negative ? -nanos : nanos, format };
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function decimalText(nanos: bigint, format: Format): string {
  let mantissa = nanos;
  let exp = -Number(NANO_SCALE);
  while (mantissa % 10n === 0n) {
    mantissa /= 10n;
    exp += 1;
  }
  const shift = ((exp % 3) + 3) % 3;
  mantissa *= 10n ** BigInt(shift);
  exp -= shift;
  if (format === 'DecimalExponent') return exp === 0 ? `${mantissa}` : `${mantissa}e${exp}`;
  return `${mantissa}${DECIMAL_SUFFIX_BY_EXP.get(exp) ?? ''}`;
}

function binaryText(value: bigint): string {
  let mantissa = value;
  let steps = 0;
  while (mantissa % 1024n === 0n && steps < BINARY_SUFFIXES.length - 1) {
    mantissa /= 1024n;
    steps += 1;
  }
  return `${mantissa}${BINARY_SUFFIXES[steps] ?? ''}`;
}

/** The canonical form of a quantity; text that does not parse is returned unchanged. */
export function canonicalQuantity(text: string): string {
  if (text === '0') return '0';
  const q = parse(text);
  if (q === undefined) return text;
  if (q.nanos === 0n) return '0';
  if (q.format === 'BinarySI' && abs(q.nanos) >= 1024n * ONE && q.nanos % ONE === 0n) {
    return binaryText(q.nanos / ONE);
  }
  return decimalText(q.nanos, q.format === 'BinarySI' ? 'DecimalSI' : q.format);
}

/** A quantity field as printers show it: absent quantities are Go's zero Quantity, `0`. */
export function quantityText(value: unknown): string {
  if (typeof value === 'string') return canonicalQuantity(value);
  if (typeof value === 'number' && Number.isFinite(value)) return canonicalQuantity(String(value));
  return '0';
}

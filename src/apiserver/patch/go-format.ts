import type { JsonValue } from '../../api/index.ts';

/*
 * apimachinery builds its patch error messages with Go's fmt (`%v` of decoded JSON, `%s` of
 * reflect types). kubectl prints them verbatim, so the messages are rendered the same way here.
 */

/** Go's `%v` of a float64: shortest digits, exponent form below 1e-4 and from 1e6 (as %g). */
function goFloat(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  const exponent = n === 0 ? 0 : Math.floor(Math.log10(Math.abs(n)));
  if (exponent >= -4 && exponent < 6) return String(n);
  const [mantissa = '', exp = '0'] = n.toExponential().split('e');
  const sign = exp.startsWith('-') ? '-' : '+';
  const digits = exp.replace(/^[+-]/, '').padStart(2, '0');
  return `${mantissa}e${sign}${digits}`;
}

/**
 * Go's `%v` of a decoded JSON value: integers as int64, maps with sorted keys as
 * `map[k:v]`, slices as `[a b]`, null as `<nil>`.
 */
export function goValue(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? String(v) : goFloat(v);
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  const entries = Object.keys(v)
    .filter((k) => v[k] !== undefined)
    .sort()
    .map((k) => `${k}:${goValue(v[k])}`);
  return `map[${entries.join(' ')}]`;
}

/** The Go type a JSON value decodes to, as `reflect.TypeOf(v)` prints it. */
export function goTypeName(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isSafeInteger(v) ? 'int64' : 'float64';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

/** Go's `%s` of a decoded JSON value: strings bare, anything else flagged as Go does. */
export function goString(v: JsonValue | undefined): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (typeof v === 'object') return goValue(v);
  return `%!s(${goTypeName(v)}=${goValue(v)})`;
}

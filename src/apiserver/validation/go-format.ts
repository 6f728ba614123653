import { isJsonObject } from '../../api/index.ts';

/**
 * Go `fmt` renderings that kube-apiserver puts in validation messages: `%q` strings and
 * `%#v` maps, slices and structs. Only the shapes those messages use are covered.
 */

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;
const LONE_SURROGATE = /^[\uD800-\uDFFF]$/;

const SHORT_ESCAPES: Readonly<Record<string, string>> = {
  '\u0007': '\\a',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\v': '\\v',
};

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}

function escapeRune(ch: string): string {
  // Go decoded the JSON with lone surrogates replaced by U+FFFD, which is printable.
  if (LONE_SURROGATE.test(ch)) return '\uFFFD';
  if (ch === '"' || ch === '\\') return `\\${ch}`;
  if (PRINTABLE.test(ch)) return ch;
  const short = SHORT_ESCAPES[ch];
  if (short !== undefined) return short;
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex(cp, 2)}`;
  return cp < 0x10000 ? `\\u${hex(cp, 4)}` : `\\U${hex(cp, 8)}`;
}

/** strconv.Quote, which `%q` and `%#v` use for strings. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) out += escapeRune(ch);
  return `${out}"`;
}

function sortedKeys(m: Readonly<Record<string, unknown>>): string[] {
  return Object.keys(m).sort();
}

/** `%#v` of a `map[string]string`; `undefined` is the nil map. */
export function goStringMap(m: Readonly<Record<string, string>> | undefined): string {
  if (m === undefined) return 'map[string]string(nil)';
  const parts = sortedKeys(m).map((k) => `${goQuote(k)}:${goQuote(m[k] ?? '')}`);
  return `map[string]string{${parts.join(', ')}}`;
}

/** `%#v` of a `[]string`; `undefined` is the nil slice. */
export function goStringSlice(items: readonly string[] | undefined): string {
  if (items === undefined) return '[]string(nil)';
  return `[]string{${items.map((s) => goQuote(s)).join(', ')}}`;
}

/** `%#v` of a struct: `pkg.Type{Field:value, ...}` with fields already rendered. */
export function goStruct(typeName: string, fields: readonly (readonly [string, string])[]): string {
  return `${typeName}{${fields.map(([k, v]) => `${k}:${v}`).join(', ')}}`;
}

/** `%#v` of a nil pointer of the given element type. */
export function goNilPointer(elemType: string): string {
  return `(*${elemType})(nil)`;
}

function lenientStringMap(v: unknown): Record<string, string> | undefined {
  if (!isJsonObject(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) out[k] = typeof val === 'string' ? val : '';
  return out;
}

function lenientStringSlice(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v.map((s) => (typeof s === 'string' ? s : ''));
}

function lenientString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function goRequirement(req: unknown): string {
  const r = isJsonObject(req) ? req : {};
  return goStruct('v1.LabelSelectorRequirement', [
    ['Key', goQuote(lenientString(r['key']))],
    ['Operator', goQuote(lenientString(r['operator']))],
    ['Values', goStringSlice(lenientStringSlice(r['values']))],
  ]);
}

/** `%#v` of a `metav1.LabelSelector` value (after the pointer is dereferenced). */
export function goLabelSelector(sel: unknown): string {
  const s = isJsonObject(sel) ? sel : {};
  const exprs = s['matchExpressions'];
  const exprText = Array.isArray(exprs)
    ? `[]v1.LabelSelectorRequirement{${exprs.map((e) => goRequirement(e)).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return goStruct('v1.LabelSelector', [
    ['MatchLabels', goStringMap(lenientStringMap(s['matchLabels']))],
    ['MatchExpressions', exprText],
  ]);
}

/**
 * A generic `%#v`-like rendering of arbitrary JSON, for the rare messages whose bad value
 * is a whole Go struct; exact Go type names are not reproduced there.
 */
export function goJson(v: unknown): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[]interface {}{${v.map((x) => goJson(x)).join(', ')}}`;
  if (isJsonObject(v)) {
    const parts = sortedKeys(v).map((k) => `${goQuote(k)}:${goJson(v[k])}`);
    return `map[string]interface {}{${parts.join(', ')}}`;
  }
  return '<nil>';
}

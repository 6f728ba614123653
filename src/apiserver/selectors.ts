import { errors } from './errors.ts';

export type LabelOperator = 'in' | 'notin' | 'exists' | '!' | '=' | '!=' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly op: LabelOperator;
  readonly values: readonly string[];
}

/** A parsed label selector: every requirement must hold (comma = AND). */
export type LabelSelector = readonly LabelRequirement[];

const KEY =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function bad(selector: string, why: string): never {
  throw errors.badRequest(`unable to parse requirement: ${why} (in label selector "${selector}")`);
}

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let k = 0; k < s.length; k++) {
    const c = s[k];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(s.slice(start, k));
      start = k + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((p) => p.trim()).filter((p) => p !== '');
}

function checkKey(selector: string, key: string): string {
  if (key.length === 0 || key.length > 316 || !KEY.test(key)) {
    bad(
      selector,
      `key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
  return key;
}

function checkValue(selector: string, value: string): string {
  if (value.length > 63 || !VALUE.test(value)) {
    bad(
      selector,
      `values[0][key]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
  return value;
}

const SET_RE = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/;
const EQ_RE = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/;

const INTEGER = /^-?\d+$/;

/** `key in (a,b)` / `key notin (a,b)`. */
function setRequirement(selector: string, match: RegExpExecArray): LabelRequirement {
  const [, key = '', op = '', list = ''] = match;
  const values = list
    .split(',')
    .map((v) => v.trim())
    .map((v) => checkValue(selector, v));
  return { key: checkKey(selector, key), op: op === 'in' ? 'in' : 'notin', values };
}

/** `key=v`, `key==v`, `key!=v`, `key>n`, `key<n`. */
function comparisonRequirement(selector: string, match: RegExpExecArray): LabelRequirement {
  const [, key = '', op = '', value = ''] = match;
  const v = value.trim();
  if (op === '>' || op === '<') {
    if (!INTEGER.test(v)) bad(selector, `for 'Gt', 'Lt' operators, the value must be an integer`);
    return { key: checkKey(selector, key), op: op === '>' ? 'gt' : 'lt', values: [v] };
  }
  return {
    key: checkKey(selector, key),
    op: op === '!=' ? '!=' : '=',
    values: [checkValue(selector, v)],
  };
}

function parseRequirement(selector: string, term: string): LabelRequirement {
  const set = SET_RE.exec(term);
  if (set) return setRequirement(selector, set);
  if (term.startsWith('!'))
    return { key: checkKey(selector, term.slice(1).trim()), op: '!', values: [] };
  const eq = EQ_RE.exec(term);
  if (eq) return comparisonRequirement(selector, eq);
  if (/^\S+$/.test(term)) return { key: checkKey(selector, term), op: 'exists', values: [] };
  return bad(selector, `found '${term}', expected: identifier`);
}

export function parseLabelSelector(selector: string | null | undefined): LabelSelector {
  if (selector === null || selector === undefined || selector.trim() === '') return [];
  return splitTopLevel(selector).map((t) => parseRequirement(selector, t));
}

/** A label value as an integer, for Gt/Lt; undefined when absent or not an integer. */
function integerLabel(v: string | undefined): number | undefined {
  return v !== undefined && INTEGER.test(v) ? Number(v) : undefined;
}

type LabelTest = (value: string | undefined, wanted: readonly string[]) => boolean;

/** Whether a label value (undefined when the label is absent) satisfies each operator. */
const LABEL_TESTS: Readonly<Record<LabelOperator, LabelTest>> = {
  '=': (v, w) => v === w[0],
  '!=': (v, w) => v !== w[0],
  in: (v, w) => v !== undefined && w.includes(v),
  notin: (v, w) => v === undefined || !w.includes(v),
  exists: (v) => v !== undefined,
  '!': (v) => v === undefined,
  gt: (v, w) => {
    const n = integerLabel(v);
    return n !== undefined && n > Number(w[0]);
  },
  lt: (v, w) => {
    const n = integerLabel(v);
    return n !== undefined && n < Number(w[0]);
  },
};

export function matchesLabels(
  sel: LabelSelector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  return sel.every((r) => LABEL_TESTS[r.op](labels?.[r.key], r.values));
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as a parsed selector. */
export function fromLabelSelectorObject(sel: unknown): LabelSelector | undefined {
  if (typeof sel !== 'object' || sel === null) return undefined;
  const out: LabelRequirement[] = [];
  const { matchLabels, matchExpressions } = sel as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  for (const [key, value] of Object.entries(matchLabels ?? {}))
    out.push({ key, op: '=', values: [value] });
  for (const e of matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[
      e.operator as 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
    ];
    // SAFETY: an unknown operator matches nothing, as upstream's conversion rejects it.
    if ((op as LabelOperator | undefined) === undefined)
      return [{ key: e.key, op: 'in', values: [] }];
    out.push({ key: e.key, op, values: e.values ?? [] });
  }
  return out;
}

/** Each operator in the canonical selector syntax (set values sorted, as upstream prints them). */
const LABEL_FORMATS: Readonly<Record<LabelOperator, (r: LabelRequirement) => string>> = {
  '=': (r) => `${r.key}=${r.values[0] ?? ''}`,
  '!=': (r) => `${r.key}!=${r.values[0] ?? ''}`,
  in: (r) => `${r.key} in (${[...r.values].sort().join(',')})`,
  notin: (r) => `${r.key} notin (${[...r.values].sort().join(',')})`,
  exists: (r) => r.key,
  '!': (r) => `!${r.key}`,
  gt: (r) => `${r.key}>${r.values[0] ?? ''}`,
  lt: (r) => `${r.key}<${r.values[0] ?? ''}`,
};

export function formatLabelSelector(sel: LabelSelector): string {
  return sel.map((r) => LABEL_FORMATS[r.op](r)).join(',');
}

export interface FieldRequirement {
  readonly field: string;
  readonly op: '=' | '!=';
  readonly value: string;
}

export type FieldSelector = readonly FieldRequirement[];

function unescapeFieldValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}

/**
 * Parses `a=b,c!=d`. `supported` is the set of fields the resource allows; others get 400
 * `field label not supported: x`, as upstream.
 */
export function parseFieldSelector(
  selector: string | null | undefined,
  supported: ReadonlySet<string>,
): FieldSelector {
  if (selector === null || selector === undefined || selector.trim() === '') return [];
  const out: FieldRequirement[] = [];
  for (const term of selector.split(/(?<!\\),/)) {
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(term.trim());
    if (!m) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const [, field = '', op = '', value = ''] = m;
    if (!supported.has(field)) throw errors.badRequest(`field label not supported: ${field}`);
    out.push({ field, op: op === '!=' ? '!=' : '=', value: unescapeFieldValue(value) });
  }
  return out;
}

export function matchesFields(
  sel: FieldSelector,
  fields: Readonly<Record<string, string>>,
): boolean {
  for (const r of sel) {
    const v = fields[r.field] ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

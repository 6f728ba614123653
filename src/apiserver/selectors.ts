import { errors } from './errors.ts';

export type LabelOperator = 'in' | 'notin' | 'exists' | '!' | '=' | '!=' | 'gt' | 'lt';

export interface LabelRequirement {
  readonly key: string;
  readonly op: LabelOperator;
  readonly values: readonly string[];
}

/** A parsed label selector: every requirement must hold (comma = AND). */
export type LabelSelector = readonly LabelRequirement[];

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function bad(selector: string, why: string): never {
  throw errors.badRequest(
    `unable to parse requirement: ${why} (in label selector "${selector}")`,
  );
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
    bad(selector, `key: Invalid value: "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return key;
}

function checkValue(selector: string, value: string): string {
  if (value.length > 63 || !VALUE.test(value)) {
    bad(selector, `values[0][key]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return value;
}

const SET_RE = /^(\S+?)\s+(in|notin)\s*\((.*)\)$/;
const EQ_RE = /^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(.*)$/;

function parseRequirement(selector: string, term: string): LabelRequirement {
  const set = SET_RE.exec(term);
  if (set) {
    const [, key = '', op = '', list = ''] = set;
    const values = list
      .split(',')
      .map((v) => v.trim())
      .map((v) => checkValue(selector, v));
    return { key: checkKey(selector, key), op: op === 'in' ? 'in' : 'notin', values };
  }
  if (term.startsWith('!')) return { key: checkKey(selector, term.slice(1).trim()), op: '!', values: [] };
  const eq = EQ_RE.exec(term);
  if (eq) {
    const [, key = '', op = '', value = ''] = eq;
    const v = value.trim();
    if (op === '>' || op === '<') {
      if (!/^-?\d+$/.test(v)) bad(selector, `for 'Gt', 'Lt' operators, the value must be an integer`);
      return { key: checkKey(selector, key), op: op === '>' ? 'gt' : 'lt', values: [v] };
    }
    return { key: checkKey(selector, key), op: op === '!=' ? '!=' : '=', values: [checkValue(selector, v)] };
  }
  if (/^\S+$/.test(term)) return { key: checkKey(selector, term), op: 'exists', values: [] };
  return bad(selector, `found '${term}', expected: identifier`);
}

export function parseLabelSelector(selector: string | null | undefined): LabelSelector {
  if (selector === null || selector === undefined || selector.trim() === '') return [];
  return splitTopLevel(selector).map((t) => parseRequirement(selector, t));
}

export function matchesLabels(sel: LabelSelector, labels: Readonly<Record<string, string>> | undefined): boolean {
  for (const r of sel) {
    const v = labels?.[r.key];
    switch (r.op) {
      case '=':
        if (v !== r.values[0]) return false;
        break;
      case '!=':
        if (v === r.values[0]) return false;
        break;
      case 'in':
        if (v === undefined || !r.values.includes(v)) return false;
        break;
      case 'notin':
        if (v !== undefined && r.values.includes(v)) return false;
        break;
      case 'exists':
        if (v === undefined) return false;
        break;
      case '!':
        if (v !== undefined) return false;
        break;
      case 'gt':
      case 'lt': {
        if (v === undefined || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.op === 'gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as a parsed selector. */
export function fromLabelSelectorObject(sel: unknown): LabelSelector | undefined {
  if (typeof sel !== 'object' || sel === null) return undefined;
  const out: LabelRequirement[] = [];
  const { matchLabels, matchExpressions } = sel as {
    matchLabels?: Record<string, string>;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  for (const [key, value] of Object.entries(matchLabels ?? {})) out.push({ key, op: '=', values: [value] });
  for (const e of matchExpressions ?? []) {
    const op = ({ In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' } as const)[
      e.operator as 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'
    ];
    // SAFETY: an unknown operator matches nothing, as upstream's conversion rejects it.
    if ((op as LabelOperator | undefined) === undefined) return [{ key: e.key, op: 'in', values: [] }];
    out.push({ key: e.key, op, values: e.values ?? [] });
  }
  return out;
}

export function formatLabelSelector(sel: LabelSelector): string {
  return sel
    .map((r) => {
      switch (r.op) {
        case '=':
          return `${r.key}=${r.values[0] ?? ''}`;
        case '!=':
          return `${r.key}!=${r.values[0] ?? ''}`;
        case 'in':
        case 'notin':
          return `${r.key} ${r.op} (${[...r.values].sort().join(',')})`;
        case 'exists':
          return r.key;
        case '!':
          return `!${r.key}`;
        case 'gt':
          return `${r.key}>${r.values[0] ?? ''}`;
        case 'lt':
          return `${r.key}<${r.values[0] ?? ''}`;
      }
      return '';
    })
    .join(',');
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
export function parseFieldSelector(selector: string | null | undefined, supported: ReadonlySet<string>): FieldSelector {
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

export function matchesFields(sel: FieldSelector, fields: Readonly<Record<string, string>>): boolean {
  for (const r of sel) {
    const v = fields[r.field] ?? '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

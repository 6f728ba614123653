import { arr, isRecord, records, str, stringMap } from './fields.ts';

/** labels.FormatLabels: `k=v` pairs sorted as whole strings, `<none>` when empty. */
export function formatLabels(labels: unknown): string {
  const pairs = Object.entries(stringMap(labels)).map(([k, v]) => `${k}=${v}`);
  pairs.sort();
  return pairs.length === 0 ? '<none>' : pairs.join(',');
}

interface Requirement {
  key: string;
  text: string;
}

const OPERATOR_TEXT: Readonly<Record<string, string>> = {
  In: ' in ',
  NotIn: ' notin ',
};

function expressionRequirement(expr: Readonly<Record<string, unknown>>): Requirement | undefined {
  const key = str(expr['key']);
  const op = str(expr['operator']);
  const values = arr(expr['values']).filter((v): v is string => typeof v === 'string');
  if (op === 'Exists' || op === 'DoesNotExist') {
    if (values.length !== 0) return undefined;
    return { key, text: op === 'Exists' ? key : `!${key}` };
  }
  const infix = OPERATOR_TEXT[op];
  if (infix === undefined || values.length === 0) return undefined;
  const sorted = values.length === 1 ? values : [...values].sort();
  return { key, text: `${key}${infix}(${sorted.join(',')})` };
}

/**
 * metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key, `''` for a nil or empty
 * selector, undefined where upstream reports an error (unknown operator, wrong value count).
 */
export function selectorString(selector: unknown): string | undefined {
  if (!isRecord(selector)) return '';
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(stringMap(selector['matchLabels']))) {
    reqs.push({ key, text: `${key}=${value}` });
  }
  for (const expr of records(selector['matchExpressions'])) {
    const req = expressionRequirement(expr);
    if (req === undefined) return undefined;
    reqs.push(req);
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: `<none>` when it selects nothing or everything, `<error>` when invalid. */
export function formatLabelSelector(selector: unknown): string {
  const text = selectorString(selector);
  if (text === undefined) return '<error>';
  return text === '' ? '<none>' : text;
}

/** printers.go `layoutContainerCells`: container names and images, comma-joined. */
export function containerCells(containers: unknown): [names: string, images: string] {
  const list = records(containers);
  return [list.map((c) => str(c['name'])).join(','), list.map((c) => str(c['image'])).join(',')];
}

/** printers.go `listWithMoreString`: the first `max` entries, then `+ N more...`; `<unset>` if empty. */
export function listWithMore(list: readonly string[], total: number, max: number): string {
  const shown = list.slice(0, max).join(',');
  if (total > max) return `${shown} + ${total - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

/** Go `sets.NewString(...).List()`: unique and sorted. */
export function sortedUnique(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}

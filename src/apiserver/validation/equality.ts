import { isJsonObject } from '../../api/index.ts';

/**
 * apiequality.Semantic.DeepEqual over JSON: absent, null, empty arrays and empty objects
 * are equal (Go's nil and empty slices and maps compare equal there).
 */

function isEmptyish(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (Array.isArray(v)) return v.length === 0;
  return isJsonObject(v) && Object.values(v).every((x) => x === undefined);
}

function objectsEqual(a: Record<string, unknown>, b: Record<string, unknown>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!semanticEqual(a[k], b[k])) return false;
  return true;
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (isEmptyish(a) && isEmptyish(b)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isJsonObject(a) && isJsonObject(b)) return objectsEqual(a, b);
  return false;
}

function render(v: unknown): string {
  return v === undefined ? 'null' : JSON.stringify(v);
}

function diffInto(out: string[], path: string, pair: readonly [unknown, unknown]): void {
  const [a, b] = pair;
  if (semanticEqual(a, b)) return;
  if (isJsonObject(a) && isJsonObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) diffInto(out, path === '' ? k : `${path}.${k}`, [a[k], b[k]]);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((x, i) => {
      diffInto(out, `${path}[${i}]`, [x, b[i]]);
    });
    return;
  }
  out.push(`- ${path}: ${render(a)}`, `+ ${path}: ${render(b)}`);
}

/**
 * A line diff of two JSON values. Upstream prints go-cmp's diff of the Go structs; this
 * names the same differing fields by their JSON paths instead.
 */
export function jsonDiff(oldValue: unknown, newValue: unknown): string {
  const out: string[] = [];
  diffInto(out, '', [oldValue, newValue]);
  return out.join('\n');
}

/**
 * Tolerant readers over decoded JSON. Printers see objects as stored, so any field may be absent
 * or of the wrong type; these return Go's zero value instead, as upstream's typed structs would.
 */

export type JsonRecord = Readonly<Record<string, unknown>>;

const EMPTY: JsonRecord = Object.freeze({});

export function isRecord(v: unknown): v is JsonRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The record at `path` under `v`, or an empty record. */
export function rec(v: unknown, ...path: readonly string[]): JsonRecord {
  let cur: unknown = v;
  for (const key of path) {
    if (!isRecord(cur)) return EMPTY;
    cur = cur[key];
  }
  return isRecord(cur) ? cur : EMPTY;
}

/** The raw value at `path` under `v`, or undefined. */
export function at(v: unknown, ...path: readonly string[]): unknown {
  let cur: unknown = v;
  for (const key of path) {
    if (!isRecord(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** A string field that may be absent (Go `*string`). */
export function optStr(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** A number field that may be absent (Go `*int32`). */
export function optNum(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean {
  return v === true;
}

/** A boolean field that may be absent (Go `*bool`). */
export function optBool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

export function arr(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The records of an array field, skipping non-record entries. */
export function records(v: unknown): readonly JsonRecord[] {
  if (!Array.isArray(v)) return [];
  return v.filter(isRecord);
}

/** The string entries of a string→string map, skipping non-string values. */
export function stringMap(v: unknown): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  if (!isRecord(v)) return out;
  for (const [k, val] of Object.entries(v)) if (typeof val === 'string') out[k] = val;
  return out;
}

/** Number of keys in a map field (Go `len(map)`). */
export function mapSize(v: unknown): number {
  return isRecord(v) ? Object.keys(v).length : 0;
}

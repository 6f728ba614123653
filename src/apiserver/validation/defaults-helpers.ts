import { isJsonObject, type JsonObject, type JsonValue, type KubeObject } from '../../api/index.ts';
import { formatQuantity, roundUpQuantity, tryParseQuantity } from './quantity.ts';

/**
 * Small mutators for defaulting untrusted JSON. Each leaves a value of the wrong type
 * alone: validation reports it afterwards.
 */

/** Go's zero value for a pointer or string field: absent, null or ''. */
function unset(v: unknown): boolean {
  return v === undefined || v === null || v === '';
}

/** `if obj.X == "" { obj.X = v }` for strings, `== nil` for pointers. */
export function setDefault(o: JsonObject, k: string, v: JsonValue): void {
  if (unset(o[k])) o[k] = v;
}

/** `if obj.X == 0 { obj.X = v }` for plain (non-pointer) integers. */
export function setDefaultNonZero(o: JsonObject, k: string, v: number): void {
  if (unset(o[k]) || o[k] === 0) o[k] = v;
}

/** The object at `o[k]`, created when absent; undefined when it holds another type. */
export function ensureObject(o: JsonObject, k: string): JsonObject | undefined {
  const v = o[k];
  if (v === undefined || v === null) {
    const created: JsonObject = {};
    o[k] = created;
    return created;
  }
  return isJsonObject(v) ? v : undefined;
}

/** The object at `o[k0][k1]…`, creating each absent level; undefined past a non-object. */
export function ensurePath(o: JsonObject, keys: readonly string[]): JsonObject | undefined {
  let cur: JsonObject | undefined = o;
  for (const k of keys) {
    if (cur === undefined) return undefined;
    cur = ensureObject(cur, k);
  }
  return cur;
}

/** The object at `o[k]`, if it is one. */
export function objectAt(o: JsonObject | undefined, k: string): JsonObject | undefined {
  const v = o?.[k];
  return isJsonObject(v) ? v : undefined;
}

/** The object elements of the array at `o[k]`. */
export function objectsAt(o: JsonObject | undefined, k: string): JsonObject[] {
  const v = o?.[k];
  return Array.isArray(v) ? v.filter((x): x is JsonObject => isJsonObject(x)) : [];
}

/**
 * SetDefaults_ResourceList: every quantity rounded up to milli units and written in the
 * canonical form the server serializes. Unparsable values stay for validation to report.
 */
export function defaultResourceList(list: unknown): void {
  if (!isJsonObject(list)) return;
  for (const [name, v] of Object.entries(list)) {
    const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
    if (typeof text !== 'string') continue;
    const q = tryParseQuantity(text);
    if (typeof q !== 'string') list[name] = formatQuantity(roundUpQuantity(q, -3));
  }
}

/**
 * The JSON Go emits for a zero-valued ObjectMeta struct inside templates: encoding/json
 * cannot omit a zero struct, so `creationTimestamp: null` always appears there.
 */
export function defaultTemplateMetadata(template: JsonObject): void {
  const meta = ensureObject(template, 'metadata');
  if (meta !== undefined && !('creationTimestamp' in meta)) meta['creationTimestamp'] = null;
}

/** An object's top level as JSON, for the mutators above. */
export function rootOf(obj: KubeObject): JsonObject {
  // SAFETY: a KubeObject is decoded JSON, so every value under it is a JsonValue; the
  // mutators check each value's type before use.
  return obj as unknown as JsonObject;
}

/** The object at `obj[k]`, created when absent; undefined when it holds another type. */
export function specOf(obj: KubeObject, k = 'spec'): JsonObject | undefined {
  return objectAt(rootOf(obj), k);
}

import { isJsonObject, type JsonObject, type JsonValue } from '../api/index.ts';
import {
  encodePath,
  itemToken,
  listKind,
  sameFieldValue,
  subtreeValues,
  UNOWNED_META,
  type FieldSet,
  type FieldValues,
} from './field-set.ts';
import {
  fieldMeta,
  UNTAGGED,
  type FieldPatchMeta,
  type StructPatchSchema,
} from './patch/schema.ts';

/** What a write changed, leaf by leaf. */
export interface FieldDiff {
  /** Leaf paths of the new version that are new or hold a different value. */
  readonly changed: FieldSet;
  /** Leaf paths of the old version that the new one no longer has. */
  readonly removed: string[];
}

const NO_SKIP: ReadonlySet<string> = new Set();

/** The new version's (`a`) and the old version's (`b`) value at one place. */
interface Pair<T> {
  readonly a: T;
  readonly b: T;
}

function hasDefinedKey(v: JsonValue | undefined): v is JsonObject {
  if (!isJsonObject(v)) return false;
  for (const k in v) if (v[k] !== undefined) return true;
  return false;
}

/** A keyed list's items by token, or undefined when an item has no key or repeats one. */
function keyedItems(
  kind: ReturnType<typeof listKind>,
  list: readonly JsonValue[],
): Map<string, JsonValue> | undefined {
  const out = new Map<string, JsonValue>();
  for (const item of list) {
    const token = itemToken(kind, item);
    if (token === undefined || out.has(token)) return undefined;
    out.set(token, item);
  }
  return out;
}

/**
 * Walks two versions side by side. Subtrees both share by reference, and keyed list items
 * equal as JSON, are passed over whole; leaves are compared where both versions have them. Where
 * the shapes differ (a leaf against an object, a list whose items lack or repeat their key) the
 * two subtrees are compared leaf by leaf, which is the definition.
 */
class Differ {
  readonly changed: FieldSet = new Set();
  readonly removed: string[] = [];

  /** The definition, on one subtree: leaves new or different, and leaves gone. */
  compare(after: FieldValues, before: FieldValues): void {
    for (const [p, v] of after) {
      if (!before.has(p) || !sameFieldValue(before.get(p), v)) this.changed.add(p);
    }
    for (const p of before.keys()) if (!after.has(p)) this.removed.push(p);
  }

  added(values: FieldValues): void {
    for (const p of values.keys()) this.changed.add(p);
  }

  gone(values: FieldValues): void {
    for (const p of values.keys()) this.removed.push(p);
  }

  /** The members of two objects, leaving out `skip` (metadata no manager owns). */
  fields(
    v: { a: JsonObject; b: JsonObject; skip: ReadonlySet<string> },
    schema: StructPatchSchema,
    path: string[],
  ): void {
    const { a, b, skip } = v;
    for (const k in a) {
      const av = a[k];
      if (av === undefined || skip.has(k)) continue;
      const bv = b[k];
      if (av === bv) continue;
      const meta = fieldMeta(schema, k);
      path.push(`f:${k}`);
      if (bv === undefined) this.added(subtreeValues(av, meta, { path }));
      else this.field({ a: av, b: bv }, meta, path);
      path.pop();
    }
    for (const k in b) {
      const bv = b[k];
      if (bv === undefined || a[k] !== undefined || skip.has(k)) continue;
      path.push(`f:${k}`);
      this.gone(subtreeValues(bv, fieldMeta(schema, k), { path }));
      path.pop();
    }
  }

  field(v: Pair<JsonValue>, meta: FieldPatchMeta, path: string[]): void {
    const { a, b } = v;
    const aList = Array.isArray(a);
    const bList = Array.isArray(b);
    if (aList && bList) this.list({ a, b }, meta, path);
    else if (!aList && !bList) this.value(v, meta.type ?? UNTAGGED, path);
    else this.compare(subtreeValues(a, meta, { path }), subtreeValues(b, meta, { path }));
  }

  value(v: Pair<JsonValue>, schema: StructPatchSchema, path: string[]): void {
    const { a, b } = v;
    const aObject = hasDefinedKey(a);
    const bObject = hasDefinedKey(b);
    if (aObject && bObject) this.fields({ a, b, skip: NO_SKIP }, schema, path);
    else if (!aObject && !bObject) {
      if (!sameFieldValue(a, b)) this.changed.add(encodePath(path));
    } else {
      const meta = { type: schema };
      this.compare(subtreeValues(a, meta, { path }), subtreeValues(b, meta, { path }));
    }
  }

  list(v: Pair<JsonValue[]>, meta: FieldPatchMeta, path: string[]): void {
    const kind = listKind(meta);
    const aLeaf = kind.kind === 'atomic' || v.a.length === 0;
    const bLeaf = kind.kind === 'atomic' || v.b.length === 0;
    if (aLeaf && bLeaf) {
      if (!sameFieldValue(v.a, v.b)) this.changed.add(encodePath(path));
      return;
    }
    const a = aLeaf ? undefined : keyedItems(kind, v.a);
    const b = bLeaf ? undefined : keyedItems(kind, v.b);
    if (a === undefined || b === undefined) {
      this.compare(subtreeValues(v.a, meta, { path }), subtreeValues(v.b, meta, { path }));
    } else if (kind.kind === 'set') this.setItems({ a, b }, path);
    else this.items({ a, b }, meta, path);
  }

  /** A set item's token is its value: the same token is the same leaf with the same value. */
  setItems(v: Pair<Map<string, JsonValue>>, path: string[]): void {
    for (const t of v.a.keys()) if (!v.b.has(t)) this.changed.add(encodePath([...path, t]));
    for (const t of v.b.keys()) if (!v.a.has(t)) this.removed.push(encodePath([...path, t]));
  }

  /** Keyed items: the `.` leaf of each holds the whole item. */
  items(v: Pair<Map<string, JsonValue>>, meta: FieldPatchMeta, path: string[]): void {
    for (const [t, item] of v.a) {
      const old = v.b.get(t);
      if (item === old) continue;
      path.push(t);
      if (old === undefined) this.added(subtreeValues(item, meta, { path, item: true }));
      else if (!sameFieldValue(item, old)) {
        this.changed.add(encodePath([...path, '.']));
        this.value({ a: item, b: old }, meta.type ?? UNTAGGED, path);
      }
      path.pop();
    }
    for (const [t, old] of v.b) {
      if (v.a.has(t)) continue;
      path.push(t);
      this.gone(subtreeValues(old, meta, { path, item: true }));
      path.pop();
    }
  }
}

/**
 * The leaves an update changed and removed, as comparing `fieldValuesOf` of both versions
 * gives them, without listing every leaf the two share: a status write compares only what it
 * changed, not the whole object twice.
 */
export function diffFields(
  next: JsonObject,
  old: JsonObject,
  schema: StructPatchSchema,
): FieldDiff {
  const d = new Differ();
  const top = { a: next, b: old, skip: new Set(['apiVersion', 'kind', 'metadata']) };
  d.fields(top, schema, []);
  // A KubeObject's metadata is an object; the fields no manager owns are left out.
  const a = isJsonObject(next['metadata']) ? next['metadata'] : {};
  const b = isJsonObject(old['metadata']) ? old['metadata'] : {};
  const type = fieldMeta(schema, 'metadata').type ?? UNTAGGED;
  d.fields({ a, b, skip: UNOWNED_META }, type, ['f:metadata']);
  return d;
}

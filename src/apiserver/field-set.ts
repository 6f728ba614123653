import { isJsonObject, type JsonObject, type JsonValue } from '../api/index.ts';
import {
  fieldMeta,
  UNTAGGED,
  type FieldPatchMeta,
  type StructPatchSchema,
} from './patch/schema.ts';

/**
 * Field sets in the shape of structured-merge-diff's FieldsV1: a path is a list of tokens,
 * `f:<field>`, `k:<json of key fields>` (an item of a keyed list), `v:<json>` (an item of a set)
 * and `.` (the item itself). A set holds leaf paths, each encoded by `encodePath`.
 */
export type FieldSet = Set<string>;

/**
 * Paths are joined with NUL: tokens never contain it (field names are JSON-escaped inside `k:`
 * and `v:` tokens, and API field names have none), and joining is far cheaper than JSON.
 */
const SEP = '\u0000';

export function encodePath(path: readonly string[]): string {
  return path.join(SEP);
}

export function decodePath(encoded: string): string[] {
  return encoded.split(SEP);
}

type ListKind = { kind: 'map'; key: string } | { kind: 'set' } | { kind: 'atomic' };

/**
 * How a list is merged. Kiln derives it from the strategic-merge tags: a keyed merge list is a
 * `listType=map`, a merge list of scalars a `set`, any other list `atomic`.
 */
export function listKind(meta: FieldPatchMeta): ListKind {
  const merge = (meta.patchStrategy ?? '').split(',').includes('merge');
  if (merge && meta.patchMergeKey !== undefined) return { kind: 'map', key: meta.patchMergeKey };
  if (merge) return { kind: 'set' };
  return { kind: 'atomic' };
}

export function itemToken(kind: ListKind, item: JsonValue): string | undefined {
  if (kind.kind === 'map') {
    if (!isJsonObject(item) || item[kind.key] === undefined) return undefined;
    return `k:${JSON.stringify({ [kind.key]: item[kind.key] })}`;
  }
  if (kind.kind === 'set') return `v:${JSON.stringify(item)}`;
  return undefined;
}

/** Leaf paths with the value `valueAt` finds at each. */
export type FieldValues = Map<string, JsonValue | undefined>;

/**
 * Collects the leaf paths of one object into `out` while walking it against its schema and,
 * with `values`, the value at each path as `valueAt` would find it: the first list item with a
 * given key answers for its key, so paths only a later duplicate has hold undefined.
 */
class LeafCollector {
  readonly out: FieldSet = new Set();
  readonly values: FieldValues | undefined;
  /** Depth of duplicate list items being walked (their values are shadowed by the first). */
  #shadowed = 0;

  constructor(o: { values?: FieldValues }) {
    this.values = o.values;
  }

  #leaf(path: readonly string[], value: JsonValue | undefined): void {
    const encoded = encodePath(path);
    this.out.add(encoded);
    if (this.values !== undefined && !this.values.has(encoded))
      this.values.set(encoded, this.#shadowed > 0 ? undefined : value);
  }

  value(value: JsonValue | undefined, schema: StructPatchSchema, path: string[]): void {
    if (!isJsonObject(value)) {
      this.#leaf(path, value);
      return;
    }
    const keys = Object.keys(value).filter((k) => value[k] !== undefined);
    if (keys.length === 0) {
      this.#leaf(path, value);
      return;
    }
    for (const k of keys) this.field(value[k], fieldMeta(schema, k), [...path, `f:${k}`]);
  }

  field(value: JsonValue | undefined, meta: FieldPatchMeta, path: string[]): void {
    if (Array.isArray(value)) this.list(value, meta, path);
    else this.value(value, meta.type ?? UNTAGGED, path);
  }

  list(list: JsonValue[], meta: FieldPatchMeta, path: string[]): void {
    const kind = listKind(meta);
    if (kind.kind === 'atomic' || list.length === 0) {
      this.#leaf(path, list);
      return;
    }
    const seen = new Set<string>();
    for (const item of list) {
      const token = itemToken(kind, item);
      // An item without its key cannot be addressed, so the whole list counts as one leaf.
      if (token === undefined) {
        this.#leaf(path, list);
        return;
      }
      const p = [...path, token];
      if (kind.kind === 'set') {
        this.#leaf(p, item);
        continue;
      }
      this.#leaf([...p, '.'], item);
      const duplicate = seen.has(token);
      seen.add(token);
      if (duplicate) this.#shadowed++;
      this.value(item, meta.type ?? UNTAGGED, p);
      if (duplicate) this.#shadowed--;
    }
  }
}

/**
 * The leaves of one field's value at `path` (and with `item`, of one keyed list item: its `.`
 * leaf too), with their values: what walking the whole object records under that path.
 */
export function subtreeValues(
  value: JsonValue | undefined,
  meta: FieldPatchMeta,
  at: { path: string[]; item?: boolean },
): FieldValues {
  const values: FieldValues = new Map();
  const c = new LeafCollector({ values });
  if (at.item === true) {
    values.set(encodePath([...at.path, '.']), value);
    c.value(value, meta.type ?? UNTAGGED, at.path);
  } else c.field(value, meta, at.path);
  return values;
}

/** Fields that no manager owns: identity and server-managed metadata. */
export const UNOWNED_META: ReadonlySet<string> = new Set([
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
  'generateName',
]);

/** The leaf fields an object sets, as structured-merge-diff counts them. */
export function fieldSetOf(obj: JsonObject, schema: StructPatchSchema): FieldSet {
  return collect(obj, schema, new LeafCollector({})).out;
}

/** The metadata fields a manager may own. */
function ownedMetadata(v: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(v).filter(([mk]) => !UNOWNED_META.has(mk)));
}

function collect(obj: JsonObject, schema: StructPatchSchema, leaves: LeafCollector): LeafCollector {
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isJsonObject(v)) {
      const meta = ownedMetadata(v);
      if (Object.keys(meta).length > 0)
        leaves.value(meta, fieldMeta(schema, 'metadata').type ?? UNTAGGED, ['f:metadata']);
      continue;
    }
    leaves.field(v, fieldMeta(schema, k), [`f:${k}`]);
  }
  return leaves;
}

/**
 * An object's fields as FieldsV1, built in one walk: what `toFieldsV1(fieldSetOf(obj))` gives,
 * without making, encoding and decoding every path (every create records it). The walk is
 * LeafCollector's; each node is made as the walk enters it, as every entered node holds a leaf.
 */
export function fieldsV1Of(obj: JsonObject, schema: StructPatchSchema): JsonObject {
  const root: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined || k === 'apiVersion' || k === 'kind') continue;
    if (k === 'metadata' && isJsonObject(v)) {
      const meta = ownedMetadata(v);
      if (Object.keys(meta).length > 0)
        treeValue(childNode(root, 'f:metadata'), meta, fieldMeta(schema, 'metadata').type);
      continue;
    }
    treeField(childNode(root, `f:${k}`), v, fieldMeta(schema, k));
  }
  return sortedTree(root);
}

function childNode(node: JsonObject, token: string): JsonObject {
  const existing = node[token];
  if (isJsonObject(existing)) return existing;
  const created: JsonObject = {};
  node[token] = created;
  return created;
}

function treeValue(
  node: JsonObject,
  value: JsonValue | undefined,
  schema: StructPatchSchema | undefined,
): void {
  if (!isJsonObject(value)) return;
  for (const k in value) {
    const v = value[k];
    if (v !== undefined) treeField(childNode(node, `f:${k}`), v, fieldMeta(schema ?? UNTAGGED, k));
  }
}

function treeField(node: JsonObject, value: JsonValue, meta: FieldPatchMeta): void {
  if (Array.isArray(value)) treeList(node, value, meta);
  else treeValue(node, value, meta.type);
}

function treeList(node: JsonObject, list: JsonValue[], meta: FieldPatchMeta): void {
  const kind = listKind(meta);
  if (kind.kind === 'atomic') return;
  for (const item of list) {
    const token = itemToken(kind, item);
    // An item without its key makes the whole list one leaf (items before it stay).
    if (token === undefined) return;
    const itemNode = childNode(node, token);
    if (kind.kind === 'set') continue;
    childNode(itemNode, '.');
    treeValue(itemNode, item, meta.type);
  }
}

function insertPath(root: JsonObject, path: readonly string[]): void {
  let node = root;
  for (const token of path) {
    const next = node[token];
    if (isJsonObject(next)) node = next;
    else {
      const created: JsonObject = {};
      node[token] = created;
      node = created;
    }
  }
}

/**
 * A set as FieldsV1 JSON: nested objects keyed by tokens, leaves `{}`, each level's keys in
 * sorted order. Sorting each level's tokens orders the paths as sorting the encoded paths would
 * (the separator sorts below every token character), without sorting whole paths.
 */
export function toFieldsV1(set: FieldSet): JsonObject {
  const root: JsonObject = {};
  for (const encoded of set) insertPath(root, decodePath(encoded));
  return sortedTree(root);
}

function sortedTree(node: JsonObject): JsonObject {
  const keys = Object.keys(node);
  if (keys.length === 0) return node;
  keys.sort();
  const out: JsonObject = {};
  // SAFETY: every value in a tree built by toFieldsV1 is an object.
  for (const k of keys) out[k] = sortedTree(node[k] as JsonObject);
  return out;
}

/** FieldsV1 JSON back to a set of leaf paths. */
export function fromFieldsV1(v: unknown): FieldSet {
  const out: FieldSet = new Set();
  const visit = (node: JsonObject, path: string[]): void => {
    const keys = Object.keys(node);
    if (keys.length === 0 && path.length > 0) out.add(encodePath(path));
    for (const k of keys) {
      const child = node[k];
      if (isJsonObject(child)) visit(child, [...path, k]);
    }
  };
  if (isJsonObject(v)) visit(v, []);
  return out;
}

/** Whether `encoded` is a leaf of the FieldsV1 `v` (as `fromFieldsV1(v).has(encoded)`). */
export function fieldsV1HasLeaf(v: unknown, encoded: string): boolean {
  let node = v;
  for (const token of decodePath(encoded)) {
    if (!isJsonObject(node) || !Object.hasOwn(node, token)) return false;
    node = node[token];
  }
  if (!isJsonObject(node)) return false;
  for (const _ in node) return false;
  return true;
}

/** Whether the FieldsV1 `v` has any leaf (as `fromFieldsV1(v).size > 0`). */
export function fieldsV1HasAnyLeaf(v: unknown): boolean {
  if (!isJsonObject(v)) return false;
  for (const k in v) {
    const child = v[k];
    if (!isJsonObject(child)) continue;
    let empty = true;
    for (const _ in child) {
      empty = false;
      break;
    }
    if (empty || fieldsV1HasAnyLeaf(child)) return true;
  }
  return false;
}

/**
 * Whether `toFieldsV1(fromFieldsV1(v))` would give `v` back as it is: objects all the way down
 * with keys in sorted order, as `toFieldsV1` writes them. Lets an untouched entry be kept.
 */
export function isCanonicalFieldsV1(v: unknown): v is JsonObject {
  if (!isJsonObject(v)) return false;
  let previous: string | undefined;
  for (const k in v) {
    if (previous !== undefined && !(previous < k)) return false;
    previous = k;
    if (!isCanonicalFieldsV1(v[k])) return false;
  }
  return true;
}

/** JSON equality of two field values, as comparing their JSON.stringify texts. */
export function sameFieldValue(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Something as it was before a write and as it is after it. */
export interface BeforeAfter<T> {
  readonly before: T;
  readonly after: T;
}

/** Leaf paths of `fields.after` that are new or hold a different value than before. */
export function changedFields(
  fields: BeforeAfter<FieldSet>,
  values: BeforeAfter<JsonObject>,
  schema: StructPatchSchema,
): FieldSet {
  const out: FieldSet = new Set();
  for (const p of fields.after) {
    if (!fields.before.has(p) || !sameAt(values, p, schema)) out.add(p);
  }
  return out;
}

function sameAt(
  values: BeforeAfter<JsonObject>,
  encoded: string,
  schema: StructPatchSchema,
): boolean {
  // SAFETY: members are JSON string arrays (see toFieldsV1).
  const path = decodePath(encoded);
  return (
    JSON.stringify(valueAt(values.before, path, schema)) ===
    JSON.stringify(valueAt(values.after, path, schema))
  );
}

/** The value at a field path, or undefined. */
export function valueAt(
  obj: JsonValue | undefined,
  path: readonly string[],
  schema: StructPatchSchema,
): JsonValue | undefined {
  let node: JsonValue | undefined = obj;
  let s: StructPatchSchema = schema;
  let meta: FieldPatchMeta = {};
  for (const token of path) {
    if (token === '.') return node;
    if (token.startsWith('f:')) {
      if (!isJsonObject(node)) return undefined;
      const name = token.slice(2);
      meta = fieldMeta(s, name);
      node = node[name];
      s = meta.type ?? UNTAGGED;
      continue;
    }
    if (!Array.isArray(node)) return undefined;
    const kind = listKind(meta);
    node = node.find((item) => itemToken(kind, item) === token);
  }
  return node;
}

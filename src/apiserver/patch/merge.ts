import { isJsonObject, type JsonObject, type JsonValue } from '../../api/index.ts';
import { PatchError } from './errors.ts';
import { goString, goTypeName, goValue } from './go-format.ts';
import {
  fieldMeta,
  listOrMapStrategy,
  UNTAGGED,
  type FieldPatchMeta,
  type StructPatchSchema,
} from './schema.ts';

/*
 * The server half of apimachinery's strategicpatch (StrategicMergeMapPatch with
 * MergeParallelList and IgnoreUnmatchedNulls), ported function by function so that results,
 * ordering and error messages match kube-apiserver. Where upstream leaves directive keys or
 * nulls in its map and relies on decoding into Go structs to drop them, the port drops them
 * itself (see decodeLike).
 *
 * Inputs are deep-copied once at the entry point; everything below mutates only those copies.
 */

const DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';
const MAP_TYPE = 'map[string]interface {}';
const LIST_TYPE = '[]interface {}';

// JSON plumbing

function has(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key) && o[key] !== undefined;
}

/** Sets a key, including `__proto__`, which plain assignment would treat as the prototype. */
function put(o: JsonObject, key: string, value: JsonValue): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

function remove(o: JsonObject, key: string): void {
  Reflect.deleteProperty(o, key);
}

function cloneValue(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(cloneValue);
  return isJsonObject(v) ? cloneObject(v) : v;
}

/** A deep copy without `undefined` members, so "absent" has a single spelling below. */
function cloneObject(o: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) put(out, k, cloneValue(v));
  return out;
}

/** Go's `==` on decoded JSON values, with absent as nil. Go panics on maps and slices; here they differ. */
function goEqual(a: JsonValue | undefined, b: JsonValue | undefined): boolean {
  return (a ?? null) === (b ?? null);
}

// Errors, in apimachinery's words (mergepatch/errors.go, strategicpatch/patch.go)

const badArgType = (expected: string, actual: JsonValue | undefined): PatchError =>
  new PatchError(
    'KILN_PATCH_BAD_TYPE',
    `expected a ${expected}, but received a ${goTypeName(actual)}`,
  );

const noMergeKey = (m: JsonObject, key: string): PatchError =>
  new PatchError(
    'KILN_PATCH_MISSING_MERGE_KEY',
    `map: ${goValue(m)} does not contain declared merge key: ${key}`,
  );

const badPatchType = (directive: JsonValue | undefined, m: JsonObject): PatchError =>
  new PatchError(
    'KILN_PATCH_BAD_DIRECTIVE',
    `unknown patch type: ${goString(directive)} in map: ${goValue(m)}`,
  );

const notAMap = (index: number): PatchError =>
  new PatchError('KILN_PATCH_BAD_TYPE', `value for key ${index} is not a map`);

// Turning patch content into result content

/**
 * strategicpatch.removeDirectives: an object carrying `$patch` disappears (from its parent
 * object or list); everything else is kept. Returns undefined when `v` itself disappears.
 */
function removeDirectives(v: JsonValue): JsonValue | undefined {
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      const kept = removeDirectives(item);
      return kept === undefined ? [] : [kept];
    });
  }
  if (!isJsonObject(v)) return v;
  if (has(v, DIRECTIVE)) return undefined;
  const out: JsonObject = {};
  for (const [k, item] of Object.entries(v)) {
    if (item === undefined) continue;
    const kept = removeDirectives(item);
    if (kept !== undefined) put(out, k, kept);
  }
  return out;
}

/**
 * What decoding into a Go struct and encoding again does to patch content that upstream copies
 * verbatim: `$`-keys are unknown fields and vanish, `null` members become zero values that
 * `omitempty` drops.
 */
function decodeLike(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map(decodeLike);
  if (!isJsonObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, item] of Object.entries(v)) {
    if (item === undefined || item === null || k.startsWith('$')) continue;
    put(out, k, decodeLike(item));
  }
  return out;
}

/** Patch content that lands where the original has nothing to merge with. */
function materialize(v: JsonValue): JsonValue | undefined {
  const kept = removeDirectives(v);
  return kept === undefined ? undefined : decodeLike(kept);
}

function putMaterialized(o: JsonObject, key: string, v: JsonValue): void {
  const value = materialize(v);
  if (value === undefined) remove(o, key);
  else put(o, key, value);
}

// Directive keys

/** strategicpatch.extractKey: `$prefix/field` → `field`. */
function extractKey(directiveKey: string, prefix: string): string {
  const slash = directiveKey.indexOf('/');
  if (slash >= 0 && directiveKey.slice(0, slash) === prefix) return directiveKey.slice(slash + 1);
  throw prefix === DELETE_FROM_PRIMITIVE_LIST
    ? new PatchError('KILN_PATCH_BAD_PRIMITIVE_LIST', 'invalid patch format of primitive list')
    : new PatchError(
        'KILN_PATCH_BAD_SET_ELEMENT_ORDER',
        'invalid patch format of setElementOrder list',
      );
}

// Lists: element types, keys and order

interface Keyed {
  /** The merge key; '' for lists of primitives. */
  readonly mergeKey: string;
  /** Whether the items are objects (Go: reflect.Map). */
  readonly isMap: boolean;
}

/**
 * strategicpatch.sliceElementType: the one Go type all items share. Undefined when there are
 * no items at all, where upstream errors ("no elements in any of the given slices"); callers
 * then have nothing to order, so the port carries on.
 */
function elementType(lists: readonly (readonly JsonValue[])[]): string | undefined {
  let type: string | undefined;
  for (const item of lists.flat()) {
    const current = goTypeName(item);
    if (type === undefined) {
      if (current === LIST_TYPE) {
        throw new PatchError('KILN_PATCH_LIST_OF_LISTS', 'lists of lists are not supported');
      }
      type = current;
    } else if (type !== current) {
      throw new PatchError(
        'KILN_PATCH_BAD_TYPE',
        `list element types are not identical: ${goValue(lists.map((l) => [...l]))}`,
      );
    }
  }
  return type;
}

/** The index of `value`'s merge-key value (or of `value` itself) in `list`, or -1. */
function indexIn(list: readonly JsonValue[], value: JsonValue, k: Keyed): number {
  const keyOf = (item: JsonValue): JsonValue | undefined =>
    k.isMap ? (isJsonObject(item) ? item[k.mergeKey] : undefined) : item;
  const wanted = keyOf(value);
  return list.findIndex((item) => goEqual(keyOf(item), wanted));
}

/** strategicpatch.findMapInSliceBasedOnKeyValue. */
function findByKey(list: readonly JsonValue[], key: string, value: JsonValue | undefined): number {
  for (const [i, item] of list.entries()) {
    if (!isJsonObject(item)) throw notAMap(i);
    if (has(item, key) && goEqual(item[key], value)) return i;
  }
  return -1;
}

function validateMergeKeyInLists(mergeKey: string, lists: readonly (readonly JsonValue[])[]): void {
  for (const item of lists.flat()) {
    if (!isJsonObject(item)) throw badArgType(MAP_TYPE, item);
    if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
  }
}

interface Partition {
  /** Items named by the patch (or by `$setElementOrder`). */
  readonly inPatch: JsonValue[];
  /** Items only the live object has. */
  readonly serverOnly: JsonValue[];
}

/** strategicpatch.partitionPrimitivesByPresentInList / partitionMapsByPresentInList. */
function partition(
  merged: readonly JsonValue[],
  by: readonly JsonValue[],
  mergeKey: string,
): Partition {
  const inPatch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const item of merged) {
    let found: boolean;
    if (mergeKey === '') {
      found = by.some((b) => goEqual(b, item));
    } else {
      if (!isJsonObject(item)) throw badArgType(MAP_TYPE, item);
      if (!Object.hasOwn(item, mergeKey)) throw noMergeKey(item, mergeKey);
      found = findByKey(by, mergeKey, item[mergeKey]) >= 0;
    }
    (found ? inPatch : serverOnly).push(item);
  }
  return { inPatch, serverOnly };
}

/** strategicpatch.normalizeSliceOrder: sort by position in `order`; `$patch: delete` items last. */
function sortByOrder(
  toSort: readonly JsonValue[],
  order: readonly JsonValue[],
  k: Keyed,
): JsonValue[] {
  let items = [...toSort];
  let toDelete: JsonValue[] = [];
  if (k.isMap) {
    validateMergeKeyInLists(k.mergeKey, [toSort, order]);
    const isDelete = (v: JsonValue): boolean => isJsonObject(v) && v[DIRECTIVE] === 'delete';
    toDelete = items.filter(isDelete);
    items = items.filter((v) => !isDelete(v));
  }
  const position = (v: JsonValue): number => indexIn(order, v, k);
  items.sort((a, b) => {
    const pa = position(a);
    const pb = position(b);
    return pa >= 0 && pb >= 0 ? pa - pb : 0;
  });
  return [...items, ...toDelete];
}

interface OrderInput extends Keyed {
  readonly parts: Partition;
  /** The order the patch asks for: `$setElementOrder`, else the patch list. */
  readonly patchOrder: readonly JsonValue[];
  /** The live list, whose order server-only items keep. */
  readonly serverOrder: readonly JsonValue[];
}

/**
 * strategicpatch.normalizeElementOrder + mergeSortedSlice: patch items in patch order,
 * server-only items in live order, interleaved where the live order relates them.
 */
function normalizeElementOrder(o: OrderInput): JsonValue[] {
  const right = sortByOrder(o.parts.inPatch, o.patchOrder, o);
  const left = sortByOrder(o.parts.serverOnly, o.serverOrder, o);
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    const l = left[i];
    const r = right[j];
    if (l === undefined || r === undefined) {
      out.push(...left.slice(i), ...right.slice(j));
      break;
    }
    const li = indexIn(o.serverOrder, l, o);
    const ri = indexIn(o.serverOrder, r, o);
    if (li >= 0 && ri >= 0 && li < ri) {
      out.push(l);
      i++;
    } else {
      out.push(r);
      j++;
    }
  }
  return out;
}

// Merging lists

interface ListMerge {
  readonly original: JsonValue[];
  readonly patch: JsonValue[];
  readonly meta: FieldPatchMeta;
  /** The patch list came from `$deleteFromPrimitiveList/<field>`. */
  readonly isDeleteList: boolean;
}

interface ListResult {
  readonly merged: JsonValue[];
  /**
   * The live list as upstream's caller sees it afterwards. Go deletes list items by shifting
   * them down in the live list's own array and appends new items into the slots that frees,
   * so the caller's view of "the live order" (which `$setElementOrder` uses to place
   * server-only items) is that array, not the list it passed in.
   */
  readonly liveView: readonly JsonValue[];
}

/** strategicpatch.mergeSliceHandler: merge by strategy, else the patch list replaces. */
function mergeListField(l: ListMerge): ListResult {
  if (listOrMapStrategy(l.meta) === 'merge' || l.isDeleteList) return mergeList(l);
  return { merged: l.patch.map(decodeLike), liveView: l.original };
}

/** strategicpatch.mergeSlice. */
function mergeList(l: ListMerge): ListResult {
  if (l.original.length === 0 && l.patch.length === 0) {
    return { merged: l.original, liveView: l.original };
  }
  const isMap = elementType([l.original, l.patch]) === MAP_TYPE;
  if (!isMap) return { merged: mergePrimitiveList(l), liveView: l.original };
  const mergeKey = l.meta.patchMergeKey ?? '';
  if (mergeKey === '') {
    throw new PatchError(
      'KILN_PATCH_NO_MERGE_KEY',
      'cannot merge lists without merge key for struct',
    );
  }
  // SAFETY: elementType found every item of both lists to be an object.
  const special = applySpecialElements(
    l.original as JsonObject[],
    l.patch as JsonObject[],
    mergeKey,
  );
  const merged = mergeByKey({ ...special, mergeKey, schema: l.meta.type ?? UNTAGGED });
  const ordered = normalizeElementOrder({
    parts: partition(merged, special.patch, mergeKey),
    patchOrder: special.patch,
    serverOrder: special.original,
    mergeKey,
    isMap,
  });
  return { merged: ordered, liveView: liveViewAfterAppends(special, merged) };
}

/** Go's append writes new items into the slots deletions freed at the end of the live array. */
function liveViewAfterAppends(special: SpecialElements, merged: readonly JsonValue[]): JsonValue[] {
  if (special.replaced) return special.backing;
  const appended = merged.slice(special.original.length);
  const free = special.original.length;
  return special.backing.map((v, i) => (i >= free ? (appended[i - free] ?? v) : v));
}

/** Lists of primitives: a set union, or a set difference for `$deleteFromPrimitiveList`. */
function mergePrimitiveList(l: ListMerge): JsonValue[] {
  if (l.isDeleteList) return l.original.filter((v) => !l.patch.some((d) => goEqual(v, d)));
  const merged: JsonValue[] = [];
  for (const v of [...l.original, ...l.patch]) {
    if (!merged.some((m) => goEqual(m, v))) merged.push(v);
  }
  return normalizeElementOrder({
    parts: partition(merged, l.patch, ''),
    patchOrder: l.patch,
    serverOrder: l.original,
    mergeKey: '',
    isMap: false,
  });
}

interface SpecialElements {
  /** The live items left after `$patch: delete` items, or the patch items after `$patch: replace`. */
  readonly original: JsonObject[];
  /** The patch items without directives. */
  readonly patch: JsonObject[];
  /** The live array after Go's in-place deletions (see ListResult.liveView). */
  readonly backing: JsonObject[];
  /** A `{"$patch": "replace"}` item made the patch items the whole list. */
  readonly replaced: boolean;
}

/**
 * strategicpatch.deleteMatchingEntries on the first `length` slots of `backing`, in place, as
 * Go's `append(s[:i], s[i+1:]...)` does. Returns the new length.
 */
function deleteInPlace(
  backing: JsonObject[],
  length: number,
  match: (o: JsonObject) => boolean,
): number {
  let n = length;
  const next = (): number => backing.slice(0, n).findIndex(match);
  for (let i = next(); i >= 0; i = next()) {
    backing.copyWithin(i, i + 1, n);
    n--;
  }
  return n;
}

/** strategicpatch.mergeSliceWithSpecialElements: list items carrying `$patch`. */
function applySpecialElements(
  original: readonly JsonObject[],
  patch: readonly JsonObject[],
  mergeKey: string,
): SpecialElements {
  const backing = [...original];
  let length = backing.length;
  const plain: JsonObject[] = [];
  let replaced = false;
  for (const item of patch) {
    if (!has(item, DIRECTIVE)) {
      plain.push(item);
      continue;
    }
    const directive = item[DIRECTIVE];
    if (directive === 'delete') {
      if (!has(item, mergeKey)) throw noMergeKey(item, mergeKey);
      const value = item[mergeKey];
      length = deleteInPlace(
        backing,
        length,
        (o) => has(o, mergeKey) && goEqual(o[mergeKey], value),
      );
    } else if (directive === 'replace') {
      replaced = true;
    } else if (directive === 'merge') {
      throw new PatchError(
        'KILN_PATCH_BAD_DIRECTIVE',
        'merging lists cannot yet be specified in the patch',
      );
    } else {
      throw badPatchType(directive, item);
    }
  }
  return replaced
    ? { original: plain.map(decodeObject), patch: [], backing, replaced }
    : { original: backing.slice(0, length), patch: plain, backing, replaced };
}

function decodeObject(o: JsonObject): JsonObject {
  const decoded = decodeLike(o);
  // SAFETY: decodeLike maps an object to an object.
  return decoded as JsonObject;
}

interface KeyedMerge {
  readonly original: readonly JsonObject[];
  readonly patch: readonly JsonObject[];
  readonly mergeKey: string;
  readonly schema: StructPatchSchema;
}

/**
 * strategicpatch.mergeSliceWithoutSpecialElements: merge items by key, append new ones.
 * The result starts with the live items, in place, followed by the appended ones.
 */
function mergeByKey(m: KeyedMerge): JsonValue[] {
  const result: JsonValue[] = [...m.original];
  for (const item of m.patch) {
    if (!has(item, m.mergeKey)) throw noMergeKey(item, m.mergeKey);
    const at = findByKey(result, m.mergeKey, item[m.mergeKey]);
    const live = result[at];
    if (at >= 0 && isJsonObject(live)) result[at] = mergeMap(live, item, m.schema);
    else result.push(decodeLike(item));
  }
  return result;
}

// Merging maps

interface MapMerge {
  readonly original: JsonObject;
  readonly patch: JsonObject;
  readonly schema: StructPatchSchema;
}

/** strategicpatch.mergeMap. */
function mergeMap(original: JsonObject, patch: JsonObject, schema: StructPatchSchema): JsonObject {
  if (has(patch, DIRECTIVE)) return mapDirective(patch);
  const m: MapMerge = { original, patch, schema };
  applyRetainKeys(m);
  for (const key of Object.keys(patch)) {
    if (key.startsWith(SET_ELEMENT_ORDER)) mergeOrderedList(m, key);
  }
  for (const key of Object.keys(patch)) mergeField(m, key);
  return original;
}

/** strategicpatch.handleDirectiveInMergeMap: `$patch` on an object. */
function mapDirective(patch: JsonObject): JsonObject {
  const directive = patch[DIRECTIVE];
  if (directive === 'delete') return {};
  if (directive !== 'replace') throw badPatchType(directive, patch);
  remove(patch, DIRECTIVE);
  return decodeObject(patch);
}

const badRetainKeys = (): PatchError =>
  new PatchError('KILN_PATCH_BAD_RETAIN_KEYS', 'invalid patch format of retainKeys');

/** strategicpatch.applyRetainKeysDirective: drop live keys the patch does not retain. */
function applyRetainKeys(m: MapMerge): void {
  if (!has(m.patch, RETAIN_KEYS)) return;
  const retain = m.patch[RETAIN_KEYS];
  remove(m.patch, RETAIN_KEYS);
  if (!Array.isArray(retain)) throw badRetainKeys();
  const kept = new Set(retain.filter((k) => typeof k === 'string'));
  for (const [k, v] of Object.entries(m.patch)) {
    if (v === null || v === undefined) continue;
    if (k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!kept.has(k)) throw badRetainKeys();
  }
  for (const k of Object.keys(m.original)) if (!kept.has(k)) remove(m.original, k);
}

/** The list at `key`, or undefined when absent; anything else is an error. */
function listAt(o: JsonObject, key: string): JsonValue[] | undefined {
  if (!Object.hasOwn(o, key)) return undefined;
  const v = o[key];
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw badArgType(LIST_TYPE, v);
  return v;
}

/**
 * strategicpatch.mergePatchIntoOriginal for one `$setElementOrder/<field>`: merge the field's
 * patch list (if any) and order the result as the directive says. The directive never adds
 * items: names it lists that neither side has are ignored.
 */
function mergeOrderedList(m: MapMerge, directiveKey: string): void {
  const order = m.patch[directiveKey];
  remove(m.patch, directiveKey);
  if (!Array.isArray(order)) throw badArgType(LIST_TYPE, order);
  const key = extractKey(directiveKey, SET_ELEMENT_ORDER);
  const originalList = listAt(m.original, key);
  const patchList = listAt(m.patch, key);
  const meta = fieldMeta(m.schema, key);
  const mergeKey = meta.patchMergeKey ?? '';
  validatePatchWithSetOrderList(patchList ?? [], order, mergeKey);
  if (originalList === undefined && patchList === undefined) return;
  const result = mergeForOrder({ originalList, patchList, meta });
  remove(m.patch, key);
  if (result === undefined) return;
  const type = elementType([result.liveView, patchList ?? []]);
  if (type === undefined) {
    put(m.original, key, result.merged);
    return;
  }
  const ordered = normalizeElementOrder({
    parts: partition(result.merged, order, mergeKey),
    patchOrder: order,
    serverOrder: result.liveView,
    mergeKey,
    isMap: type === MAP_TYPE,
  });
  put(m.original, key, ordered);
}

interface OrderedLists {
  readonly originalList: JsonValue[] | undefined;
  readonly patchList: JsonValue[] | undefined;
  readonly meta: FieldPatchMeta;
}

function mergeForOrder(o: OrderedLists): ListResult | undefined {
  if (o.patchList === undefined) {
    return o.originalList && { merged: o.originalList, liveView: o.originalList };
  }
  if (o.originalList === undefined) {
    const value = materialize(o.patchList);
    return Array.isArray(value) ? { merged: value, liveView: [] } : undefined;
  }
  return mergeListField({
    original: o.originalList,
    patch: o.patchList,
    meta: o.meta,
    isDeleteList: false,
  });
}

/**
 * strategicpatch.validatePatchWithSetOrderList: the patch list must name its items in the
 * order `$setElementOrder` gives them, and name none it does not give.
 */
function validatePatchWithSetOrderList(
  patchList: readonly JsonValue[],
  order: readonly JsonValue[],
  mergeKey: string,
): void {
  if (order.length === 0 || patchList.length === 0) return;
  // Items carrying a directive take no place in the order.
  const items = (mergeKey === '' ? patchList : withoutDeletes(patchList)).filter(
    (v) => !(isJsonObject(v) && has(v, DIRECTIVE)),
  );
  let p = 0;
  for (const entry of order) {
    const item = items[p];
    if (item !== undefined && mergeKeyValueEqual(item, entry, mergeKey)) p++;
  }
  if (p < items.length) {
    throw new PatchError(
      'KILN_PATCH_ORDER_MISMATCH',
      `The order in patch list:\n${goValue([...patchList])}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue([...order])}\n`,
    );
  }
}

/** strategicpatch.extractToDeleteItems, keeping the non-delete half. */
function withoutDeletes(list: readonly JsonValue[]): JsonValue[] {
  return list.filter((v) => {
    if (!isJsonObject(v)) throw badArgType(MAP_TYPE, v);
    return v[DIRECTIVE] !== 'delete';
  });
}

function mergeKeyValueEqual(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (mergeKey === '') return goEqual(left, right);
  if (!isJsonObject(left)) throw badArgType(MAP_TYPE, left);
  if (!isJsonObject(right)) throw badArgType(MAP_TYPE, right);
  if (!Object.hasOwn(left, mergeKey)) throw noMergeKey(left, mergeKey);
  if (!Object.hasOwn(right, mergeKey)) throw noMergeKey(right, mergeKey);
  return goEqual(left[mergeKey], right[mergeKey]);
}

interface ResolvedKey {
  readonly key: string;
  readonly isDeleteList: boolean;
}

/** The field a patch key addresses; undefined for directives that are not for fields. */
function resolveKey(patchKey: string): ResolvedKey | undefined {
  if (patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
    return { key: extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST), isDeleteList: true };
  }
  // Unknown directives are ignored, as decoding into the Go struct ignores them upstream.
  if (patchKey.startsWith('$')) return undefined;
  return { key: patchKey, isDeleteList: false };
}

/** One iteration of strategicpatch.mergeMap's loop. */
function mergeField(m: MapMerge, patchKey: string): void {
  const patchValue = m.patch[patchKey];
  const resolved = patchValue === undefined ? undefined : resolveKey(patchKey);
  if (resolved === undefined || patchValue === undefined) return;
  const { key, isDeleteList } = resolved;
  if (patchValue === null) {
    remove(m.original, key);
    return;
  }
  const originalValue = has(m.original, key) ? m.original[key] : undefined;
  if (originalValue === undefined || goTypeName(originalValue) !== goTypeName(patchValue)) {
    if (!isDeleteList) putMaterialized(m.original, key, patchValue);
    return;
  }
  put(
    m.original,
    key,
    mergeValues({ originalValue, patchValue, meta: fieldMeta(m.schema, key), isDeleteList }),
  );
}

interface ValueMerge {
  readonly originalValue: JsonValue;
  readonly patchValue: JsonValue;
  readonly meta: FieldPatchMeta;
  readonly isDeleteList: boolean;
}

/** Two values of the same Go type: objects and lists merge by strategy, the patch wins otherwise. */
function mergeValues(v: ValueMerge): JsonValue {
  const { originalValue, patchValue, meta } = v;
  if (isJsonObject(originalValue) && isJsonObject(patchValue)) {
    return listOrMapStrategy(meta) === 'replace'
      ? decodeObject(patchValue)
      : mergeMap(originalValue, patchValue, meta.type ?? UNTAGGED);
  }
  if (Array.isArray(originalValue) && Array.isArray(patchValue)) {
    return mergeListField({
      original: originalValue,
      patch: patchValue,
      meta,
      isDeleteList: v.isDeleteList,
    }).merged;
  }
  return patchValue;
}

/**
 * Applies a strategic merge patch to `original` under `schema`. Pure: neither input is
 * modified and the result shares no structure with them.
 */
export function strategicMerge(
  original: JsonObject,
  patch: JsonObject,
  schema: StructPatchSchema,
): JsonObject {
  return mergeMap(cloneObject(original), cloneObject(patch), schema);
}

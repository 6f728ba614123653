import {
  isJsonObject,
  type GroupVersionKind,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from '../api/index.ts';
import { errors } from './errors.ts';
import { ApiError, statusFailure } from './errors.ts';
import {
  fieldSetOf,
  itemToken,
  listKind,
  valueAt,
  type FieldSet,
  decodePath,
} from './field-set.ts';
import { readEntries, schemaFor, writeEntries } from './managed-fields.ts';
import {
  fieldMeta,
  UNTAGGED,
  type FieldPatchMeta,
  type StructPatchSchema,
} from './patch/schema.ts';
import { cloneJson } from '../util/index.ts';

export interface ApplyInput {
  readonly live: KubeObject;
  readonly applied: JsonObject;
  readonly manager: string;
  readonly force: boolean;
  readonly gvk: GroupVersionKind;
  readonly subresource: string;
  /** When the apply happens (RFC 3339), for the managedFields entry. */
  readonly time: string;
}

/** `.spec.template.spec.containers[name="nginx"].image`, as upstream prints conflicts. */
export function formatPath(path: readonly string[]): string {
  let out = '';
  for (const t of path) {
    if (t === '.') continue;
    if (t.startsWith('f:')) out += `.${t.slice(2)}`;
    else if (t.startsWith('k:')) {
      // SAFETY: k: tokens carry a JSON object of key fields (see itemToken).
      const keys = JSON.parse(t.slice(2)) as Record<string, unknown>;
      out += `[${Object.entries(keys)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(',')}]`;
    } else if (t.startsWith('v:')) out += `[=${t.slice(2)}]`;
  }
  return out;
}

function mergeList(live: JsonValue[], applied: JsonValue[], meta: FieldPatchMeta): JsonValue[] {
  const kind = listKind(meta);
  if (kind.kind === 'atomic') return applied;
  if (kind.kind === 'set') {
    const seen = new Set(live.map((v) => JSON.stringify(v)));
    return [...live, ...applied.filter((v) => !seen.has(JSON.stringify(v)))];
  }
  const out = [...live];
  for (const item of applied) {
    const token = itemToken(kind, item);
    const at = token === undefined ? -1 : out.findIndex((l) => itemToken(kind, l) === token);
    const existing = at >= 0 ? out[at] : undefined;
    if (existing !== undefined && isJsonObject(existing) && isJsonObject(item)) {
      out[at] = mergeObject(existing, item, meta.type ?? UNTAGGED);
    } else out.push(item);
  }
  return out;
}

/** Merges an apply configuration into the live object: maps recurse, lists by their kind. */
function mergeObject(live: JsonObject, applied: JsonObject, schema: StructPatchSchema): JsonObject {
  const out: JsonObject = { ...live };
  for (const [k, v] of Object.entries(applied)) {
    if (v === undefined) continue;
    const meta = fieldMeta(schema, k);
    const cur = live[k];
    if (Array.isArray(v) && Array.isArray(cur)) out[k] = mergeList(cur, v, meta);
    else if (isJsonObject(v) && isJsonObject(cur))
      out[k] = mergeObject(cur, v, meta.type ?? UNTAGGED);
    else out[k] = v;
  }
  return out;
}

/** Where a removal walk stands: the schema of the current node and the meta of its field. */
interface SchemaPosition {
  readonly schema: StructPatchSchema;
  /** How the list at this node merges; {} above the first field. */
  readonly meta: FieldPatchMeta;
}

/**
 * `node` without the field or list item at `path`. Nodes off the path are shared, not copied;
 * a path that does not resolve leaves `node` as it was.
 */
function without(node: JsonValue, path: readonly string[], at: SchemaPosition): JsonValue {
  const [token, ...rest] = path;
  if (token === undefined) return node;
  if (token.startsWith('f:')) {
    if (!isJsonObject(node)) return node;
    const name = token.slice(2);
    if (rest.length === 0)
      return Object.fromEntries(Object.entries(node).filter(([k]) => k !== name));
    const meta = fieldMeta(at.schema, name);
    const child = node[name];
    if (child === undefined) return node;
    return { ...node, [name]: without(child, rest, { schema: meta.type ?? UNTAGGED, meta }) };
  }
  if (!Array.isArray(node)) return node;
  const kind = listKind(at.meta);
  const i = node.findIndex((item) => itemToken(kind, item) === token);
  if (i < 0) return node;
  if (rest.length === 0) return node.filter((_, j) => j !== i);
  return node.map((item, j) => (j === i ? without(item, rest, at) : item));
}

/** `obj` without the field (or list item, for a path ending in `.`) at `path`. */
function removeAt(obj: JsonObject, path: readonly string[], schema: StructPatchSchema): JsonObject {
  const target = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
  const out = without(obj, target, { schema, meta: {} });
  return isJsonObject(out) ? out : obj;
}

interface Conflict {
  readonly path: string;
  readonly manager: string;
  readonly apiVersion: string;
}

function conflictError(conflicts: readonly Conflict[]): ApiError {
  const causes = conflicts.map((c) => ({
    reason: 'FieldManagerConflict',
    message: `conflict with "${c.manager}"${c.apiVersion === '' ? '' : ` using ${c.apiVersion}`}`,
    field: c.path,
  }));
  const lines = conflicts.map((c) => `- ${c.path}`).join('\n');
  const head = conflicts.length === 1 ? '1 conflict' : `${conflicts.length} conflicts`;
  return new ApiError(
    statusFailure({
      code: 409,
      reason: 'Conflict',
      message: `Apply failed with ${head}: conflict with "${conflicts[0]?.manager ?? ''}": ${conflicts.length === 1 ? (conflicts[0]?.path ?? '') : `\n${lines}`}`,
      details: { causes },
    }),
  );
}

type Ownership = ReturnType<typeof readEntries>[number];

/** What one apply works with, computed once. */
interface ApplyState {
  readonly input: ApplyInput;
  readonly schema: StructPatchSchema;
  readonly live: JsonObject;
  readonly appliedSet: FieldSet;
  readonly entries: readonly Ownership[];
}

function parsePath(encoded: string): string[] {
  return decodePath(encoded);
}

function isOwnApply(e: Ownership, manager: string): boolean {
  return e.entry.manager === manager && e.entry.operation === 'Apply';
}

/**
 * Applied fields whose value changes and that another manager owns. Without force they are
 * conflicts; with force they are `taken` from their owners.
 */
function findConflicts(st: ApplyState): { conflicts: Conflict[]; taken: FieldSet } {
  const conflicts: Conflict[] = [];
  const taken: FieldSet = new Set();
  for (const p of st.appliedSet) {
    const path = parsePath(p);
    // An item's `.` entry marks its presence, never a value another manager could disagree on.
    if (path[path.length - 1] === '.') continue;
    const same =
      JSON.stringify(valueAt(st.live, path, st.schema)) ===
      JSON.stringify(valueAt(st.input.applied, path, st.schema));
    if (same) continue;
    for (const e of st.entries) {
      if (isOwnApply(e, st.input.manager) || !e.set.has(p)) continue;
      taken.add(p);
      if (!st.input.force) {
        conflicts.push({
          path: formatPath(path),
          manager: e.entry.manager ?? '',
          apiVersion: e.entry.apiVersion ?? '',
        });
      }
    }
  }
  return { conflicts, taken };
}

/** Drops fields this manager applied last time, no longer applies, and nobody else owns. */
function pruneUnapplied(
  merged: JsonObject,
  previous: Ownership | undefined,
  st: ApplyState,
): JsonObject {
  if (!previous) return merged;
  let out = merged;
  for (const p of previous.set) {
    if (st.appliedSet.has(p)) continue;
    const ownedElsewhere = st.entries.some((e) => e !== previous && e.set.has(p));
    if (!ownedElsewhere) out = removeAt(out, parsePath(p), st.schema);
  }
  return out;
}

/** Other managers keep their fields, minus those forcibly taken; this apply's entry replaces the old one. */
function nextOwnership(
  st: ApplyState,
  previous: Ownership | undefined,
  taken: FieldSet,
): Ownership[] {
  const { input } = st;
  const others = st.entries
    .filter((e) => e !== previous)
    .map((e) => ({
      entry: e.entry,
      set: new Set([...e.set].filter((p) => !(input.force && taken.has(p)))),
    }));
  const mine: Ownership = {
    entry: {
      manager: input.manager,
      operation: 'Apply',
      apiVersion: input.live.apiVersion ?? '',
      time: input.time,
      ...(input.subresource === '' ? {} : { subresource: input.subresource }),
    },
    set: st.appliedSet,
  };
  return [...others, mine];
}

/**
 * Server-side apply: merge the configuration, detect conflicts with other managers' fields
 * (409 unless forced), remove fields this manager applied before and no longer applies, and
 * record ownership in managedFields.
 */
export function applyServerSide(input: ApplyInput): KubeObject {
  const schema = schemaFor(input.live);
  const st: ApplyState = {
    input,
    schema,
    // SAFETY: a KubeObject is a JSON object; the index signature differs only in typing.
    live: input.live as unknown as JsonObject,
    appliedSet: fieldSetOf(input.applied, schema),
    entries: readEntries(input.live),
  };
  const { conflicts, taken } = findConflicts(st);
  if (conflicts.length > 0) throw conflictError(conflicts);
  if (!isJsonObject(input.applied['metadata']) && input.applied['metadata'] !== undefined) {
    throw errors.badRequest('metadata must be an object');
  }
  const previous = st.entries.find(
    (e) => isOwnApply(e, input.manager) && (e.entry.subresource ?? '') === input.subresource,
  );
  const merged = pruneUnapplied(
    mergeObject(cloneJson(st.live), input.applied, schema),
    previous,
    st,
  );
  // SAFETY: merged started as a clone of the live KubeObject; merging and pruning keep metadata.
  const out = merged as unknown as KubeObject;
  writeEntries(out, nextOwnership(st, previous, taken));
  return out;
}

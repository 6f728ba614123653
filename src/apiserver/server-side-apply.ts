import { isJsonObject, type GroupVersionKind, type JsonObject, type JsonValue, type KubeObject } from '../api/index.ts';
import { errors } from './errors.ts';
import { ApiError, statusFailure } from './errors.ts';
import { fieldSetOf, itemToken, listKind, valueAt, type FieldSet } from './field-set.ts';
import { readEntries, schemaFor, writeEntries } from './managed-fields.ts';
import { fieldMeta, UNTAGGED, type FieldPatchMeta, type StructPatchSchema } from './patch/schema.ts';

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
      out += `[${Object.entries(keys).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
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
    else if (isJsonObject(v) && isJsonObject(cur)) out[k] = mergeObject(cur, v, meta.type ?? UNTAGGED);
    else out[k] = v;
  }
  return out;
}

/** Removes the field at `path` (a leaf or a list item), leaving the rest. */
function removeAt(obj: JsonObject, path: readonly string[], schema: StructPatchSchema): void {
  const parentPath = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
  const last = parentPath[parentPath.length - 1];
  if (last === undefined) return;
  const container = valueAt(obj, parentPath.slice(0, -1), schema);
  if (last.startsWith('f:') && isJsonObject(container)) {
    delete container[last.slice(2)];
    return;
  }
  if (!Array.isArray(container)) return;
  const metaPath = parentPath.slice(0, -1);
  const meta = metaAt(schema, metaPath);
  const kind = listKind(meta);
  const i = container.findIndex((item) => itemToken(kind, item) === last);
  if (i >= 0) container.splice(i, 1);
}

function metaAt(schema: StructPatchSchema, path: readonly string[]): FieldPatchMeta {
  let s = schema;
  let meta: FieldPatchMeta = {};
  for (const t of path) {
    if (!t.startsWith('f:')) continue;
    meta = fieldMeta(s, t.slice(2));
    s = meta.type ?? UNTAGGED;
  }
  return meta;
}

function conflictError(conflicts: { path: string; manager: string; apiVersion: string }[]): ApiError {
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

/**
 * Server-side apply: merge the configuration, detect conflicts with other managers' fields
 * (409 unless forced), remove fields this manager applied before and no longer applies, and
 * record ownership in managedFields.
 */
export function applyServerSide(input: ApplyInput): KubeObject {
  const schema = schemaFor(input.live);
  const appliedSet = fieldSetOf(input.applied, schema);
  const entries = readEntries(input.live);
  const liveJson = input.live as unknown as JsonObject;
  const conflicts: { path: string; manager: string; apiVersion: string }[] = [];
  const taken: FieldSet = new Set();
  for (const p of appliedSet) {
    // SAFETY: members are JSON string arrays.
    const path = JSON.parse(p) as string[];
    if (path[path.length - 1] === '.') continue;
    const same = JSON.stringify(valueAt(liveJson, path, schema)) === JSON.stringify(valueAt(input.applied, path, schema));
    for (const e of entries) {
      const mine = e.entry.manager === input.manager && e.entry.operation === 'Apply';
      if (mine || !e.set.has(p)) continue;
      if (!same && !input.force) {
        conflicts.push({ path: formatPath(path), manager: e.entry.manager ?? '', apiVersion: e.entry.apiVersion ?? '' });
      }
      if (!same) taken.add(p);
    }
  }
  if (conflicts.length > 0) throw conflictError(conflicts);
  if (!isJsonObject(input.applied['metadata']) && input.applied['metadata'] !== undefined) {
    throw errors.badRequest('metadata must be an object');
  }
  const merged = mergeObject(structuredClone(liveJson), input.applied, schema);
  const previous = entries.find((e) => e.entry.manager === input.manager && e.entry.operation === 'Apply' && (e.entry.subresource ?? '') === input.subresource);
  if (previous) {
    for (const p of previous.set) {
      if (appliedSet.has(p)) continue;
      const ownedElsewhere = entries.some((e) => e !== previous && e.set.has(p));
      // SAFETY: members are JSON string arrays.
      if (!ownedElsewhere) removeAt(merged, JSON.parse(p) as string[], schema);
    }
  }
  const next: { entry: NonNullable<KubeObject['metadata']['managedFields']>[number]; set: FieldSet }[] = entries
    .filter((e) => e !== previous)
    .map((e) => ({ entry: e.entry, set: new Set([...e.set].filter((p) => !(input.force && taken.has(p)))) }));
  next.push({
    entry: {
      manager: input.manager,
      operation: 'Apply',
      apiVersion: input.live.apiVersion ?? '',
      time: input.time,
      ...(input.subresource === '' ? {} : { subresource: input.subresource }),
    },
    set: appliedSet,
  });
  // SAFETY: merged started as a clone of the live KubeObject and kept its metadata object.
  const out = merged as unknown as KubeObject;
  writeEntries(out, next);
  return out;
}

import type { JsonObject, KubeObject, ManagedFieldsEntry } from '../api/index.ts';
import { parseApiVersion } from '../api/index.ts';
import { changedFields, fieldSetOf, fromFieldsV1, toFieldsV1, type FieldSet } from './field-set.ts';
import { builtinPatchSchema } from './patch/builtin-schemas.ts';
import { UNTAGGED, type StructPatchSchema } from './patch/schema.ts';

export interface ManagerRef {
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly time: string;
  /** '' for the main resource, else e.g. `status`, `scale`. */
  readonly subresource: string;
}

export function schemaFor(obj: KubeObject): StructPatchSchema {
  const { group, version } = parseApiVersion(obj.apiVersion ?? '');
  return builtinPatchSchema({ group, version, kind: obj.kind ?? '' }) ?? UNTAGGED;
}

function asJson(obj: KubeObject): JsonObject {
  // SAFETY: a KubeObject is a JSON object; the index signature differs only in typing.
  return obj as unknown as JsonObject;
}

function sameEntry(e: ManagedFieldsEntry, ref: ManagerRef): boolean {
  return (
    e.manager === ref.manager &&
    e.operation === ref.operation &&
    (e.subresource ?? '') === ref.subresource
  );
}

/** Rebuilds managedFields from per-entry sets, dropping empty ones, as upstream does. */
export function writeEntries(
  obj: KubeObject,
  entries: readonly { entry: ManagedFieldsEntry; set: FieldSet }[],
): void {
  const kept = entries
    .filter((e) => e.set.size > 0)
    .map(({ entry, set }): ManagedFieldsEntry => ({
      ...entry,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(set),
    }));
  if (kept.length === 0) delete obj.metadata.managedFields;
  else obj.metadata.managedFields = kept;
}

export function readEntries(
  obj: KubeObject | undefined,
): { entry: ManagedFieldsEntry; set: FieldSet }[] {
  return (obj?.metadata.managedFields ?? []).map((entry) => ({
    entry,
    set: fromFieldsV1(entry.fieldsV1),
  }));
}

/**
 * Records a non-apply write in managedFields: the writer becomes the owner of every field it
 * changed, and other managers lose those fields (structured-merge-diff's Update semantics).
 */
export function recordManagedFields(
  next: KubeObject,
  old: KubeObject | undefined,
  ref: ManagerRef,
): void {
  if (ref.operation === 'Apply') return;
  const schema = schemaFor(next);
  const after = fieldSetOf(asJson(next), schema);
  const before = old ? fieldSetOf(asJson(old), schema) : new Set<string>();
  const changed = old
    ? changedFields({ before, after }, { before: asJson(old), after: asJson(next) }, schema)
    : after;
  const removed = [...before].filter((p) => !after.has(p));
  const entries = readEntries(old);
  for (const e of entries) {
    for (const p of changed) e.set.delete(p);
    for (const p of removed) e.set.delete(p);
  }
  if (changed.size > 0) {
    const mine = entries.find((e) => sameEntry(e.entry, ref));
    if (mine) {
      for (const p of changed) mine.set.add(p);
      mine.entry = { ...mine.entry, time: ref.time };
    } else {
      entries.push({ entry: entryFor(next, ref), set: new Set(changed) });
    }
  }
  writeEntries(next, entries);
}

export function entryFor(obj: KubeObject, ref: ManagerRef): ManagedFieldsEntry {
  return {
    manager: ref.manager,
    operation: ref.operation,
    apiVersion: obj.apiVersion ?? '',
    time: ref.time,
    ...(ref.subresource === '' ? {} : { subresource: ref.subresource }),
  };
}

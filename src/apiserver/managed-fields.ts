import type { JsonObject, KubeObject, ManagedFieldsEntry } from '../api/index.ts';
import { parseApiVersion } from '../api/index.ts';
import {
  fieldsV1HasAnyLeaf,
  fieldsV1HasLeaf,
  fieldsV1Of,
  fromFieldsV1,
  isCanonicalFieldsV1,
  toFieldsV1,
  type FieldSet,
} from './field-set.ts';
import { diffFields } from './field-diff.ts';
import { FieldsV1Editor } from './fields-v1-edit.ts';
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
 * One existing entry while a write is recorded: untouched, it is kept as stored; touched, its
 * tree is edited in place of the stored one when that is canonical, else its set is decoded.
 */
interface LazyEntry {
  entry: ManagedFieldsEntry;
  set: FieldSet | undefined;
  /** Its tree's editor; null when the stored tree is not canonical (its set is used instead). */
  editor?: FieldsV1Editor | null;
}

/** The entry's tree editor, when its stored tree is canonical and no set was decoded. */
function editorOf(e: LazyEntry): FieldsV1Editor | undefined {
  if (e.set !== undefined) return undefined;
  if (e.editor === undefined) {
    const v1 = e.entry.fieldsV1;
    e.editor = isCanonicalFieldsV1(v1) ? new FieldsV1Editor(v1) : null;
  }
  return e.editor ?? undefined;
}

function setOf(e: LazyEntry): FieldSet {
  e.set ??= fromFieldsV1(e.entry.fieldsV1);
  return e.set;
}

/** The entry as writeEntries writes it, or undefined when its set is empty. */
function finalEntry(e: LazyEntry): ManagedFieldsEntry | undefined {
  // A tree in toFieldsV1's form is kept as it is, or as edited, saving the re-encoding.
  const v1 = editorOf(e)?.root;
  if (v1 !== undefined) {
    if (!fieldsV1HasAnyLeaf(v1)) return undefined;
    return { ...e.entry, fieldsType: 'FieldsV1', fieldsV1: v1 };
  }
  const set = setOf(e);
  if (set.size === 0) return undefined;
  return { ...e.entry, fieldsType: 'FieldsV1', fieldsV1: toFieldsV1(set) };
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
  if (old === undefined) {
    recordCreate(next, schema, ref);
    return;
  }
  const { changed, removed } = diffFields(asJson(next), asJson(old), schema);
  // What every manager loses: the changed fields and the removed ones.
  const lost = [...changed, ...removed];
  const entries = (old.metadata.managedFields ?? []).map((entry): LazyEntry => ({
    entry,
    set: undefined,
  }));
  for (const e of entries) lose(e, lost);
  if (changed.size > 0) gain(entries, { next, ref, changed });
  const kept = entries.map(finalEntry).filter((e) => e !== undefined);
  if (kept.length === 0) delete next.metadata.managedFields;
  else next.metadata.managedFields = kept;
}

/** A create: the writer owns every field the object sets, and no one else owns any. */
function recordCreate(next: KubeObject, schema: StructPatchSchema, ref: ManagerRef): void {
  const fieldsV1 = fieldsV1Of(asJson(next), schema);
  if (Object.keys(fieldsV1).length === 0) delete next.metadata.managedFields;
  else next.metadata.managedFields = [{ ...entryFor(next, ref), fieldsType: 'FieldsV1', fieldsV1 }];
}

/**
 * Takes `lost` from an entry, reading its set only when it owns any of them: most writes touch
 * few managers' fields.
 */
function lose(e: LazyEntry, lost: readonly string[]): void {
  const editor = editorOf(e);
  if (editor !== undefined) {
    for (const p of lost) editor.remove(p);
    return;
  }
  if (!lost.some((p) => fieldsV1HasLeaf(e.entry.fieldsV1, p))) return;
  const set = setOf(e);
  for (const p of lost) set.delete(p);
}

/** The writer's entry takes the changed fields (made when it has none yet). */
function gain(
  entries: LazyEntry[],
  w: { next: KubeObject; ref: ManagerRef; changed: FieldSet },
): void {
  const mine = entries.find((e) => sameEntry(e.entry, w.ref));
  if (mine) {
    const editor = editorOf(mine);
    if (editor !== undefined) for (const p of w.changed) editor.add(p);
    else {
      const set = setOf(mine);
      for (const p of w.changed) set.add(p);
    }
    mine.entry = { ...mine.entry, time: w.ref.time };
  } else {
    entries.push({ entry: entryFor(w.next, w.ref), set: w.changed });
  }
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

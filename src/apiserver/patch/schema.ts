/** Every `patchStrategy` tag value k8s.io/api uses. */
export type PatchStrategyTag = 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys';

/**
 * Strategic-merge metadata of one struct field, transcribed from its Go struct tags in
 * k8s.io/api: `patchStrategy:"merge,retainKeys" patchMergeKey:"name"`. kube-apiserver reads
 * exactly these tags (strategicpatch.NewPatchMetaFromStruct), not `+listType`/`+listMapKey`, so
 * a list that is `+listType=map` without a patchStrategy tag (Node taints, for one) is replaced.
 */
export interface FieldPatchMeta {
  /** The `patchStrategy` tag as written in Go. */
  readonly patchStrategy?: PatchStrategyTag;
  /** The `patchMergeKey` tag: the key that identifies an item of a merged list of objects. */
  readonly patchMergeKey?: string;
  /**
   * The struct the field holds (for a list: the struct of each item), when that struct has
   * tagged fields of its own. Absent means "no tags below": maps merge, lists are replaced.
   */
  readonly type?: StructPatchSchema;
}

/**
 * The fields of one Go struct that matter to strategic merge patch. Fields not listed behave
 * as untagged fields: objects merge key by key and lists are replaced. Embedded (`,inline`)
 * structs contribute their fields directly, as encoding/json flattens them.
 */
export interface StructPatchSchema {
  readonly fields: Readonly<Record<string, FieldPatchMeta>>;
}

/** The schema of a struct without tagged fields, or of a field the table does not describe. */
export const UNTAGGED: StructPatchSchema = { fields: {} };

/**
 * The strategy besides retainKeys, as strategicpatch.extractRetainKeysPatchStrategy splits the
 * tag. retainKeys itself needs no lookup: the server honours a `$retainKeys` directive wherever
 * the patch carries one.
 */
export function listOrMapStrategy(meta: FieldPatchMeta): 'merge' | 'replace' | undefined {
  return meta.patchStrategy === undefined ? undefined : STRATEGY[meta.patchStrategy];
}

const STRATEGY: Readonly<Record<PatchStrategyTag, 'merge' | 'replace' | undefined>> = {
  merge: 'merge',
  'merge,retainKeys': 'merge',
  replace: 'replace',
  retainKeys: undefined,
};

/** The metadata of `key` in `schema`; an unlisted field has none. */
export function fieldMeta(schema: StructPatchSchema, key: string): FieldPatchMeta {
  return Object.hasOwn(schema.fields, key) ? (schema.fields[key] ?? {}) : {};
}

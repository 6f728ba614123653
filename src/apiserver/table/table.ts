import type { JsonObject, JsonValue, KubeObject, ObjectMeta } from '../../api/index.ts';
import type { TablePrinter } from './types.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface BuildTableOptions {
  printer: TablePrinter;
  objects: readonly KubeObject[];
  /** The list's (or the single object's) resourceVersion; `kubectl get -w` watches from it. */
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
  includeObject: IncludeObject;
  /** The server's clock, epoch ms. */
  now: number;
  /**
   * Omit the column definitions, as kube-apiserver does (TableOptions.noHeaders) for every watch
   * event after the first.
   */
  noHeaders?: boolean;
}

/** ObjectMeta's fields in Go struct order, which is the order kube-apiserver serialises them in. */
const META_FIELDS: readonly (keyof ObjectMeta)[] = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** meta.AsPartialObjectMetadata; a zero creationTimestamp serialises as null, as Go's does. */
function partialObjectMetadata(obj: KubeObject): JsonObject {
  const meta: JsonObject = {};
  const src = obj.metadata;
  for (const field of META_FIELDS) {
    const value = src[field];
    // SAFETY: ObjectMeta holds only JSON data (strings, numbers, string maps, plain records).
    if (value !== undefined) meta[field] = value as JsonValue;
    else if (field === 'creationTimestamp') meta[field] = null;
  }
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: meta };
}

function rowObject(obj: KubeObject, include: IncludeObject): JsonValue {
  if (include === 'Metadata') return partialObjectMetadata(obj);
  // SAFETY: stored objects are decoded JSON, so every value in them is a JsonValue.
  if (include === 'Object') return obj as unknown as JsonObject;
  // A nil RawExtension marshals as null; TableRow's omitempty does not drop a struct.
  return null;
}

function rowOf(obj: KubeObject, opts: BuildTableOptions): JsonObject {
  // SAFETY: TablePrinter.cells returns JSON values (strings, numbers, booleans, null) by contract.
  const row: JsonObject = { cells: opts.printer.cells(obj, { now: opts.now }) as JsonValue[] };
  const conditions = opts.printer.conditions?.(obj);
  // SAFETY: TableRowCondition is a record of strings.
  if (conditions !== undefined) row['conditions'] = conditions as unknown as JsonValue;
  row['object'] = rowObject(obj, opts.includeObject);
  return row;
}

/**
 * A meta.k8s.io/v1 Table of `objects`, shaped byte-for-byte like kube-apiserver's: wide columns
 * always included, `object` per row as `includeObject` asks.
 */
export function buildTable(opts: BuildTableOptions): JsonObject {
  const metadata: JsonObject = {};
  if (opts.resourceVersion !== '') metadata['resourceVersion'] = opts.resourceVersion;
  if (opts.continueToken !== undefined && opts.continueToken !== '') {
    metadata['continue'] = opts.continueToken;
  }
  if (opts.remainingItemCount !== undefined) {
    metadata['remainingItemCount'] = opts.remainingItemCount;
  }
  const rows = opts.objects.map((obj) => rowOf(obj, opts));
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata,
    // SAFETY: TableColumn is a record of strings and numbers.
    columnDefinitions:
      opts.noHeaders === true ? null : (opts.printer.columns as unknown as JsonValue[]),
    rows,
  };
}

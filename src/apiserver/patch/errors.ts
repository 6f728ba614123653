import { KilnError } from '../../util/index.ts';

/**
 * Why a strategic merge patch was refused. Each code names one failure of apimachinery's
 * `strategicpatch` package; the messages are apimachinery's own words, because kubectl shows
 * them verbatim ("Error from server: map: map[image:nginx] does not contain declared merge key:
 * name").
 */
export type PatchErrorCode =
  /** The kind has no strategic merge schema (CRDs, unknown kinds). */
  | 'KILN_PATCH_SMP_UNSUPPORTED'
  /** The patch body is not a JSON object. */
  | 'KILN_PATCH_NOT_AN_OBJECT'
  /** `$deleteFromPrimitiveList` key without `/<field>` (mergepatch.ErrBadPatchFormatForPrimitiveList). */
  | 'KILN_PATCH_BAD_PRIMITIVE_LIST'
  /** `$retainKeys` not a list, or the patch sets a key it does not retain. */
  | 'KILN_PATCH_BAD_RETAIN_KEYS'
  /** `$setElementOrder` key without `/<field>` (mergepatch.ErrBadPatchFormatForSetElementOrderList). */
  | 'KILN_PATCH_BAD_SET_ELEMENT_ORDER'
  /** A list whose items are lists (mergepatch.ErrNoListOfLists). */
  | 'KILN_PATCH_LIST_OF_LISTS'
  /** A merged list item without its merge key (mergepatch.ErrNoMergeKey). */
  | 'KILN_PATCH_MISSING_MERGE_KEY'
  /** A list of objects merged without a declared merge key (`$deleteFromPrimitiveList` on one). */
  | 'KILN_PATCH_NO_MERGE_KEY'
  /** `$patch` with a value other than replace/delete (merge included, as upstream). */
  | 'KILN_PATCH_BAD_DIRECTIVE'
  /** A value of the wrong JSON type (mergepatch.ErrBadArgType and kin). */
  | 'KILN_PATCH_BAD_TYPE'
  /** A patch list out of the order its `$setElementOrder` list gives. */
  | 'KILN_PATCH_ORDER_MISMATCH';

/**
 * The HTTP status kube-apiserver 1.33 answers for each code (handlers/patch.go,
 * interpretStrategicMergePatchError). Errors it does not interpret reach the client as a 500
 * with an empty reason; the API server may choose to answer 400 for those instead.
 */
const UPSTREAM_STATUS: Readonly<Record<PatchErrorCode, 400 | 415 | 422 | 500>> = {
  KILN_PATCH_SMP_UNSUPPORTED: 415,
  KILN_PATCH_NOT_AN_OBJECT: 400,
  KILN_PATCH_BAD_PRIMITIVE_LIST: 400,
  KILN_PATCH_BAD_RETAIN_KEYS: 400,
  KILN_PATCH_BAD_SET_ELEMENT_ORDER: 400,
  KILN_PATCH_LIST_OF_LISTS: 422,
  KILN_PATCH_MISSING_MERGE_KEY: 500,
  KILN_PATCH_NO_MERGE_KEY: 500,
  KILN_PATCH_BAD_DIRECTIVE: 500,
  KILN_PATCH_BAD_TYPE: 500,
  KILN_PATCH_ORDER_MISMATCH: 500,
};

/** A strategic merge patch that cannot be applied. Never thrown for a well-formed patch. */
export class PatchError extends KilnError {
  readonly code: PatchErrorCode;
  /** What kube-apiserver answers for this failure; see {@link UPSTREAM_STATUS}. */
  readonly httpStatus: 400 | 415 | 422 | 500;
  constructor(code: PatchErrorCode, message: string) {
    super(message);
    this.code = code;
    this.httpStatus = UPSTREAM_STATUS[code];
  }
}

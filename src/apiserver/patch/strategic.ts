import { isJsonObject, type GroupVersionKind, type JsonObject } from '../../api/index.ts';
import { builtinPatchSchema } from './builtin-schemas.ts';
import { PatchError } from './errors.ts';
import { strategicMerge } from './merge.ts';

/**
 * Whether `gvk` is a built-in kind with a strategic merge schema. For any other kind (CRDs
 * included) kube-apiserver refuses `application/strategic-merge-patch+json` with 415.
 */
export function hasStrategicMergeSchema(gvk: GroupVersionKind): boolean {
  return builtinPatchSchema(gvk) !== undefined;
}

/** What encoding/json names a JSON value it cannot decode into a map. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

/**
 * Applies a strategic merge patch (`application/strategic-merge-patch+json`) to an object of
 * kind `gvk`, as kube-apiserver does: objects merge, lists merge by their `patchMergeKey` or
 * are replaced, and the `$patch`, `$retainKeys`, `$setElementOrder/…` and
 * `$deleteFromPrimitiveList/…` directives apply. Directive keys never reach the result.
 *
 * Pure: neither input is modified and the result shares no structure with them.
 *
 * @throws PatchError with code `KILN_PATCH_SMP_UNSUPPORTED` for kinds without a schema, and
 * with the other codes of {@link PatchError} for malformed patches.
 */
export function applyStrategicMergePatch(
  original: JsonObject,
  patch: JsonObject,
  gvk: GroupVersionKind,
): JsonObject {
  const schema = builtinPatchSchema(gvk);
  if (schema === undefined) {
    throw new PatchError(
      'KILN_PATCH_SMP_UNSUPPORTED',
      'strategic merge patch format is not supported',
    );
  }
  // The type says object; a server that decoded an arbitrary body may still pass anything.
  const body: unknown = patch;
  if (!isJsonObject(body)) {
    throw new PatchError(
      'KILN_PATCH_NOT_AN_OBJECT',
      `json: cannot unmarshal ${jsonKind(body)} into Go value of type map[string]interface {}`,
    );
  }
  return strategicMerge(original, body, schema);
}

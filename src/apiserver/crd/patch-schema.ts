import { isJsonObject } from '../../api/index.ts';
import type { FieldPatchMeta, StructPatchSchema } from '../patch/schema.ts';
import { sub, type Schema } from './schema-validate.ts';

/**
 * The merge metadata server-side apply needs for a custom resource, from its structural schema:
 * `x-kubernetes-list-type: map` lists with one `x-kubernetes-list-map-keys` key merge by that key,
 * `set` lists merge by value, everything else (`atomic`, untyped) is replaced whole. Objects
 * merge field by field, as structured-merge-diff treats CRD schemas.
 */
export function patchSchemaFromStructural(schema: Schema): StructPatchSchema {
  const fields: Record<string, FieldPatchMeta> = {};
  for (const [name, prop] of Object.entries(sub(schema, 'properties') ?? {})) {
    if (!isJsonObject(prop)) continue;
    const meta = fieldMetaOf(prop);
    if (meta) fields[name] = meta;
  }
  return { fields };
}

function fieldMetaOf(prop: Schema): FieldPatchMeta | undefined {
  if (prop['type'] !== 'array') {
    const nested = patchSchemaFromStructural(prop);
    return Object.keys(nested.fields).length > 0 ? { type: nested } : undefined;
  }
  const items = sub(prop, 'items') ?? {};
  const nested = patchSchemaFromStructural(items);
  const type = Object.keys(nested.fields).length > 0 ? { type: nested } : {};
  const listType = prop['x-kubernetes-list-type'];
  const keys = prop['x-kubernetes-list-map-keys'];
  const [key] = Array.isArray(keys) ? keys : [];
  if (listType === 'map' && Array.isArray(keys) && keys.length === 1 && typeof key === 'string') {
    return { patchStrategy: 'merge', patchMergeKey: key, ...type };
  }
  if (listType === 'set') return { patchStrategy: 'merge', ...type };
  return Object.keys(type).length > 0 ? type : undefined;
}

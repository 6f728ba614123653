import type { JsonObject } from '../../api/index.ts';
import { builtinSchemaCatalog, withCustomSchemas, type SchemaCatalog } from '../openapi/catalog.ts';
import type { ResourceDefinition } from '../resources/types.ts';

export { CrdController, namesConflict, type CrdControllerOptions } from './establishing.ts';
export { definitionsFor, openapiSchemas } from './definitions.ts';
export { readCrd, compareVersions, CLEANUP_FINALIZER, type CrdInfo } from './crd-object.ts';
export { prune, applyDefaults } from './schema-default.ts';
export { validateCustomResource, validateValue, type Schema } from './schema-validate.ts';

/** The built-in schemas plus those of every custom resource version served. */
export function schemaCatalogFor(defs: readonly ResourceDefinition[]): SchemaCatalog {
  const custom: Record<string, JsonObject> = {};
  for (const d of defs) Object.assign(custom, d.custom?.openapiSchemas ?? {});
  return Object.keys(custom).length === 0
    ? builtinSchemaCatalog()
    : withCustomSchemas(builtinSchemaCatalog(), custom);
}
export { patchSchemaFromStructural } from './patch-schema.ts';

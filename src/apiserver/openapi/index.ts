export {
  OBJECT_META_SCHEMA,
  SCHEMA_REF_PREFIX,
  builtinSchemaCatalog,
  customSchemaName,
  refName,
  refsIn,
  schemaClosure,
  schemaRef,
  withCustomSchemas,
} from './catalog.ts';
export type { SchemaCatalog } from './catalog.ts';
export {
  buildGroupVersionDocument,
  buildOpenApiBundle,
  buildOpenApiRoot,
  documentHash,
  groupVersionPath,
} from './openapi.ts';
export type {
  GroupVersion,
  OpenApiBundle,
  OpenApiDocument,
  OpenApiOptions,
  OpenApiRootOptions,
  ServedResource,
} from './openapi.ts';
export {
  findUnknownFields,
  hasSchema,
  strictDecodingMessage,
  undecodableMessage,
  warningTexts,
} from './unknown-fields.ts';
export type { UnknownFieldOptions } from './unknown-fields.ts';

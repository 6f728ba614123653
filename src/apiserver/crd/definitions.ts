import type { JsonObject, KubeObject } from '../../api/index.ts';
import { customSchemaName, OBJECT_META_SCHEMA, schemaRef } from '../openapi/catalog.ts';
import type { CustomResourceSupport, ResourceDefinition, ScaleSpec } from '../resources/types.ts';
import { crdTablePrinter } from '../table/crd.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/object-meta.ts';
import { compareVersions, pathSegments, type CrdInfo, type CrdVersion } from './crd-object.ts';
import { patchSchemaFromStructural } from './patch-schema.ts';
import { applyDefaults, prune } from './schema-default.ts';
import { jsonOf, validateCustomResource, type Schema } from './schema-validate.ts';
import { cloneJson } from '../../util/index.ts';

/**
 * The ResourceDefinitions a CustomResourceDefinition serves: one per served version, all stored
 * under `/<plural>.<group>/` in the storage version's shape (conversion strategy `None`: only
 * apiVersion changes between versions).
 */

const LIST_META_SCHEMA = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

const CR_VERBS = [
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'create',
  'update',
  'watch',
];

/** A version without a schema keeps whatever it is given, as `preserveUnknownFields` did. */
const OPEN_SCHEMA: Schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

const API_VERSION_DOC =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const METADATA_DOC =
  "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const LIST_METADATA_DOC =
  'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

function apiVersionOf(group: string, version: string): string {
  return `${group}/${version}`;
}

function storageVersion(crd: CrdInfo): string {
  return crd.versions.find((v) => v.storage)?.name ?? crd.versions[0]?.name ?? '';
}

/** The kind and list schemas upstream publishes for one version (`com.example.v1.Foo[List]`). */
export function openapiSchemas(crd: CrdInfo, v: CrdVersion): Record<string, JsonObject> {
  const gvk = { group: crd.group, version: v.name, kind: crd.names.kind };
  const name = customSchemaName(gvk);
  const base: Schema = cloneJson(v.schema ?? OPEN_SCHEMA);
  const props = { ...(isObj(base['properties']) ? base['properties'] : {}) };
  props['apiVersion'] = { type: 'string', description: API_VERSION_DOC };
  props['kind'] = { type: 'string', description: KIND_DOC };
  props['metadata'] = { allOf: [schemaRef(OBJECT_META_SCHEMA)], description: METADATA_DOC };
  const kindSchema: JsonObject = {
    ...base,
    type: 'object',
    properties: sortKeys(props),
    'x-kubernetes-group-version-kind': [gvk],
  };
  const listSchema: JsonObject = {
    description: `${crd.names.listKind} is a list of ${crd.names.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: API_VERSION_DOC },
      items: {
        type: 'array',
        description: `List of ${crd.names.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`,
        items: schemaRef(name),
      },
      kind: { type: 'string', description: KIND_DOC },
      metadata: { allOf: [schemaRef(LIST_META_SCHEMA)], description: LIST_METADATA_DOC },
    },
    'x-kubernetes-group-version-kind': [{ ...gvk, kind: crd.names.listKind }],
  };
  return { [name]: kindSchema, [`${name}List`]: listSchema };
}

function isObj(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sortKeys(o: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : 1)));
}

function support(crd: CrdInfo, v: CrdVersion): CustomResourceSupport {
  const schema = v.schema ?? OPEN_SCHEMA;
  return {
    crd: crd.name,
    openapiSchemas: openapiSchemas(crd, v),
    printer: crdTablePrinter(v.printerColumns),
    patchSchema: patchSchemaFromStructural(schema),
    unknownFields: (obj) => prune(schema, cloneJson(obj)),
    normalize: (obj) => {
      prune(schema, jsonOf(obj));
      applyDefaults(schema, jsonOf(obj));
    },
    validate: (obj, old) => {
      const rule = { namespaced: crd.namespaced, nameRule: 'subdomain' as const };
      return [
        ...validateObjectMeta(obj.metadata, rule),
        ...(old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : []),
        ...validateCustomResource(schema, jsonOf(obj)),
      ];
    },
  };
}

function scaleSpec(v: CrdVersion): ScaleSpec | undefined {
  if (!v.scale) return undefined;
  return {
    specReplicasPath: pathSegments(v.scale.specReplicasPath),
    statusReplicasPath: pathSegments(v.scale.statusReplicasPath),
    labelSelectorPath: pathSegments(v.scale.labelSelectorPath ?? ''),
  };
}

function definition(crd: CrdInfo, v: CrdVersion): ResourceDefinition {
  const custom = support(crd, v);
  const stored = apiVersionOf(crd.group, storageVersion(crd));
  const served = apiVersionOf(crd.group, v.name);
  const scale = scaleSpec(v);
  const subresources = [...(v.status ? ['status'] : []), ...(scale ? ['scale'] : [])];
  return {
    group: crd.group,
    version: v.name,
    resource: crd.names.plural,
    kind: crd.names.kind,
    listKind: crd.names.listKind,
    singular: crd.names.singular,
    namespaced: crd.namespaced,
    shortNames: crd.names.shortNames,
    categories: crd.names.categories,
    verbs: CR_VERBS,
    subresources,
    nameRule: 'subdomain',
    tracksGeneration: true,
    statusSubresource: v.status,
    ...(scale ? { scale } : {}),
    allowCreateOnUpdate: false,
    storageResource: `${crd.names.plural}.${crd.group}`,
    prepareForCreate(obj) {
      if (v.status) delete obj['status'];
    },
    conversion: {
      toStorage: (obj: KubeObject) => ({ ...obj, apiVersion: stored }),
      fromStorage(obj: KubeObject) {
        const out = cloneJson(obj);
        out.apiVersion = served;
        // Defaults also apply on read, so objects stored before a default was added get it.
        custom.normalize(out);
        return out;
      },
    },
    custom,
  };
}

/** One ResourceDefinition per served version, highest-priority version first. */
export function definitionsFor(crd: CrdInfo): ResourceDefinition[] {
  return crd.versions
    .filter((v) => v.served && v.name !== '')
    .sort((a, b) => compareVersions(a.name, b.name))
    .map((v) => definition(crd, v));
}

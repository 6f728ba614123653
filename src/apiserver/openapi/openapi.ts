import { createHash } from 'node:crypto';
import type { GroupVersionKind, JsonObject } from '../../api/index.ts';
import { builtinSchemaCatalog, refsIn, schemaClosure, schemaRef } from './catalog.ts';
import type { SchemaCatalog } from './catalog.ts';
import {
  DELETE_PARAMS,
  LIST_PARAMS,
  LOG_PARAMS,
  PATCH_PARAMS,
  WRITE_PARAMS,
  parameters,
} from './parameters.ts';
import type { ParamName } from './parameters.ts';

/** A resource the API server serves, as discovery lists it. */
export interface ServedResource {
  group: string;
  version: string;
  /** The plural resource name, e.g. `deployments`. */
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Subresource names, e.g. `status`, `scale`, `log`. */
  subresources: string[];
  /** A custom resource: PATCH takes no strategic merge patches (kubectl then sends merge ones). */
  custom?: boolean;
}

export interface GroupVersion {
  group: string;
  version: string;
}

export interface OpenApiOptions {
  /** Where schemas come from; defaults to the built-in types. Add CRD schemas with withCustomSchemas. */
  catalog?: SchemaCatalog;
}

export interface OpenApiRootOptions extends OpenApiOptions {
  /** Prepended to every `serverRelativeURL`, e.g. `/k8s` when the API is served below a prefix. */
  pathPrefix: string;
}

/** One group-version document, serialised once so that the served bytes match the hash. */
export interface OpenApiDocument {
  /** The document's key in the root, e.g. `api/v1`, `apis/apps/v1`. */
  path: string;
  document: JsonObject;
  /** `JSON.stringify(document)`. */
  body: string;
  /** Upstream's cache key: the SHA-512 of `body`, in upper-case hex. */
  hash: string;
}

export interface OpenApiBundle {
  /** The `/openapi/v3` document. */
  root: JsonObject;
  /** The group-version documents by root key (`/openapi/v3/<key>`). */
  documents: ReadonlyMap<string, OpenApiDocument>;
}

type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
type BodyKind = 'target' | 'patch' | 'deleteOptions';
type ResponseKind = 'target' | 'list' | 'status' | 'text';

interface OperationTemplate {
  method: Method;
  /** `x-kubernetes-action`. */
  action: string;
  /** The operationId verb (`read`, `replace`, …). */
  verb: string;
  describe: (subject: string) => string;
  params: readonly ParamName[];
  body?: BodyKind;
  response: ResponseKind;
  codes: readonly string[];
}

const READ: OperationTemplate = {
  method: 'get',
  action: 'get',
  verb: 'read',
  describe: (s) => `read ${s}`,
  params: [],
  response: 'target',
  codes: ['200'],
};
const REPLACE: OperationTemplate = {
  method: 'put',
  action: 'put',
  verb: 'replace',
  describe: (s) => `replace ${s}`,
  params: WRITE_PARAMS,
  body: 'target',
  response: 'target',
  codes: ['200', '201'],
};
const PATCH: OperationTemplate = {
  method: 'patch',
  action: 'patch',
  verb: 'patch',
  describe: (s) => `partially update ${s}`,
  params: PATCH_PARAMS,
  body: 'patch',
  response: 'target',
  codes: ['200', '201'],
};
const DELETE: OperationTemplate = {
  method: 'delete',
  action: 'delete',
  verb: 'delete',
  describe: (s) => `delete ${s}`,
  params: DELETE_PARAMS,
  body: 'deleteOptions',
  response: 'target',
  codes: ['200', '202'],
};
const CREATE: OperationTemplate = {
  method: 'post',
  action: 'post',
  verb: 'create',
  describe: (s) => `create ${s}`,
  params: WRITE_PARAMS,
  body: 'target',
  response: 'target',
  codes: ['200', '201', '202'],
};
const LIST: OperationTemplate = {
  method: 'get',
  action: 'list',
  verb: 'list',
  describe: (s) => `list or watch ${s}`,
  params: LIST_PARAMS,
  response: 'list',
  codes: ['200'],
};
const DELETE_COLLECTION: OperationTemplate = {
  method: 'delete',
  action: 'deletecollection',
  verb: 'deletecollection',
  describe: (s) => `delete collection of ${s}`,
  params: [...DELETE_PARAMS, ...LIST_PARAMS],
  body: 'deleteOptions',
  response: 'status',
  codes: ['200'],
};
const LOG: OperationTemplate = { ...READ, params: LOG_PARAMS, response: 'text' };
const CONNECT: readonly OperationTemplate[] = (['get', 'post'] as const).map((method) => ({
  method,
  action: 'connect',
  verb: `connect${method === 'get' ? 'Get' : 'Post'}`,
  describe: (s: string) => `connect ${method.toUpperCase()} requests to ${s}`,
  params: [],
  response: 'text',
  codes: ['200'],
}));

interface SubresourceSpec {
  operations: readonly OperationTemplate[];
  /** The kind the subresource reads and writes; the parent's kind when absent. */
  kind?: GroupVersionKind;
}

const MIRROR: readonly OperationTemplate[] = [READ, REPLACE, PATCH];

/** Subresources by name. One this table does not know gets no paths (and no schema claims). */
const SUBRESOURCES: Readonly<Record<string, SubresourceSpec>> = {
  status: { operations: MIRROR },
  ephemeralcontainers: { operations: MIRROR },
  resize: { operations: MIRROR },
  approval: { operations: MIRROR },
  finalize: { operations: [REPLACE] },
  scale: { operations: MIRROR, kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  eviction: { operations: [CREATE], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  binding: { operations: [CREATE], kind: { group: '', version: 'v1', kind: 'Binding' } },
  token: {
    operations: [CREATE],
    kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' },
  },
  log: { operations: [LOG] },
  exec: { operations: CONNECT },
  attach: { operations: CONNECT },
  portforward: { operations: CONNECT },
  proxy: { operations: CONNECT },
};

const OBJECT_TYPES = [
  'application/json',
  'application/yaml',
  'application/vnd.kubernetes.protobuf',
];
const LIST_TYPES = [
  ...OBJECT_TYPES,
  'application/json;stream=watch',
  'application/vnd.kubernetes.protobuf;stream=watch',
];
const PATCH_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const CUSTOM_PATCH_TYPES = PATCH_TYPES.filter((t) => !t.startsWith('application/strategic'));
const CODE_TEXT: Readonly<Record<string, string>> = {
  '200': 'OK',
  '201': 'Created',
  '202': 'Accepted',
};

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Stands in for a kind the catalog has no schema for (e.g. a CRD without one). */
const UNKNOWN_OBJECT: JsonObject = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };

/** The root key of a group-version: `api/v1` for the core group, `apis/<group>/<version>` else. */
export function groupVersionPath(gv: GroupVersion): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function upperFirst(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** `rbac.authorization.k8s.io` → `RbacAuthorization`, `''` → `Core`, as upstream's operation IDs. */
function groupWord(group: string): string {
  if (group === '') return 'Core';
  return group
    .replace(/\.k8s\.io$/, '')
    .split(/[.-]/)
    .map(upperFirst)
    .join('');
}

function tagOf(gv: GroupVersion): string {
  const word = groupWord(gv.group);
  return `${word.charAt(0).toLowerCase()}${word.slice(1)}_${gv.version}`;
}

function content(types: readonly string[], schema: JsonObject): JsonObject {
  return Object.fromEntries(types.map((t) => [t, { schema }]));
}

interface OperationTarget {
  gv: GroupVersion;
  /** The kind in operationIds, e.g. `NamespacedPodStatus`. */
  idNoun: string;
  /** The phrase in descriptions, e.g. `status of the specified Pod`. */
  subject: string;
  /** The kind the body and response are; absent for text-only operations. */
  gvk: GroupVersionKind | undefined;
  catalog: SchemaCatalog;
  patchTypes: readonly string[];
}

function schemaFor(catalog: SchemaCatalog, gvk: GroupVersionKind | undefined): JsonObject {
  if (gvk === undefined) return { type: 'string' };
  const name = catalog.nameOf(gvk);
  return name === undefined ? UNKNOWN_OBJECT : schemaRef(name);
}

function bodySchema(kind: BodyKind, target: OperationTarget): JsonObject {
  if (kind === 'patch') return content(target.patchTypes, schemaRef(`${META}.Patch`));
  if (kind === 'deleteOptions') return content(['*/*'], schemaRef(`${META}.DeleteOptions`));
  return content(['*/*'], schemaFor(target.catalog, target.gvk));
}

function responseSchema(kind: ResponseKind, target: OperationTarget): JsonObject {
  if (kind === 'text') return content(['*/*'], { type: 'string' });
  if (kind === 'status') return content(OBJECT_TYPES, schemaRef(`${META}.Status`));
  if (kind === 'target') return content(OBJECT_TYPES, schemaFor(target.catalog, target.gvk));
  const listGvk = target.gvk && { ...target.gvk, kind: `${target.gvk.kind}List` };
  return content(LIST_TYPES, schemaFor(target.catalog, listGvk));
}

function buildOperation(op: OperationTemplate, target: OperationTarget): JsonObject {
  const responses: JsonObject = { '401': { description: 'Unauthorized' } };
  for (const code of op.codes) {
    responses[code] = {
      content: responseSchema(op.response, target),
      description: CODE_TEXT[code] ?? code,
    };
  }
  const operation: JsonObject = {
    description: op.describe(target.subject),
    operationId: `${op.verb}${groupWord(target.gv.group)}${upperFirst(target.gv.version)}${target.idNoun}`,
    responses,
    tags: [tagOf(target.gv)],
    'x-kubernetes-action': op.action,
  };
  if (op.params.length > 0) operation['parameters'] = parameters(op.params);
  if (op.body !== undefined) {
    operation['requestBody'] = { content: bodySchema(op.body, target), required: true };
  }
  if (target.gvk !== undefined) operation['x-kubernetes-group-version-kind'] = { ...target.gvk };
  return operation;
}

function pathItem(
  ops: readonly OperationTemplate[],
  target: OperationTarget,
  pathParams: readonly ParamName[],
): JsonObject {
  const item: JsonObject = { parameters: parameters([...pathParams, 'pretty']) };
  for (const op of ops) item[op.method] = buildOperation(op, target);
  return item;
}

function addResourcePaths(
  paths: Map<string, JsonObject>,
  r: ServedResource,
  catalog: SchemaCatalog,
): void {
  const gv = { group: r.group, version: r.version };
  const base = `/${groupVersionPath(gv)}`;
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const scope = r.namespaced ? 'Namespaced' : '';
  const collection = r.namespaced
    ? `${base}/namespaces/{namespace}/${r.resource}`
    : `${base}/${r.resource}`;
  const scopeParams: readonly ParamName[] = r.namespaced ? ['namespace'] : [];
  const itemParams: readonly ParamName[] = ['name', ...scopeParams];
  const target = (idNoun: string, subject: string): OperationTarget => ({
    gv,
    idNoun,
    subject,
    gvk,
    catalog,
    patchTypes: r.custom === true ? CUSTOM_PATCH_TYPES : PATCH_TYPES,
  });

  paths.set(
    collection,
    pathItem(
      [LIST, CREATE, DELETE_COLLECTION],
      target(`${scope}${r.kind}`, `objects of kind ${r.kind}`),
      scopeParams,
    ),
  );
  if (r.namespaced) {
    paths.set(
      `${base}/${r.resource}`,
      pathItem([LIST], target(`${r.kind}ForAllNamespaces`, `objects of kind ${r.kind}`), []),
    );
  }
  paths.set(
    `${collection}/{name}`,
    pathItem(
      [READ, REPLACE, PATCH, DELETE],
      target(`${scope}${r.kind}`, `the specified ${r.kind}`),
      itemParams,
    ),
  );
  for (const sub of [...r.subresources].sort()) {
    const spec = SUBRESOURCES[sub];
    if (spec === undefined) continue;
    const text = spec.operations.every((op) => op.response === 'text');
    const subTarget: OperationTarget = {
      ...target(`${scope}${r.kind}${upperFirst(sub)}`, `${sub} of the specified ${r.kind}`),
      gvk: text ? undefined : (spec.kind ?? gvk),
    };
    paths.set(`${collection}/{name}/${sub}`, pathItem(spec.operations, subTarget, itemParams));
  }
}

function discoveryPath(gv: GroupVersion): JsonObject {
  return {
    get: {
      description: 'get available resources',
      operationId: `get${groupWord(gv.group)}${upperFirst(gv.version)}APIResources`,
      responses: {
        '200': {
          content: content(OBJECT_TYPES, schemaRef(`${META}.APIResourceList`)),
          description: 'OK',
        },
        '401': { description: 'Unauthorized' },
      },
      tags: [tagOf(gv)],
    },
  };
}

function sameGroupVersion(r: ServedResource, gv: GroupVersion): boolean {
  return r.group === gv.group && r.version === gv.version;
}

/**
 * The OpenAPI 3.0 document for one group-version, as kube-apiserver serves at
 * `/openapi/v3/apis/<group>/<version>`: list/create/read/replace/patch/delete operations for every
 * resource (each PATCH carrying `x-kubernetes-group-version-kind` and the `fieldValidation`,
 * `dryRun`, `fieldManager` and `force` parameters kubectl looks for), and the transitive closure of
 * the schemas they use. Undefined when no served resource is in `gv`.
 *
 * Pure: the same resources (in any order) and catalog give an identical document. The document
 * shares schema objects with the catalog, so treat it as read-only.
 */
export function buildGroupVersionDocument(
  served: readonly ServedResource[],
  gv: GroupVersion,
  opts: OpenApiOptions = {},
): JsonObject | undefined {
  const catalog = opts.catalog ?? builtinSchemaCatalog();
  const resources = served
    .filter((r) => sameGroupVersion(r, gv))
    .sort((a, b) => a.resource.localeCompare(b.resource));
  if (resources.length === 0) return undefined;
  const paths = new Map<string, JsonObject>([[`/${groupVersionPath(gv)}/`, discoveryPath(gv)]]);
  for (const r of resources) addResourcePaths(paths, r, catalog);
  const sortedPaths: JsonObject = Object.fromEntries(
    [...paths].sort(([a], [b]) => (a < b ? -1 : 1)),
  );
  const schemas = Object.fromEntries(schemaClosure(catalog, refsIn(sortedPaths)));
  return {
    components: {
      schemas,
      securitySchemes: {
        BearerToken: {
          description: 'Bearer Token authentication',
          in: 'header',
          name: 'authorization',
          type: 'apiKey',
        },
      },
    },
    info: { title: 'Kubernetes', version: 'unversioned' },
    openapi: '3.0.0',
    paths: sortedPaths,
  };
}

/** Upstream's document hash: SHA-512 of the served bytes, upper-case hex. */
export function documentHash(body: string): string {
  return createHash('sha512').update(body).digest('hex').toUpperCase();
}

function servedGroupVersions(served: readonly ServedResource[]): GroupVersion[] {
  const byPath = new Map<string, GroupVersion>();
  for (const r of served) {
    const gv = { group: r.group, version: r.version };
    byPath.set(groupVersionPath(gv), gv);
  }
  return [...byPath].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, gv]) => gv);
}

/**
 * The root document and every group-version document, built together so the root's hashes are
 * those of the bytes served. Pure; callers should memoise it per (resources, catalog).
 */
export function buildOpenApiBundle(
  served: readonly ServedResource[],
  opts: OpenApiRootOptions,
): OpenApiBundle {
  const documents = new Map<string, OpenApiDocument>();
  const rootPaths: JsonObject = {};
  for (const gv of servedGroupVersions(served)) {
    const document = buildGroupVersionDocument(served, gv, opts);
    if (document === undefined) continue;
    const path = groupVersionPath(gv);
    const body = JSON.stringify(document);
    const hash = documentHash(body);
    documents.set(path, { path, document, body, hash });
    rootPaths[path] = { serverRelativeURL: `${opts.pathPrefix}/openapi/v3/${path}?hash=${hash}` };
  }
  return { root: { paths: rootPaths }, documents };
}

/** The `/openapi/v3` root: `{"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=…"}}}`. */
export function buildOpenApiRoot(
  served: readonly ServedResource[],
  opts: OpenApiRootOptions,
): JsonObject {
  return buildOpenApiBundle(served, opts).root;
}

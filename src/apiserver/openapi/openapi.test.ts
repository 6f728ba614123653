import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { isJsonObject } from '../../api/index.ts';
import type { JsonObject, JsonValue } from '../../api/index.ts';
import {
  buildGroupVersionDocument,
  buildOpenApiBundle,
  buildOpenApiRoot,
  builtinSchemaCatalog,
  customSchemaName,
  refsIn,
  withCustomSchemas,
} from './index.ts';
import type { ServedResource } from './index.ts';

const PODS: ServedResource = {
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  namespaced: true,
  subresources: ['status', 'log', 'eviction'],
};
const NAMESPACES: ServedResource = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  namespaced: false,
  subresources: ['status', 'finalize'],
};
const DEPLOYMENTS: ServedResource = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  namespaced: true,
  subresources: ['status', 'scale'],
};
const SERVED = [PODS, NAMESPACES, DEPLOYMENTS];

function str(v: JsonValue | undefined): string {
  if (typeof v !== 'string') assert.fail(`expected a string, got ${JSON.stringify(v)}`);
  return v;
}

function obj(v: JsonValue | undefined, what: string): JsonObject {
  assert.ok(isJsonObject(v), `${what} is an object`);
  return v;
}

function operation(doc: JsonObject, path: string, method: string): JsonObject {
  return obj(obj(obj(doc['paths'], 'paths')[path], path)[method], `${method} ${path}`);
}

function paramNames(op: JsonObject): string[] {
  const params = op['parameters'];
  assert.ok(Array.isArray(params));
  return params.map((p) => str(obj(p, 'parameter')['name']));
}

function document(gv: { group: string; version: string }): JsonObject {
  const doc = buildGroupVersionDocument(SERVED, gv);
  assert.ok(doc);
  return doc;
}

void test('the root lists one hashed, server-relative URL per served group-version', () => {
  const bundle = buildOpenApiBundle(SERVED, { pathPrefix: '/k8s' });
  const paths = obj(bundle.root['paths'], 'paths');
  assert.deepEqual(Object.keys(paths), ['api/v1', 'apis/apps/v1']);
  for (const [key, entry] of Object.entries(paths)) {
    const served = bundle.documents.get(key);
    assert.ok(served);
    const hash = createHash('sha512').update(served.body).digest('hex').toUpperCase();
    assert.equal(served.hash, hash);
    assert.deepEqual(entry, { serverRelativeURL: `/k8s/openapi/v3/${key}?hash=${hash}` });
    assert.deepEqual(JSON.parse(served.body), served.document);
  }
  assert.deepEqual(buildOpenApiRoot(SERVED, { pathPrefix: '/k8s' }), bundle.root);
});

void test('documents and hashes are deterministic and independent of registration order', () => {
  const a = buildOpenApiBundle(SERVED, { pathPrefix: '' });
  const b = buildOpenApiBundle([...SERVED].reverse(), { pathPrefix: '' });
  assert.deepEqual(a.root, b.root);
  assert.equal(a.documents.get('api/v1')?.body, b.documents.get('api/v1')?.body);
  const fewer = buildOpenApiBundle([PODS, DEPLOYMENTS], { pathPrefix: '' });
  assert.notEqual(fewer.documents.get('api/v1')?.hash, a.documents.get('api/v1')?.hash);
  assert.equal(fewer.documents.get('apis/apps/v1')?.hash, a.documents.get('apis/apps/v1')?.hash);
});

void test('a group-version document is an OpenAPI 3.0 document with kube-apiserver paths', () => {
  const doc = document({ group: 'apps', version: 'v1' });
  assert.equal(doc['openapi'], '3.0.0');
  assert.deepEqual(doc['info'], { title: 'Kubernetes', version: 'unversioned' });
  assert.deepEqual(Object.keys(obj(doc['paths'], 'paths')), [
    '/apis/apps/v1/',
    '/apis/apps/v1/deployments',
    '/apis/apps/v1/namespaces/{namespace}/deployments',
    '/apis/apps/v1/namespaces/{namespace}/deployments/{name}',
    '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale',
    '/apis/apps/v1/namespaces/{namespace}/deployments/{name}/status',
  ]);
  const item = '/apis/apps/v1/namespaces/{namespace}/deployments/{name}';
  for (const method of ['get', 'put', 'patch', 'delete']) {
    assert.deepEqual(operation(doc, item, method)['x-kubernetes-group-version-kind'], {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
  }
  const patch = operation(doc, item, 'patch');
  assert.equal(patch['operationId'], 'patchAppsV1NamespacedDeployment');
  assert.deepEqual(paramNames(patch), ['dryRun', 'fieldManager', 'fieldValidation', 'force']);
  const patchTypes = Object.keys(obj(obj(patch['requestBody'], 'body')['content'], 'content'));
  assert.ok(patchTypes.includes('application/strategic-merge-patch+json'));
  assert.ok(patchTypes.includes('application/apply-patch+yaml'));
  assert.deepEqual(paramNames(operation(doc, item, 'put')), [
    'dryRun',
    'fieldManager',
    'fieldValidation',
  ]);
  const list = operation(doc, '/apis/apps/v1/namespaces/{namespace}/deployments', 'get');
  assert.equal(list['x-kubernetes-action'], 'list');
  for (const p of [
    'watch',
    'labelSelector',
    'fieldSelector',
    'resourceVersion',
    'limit',
    'continue',
  ]) {
    assert.ok(paramNames(list).includes(p), p);
  }
  const scale = operation(doc, `${item}/scale`, 'patch');
  assert.deepEqual(scale['x-kubernetes-group-version-kind'], {
    group: 'autoscaling',
    version: 'v1',
    kind: 'Scale',
  });
  const pathParams = obj(obj(doc['paths'], 'paths')[item], 'item')['parameters'];
  assert.ok(Array.isArray(pathParams));
  assert.deepEqual(
    pathParams.map((p) => [obj(p, 'p')['name'], obj(p, 'p')['in']]),
    [
      ['name', 'path'],
      ['namespace', 'path'],
      ['pretty', 'query'],
    ],
  );
});

void test('cluster-scoped resources have no namespace segment; unknown subresources get no path', () => {
  const doc = document({ group: '', version: 'v1' });
  const paths = Object.keys(obj(doc['paths'], 'paths'));
  assert.ok(paths.includes('/api/v1/namespaces/{name}'));
  assert.ok(paths.includes('/api/v1/namespaces/{name}/finalize'));
  assert.ok(paths.includes('/api/v1/pods'), 'pods are listable across namespaces');
  assert.ok(!paths.includes('/api/v1/namespaces/{namespace}/pods/{name}/bogus'));
  const evict = operation(doc, '/api/v1/namespaces/{namespace}/pods/{name}/eviction', 'post');
  assert.deepEqual(evict['x-kubernetes-group-version-kind'], {
    group: 'policy',
    version: 'v1',
    kind: 'Eviction',
  });
  const log = operation(doc, '/api/v1/namespaces/{namespace}/pods/{name}/log', 'get');
  assert.equal(log['x-kubernetes-group-version-kind'], undefined);
  assert.ok(paramNames(log).includes('follow'));
});

void test('components hold exactly the closure of what the paths reference', () => {
  for (const gv of [
    { group: '', version: 'v1' },
    { group: 'apps', version: 'v1' },
  ]) {
    const doc = document(gv);
    const schemas = obj(obj(doc['components'], 'components')['schemas'], 'schemas');
    const names = new Set(Object.keys(schemas));
    for (const ref of refsIn(doc)) assert.ok(names.has(ref), `${ref} resolves`);
    for (const name of refsIn(doc['paths'])) assert.ok(names.has(name));
  }
  const apps = obj(
    obj(document({ group: 'apps', version: 'v1' })['components'], 'c')['schemas'],
    's',
  );
  assert.ok('io.k8s.api.core.v1.Container' in apps, 'Deployment reaches the pod template');
  assert.ok('io.k8s.apimachinery.pkg.apis.meta.v1.Patch' in apps);
  assert.ok('io.k8s.api.autoscaling.v1.Scale' in apps);
  assert.ok(!('io.k8s.api.core.v1.Namespace' in apps), 'no unrelated kinds');
});

void test('a group-version nothing is served in has no document', () => {
  assert.equal(buildGroupVersionDocument(SERVED, { group: 'batch', version: 'v1' }), undefined);
});

void test('CRD schemas contributed through the catalog are documented and change the hash', () => {
  const gvk = { group: 'stable.example.com', version: 'v1', kind: 'CronTab' };
  const crontabs: ServedResource = {
    ...gvk,
    resource: 'crontabs',
    namespaced: true,
    subresources: [],
  };
  const bare = buildOpenApiBundle([crontabs], { pathPrefix: '' });
  const unknownBody = operation(
    obj(bare.documents.get('apis/stable.example.com/v1')?.document, 'doc'),
    '/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}',
    'get',
  );
  assert.match(JSON.stringify(unknownBody), /x-kubernetes-preserve-unknown-fields/);

  const name = customSchemaName(gvk);
  const catalog = withCustomSchemas(builtinSchemaCatalog(), {
    [name]: {
      type: 'object',
      properties: {
        metadata: { $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' },
        spec: { type: 'object', properties: { cronSpec: { type: 'string' } } },
      },
      'x-kubernetes-group-version-kind': [{ ...gvk }],
    },
  });
  const withSchema = buildOpenApiBundle([crontabs], { pathPrefix: '', catalog });
  const doc = obj(withSchema.documents.get('apis/stable.example.com/v1')?.document, 'doc');
  const schemas = obj(obj(doc['components'], 'c')['schemas'], 's');
  assert.ok(name in schemas);
  assert.ok('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' in schemas);
  assert.notEqual(
    withSchema.documents.get('apis/stable.example.com/v1')?.hash,
    bare.documents.get('apis/stable.example.com/v1')?.hash,
  );
});

void test('building every document takes a few milliseconds once warm', () => {
  buildOpenApiBundle(SERVED, { pathPrefix: '' });
  const start = performance.now();
  buildOpenApiBundle(SERVED, { pathPrefix: '' });
  // Generous for a shared 2-core machine; measured at about 3 ms.
  assert.ok(performance.now() - start < 100);
});

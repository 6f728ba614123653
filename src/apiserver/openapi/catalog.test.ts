import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { isJsonObject } from '../../api/index.ts';
import type { JsonObject, JsonValue } from '../../api/index.ts';
import {
  builtinSchemaCatalog,
  customSchemaName,
  refsIn,
  schemaClosure,
  withCustomSchemas,
} from './index.ts';

const catalog = builtinSchemaCatalog();

function str(v: JsonValue | undefined): string {
  if (typeof v !== 'string') assert.fail(`expected a string, got ${JSON.stringify(v)}`);
  return v;
}
const CORE = 'io.k8s.api.core.v1';
const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';

function schema(name: string): JsonObject {
  const s = catalog.get(name);
  assert.ok(s, `${name} is in the catalog`);
  return s;
}

function prop(name: string, field: string): JsonObject {
  const props = schema(name)['properties'];
  assert.ok(isJsonObject(props), `${name} has properties`);
  const p = props[field];
  assert.ok(isJsonObject(p), `${name}.${field} is declared`);
  return p;
}

function refTarget(p: JsonValue | undefined): string | undefined {
  if (!isJsonObject(p)) return undefined;
  const direct = p['$ref'];
  if (typeof direct === 'string') return direct;
  const [first] = Array.isArray(p['allOf']) ? p['allOf'] : [];
  return isJsonObject(first) && typeof first['$ref'] === 'string' ? first['$ref'] : undefined;
}

void test('the main kinds are present, described and tagged with their group-version-kind', () => {
  const cases = [
    [`${CORE}.Pod`, { group: '', kind: 'Pod', version: 'v1' }],
    ['io.k8s.api.apps.v1.Deployment', { group: 'apps', kind: 'Deployment', version: 'v1' }],
    [`${CORE}.PodList`, { group: '', kind: 'PodList', version: 'v1' }],
    [`${META}.Status`, { group: '', kind: 'Status', version: 'v1' }],
  ] as const;
  for (const [name, gvk] of cases) {
    const s = schema(name);
    assert.equal(s['type'], 'object');
    assert.ok(typeof s['description'] === 'string' && s['description'].length > 20, name);
    assert.deepEqual(s['x-kubernetes-group-version-kind'], [gvk]);
    assert.equal(catalog.nameOf(gvk), name);
  }
  const meta = schema(`${META}.ObjectMeta`);
  assert.match(str(meta['description']), /^ObjectMeta is metadata that all persisted resources/);
  assert.equal(meta['x-kubernetes-group-version-kind'], undefined);
});

void test('fields carry upstream descriptions, required lists and upstream ref wrapping', () => {
  assert.match(str(prop(`${CORE}.Container`, 'image')['description']), /^Container image name\./);
  assert.deepEqual(schema(`${CORE}.Container`)['required'], ['name']);
  assert.deepEqual(schema(`${CORE}.PodSpec`)['required'], ['containers']);
  // A described ref is wrapped in allOf, since OpenAPI 3.0 ignores siblings of $ref.
  const spec = prop(`${CORE}.Pod`, 'spec');
  assert.deepEqual(spec['allOf'], [{ $ref: `#/components/schemas/${CORE}.PodSpec` }]);
  assert.equal(typeof spec['description'], 'string');
  // Struct list items carry upstream's `default: {}`; maps use additionalProperties.
  const containers = prop(`${CORE}.PodSpec`, 'containers');
  assert.equal(containers['type'], 'array');
  assert.deepEqual(containers['items'], {
    allOf: [{ $ref: `#/components/schemas/${CORE}.Container` }],
    default: {},
  });
  assert.deepEqual(prop(`${META}.ObjectMeta`, 'labels')['additionalProperties'], {
    type: 'string',
  });
  assert.deepEqual(prop(`${CORE}.ResourceRequirements`, 'limits')['additionalProperties'], {
    $ref: '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity',
  });
  // Multi-paragraph comments keep their paragraph breaks.
  assert.match(str(schema('io.k8s.apimachinery.pkg.api.resource.Quantity')['description']), /\n\n/);
});

void test('numbers become integers with upstream formats, floats only where upstream has them', () => {
  const shape = (name: string, field: string): [JsonValue | undefined, JsonValue | undefined] => {
    const p = prop(name, field);
    return [p['type'], p['format']];
  };
  assert.deepEqual(shape(`${META}.ObjectMeta`, 'generation'), ['integer', 'int64']);
  assert.deepEqual(shape('io.k8s.api.apps.v1.DeploymentSpec', 'replicas'), ['integer', 'int32']);
  assert.deepEqual(shape(`${CORE}.PodSpec`, 'terminationGracePeriodSeconds'), ['integer', 'int64']);
  assert.deepEqual(shape(`${CORE}.ContainerPort`, 'containerPort'), ['integer', 'int32']);
  const supplemental = prop(`${CORE}.PodSecurityContext`, 'supplementalGroups')['items'];
  assert.deepEqual(supplemental, { format: 'int64', type: 'integer' });
  const props = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';
  assert.deepEqual(shape(props, 'maximum'), ['number', 'double']);
});

void test('special types take the shape upstream gives them', () => {
  const time = schema(`${META}.Time`);
  assert.deepEqual([time['type'], time['format']], ['string', 'date-time']);
  const micro = schema(`${META}.MicroTime`);
  assert.deepEqual([micro['type'], micro['format']], ['string', 'date-time']);
  assert.deepEqual(schema('io.k8s.apimachinery.pkg.api.resource.Quantity')['oneOf'], [
    { type: 'string' },
    { type: 'number' },
  ]);
  const intOrString = schema('io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(intOrString['format'], 'int-or-string');
  assert.deepEqual(intOrString['oneOf'], [{ type: 'integer' }, { type: 'string' }]);
  assert.equal(
    refTarget(prop('io.k8s.api.apps.v1.RollingUpdateDeployment', 'maxSurge')),
    '#/components/schemas/io.k8s.apimachinery.pkg.util.intstr.IntOrString',
  );
  assert.equal(schema('io.k8s.apimachinery.pkg.runtime.RawExtension')['type'], 'object');
  assert.equal(schema(`${META}.FieldsV1`)['type'], 'object');
  assert.equal(schema(`${META}.FieldsV1`)['properties'], undefined);
  const json = schema('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON');
  assert.equal(json['type'], undefined);
  // Members kubernetes-types cannot declare are restored for CRD schemas.
  const preserve = prop(
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps',
    'x-kubernetes-preserve-unknown-fields',
  );
  assert.equal(preserve['type'], 'boolean');
});

void test('every ref in every schema resolves, and closures are complete', () => {
  const all = schemaClosure(catalog, [`${CORE}.Pod`, 'io.k8s.api.apps.v1.Deployment']);
  assert.ok(all.has(`${META}.ObjectMeta`));
  assert.ok(all.has(`${CORE}.Container`));
  assert.ok(all.has('io.k8s.apimachinery.pkg.util.intstr.IntOrString'));
  for (const [name, s] of all) {
    for (const ref of refsIn(s)) assert.ok(all.has(ref), `${name} → ${ref} is in the closure`);
  }
  assert.ok(!all.has('io.k8s.api.batch.v1.Job'), 'the closure holds only what is reachable');
});

void test('custom schemas layer over the built-in ones without changing them', () => {
  const gvk = { group: 'stable.example.com', version: 'v1', kind: 'CronTab' };
  const name = customSchemaName(gvk);
  assert.equal(name, 'com.example.stable.v1.CronTab');
  const custom = withCustomSchemas(catalog, {
    [name]: {
      type: 'object',
      properties: { spec: { type: 'object', properties: { cronSpec: { type: 'string' } } } },
      'x-kubernetes-group-version-kind': [{ ...gvk }],
    },
  });
  assert.equal(custom.nameOf(gvk), name);
  assert.equal(custom.nameOf({ group: '', version: 'v1', kind: 'Pod' }), `${CORE}.Pod`);
  assert.equal(catalog.nameOf(gvk), undefined);
  assert.equal(catalog.get(name), undefined);
});

void test('schemas.gen.json is what scripts/gen-openapi.ts generates today', async () => {
  const script = fileURLToPath(new URL('../../../scripts/gen-openapi.ts', import.meta.url));
  // Rejects (exit 1) when the committed file differs from a fresh generation.
  await promisify(execFile)(process.execPath, ['--import', 'tsx', script, '--check'], {
    timeout: 30_000,
  });
});

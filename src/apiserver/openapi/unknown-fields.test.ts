import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject } from '../../api/index.ts';
import {
  builtinSchemaCatalog,
  customSchemaName,
  findUnknownFields,
  hasSchema,
  strictDecodingMessage,
  undecodableMessage,
  warningTexts,
  withCustomSchemas,
} from './index.ts';

const POD = { group: '', version: 'v1', kind: 'Pod' };
const DEPLOYMENT = { group: 'apps', version: 'v1', kind: 'Deployment' };

function deployment(container: JsonObject, spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web' }, annotations: { 'a.b/c': 'x' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'nginx', image: 'nginx', ...container }] },
      },
      ...spec,
    },
  };
}

void test('a valid object has no unknown fields', () => {
  const obj = deployment(
    {
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: { limits: { cpu: '500m', memory: 1024 }, requests: { cpu: 1 } },
      env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      livenessProbe: { httpGet: { port: 'http', path: '/' } },
      readinessProbe: { tcpSocket: { port: 8080 } },
    },
    { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } } },
  );
  assert.deepEqual(findUnknownFields(DEPLOYMENT, obj), []);
});

void test('a typo in a container field is reported with its list index', () => {
  const obj = deployment({ imagePullPolcy: 'Always' });
  assert.deepEqual(findUnknownFields(DEPLOYMENT, obj), [
    'spec.template.spec.containers[0].imagePullPolcy',
  ]);
});

void test('unknown fields are reported in document order, at every depth', () => {
  const obj: JsonObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', unknownMeta: 1 },
    bogus: true,
    spec: {
      foo: 'x',
      containers: [
        { name: 'a', image: 'a' },
        {
          name: 'b',
          image: 'b',
          ports: [{ containerPort: 1 }, { containerPort: 2, hostPortt: 3 }],
        },
      ],
      volumes: [{ name: 'v', emptyDir: { medium: 'Memory', sizeLimitt: '1Gi' } }],
    },
    status: { phase: 'Running', nope: null },
  };
  assert.deepEqual(findUnknownFields(POD, obj), [
    'metadata.unknownMeta',
    'bogus',
    'spec.foo',
    'spec.containers[1].ports[1].hostPortt',
    'spec.volumes[0].emptyDir.sizeLimitt',
    'status.nope',
  ]);
});

void test('map values are free-form keys but their values are still checked', () => {
  const gvk = { group: 'stable.example.com', version: 'v1', kind: 'Widget' };
  const name = customSchemaName(gvk);
  const catalog = withCustomSchemas(builtinSchemaCatalog(), {
    [name]: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            byName: {
              type: 'object',
              additionalProperties: { type: 'object', properties: { size: { type: 'integer' } } },
            },
            port: { 'x-kubernetes-int-or-string': true },
            extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
            known: {
              type: 'object',
              'x-kubernetes-preserve-unknown-fields': true,
              properties: { deep: { type: 'object', properties: { a: { type: 'string' } } } },
            },
            child: {
              type: 'object',
              'x-kubernetes-embedded-resource': true,
              'x-kubernetes-preserve-unknown-fields': true,
            },
          },
        },
      },
      'x-kubernetes-group-version-kind': [{ ...gvk }],
    },
  });
  const obj: JsonObject = {
    apiVersion: 'stable.example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'default', lables: {} },
    spec: {
      byName: { first: { size: 1 }, second: { size: 2, colour: 'red' } },
      port: 'http',
      extra: { anything: { goes: [1, 2] } },
      known: { free: 1, deep: { a: 'x', b: 'y' } },
      child: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', bad: 1 }, data: {} },
    },
  };
  assert.deepEqual(findUnknownFields(gvk, obj, { catalog }), [
    'metadata.lables',
    'spec.byName.second.colour',
    'spec.known.deep.b',
    'spec.child.metadata.bad',
  ]);
  assert.ok(hasSchema(gvk, { catalog }));
  assert.ok(!hasSchema(gvk));
});

void test('int-or-string and quantity fields accept either form; opaque fields accept anything', () => {
  const obj: JsonObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'p',
      managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:spec': { 'f:containers': {} } } }],
    },
    spec: {
      containers: [
        {
          name: 'a',
          livenessProbe: { httpGet: { port: 8080 } },
          startupProbe: { tcpSocket: { port: 'http' } },
          resources: { limits: { cpu: 0.5, memory: '1Gi' } },
        },
      ],
    },
  };
  assert.deepEqual(findUnknownFields(POD, obj), []);
});

void test('the top-level envelope is always known, even for a schema that omits it', () => {
  const gvk = { group: 'example.com', version: 'v1', kind: 'Loose' };
  const catalog = withCustomSchemas(builtinSchemaCatalog(), {
    [customSchemaName(gvk)]: {
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
      'x-kubernetes-group-version-kind': [{ ...gvk }],
    },
  });
  const obj: JsonObject = {
    apiVersion: 'example.com/v1',
    kind: 'Loose',
    metadata: { name: 'x', generateNam: 'y' },
    anything: { at: 'all' },
  };
  assert.deepEqual(findUnknownFields(gvk, obj, { catalog }), ['metadata.generateNam']);
});

void test('a kind without a schema reports nothing', () => {
  const gvk = { group: 'nope.io', version: 'v1', kind: 'Nothing' };
  assert.equal(hasSchema(gvk), false);
  assert.deepEqual(findUnknownFields(gvk, { spec: { foo: 1 } }), []);
  assert.ok(hasSchema(POD));
});

void test('at most 100 unknown fields are reported, as the upstream decoder caps them', () => {
  const spec: JsonObject = { containers: [] };
  for (let i = 0; i < 150; i++) spec[`f${i}`] = i;
  const found = findUnknownFields(POD, { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec });
  assert.equal(found.length, 100);
  assert.equal(found[0], 'spec.f0');
});

void test('messages match kube-apiserver wording for Strict and Warn', () => {
  const paths = ['spec.unknown1', 'spec.template.spec.containers[0].unknownNested'];
  assert.equal(
    strictDecodingMessage(paths),
    'strict decoding error: unknown field "spec.unknown1", ' +
      'unknown field "spec.template.spec.containers[0].unknownNested"',
  );
  assert.deepEqual(warningTexts(paths), [
    'unknown field "spec.unknown1"',
    'unknown field "spec.template.spec.containers[0].unknownNested"',
  ]);
  assert.equal(
    undecodableMessage(
      { kind: 'Deployment', version: 'v1' },
      'Deployment',
      strictDecodingMessage(['spec.foo']),
    ),
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.foo"',
  );
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject, JsonValue } from '../../api/index.ts';
import { compareVersions } from './crd-object.ts';
import { patchSchemaFromStructural } from './patch-schema.ts';
import { namesConflict } from './establishing.ts';
import { applyDefaults, prune } from './schema-default.ts';
import { validateCustomResource, validateValue, type Schema } from './schema-validate.ts';

const messages = (schema: Schema, value: JsonValue, path = 'spec.x'): string[] =>
  validateValue(schema, value, path).map((e) => e.message);

describe('schema validation messages (kube-openapi words, field.Error shapes)', () => {
  const cases: [string, Schema, JsonValue, string[]][] = [
    [
      'wrong type',
      { type: 'integer' },
      'three',
      ['spec.x: Invalid value: "string": spec.x in body must be of type integer: "string"'],
    ],
    ['integral float is an integer', { type: 'integer' }, 3, []],
    [
      'fraction is not an integer',
      { type: 'integer' },
      1.5,
      ['spec.x: Invalid value: "number": spec.x in body must be of type integer: "number"'],
    ],
    ['number accepts integers', { type: 'number' }, 2, []],
    [
      'null when not nullable',
      { type: 'string' },
      null,
      ['spec.x: Invalid value: "null": spec.x in body must be of type string: "null"'],
    ],
    ['null when nullable', { type: 'string', nullable: true }, null, []],
    ['int-or-string int', { 'x-kubernetes-int-or-string': true }, 8080, []],
    ['int-or-string string', { 'x-kubernetes-int-or-string': true }, 'http', []],
    [
      'int-or-string bool',
      { 'x-kubernetes-int-or-string': true },
      true,
      [
        'spec.x: Invalid value: "boolean": spec.x in body must be of type integer,string: "boolean"',
      ],
    ],
    [
      'enum',
      { type: 'string', enum: ['a', 'b'] },
      'c',
      ['spec.x: Unsupported value: "c": supported values: "a", "b"'],
    ],
    [
      'enum of numbers',
      { type: 'integer', enum: [1, 2] },
      3,
      ['spec.x: Unsupported value: 3: supported values: "1", "2"'],
    ],
    [
      'maximum',
      { type: 'integer', maximum: 5 },
      6,
      ['spec.x: Invalid value: 6: spec.x in body should be less than or equal to 5'],
    ],
    [
      'exclusive minimum',
      { type: 'integer', minimum: 0, exclusiveMinimum: true },
      0,
      ['spec.x: Invalid value: 0: spec.x in body should be greater than 0'],
    ],
    [
      'multipleOf',
      { type: 'integer', multipleOf: 3 },
      4,
      ['spec.x: Invalid value: 4: spec.x in body should be a multiple of 3'],
    ],
    [
      'maxLength counts runes',
      { type: 'string', maxLength: 2 },
      'abc',
      ['spec.x: Too long: may not be more than 2 bytes'],
    ],
    ['maxLength with an astral rune', { type: 'string', maxLength: 1 }, '😀', []],
    [
      'minLength',
      { type: 'string', minLength: 2 },
      'a',
      ['spec.x: Invalid value: "a": spec.x in body should be at least 2 chars long'],
    ],
    [
      'pattern',
      { type: 'string', pattern: '^[a-z]+$' },
      'A1',
      [`spec.x: Invalid value: "A1": spec.x in body should match '^[a-z]+$'`],
    ],
    [
      'format date-time',
      { type: 'string', format: 'date-time' },
      'yesterday',
      ['spec.x: Invalid value: "yesterday": spec.x in body must be of type date-time: "yesterday"'],
    ],
    ['format date-time ok', { type: 'string', format: 'date-time' }, '2024-01-02T03:04:05Z', []],
    ['unknown format passes', { type: 'string', format: 'int32' }, 'whatever', []],
    [
      'maxItems',
      { type: 'array', maxItems: 1, items: { type: 'string' } },
      ['a', 'b'],
      ['spec.x: Too many: 2: must have at most 1 items'],
    ],
    [
      'items are checked by index',
      { type: 'array', items: { type: 'string' } },
      ['a', 1],
      ['spec.x[1]: Invalid value: "integer": spec.x[1] in body must be of type string: "integer"'],
    ],
    [
      'required, then properties in key order',
      {
        type: 'object',
        required: ['name'],
        properties: { b: { type: 'string' }, a: { type: 'string' }, name: { type: 'string' } },
      },
      { b: 1, a: 2 },
      [
        'spec.x.name: Required value',
        'spec.x.a: Invalid value: "integer": spec.x.a in body must be of type string: "integer"',
        'spec.x.b: Invalid value: "integer": spec.x.b in body must be of type string: "integer"',
      ],
    ],
    [
      'additionalProperties values',
      { type: 'object', additionalProperties: { type: 'integer' } },
      { k: 'v' },
      ['spec.x.k: Invalid value: "string": spec.x.k in body must be of type integer: "string"'],
    ],
    [
      'oneOf',
      { type: 'integer', oneOf: [{ minimum: 0 }, { maximum: 10 }] },
      5,
      ['spec.x: Invalid value: 5: spec.x in body must validate one and only one schema (oneOf)'],
    ],
  ];
  for (const [name, schema, value, want] of cases) {
    it(name, () => {
      assert.deepEqual(messages(schema, value), want);
    });
  }

  it('leaves apiVersion, kind and metadata to the generic rules', () => {
    const schema: Schema = {
      type: 'object',
      required: ['metadata', 'spec'],
      properties: { metadata: { type: 'string' }, spec: { type: 'object' } },
    };
    const errs = validateCustomResource(schema, { apiVersion: 'x/v1', kind: 'X', metadata: {} });
    assert.deepEqual(
      errs.map((e) => e.message),
      ['spec: Required value'],
    );
  });
});

describe('pruning', () => {
  const schema: Schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          keep: { type: 'string' },
          list: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          template: {
            type: 'object',
            'x-kubernetes-embedded-resource': true,
            properties: { spec: { type: 'object', properties: {} } },
          },
        },
      },
    },
  };

  it('drops undeclared fields and reports their paths', () => {
    const obj: JsonObject = {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'n' },
      spec: {
        keep: 'k',
        drop: 1,
        list: [{ a: 'x', b: 'y' }],
        free: { any: { thing: 1 } },
        labels: { one: '1' },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { gone: true } },
      },
      extra: true,
    };
    const paths = prune(schema, obj);
    assert.deepEqual(paths.sort(), [
      'extra',
      'spec.drop',
      'spec.list[0].b',
      'spec.template.spec.gone',
    ]);
    assert.deepEqual(obj, {
      apiVersion: 'x/v1',
      kind: 'X',
      metadata: { name: 'n' },
      spec: {
        keep: 'k',
        list: [{ a: 'x' }],
        free: { any: { thing: 1 } },
        labels: { one: '1' },
        template: { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: {} },
      },
    });
  });
});

describe('defaulting', () => {
  const schema: Schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        default: {},
        properties: {
          replicas: { type: 'integer', default: 1 },
          mode: { type: 'string', default: 'fast' },
          ports: {
            type: 'array',
            items: {
              type: 'object',
              properties: { protocol: { type: 'string', default: 'TCP' } },
            },
          },
        },
      },
    },
  };

  it('fills missing fields, nested objects created by a default, and list items', () => {
    const a: JsonObject = { metadata: {} };
    applyDefaults(schema, a);
    assert.deepEqual(a['spec'], { replicas: 1, mode: 'fast' });
    const b: JsonObject = { spec: { replicas: 3, mode: null, ports: [{}, { protocol: 'UDP' }] } };
    applyDefaults(schema, b);
    assert.deepEqual(b['spec'], {
      replicas: 3,
      mode: 'fast',
      ports: [{ protocol: 'TCP' }, { protocol: 'UDP' }],
    });
  });
});

describe('version priority and names', () => {
  it('orders GA before beta before alpha, higher first', () => {
    const vs = ['v1alpha1', 'foo', 'v1beta1', 'v2', 'v1', 'v10beta3', 'bar'];
    assert.deepEqual(vs.sort(compareVersions), [
      'v2',
      'v1',
      'v10beta3',
      'v1beta1',
      'v1alpha1',
      'bar',
      'foo',
    ]);
  });

  it('finds name conflicts within a group', () => {
    const names = (plural: string, kind: string, shortNames: string[] = []) => ({
      plural,
      singular: plural.slice(0, -1),
      kind,
      listKind: `${kind}List`,
      shortNames,
      categories: [],
    });
    const taken = [names('widgets', 'Widget', ['wd'])];
    assert.equal(namesConflict(names('gadgets', 'Gadget'), taken), undefined);
    assert.equal(namesConflict(names('widgets', 'Other'), taken)?.reason, 'PluralConflict');
    assert.equal(namesConflict(names('gadgets', 'Widget'), taken)?.reason, 'KindConflict');
    assert.equal(
      namesConflict(names('gadgets', 'Gadget', ['wd']), taken)?.message,
      '"wd" is already in use',
    );
  });
});

describe('server-side apply merge metadata', () => {
  it('merges map lists by their single key and set lists by value', () => {
    const schema: Schema = {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            ports: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['name'],
              items: { type: 'object', properties: { name: { type: 'string' } } },
            },
            tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
            args: { type: 'array', items: { type: 'string' } },
            pairs: {
              type: 'array',
              'x-kubernetes-list-type': 'map',
              'x-kubernetes-list-map-keys': ['a', 'b'],
              items: { type: 'object' },
            },
          },
        },
      },
    };
    assert.deepEqual(patchSchemaFromStructural(schema), {
      fields: {
        spec: {
          type: {
            fields: {
              ports: { patchStrategy: 'merge', patchMergeKey: 'name' },
              tags: { patchStrategy: 'merge' },
            },
          },
        },
      },
    });
  });
});

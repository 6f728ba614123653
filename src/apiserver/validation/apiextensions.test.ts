import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject, KubeObject } from '../../api/index.ts';
import {
  defaultCustomResourceDefinition,
  validateCustomResourceDefinition,
} from './apiextensions.ts';

function crd(spec: JsonObject, name = 'widgets.example.com'): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name },
    spec,
  };
}

const SCHEMA = { openAPIV3Schema: { type: 'object' } };

function goodSpec(): JsonObject {
  return {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: SCHEMA }],
  };
}

function messages(obj: KubeObject, old?: KubeObject): string[] {
  return validateCustomResourceDefinition(obj, old).map((e) => e.message);
}

describe('CustomResourceDefinition validation', () => {
  it('accepts a minimal valid CRD', () => {
    assert.deepEqual(messages(crd(goodSpec())), []);
  });

  it('requires metadata.name to be <plural>.<group>', () => {
    assert.deepEqual(messages(crd(goodSpec(), 'wrong.example.com')), [
      'metadata.name: Invalid value: "wrong.example.com": must be spec.names.plural+"."+spec.group',
    ]);
  });

  const cases: [string, (s: JsonObject) => void, string][] = [
    [
      'group needs a dot',
      (s) => (s['group'] = 'example'),
      'spec.group: Invalid value: "example": should be a domain with at least one dot',
    ],
    [
      'scope enum',
      (s) => (s['scope'] = 'Global'),
      'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    ],
    [
      'exactly one storage version',
      (s) =>
        (s['versions'] = [
          { name: 'v1', served: true, storage: true, schema: SCHEMA },
          { name: 'v2', served: true, storage: true, schema: SCHEMA },
        ]),
      'spec.versions: Invalid value: must have exactly one version marked as storage version',
    ],
    [
      'at least one served version',
      (s) => (s['versions'] = [{ name: 'v1', served: false, storage: true, schema: SCHEMA }]),
      'spec.versions: Invalid value: must have at least one served version',
    ],
    [
      'schema required',
      (s) => (s['versions'] = [{ name: 'v1', served: true, storage: true }]),
      'spec.versions[0].schema.openAPIV3Schema: Required value: schemas are required',
    ],
    [
      'object at the root',
      (s) =>
        (s['versions'] = [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'string' } },
          },
        ]),
      'spec.versions[0].schema.openAPIV3Schema.type: Invalid value: "string": must be object at the root',
    ],
    [
      'nested types required',
      (s) =>
        (s['versions'] = [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: {} } } },
          },
        ]),
      'spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields',
    ],
    [
      'properties and additionalProperties are exclusive',
      (s) =>
        (s['versions'] = [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: {
              openAPIV3Schema: {
                type: 'object',
                properties: { a: { type: 'string' } },
                additionalProperties: { type: 'string' },
              },
            },
          },
        ]),
      'spec.versions[0].schema.openAPIV3Schema.additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive',
    ],
    [
      'printer column type',
      (s) =>
        (s['versions'] = [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: SCHEMA,
            additionalPrinterColumns: [{ name: 'A', type: 'text', jsonPath: '.spec.a' }],
          },
        ]),
      'spec.versions[0].additionalPrinterColumns[0].type: Invalid value: "text": must be one of boolean,date,integer,number,string',
    ],
    [
      'scale paths',
      (s) =>
        (s['versions'] = [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: SCHEMA,
            subresources: {
              scale: { specReplicasPath: '.replicas', statusReplicasPath: '.status.replicas' },
            },
          },
        ]),
      'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".replicas": should be a json path under .spec',
    ],
    [
      'kind and listKind differ',
      (s) =>
        (s['names'] = {
          plural: 'widgets',
          singular: 'widget',
          kind: 'Widget',
          listKind: 'Widget',
        }),
      'spec.names.listKind: Invalid value: "Widget": kind and listKind may not be the same',
    ],
  ];
  for (const [name, mutate, want] of cases) {
    it(name, () => {
      const spec = goodSpec();
      mutate(spec);
      const got = messages(crd(spec));
      assert.ok(got.includes(want), `${want}\nnot in\n${got.join('\n')}`);
    });
  }

  it('keeps group and plural immutable', () => {
    const old = crd(goodSpec());
    const next = crd({ ...goodSpec(), group: 'other.com' }, 'widgets.other.com');
    next.metadata.name = 'widgets.example.com';
    const got = messages(next, old);
    assert.ok(
      got.includes('spec.group: Invalid value: "other.com": field is immutable'),
      got.join('\n'),
    );
  });
});

describe('CustomResourceDefinition defaults', () => {
  it('fills singular, listKind and the None conversion', () => {
    const obj = crd({ group: 'example.com', names: { plural: 'widgets', kind: 'Widget' } });
    defaultCustomResourceDefinition(obj);
    assert.deepEqual(obj['spec'], {
      group: 'example.com',
      names: { plural: 'widgets', kind: 'Widget', singular: 'widget', listKind: 'WidgetList' },
      conversion: { strategy: 'None' },
    });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { JsonObject, KubeObject } from '../../api/index.ts';
import {
  defaultMutatingWebhookConfiguration,
  defaultValidatingWebhookConfiguration,
} from './admissionregistration-defaults.ts';
import {
  validateMutatingWebhookConfiguration,
  validateValidatingWebhookConfiguration,
} from './admissionregistration.ts';

function hook(over: JsonObject = {}): JsonObject {
  return {
    name: 'pods.example.com',
    clientConfig: { url: 'https://127.0.0.1:8443/mutate' },
    rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...over,
  };
}

function config(hooks: JsonObject[], kind = 'MutatingWebhookConfiguration'): KubeObject {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind,
    metadata: { name: 'cfg' },
    webhooks: hooks,
  };
}

function messages(obj: KubeObject, old?: KubeObject): string[] {
  defaultMutatingWebhookConfiguration(obj);
  return validateMutatingWebhookConfiguration(obj, old).map((e) => e.message);
}

describe('admissionregistration defaults', () => {
  it('fills upstream v1 defaults and leaves sideEffects and review versions alone', () => {
    const obj = config([
      {
        name: 'a.b.c',
        clientConfig: { service: { namespace: 'ns', name: 'svc' } },
        rules: [{ operations: ['*'] }],
      },
    ]);
    defaultMutatingWebhookConfiguration(obj);
    assert.deepEqual(obj['webhooks'], [
      {
        name: 'a.b.c',
        clientConfig: { service: { namespace: 'ns', name: 'svc', port: 443 } },
        rules: [{ operations: ['*'], scope: '*' }],
        failurePolicy: 'Fail',
        matchPolicy: 'Equivalent',
        namespaceSelector: {},
        objectSelector: {},
        timeoutSeconds: 10,
        reinvocationPolicy: 'Never',
      },
    ]);
    const v = config(
      [{ name: 'a.b.c', failurePolicy: 'Ignore' }],
      'ValidatingWebhookConfiguration',
    );
    defaultValidatingWebhookConfiguration(v);
    const w = (v['webhooks'] as JsonObject[])[0]; // SAFETY: set above.
    assert.ok(w);
    assert.equal(w['failurePolicy'], 'Ignore');
    assert.equal(w['reinvocationPolicy'], undefined);
  });
});

describe('admissionregistration validation', () => {
  const cases: [string, JsonObject, string[]][] = [
    ['a valid webhook', {}, []],
    [
      'missing sideEffects and review versions',
      { sideEffects: null, admissionReviewVersions: null },
      [
        'webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun',
        'webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1',
      ],
    ],
    [
      'side effects Some on create',
      { sideEffects: 'Some' },
      [
        'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
      ],
    ],
    [
      'a short name',
      { name: 'example.com' },
      [
        'webhooks[0].name: Invalid value: "example.com": should be a domain with at least three segments separated by dots',
      ],
    ],
    [
      'timeout out of range',
      { timeoutSeconds: 31 },
      [
        'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
      ],
    ],
    [
      'both url and service',
      { clientConfig: { url: 'https://a', service: { namespace: 'n', name: 's' } } },
      ['webhooks[0].clientConfig: Required value: exactly one of url or service is required'],
    ],
    [
      'an http url with a query',
      { clientConfig: { url: 'http://h/p?x=1' } },
      [
        `webhooks[0].clientConfig.url: Invalid value: "http": 'https' is the only allowed URL scheme; desired format: https://host[/path]`,
        'webhooks[0].clientConfig.url: Invalid value: "x=1": query parameters are not permitted in the URL',
      ],
    ],
    [
      'a bad service path and port',
      { clientConfig: { service: { namespace: 'n', name: 's', port: 0, path: 'a//b' } } },
      [
        'webhooks[0].clientConfig.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive',
        `webhooks[0].clientConfig.service.path: Invalid value: "a//b": must start with a '/'`,
        'webhooks[0].clientConfig.service.path: Invalid value: "a//b": segment[0] may not be empty',
        'webhooks[0].clientConfig.service.path: Invalid value: "a//b": segment[1] may not be empty',
      ],
    ],
    [
      'rule wildcards mixed with names',
      {
        rules: [
          {
            operations: ['*', 'CREATE'],
            apiGroups: ['*', 'apps'],
            apiVersions: [],
            resources: ['*/*', 'pods'],
            scope: 'Everywhere',
          },
        ],
      },
      [
        `webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{"*", "CREATE"}: if '*' is present, must not specify other operations`,
        `webhooks[0].rules[0].apiGroups: Invalid value: []string{"*", "apps"}: if '*' is present, must not specify other API groups`,
        'webhooks[0].rules[0].apiVersions: Required value',
        `webhooks[0].rules[0].resources: Invalid value: []string{"*/*", "pods"}: if '*/*' is present, must not specify other resources`,
        'webhooks[0].rules[0].scope: Unsupported value: "Everywhere": supported values: "*", "Cluster", "Namespaced"',
      ],
    ],
    [
      'subresource wildcard conflicts',
      {
        rules: [
          {
            operations: ['UPDATE'],
            apiGroups: [''],
            apiVersions: ['v1'],
            resources: ['pods/*', 'pods/status'],
          },
        ],
      },
      [
        `webhooks[0].rules[0].resources[1]: Invalid value: "pods/status": if 'pods/*' is present, must not specify pods/status`,
      ],
    ],
    [
      'bad policies',
      { failurePolicy: 'Maybe', reinvocationPolicy: 'Always', matchPolicy: 'Loose' },
      [
        'webhooks[0].failurePolicy: Unsupported value: "Maybe": supported values: "Fail", "Ignore"',
        'webhooks[0].matchPolicy: Unsupported value: "Loose": supported values: "Equivalent", "Exact"',
        'webhooks[0].reinvocationPolicy: Unsupported value: "Always": supported values: "IfNeeded", "Never"',
      ],
    ],
    [
      'match conditions without expression and duplicated',
      {
        matchConditions: [
          { name: 'a', expression: 'true' },
          { name: 'a', expression: ' ' },
        ],
      },
      [
        'webhooks[0].matchConditions[1].expression: Required value',
        'webhooks[0].matchConditions[1].name: Duplicate value: "a"',
      ],
    ],
    [
      'unknown and duplicate review versions',
      { admissionReviewVersions: ['v2', 'v2'] },
      [
        'webhooks[0].admissionReviewVersions[1]: Invalid value: "v2": duplicate version',
        'webhooks[0].admissionReviewVersions: Invalid value: []string{"v2", "v2"}: must include at least one of v1, v1beta1',
      ],
    ],
    [
      'a bad selector',
      { objectSelector: { matchExpressions: [{ key: 'a', operator: 'In' }] } },
      [
        "webhooks[0].objectSelector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      ],
    ],
  ];
  for (const [name, over, want] of cases) {
    it(name, () => {
      assert.deepEqual(messages(config([hook(over)])), want);
    });
  }

  it('rejects duplicate webhook names and checks metadata', () => {
    const obj = config([hook(), hook()]);
    obj.metadata = { name: 'Bad_Name' };
    const got = messages(obj);
    assert.ok(got.some((m) => m.startsWith('metadata.name: Invalid value: "Bad_Name"')));
    assert.ok(got.includes('webhooks[1].name: Duplicate value: "pods.example.com"'));
  });

  it('ratchets on update: side effects stay allowed when the old object had them', () => {
    const old = config([hook({ sideEffects: 'Some' })]);
    old.metadata = { name: 'cfg', resourceVersion: '5' };
    const next = config([hook({ sideEffects: 'Some', timeoutSeconds: 5 })]);
    next.metadata = { name: 'cfg', resourceVersion: '5' };
    assert.deepEqual(messages(next, old), []);
  });

  it('validates validating configurations without reinvocationPolicy', () => {
    const obj = config([hook({ reinvocationPolicy: 'Always' })], 'ValidatingWebhookConfiguration');
    defaultValidatingWebhookConfiguration(obj);
    assert.deepEqual(validateValidatingWebhookConfiguration(obj), []);
  });
});

describe('admissionregistration validation on arbitrary JSON', () => {
  it('never throws and always reports field errors', () => {
    const arbitraryHook = fc.dictionary(
      fc.constantFrom(
        'name',
        'rules',
        'clientConfig',
        'sideEffects',
        'timeoutSeconds',
        'namespaceSelector',
        'objectSelector',
        'matchConditions',
        'admissionReviewVersions',
        'failurePolicy',
        'reinvocationPolicy',
      ),
      fc.jsonValue({ maxDepth: 3 }),
    );
    fc.assert(
      fc.property(
        fc.oneof(fc.array(arbitraryHook, { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
        fc.jsonValue({ maxDepth: 2 }),
        (webhooks, metadata) => {
          // SAFETY: the validators must cope with any JSON in place of typed fields.
          const obj = { metadata, webhooks } as unknown as KubeObject;
          defaultMutatingWebhookConfiguration(obj);
          defaultValidatingWebhookConfiguration(obj);
          for (const errs of [
            validateMutatingWebhookConfiguration(obj),
            validateValidatingWebhookConfiguration(obj, obj),
          ]) {
            assert.ok(errs.every((e) => e.message.startsWith(e.field)));
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { isJsonObject, type KubeObject } from '../../api/index.ts';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { ApiError } from '../errors.ts';
import { builtinResources } from '../resources/builtin.ts';
import { ResourceRegistry } from '../resources/registry.ts';
import type { AdmissionAttributes } from './types.ts';
import { webhookAdmission } from './webhook.ts';
import type { WebhookHttpResponse } from './webhook-client.ts';

/** What the fake webhook answers, given the request uid. */
type Answer = (uid: string) => WebhookHttpResponse;

const b64 = (s: string): string => Buffer.from(s).toString('base64');

const patchOps = fc.array(
  fc.record({
    op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
    path: fc.constantFrom(
      '/metadata/labels/x',
      '/spec',
      '/metadata',
      '',
      '/nope/deep',
      '/kind',
      '-',
    ),
    value: fc.jsonValue(),
    from: fc.constantFrom('/metadata/name', '/spec/containers/0', '/missing'),
  }),
  { maxLength: 4 },
);

const patch = fc.oneof(
  patchOps.map((ops) => b64(JSON.stringify(ops))),
  fc.jsonValue().map((v) => b64(JSON.stringify(v))),
  fc.string(),
  fc.constant(undefined),
  fc.integer(),
);

const response = fc.record(
  {
    uid: fc.oneof(fc.constant('<uid>'), fc.string(), fc.integer(), fc.constant(null)),
    allowed: fc.oneof(fc.boolean(), fc.string(), fc.constant(null)),
    patchType: fc.oneof(
      fc.constant('JSONPatch'),
      fc.string(),
      fc.constant(undefined),
      fc.integer(),
    ),
    patch,
    status: fc.oneof(
      fc.record(
        { code: fc.integer({ min: -5, max: 700 }), message: fc.string(), reason: fc.string() },
        { requiredKeys: [] },
      ),
      fc.jsonValue(),
    ),
    warnings: fc.oneof(fc.array(fc.string(), { maxLength: 3 }), fc.jsonValue()),
    auditAnnotations: fc.oneof(
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }),
      fc.jsonValue(),
    ),
  },
  { requiredKeys: [] },
);

const review = fc.record(
  {
    apiVersion: fc.oneof(fc.constant('admission.k8s.io/v1'), fc.string()),
    kind: fc.oneof(fc.constant('AdmissionReview'), fc.string()),
    response: fc.oneof(response, fc.jsonValue()),
  },
  { requiredKeys: [] },
);

function withUid(v: unknown, uid: string): unknown {
  if (!isJsonObject(v)) return v;
  const r = v['response'];
  if (!isJsonObject(r) || r['uid'] !== '<uid>') return v;
  return { ...v, response: { ...r, uid } };
}

const wellFormed: fc.Arbitrary<Answer> = fc
  .option(fc.string({ maxLength: 8 }), { nil: undefined })
  .map((label): Answer => (uid) => {
    const ops =
      label === undefined ? undefined : [{ op: 'add', path: '/metadata/labels/x', value: label }];
    const response = {
      uid,
      allowed: true,
      ...(ops === undefined ? {} : { patchType: 'JSONPatch', patch: b64(JSON.stringify(ops)) }),
    };
    return {
      status: 200,
      body: JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response,
      }),
    };
  });

const answer: fc.Arbitrary<Answer> = fc.oneof(
  { arbitrary: wellFormed, weight: 2 },
  fc
    .tuple(review, fc.constantFrom(200, 200, 201, 400, 500))
    .map(([r, status]): Answer => (uid) => ({ status, body: JSON.stringify(withUid(r, uid)) })),
  fc.string().map((body): Answer => () => ({ status: 200, body })),
  fc.jsonValue().map((v): Answer => () => ({ status: 200, body: JSON.stringify(v) })),
);

function hooks(name: string, failurePolicy: string): KubeObject {
  return {
    metadata: { name },
    webhooks: [
      {
        name: `${name}.example.com`,
        clientConfig: { url: `https://127.0.0.1:1/${name}` },
        rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }],
        failurePolicy,
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        reinvocationPolicy: 'IfNeeded',
      },
    ],
  };
}

test('random AdmissionReview responses never crash and fail with a clean Status', async () => {
  const store = new CachedStore({ persistence: noPersistence });
  await store.create('/namespaces/default', { metadata: { name: 'default' } });
  const prefix = '.admissionregistration.k8s.io/';
  await store.create(`/mutatingwebhookconfigurations${prefix}m1`, hooks('m1', 'Fail'));
  await store.create(`/mutatingwebhookconfigurations${prefix}m2`, hooks('m2', 'Ignore'));
  await store.create(`/validatingwebhookconfigurations${prefix}v1`, hooks('v1', 'Fail'));
  const def = new ResourceRegistry(builtinResources).lookup('', 'v1', 'pods');
  assert.ok(def);
  let current: Answer = () => ({ status: 200, body: '' });
  const plugin = webhookAdmission({
    store,
    clock: new ManualClock(),
    ids: sequentialIds(),
    transport: {
      post: (req) => {
        const r: unknown = JSON.parse(req.body);
        const uid = isJsonObject(r) && isJsonObject(r['request']) ? r['request']['uid'] : '';
        return Promise.resolve(current(typeof uid === 'string' ? uid : ''));
      },
    },
  });
  const outcomes = { allowed: 0, failed: 0 };
  await fc.assert(
    fc.asyncProperty(
      answer,
      fc.constantFrom<'CREATE' | 'DELETE'>('CREATE', 'DELETE'),
      async (a, operation) => {
        current = a;
        const obj: KubeObject = {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'p', namespace: 'default', labels: { a: 'b' } },
          spec: { containers: [{ name: 'c', image: 'i' }] },
        };
        const attrs: AdmissionAttributes = {
          operation,
          def,
          subresource: '',
          namespace: 'default',
          name: 'p',
          object: operation === 'CREATE' ? obj : undefined,
          oldObject: operation === 'DELETE' ? obj : undefined,
          user: { username: 'u', groups: [] },
          dryRun: false,
          warnings: [],
        };
        try {
          await plugin.admit?.(attrs);
          await plugin.validate?.(attrs);
        } catch (e: unknown) {
          assert.ok(e instanceof ApiError, `unexpected ${String(e)}`);
          const s = e.status;
          assert.equal(s.kind, 'Status');
          assert.equal(s.status, 'Failure');
          assert.ok(Number.isInteger(s.code) && s.code >= 400, `code ${String(s.code)}`);
          assert.equal(typeof s.message, 'string');
          JSON.stringify(s);
          outcomes.failed++;
          return;
        }
        if (operation === 'CREATE') {
          const o: unknown = attrs.object;
          assert.ok(isJsonObject(o) && isJsonObject(o['metadata']));
        }
        assert.ok(attrs.warnings.every((w) => typeof w === 'string'));
        outcomes.allowed++;
      },
    ),
    { numRuns: 300 },
  );
  // Both paths must have been exercised for the property to mean anything.
  assert.ok(outcomes.allowed > 0 && outcomes.failed > 0, JSON.stringify(outcomes));
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';
import { ApiStatusError, InProcessTransport, KubeClient } from '../../client/index.ts';
import { CachedStore, noPersistence, type Store } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { ApiServer } from '../server.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { AdmissionChain } from './types.ts';
import { webhookAdmission, type WebhookAdmission } from './webhook.ts';
import { httpsTransport, type WebhookPost, type WebhookTransport } from './webhook-client.ts';

const USER = { username: 'admin', groups: ['system:masters'] };
const PODS = '/api/v1/namespaces/default/pods';
const MWC = '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations';
const VWC = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations';

type Handler = (
  review: JsonObject,
  post: WebhookPost,
) => JsonObject | { status: number; body: string };

interface Kit {
  readonly client: KubeClient;
  readonly store: Store;
  readonly plugin: WebhookAdmission;
  /** Every review sent, by webhook URL path. */
  readonly calls: { path: string; request: JsonObject }[];
}

function requestOf(review: JsonObject): JsonObject {
  const r = review['request'];
  if (!isJsonObject(r)) throw new Error('no request');
  return r;
}

/** A transport answering by URL path from `handlers`; unknown paths are refused. */
function fakeTransport(handlers: Record<string, Handler>, calls: Kit['calls']): WebhookTransport {
  return {
    post: (req) => {
      const path = req.path.split('?')[0] ?? '';
      const review: unknown = JSON.parse(req.body);
      if (!isJsonObject(review)) throw new Error('bad review');
      calls.push({ path, request: requestOf(review) });
      const h = handlers[path];
      if (!h) return Promise.reject(new Error(`no handler for ${path}`));
      const out = h(review, req);
      if ('status' in out && typeof out.status === 'number' && typeof out.body === 'string') {
        return Promise.resolve({ status: out.status, body: out.body });
      }
      return Promise.resolve({ status: 200, body: JSON.stringify(out) });
    },
  };
}

function allow(review: JsonObject, extra: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: requestOf(review)['uid'] ?? null, allowed: true, ...extra },
  };
}

function patchOf(ops: unknown[]): JsonObject {
  return { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') };
}

async function kit(handlers: Record<string, Handler>, transport?: WebhookTransport): Promise<Kit> {
  const store = new CachedStore({ persistence: noPersistence });
  const clock = new ManualClock();
  const ids = sequentialIds();
  const calls: Kit['calls'] = [];
  const plugin = webhookAdmission({
    store,
    clock,
    ids,
    transport: transport ?? fakeTransport(handlers, calls),
  });
  const admission = new AdmissionChain([namespaceLifecycle(store), plugin]);
  const api = new ApiServer({ store, clock, ids, admission });
  const client = new KubeClient(new InProcessTransport(api, USER));
  await client.create('/api/v1/namespaces', { metadata: { name: 'default' } });
  return { client, store, plugin, calls };
}

function webhook(name: string, path: string, extra: JsonObject = {}): JsonObject {
  return {
    name,
    clientConfig: { url: `https://127.0.0.1:9443${path}` },
    rules: [
      {
        operations: ['CREATE', 'UPDATE'],
        apiGroups: [''],
        apiVersions: ['v1'],
        resources: ['pods'],
      },
    ],
    sideEffects: 'None',
    admissionReviewVersions: ['v1'],
    ...extra,
  };
}

function configuration(name: string, hooks: JsonObject[]): KubeObject {
  return { metadata: { name }, webhooks: hooks };
}

function pod(name: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  };
}

async function rejection(p: Promise<unknown>): Promise<ApiStatusError> {
  try {
    await p;
  } catch (e: unknown) {
    if (e instanceof ApiStatusError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

describe('mutating webhooks', () => {
  it('send an AdmissionReview v1 and apply the JSONPatch response', async () => {
    const k = await kit({
      '/mutate': (r) =>
        allow(r, patchOf([{ op: 'add', path: '/metadata/labels/mutated', value: 'yes' }])),
    });
    await k.client.create(MWC, configuration('m', [webhook('m.example.com', '/mutate')]));
    const created = await k.client.create(PODS, pod('p1', { app: 'web' }));
    assert.deepEqual(created.metadata.labels, { app: 'web', mutated: 'yes' });
    const [call] = k.calls;
    assert.ok(call);
    const req = call.request;
    assert.equal(typeof req['uid'], 'string');
    assert.deepEqual(req['kind'], { group: '', version: 'v1', kind: 'Pod' });
    assert.deepEqual(req['resource'], { group: '', version: 'v1', resource: 'pods' });
    assert.deepEqual(req['requestKind'], req['kind']);
    assert.equal(req['operation'], 'CREATE');
    assert.equal(req['namespace'], 'default');
    assert.equal(req['name'], 'p1');
    assert.equal(req['dryRun'], false);
    assert.deepEqual(req['userInfo'], { username: 'admin', groups: ['system:masters'] });
    assert.deepEqual(req['options'], { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' });
    assert.equal(req['oldObject'], null);
    assert.ok(isJsonObject(req['object']));
    assert.equal(req['object']['kind'], 'Pod');
  });

  it('run in configuration-name order and reinvoke IfNeeded webhooks once', async () => {
    const order: string[] = [];
    const k = await kit({
      '/a': (r) => {
        order.push('a');
        return allow(r);
      },
      '/b': (r) => {
        order.push('b');
        const labels = (requestOf(r)['object'] as { metadata: { labels?: object } }).metadata
          .labels; // SAFETY: test reads the pod.
        return labels && 'b' in labels
          ? allow(r)
          : allow(r, patchOf([{ op: 'add', path: '/metadata/labels/b', value: '1' }]));
      },
    });
    await k.client.create(MWC, configuration('2-second', [webhook('b.example.com', '/b')]));
    await k.client.create(
      MWC,
      configuration('1-first', [
        webhook('a.example.com', '/a', { reinvocationPolicy: 'IfNeeded' }),
      ]),
    );
    const created = await k.client.create(PODS, pod('p2', { x: 'y' }));
    assert.deepEqual(order, ['a', 'b', 'a']);
    assert.equal(created.metadata.labels?.['b'], '1');
  });

  it('reject with the webhook status, at least 400', async () => {
    const k = await kit({
      '/deny': (r) => ({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: {
          uid: requestOf(r)['uid'] ?? null,
          allowed: false,
          status: { message: 'no pods today' },
        },
      }),
    });
    await k.client.create(MWC, configuration('m', [webhook('deny.example.com', '/deny')]));
    const e = await rejection(k.client.create(PODS, pod('p3')));
    assert.equal(e.httpStatus, 400);
    assert.equal(
      e.message,
      'admission webhook "deny.example.com" denied the request: no pods today',
    );
    assert.equal(e.status.reason, undefined);
  });

  it('report a bad patch as an internal error whatever the failure policy', async () => {
    const k = await kit({
      '/bad': (r) => allow(r, patchOf([{ op: 'replace', path: '/nope/deeper', value: 1 }])),
    });
    await k.client.create(
      MWC,
      configuration('m', [webhook('bad.example.com', '/bad', { failurePolicy: 'Ignore' })]),
    );
    const e = await rejection(k.client.create(PODS, pod('p4')));
    assert.equal(e.httpStatus, 500);
    assert.match(e.message, /^Internal error occurred: /);
  });

  it('are never called for webhook configurations themselves', async () => {
    const k = await kit({});
    const everything = webhook('all.example.com', '/down', {
      rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*/*'] }],
    });
    await k.client.create(MWC, configuration('lock', [everything]));
    await k.client.create(VWC, configuration('lock', [everything]));
    await k.client.delete(`${MWC}/lock`);
    await k.client.delete(`${VWC}/lock`);
    assert.deepEqual(k.calls, []);
  });
});

describe('validating webhooks', () => {
  it('reject with the webhook code and reason, and see DELETE with the old object', async () => {
    const k = await kit({
      '/v': (r) => {
        const req = requestOf(r);
        const obj = (req['object'] ?? req['oldObject']) as {
          metadata: { labels?: Record<string, string> };
        }; // SAFETY: a pod.
        if (obj.metadata.labels?.['deny'] === 'true') {
          return {
            apiVersion: 'admission.k8s.io/v1',
            kind: 'AdmissionReview',
            response: {
              uid: req['uid'] ?? null,
              allowed: false,
              status: { code: 403, reason: 'Forbidden', message: 'label deny=true' },
            },
          };
        }
        return allow(r, { warnings: ['checked by v'] });
      },
    });
    const all = [{ operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }];
    await k.client.create(
      VWC,
      configuration('v', [webhook('v.example.com', '/v', { rules: all })]),
    );
    const e = await rejection(k.client.create(PODS, pod('bad', { deny: 'true' })));
    assert.equal(e.httpStatus, 403);
    assert.equal(e.reason, 'Forbidden');
    assert.equal(
      e.message,
      'admission webhook "v.example.com" denied the request: label deny=true',
    );
    await k.client.create(PODS, pod('ok'));
    await k.client.delete(`${PODS}/ok`, { gracePeriodSeconds: 0 });
    const del = k.calls.find((c) => c.request['operation'] === 'DELETE');
    assert.ok(del);
    assert.equal(del.request['object'], null);
    assert.ok(isJsonObject(del.request['oldObject']));
    assert.deepEqual(del.request['options'], {
      kind: 'DeleteOptions',
      apiVersion: 'meta.k8s.io/v1',
    });
  });

  it('fail closed or open on a connection failure per failurePolicy', async () => {
    const k = await kit({}, httpsTransport());
    const down = { clientConfig: { url: 'https://127.0.0.1:9/validate' } };
    await k.client.create(VWC, configuration('v', [webhook('down.example.com', '/x', down)]));
    const e = await rejection(k.client.create(PODS, pod('p5')));
    assert.equal(e.httpStatus, 500);
    assert.equal(
      e.message,
      'Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https://127.0.0.1:9/validate?timeout=10s": dial tcp 127.0.0.1:9: connect: connection refused',
    );
    await k.client.patch(
      `${VWC}/v`,
      [{ op: 'add', path: '/webhooks/0/failurePolicy', value: 'Ignore' }],
      'json',
    );
    await k.client.create(PODS, pod('p5'));
  });

  it('refuse dry runs for webhooks with side effects and pass dryRun to the others', async () => {
    const k = await kit({ '/v': (r) => allow(r) });
    // The v1 API refuses sideEffects: Some on create; such a configuration survives in storage
    // from v1beta1 only, so it is written there directly.
    const key = '/validatingwebhookconfigurations.admissionregistration.k8s.io/some';
    await k.store.create(key, {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingWebhookConfiguration',
      ...configuration('some', [
        {
          ...webhook('some.example.com', '/v', { sideEffects: 'Some' }),
          failurePolicy: 'Fail',
          namespaceSelector: {},
          objectSelector: {},
          timeoutSeconds: 10,
          matchPolicy: 'Equivalent',
        },
      ]),
    });
    const e = await rejection(k.client.create(PODS, pod('p6'), { dryRun: 'All' }));
    assert.equal(e.httpStatus, 400);
    assert.equal(e.reason, 'BadRequest');
    assert.equal(e.message, 'admission webhook "some.example.com" does not support dry run');
    await k.store.delete(key);
    await k.client.create(
      VWC,
      configuration('none', [webhook('none.example.com', '/v', { sideEffects: 'NoneOnDryRun' })]),
    );
    await k.client.create(PODS, pod('p6'), { dryRun: 'All' });
    assert.equal(k.calls.at(-1)?.request['dryRun'], true);
  });

  it('record warnings and audit annotations on the request', async () => {
    const k = await kit({
      '/v': (r) => allow(r, { warnings: ['careful'], auditAnnotations: { checked: 'yes' } }),
    });
    await k.client.create(VWC, configuration('v', [webhook('w.example.com', '/v')]));
    const def = new ApiServer({
      store: k.store,
      clock: new ManualClock(),
      ids: sequentialIds(),
    }).registry.lookup('', 'v1', 'pods');
    assert.ok(def);
    const attrs = {
      operation: 'CREATE' as const,
      def,
      subresource: '',
      namespace: 'default',
      name: 'x',
      object: pod('x'),
      oldObject: undefined,
      user: USER,
      dryRun: false,
      warnings: [],
    };
    await k.plugin.validate?.(attrs);
    assert.deepEqual(attrs.warnings, ['careful']);
    assert.deepEqual(k.plugin.auditAnnotations(attrs), { 'w.example.com/checked': 'yes' });
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isJsonObject, type JsonObject, type JsonValue } from '../../api/index.ts';
import { sequentialIds } from '../../util/index.ts';
import { ApiServer } from '../server.ts';
import { newKit, widgetCrd, type Kit } from './test-kit.ts';

const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const WIDGETS = '/apis/example.com/v1/namespaces/default/widgets';

function at(v: JsonValue | undefined, ...path: (string | number)[]): JsonValue | undefined {
  let cur = v;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isJsonObject(cur) ? cur[p] : undefined;
  }
  return cur;
}

function messageOf(body: JsonObject): string {
  const m = body['message'];
  return typeof m === 'string' ? m : '';
}

async function established(): Promise<Kit> {
  const kit = await newKit();
  const res = await kit.call({ method: 'POST', path: CRDS, body: widgetCrd() });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  await kit.server.crds.idle();
  return kit;
}

function widget(spec: JsonObject, name = 'w1'): JsonObject {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name }, spec };
}

describe('CRD establishing', () => {
  it('sets NamesAccepted, Established, acceptedNames and storedVersions', async () => {
    const kit = await established();
    const crd = await kit.call({ path: `${CRDS}/widgets.example.com` });
    const conditions = at(crd.body, 'status', 'conditions');
    assert.ok(Array.isArray(conditions));
    const byType = new Map(conditions.filter(isJsonObject).map((c) => [c['type'], c]));
    assert.equal(byType.get('NamesAccepted')?.['reason'], 'NoConflicts');
    assert.equal(byType.get('Established')?.['status'], 'True');
    assert.equal(byType.get('Established')?.['message'], 'the initial names have been accepted');
    assert.deepEqual(at(crd.body, 'status', 'acceptedNames', 'shortNames'), ['wd']);
    assert.deepEqual(at(crd.body, 'status', 'storedVersions'), ['v1']);
  });

  it('serves the versions in discovery, v1 preferred', async () => {
    const kit = await established();
    const group = await kit.call({ path: '/apis/example.com' });
    assert.equal(at(group.body, 'preferredVersion', 'version'), 'v1');
    const list = await kit.call({ path: '/apis/example.com/v1' });
    const resources = at(list.body, 'resources');
    assert.ok(Array.isArray(resources));
    const names = resources.map((r) => at(r, 'name'));
    assert.deepEqual(names.sort(), ['widgets', 'widgets/scale', 'widgets/status']);
    const main = resources.find((r) => at(r, 'name') === 'widgets');
    assert.deepEqual(at(main, 'shortNames'), ['wd']);
    assert.deepEqual(at(main, 'categories'), ['all']);
  });

  it('rejects a second CRD whose names clash, with NamesAccepted False', async () => {
    const kit = await established();
    const other = widgetCrd();
    other['metadata'] = { name: 'gadgets.example.com' };
    const spec = other['spec'];
    assert.ok(isJsonObject(spec));
    spec['names'] = { plural: 'gadgets', kind: 'Gadget', shortNames: ['wd'] };
    assert.equal((await kit.call({ method: 'POST', path: CRDS, body: other })).status, 201);
    await kit.server.crds.idle();
    const crd = await kit.call({ path: `${CRDS}/gadgets.example.com` });
    const conditions = at(crd.body, 'status', 'conditions');
    assert.ok(Array.isArray(conditions));
    const names = conditions.find((c) => at(c, 'type') === 'NamesAccepted');
    assert.equal(at(names, 'status'), 'False');
    assert.equal(at(names, 'reason'), 'ShortNamesConflict');
    const gadgets = await kit.call({ path: '/apis/example.com/v1/namespaces/default/gadgets' });
    assert.equal(gadgets.status, 404);
  });
});

describe('custom resources', () => {
  it('defaults and prunes on create, warning about unknown fields', async () => {
    const kit = await established();
    const res = await kit.call({
      method: 'POST',
      path: WIDGETS,
      body: widget({ size: 'small', bogus: 1, extra: { anything: { goes: true } } }),
    });
    assert.equal(res.status, 201, JSON.stringify(res.body));
    assert.equal(at(res.body, 'spec', 'replicas'), 1);
    assert.equal(at(res.body, 'spec', 'bogus'), undefined);
    assert.deepEqual(at(res.body, 'spec', 'extra'), { anything: { goes: true } });
    assert.equal(at(res.body, 'metadata', 'generation'), 1);
    assert.deepEqual(res.headers['Warning'], ['299 - "unknown field \\"spec.bogus\\""']);
  });

  it('rejects unknown fields under fieldValidation=Strict', async () => {
    const kit = await established();
    const res = await kit.call({
      method: 'POST',
      path: `${WIDGETS}?fieldValidation=Strict`,
      body: widget({ size: 'small', bogus: 1 }),
    });
    assert.equal(res.status, 400);
    assert.match(messageOf(res.body), /strict decoding error: unknown field "spec.bogus"/);
  });

  it('rejects schema violations with upstream messages', async () => {
    const kit = await established();
    const res = await kit.call({
      method: 'POST',
      path: WIDGETS,
      body: widget({ size: 'huge', replicas: 'three', color: 'Red', tags: [] }),
    });
    assert.equal(res.status, 422);
    const message = messageOf(res.body);
    for (const part of [
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
      'spec.size: Unsupported value: "huge": supported values: "small", "large"',
      `spec.color: Invalid value: "Red": spec.color in body should match '^[a-z]+$'`,
      'spec.tags: Invalid value:',
    ]) {
      assert.ok(message.includes(part), `${part}\nin\n${message}`);
    }
    assert.ok(message.startsWith('Widget.example.com "w1" is invalid: '), message);
    const missing = await kit.call({ method: 'POST', path: WIDGETS, body: widget({}) });
    assert.match(messageOf(missing.body), /spec\.size: Required value/);
  });

  it('serves every version from one storage, rewriting apiVersion', async () => {
    const kit = await established();
    await kit.call({ method: 'POST', path: WIDGETS, body: widget({ size: 'large' }) });
    const beta = await kit.call({
      path: '/apis/example.com/v1beta1/namespaces/default/widgets/w1',
    });
    assert.equal(beta.status, 200);
    assert.equal(beta.body['apiVersion'], 'example.com/v1beta1');
    const stored = kit.store.get('/widgets.example.com/default/w1');
    assert.equal(stored?.object.apiVersion, 'example.com/v1');
  });

  it('status updates keep generation; spec changes bump it', async () => {
    const kit = await established();
    await kit.call({ method: 'POST', path: WIDGETS, body: widget({ size: 'large' }) });
    const merge = 'application/merge-patch+json';
    const st = await kit.call({
      method: 'PATCH',
      path: `${WIDGETS}/w1/status`,
      body: { status: { phase: 'Ready', replicas: 1 } },
      contentType: merge,
    });
    assert.equal(st.status, 200, JSON.stringify(st.body));
    assert.equal(at(st.body, 'status', 'phase'), 'Ready');
    assert.equal(at(st.body, 'metadata', 'generation'), 1);
    const sp = await kit.call({
      method: 'PATCH',
      path: `${WIDGETS}/w1`,
      body: { spec: { replicas: 3 }, status: { phase: 'Ignored' } },
      contentType: merge,
    });
    assert.equal(at(sp.body, 'metadata', 'generation'), 2);
    assert.equal(at(sp.body, 'status', 'phase'), 'Ready');
    const scale = await kit.call({ path: `${WIDGETS}/w1/scale` });
    assert.equal(at(scale.body, 'spec', 'replicas'), 3);
  });

  it('prints the additional printer columns in Tables', async () => {
    const kit = await established();
    await kit.call({ method: 'POST', path: WIDGETS, body: widget({ size: 'large' }) });
    const table = await kit.call({
      path: WIDGETS,
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    const cols = at(table.body, 'columnDefinitions');
    assert.ok(Array.isArray(cols));
    assert.deepEqual(
      cols.map((c) => [at(c, 'name'), at(c, 'priority')]),
      [
        ['Name', 0],
        ['Size', 0],
        ['Replicas', 0],
        ['Phase', 1],
      ],
    );
    assert.deepEqual(at(table.body, 'rows', 0, 'cells'), ['w1', 'large', 1, null]);
  });

  it('publishes the schema in OpenAPI v3 for kubectl explain', async () => {
    const kit = await established();
    const doc = await kit.call({ path: '/openapi/v3/apis/example.com/v1' });
    assert.equal(doc.status, 200);
    const schema = at(doc.body, 'components', 'schemas', 'com.example.v1.Widget');
    assert.equal(
      at(schema, 'properties', 'spec', 'properties', 'size', 'description'),
      'How big the widget is.',
    );
    assert.deepEqual(at(schema, 'x-kubernetes-group-version-kind'), [
      { group: 'example.com', version: 'v1', kind: 'Widget' },
    ]);
    const root = await kit.call({ path: '/openapi/v3' });
    assert.ok(isJsonObject(at(root.body, 'paths', 'apis/example.com/v1')));
  });

  it('deleting the CRD stops serving and removes its custom resources', async () => {
    const kit = await established();
    await kit.call({ method: 'POST', path: WIDGETS, body: widget({ size: 'large' }) });
    const del = await kit.call({ method: 'DELETE', path: `${CRDS}/widgets.example.com` });
    assert.equal(del.status, 200);
    await kit.server.crds.idle();
    assert.equal((await kit.call({ path: WIDGETS })).status, 404);
    assert.equal(kit.store.count('/widgets.example.com/'), 0);
  });

  it('honours the cleanup finalizer: instances go first, then the CRD', async () => {
    const kit = await established();
    await kit.call({ method: 'POST', path: WIDGETS, body: widget({ size: 'large' }) });
    await kit.call({
      method: 'PATCH',
      path: `${CRDS}/widgets.example.com`,
      body: { metadata: { finalizers: ['customresourcecleanup.apiextensions.k8s.io'] } },
      contentType: 'application/merge-patch+json',
    });
    await kit.call({ method: 'DELETE', path: `${CRDS}/widgets.example.com` });
    await kit.server.crds.idle();
    assert.equal(kit.store.count('/widgets.example.com/'), 0);
    assert.equal((await kit.call({ path: `${CRDS}/widgets.example.com` })).status, 404);
  });
});

describe('CRD updates', () => {
  it('status writes do not rebuild the served definitions; spec changes do', async () => {
    const kit = await established();
    const before = kit.server.registry.version();
    await kit.call({
      method: 'PATCH',
      path: `${CRDS}/widgets.example.com`,
      body: { metadata: { labels: { a: 'b' } } },
      contentType: 'application/merge-patch+json',
    });
    await kit.server.crds.idle();
    assert.equal(kit.server.registry.version(), before);
    const crd = widgetCrd();
    const spec = crd['spec'];
    assert.ok(isJsonObject(spec) && Array.isArray(spec['versions']));
    spec['versions'] = spec['versions'].slice(0, 1);
    const put = await kit.call({
      method: 'PATCH',
      path: `${CRDS}/widgets.example.com`,
      body: { spec: { versions: spec['versions'] } },
      contentType: 'application/merge-patch+json',
    });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    await kit.server.crds.idle();
    assert.notEqual(kit.server.registry.version(), before);
    const beta = await kit.call({ path: '/apis/example.com/v1beta1/namespaces/default/widgets' });
    assert.equal(beta.status, 404);
  });

  it('rejects an invalid CRD with upstream messages', async () => {
    const kit = await newKit();
    const crd = widgetCrd();
    crd['metadata'] = { name: 'wrong.example.com' };
    const res = await kit.call({ method: 'POST', path: CRDS, body: crd });
    assert.equal(res.status, 422);
    assert.equal(
      messageOf(res.body),
      'CustomResourceDefinition.apiextensions.k8s.io "wrong.example.com" is invalid: metadata.name: Invalid value: "wrong.example.com": must be spec.names.plural+"."+spec.group',
    );
  });

  it('serves stored CRDs when a server starts over an existing store', async () => {
    const kit = await established();
    await kit.call({ method: 'POST', path: WIDGETS, body: widget({ size: 'large' }) });
    const again = new ApiServer({ store: kit.store, clock: kit.clock, ids: sequentialIds() });
    assert.ok(again.registry.lookup('example.com', 'v1', 'widgets'));
    again.crds.stop();
  });
});

describe('server-side apply of custom resources', () => {
  it('creates, then merges a second manager’s fields with defaults applied', async () => {
    const kit = await established();
    const apply = (manager: string, spec: JsonObject) =>
      kit.call({
        method: 'PATCH',
        path: `${WIDGETS}/w1?fieldManager=${manager}`,
        body: widget(spec),
        contentType: 'application/apply-patch+yaml',
      });
    const first = await apply('a', { size: 'small' });
    assert.equal(first.status, 201, JSON.stringify(first.body));
    const second = await apply('b', { size: 'small', color: 'blue' });
    assert.equal(second.status, 200, JSON.stringify(second.body));
    assert.deepEqual(at(second.body, 'spec'), { size: 'small', replicas: 1, color: 'blue' });
    const bad = await apply('c', { size: 'tiny' });
    assert.equal(bad.status, 409);
  });
});

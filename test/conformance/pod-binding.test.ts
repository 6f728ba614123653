import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/index.ts';
import { newServer, type Inject } from './inject.ts';

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'default', annotations: { keep: 'me' } },
  spec: { containers: [{ name: 'web', image: 'nginx' }] },
};

function binding(meta: Record<string, unknown>, node = 'node-1'): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Binding',
    metadata: { name: 'web', namespace: 'default', ...meta },
    target: { apiVersion: 'v1', kind: 'Node', name: node },
  });
}

async function withPod(): Promise<{ inject: Inject; pod: KubeObject }> {
  const { inject } = await newServer();
  const created = await inject({
    method: 'POST',
    path: '/api/v1/namespaces/default/pods',
    body: JSON.stringify(POD),
    contentType: 'application/json',
  });
  assert.equal(created.status, 201, created.body);
  return { inject, pod: created.json<KubeObject>() };
}

const bind = (inject: Inject, body: string) =>
  inject({
    method: 'POST',
    path: '/api/v1/namespaces/default/pods/web/binding',
    body,
    contentType: 'application/json',
  });

describe('pods/binding (upstream BindingREST)', () => {
  it('sets the node, PodScheduled and the Binding’s annotations on the pod in one write', async () => {
    const { inject, pod } = await withPod();
    const res = await bind(inject, binding({ uid: pod.metadata.uid, annotations: { a: '1' } }));
    assert.equal(res.status, 201, res.body);
    assert.equal(res.json<{ status: string }>().status, 'Success');
    const got = (await inject({ method: 'GET', path: '/api/v1/namespaces/default/pods/web' })).json<
      KubeObject & { spec: { nodeName: string }; status: { conditions: { type: string }[] } }
    >();
    assert.equal(got.spec.nodeName, 'node-1');
    assert.deepEqual(got.metadata.annotations, { keep: 'me', a: '1' });
    assert.ok(got.status.conditions.some((c) => c.type === 'PodScheduled'));
    assert.equal(Number(got.metadata.resourceVersion), Number(pod.metadata.resourceVersion) + 1);
  });

  it('refuses a Binding whose uid or resourceVersion precondition fails, with upstream’s text', async () => {
    const { inject, pod } = await withPod();
    const wrongUid = await bind(inject, binding({ uid: 'other' }));
    assert.equal(wrongUid.status, 409);
    assert.match(
      wrongUid.json<{ message: string }>().message,
      new RegExp(
        `^Operation cannot be fulfilled on pods "web": Precondition failed: UID in precondition: other, UID in object meta: ${pod.metadata.uid ?? ''}$`,
      ),
    );
    const staleRv = await bind(inject, binding({ resourceVersion: '1' }));
    assert.equal(staleRv.status, 409);
    assert.match(
      staleRv.json<{ message: string }>().message,
      /ResourceVersion in precondition: 1,/,
    );
    // Nothing was written by the refused bindings.
    const got = (await inject({ method: 'GET', path: '/api/v1/namespaces/default/pods/web' })).json<
      KubeObject & { spec: { nodeName?: string } }
    >();
    assert.equal(got.spec.nodeName, undefined);
    assert.equal(got.metadata.resourceVersion, pod.metadata.resourceVersion);
  });

  it('binds once: a second Binding is a conflict naming the node', async () => {
    const { inject } = await withPod();
    assert.equal((await bind(inject, binding({}))).status, 201);
    const again = await bind(inject, binding({}, 'node-2'));
    assert.equal(again.status, 409);
    assert.match(
      again.json<{ message: string }>().message,
      /pod web is already assigned to node "node-1"/,
    );
  });

  it('requires target.name', async () => {
    const { inject } = await withPod();
    const res = await bind(
      inject,
      JSON.stringify({ apiVersion: 'v1', kind: 'Binding', metadata: { name: 'web' }, target: {} }),
    );
    assert.equal(res.status, 422);
  });
});

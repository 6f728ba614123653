import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { newServer, type Injected } from './inject.ts';

interface StatusBody {
  kind: string;
  status: string;
  reason: string;
  code: number;
  message: string;
}

function assertStatus(res: Injected, code: number, reason: string): StatusBody {
  assert.equal(res.status, code);
  const s = res.json<StatusBody>();
  assert.equal(s.kind, 'Status');
  assert.equal(s.status, 'Failure');
  assert.equal(s.code, code);
  assert.equal(s.reason, reason);
  return s;
}

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec: { containers: [{ name: 'c', image: 'nginx' }] },
};

describe('bad input gets a 4xx Status and changes nothing', () => {
  it('malformed JSON, YAML and protobuf', async () => {
    const { inject } = await newServer();
    const path = '/api/v1/namespaces/default/pods';
    assertStatus(
      await inject({
        method: 'POST',
        path,
        body: '{"metadata": ',
        contentType: 'application/json',
      }),
      400,
      'BadRequest',
    );
    assertStatus(
      await inject({
        method: 'POST',
        path,
        body: 'metadata: [unclosed',
        contentType: 'application/yaml',
      }),
      400,
      'BadRequest',
    );
    assertStatus(
      await inject({
        method: 'POST',
        path,
        body: Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff]),
        contentType: 'application/vnd.kubernetes.protobuf',
      }),
      400,
      'BadRequest',
    );
    assertStatus(
      await inject({ method: 'POST', path, body: '[]', contentType: 'application/json' }),
      400,
      'BadRequest',
    );
    assertStatus(
      await inject({ method: 'POST', path, body: '{}', contentType: 'text/plain' }),
      415,
      'UnsupportedMediaType',
    );
    const list = (await inject({ method: 'GET', path })).json<{ items: unknown[] }>();
    assert.equal(list.items.length, 0);
  });

  it('bodies over 3 MiB', async () => {
    const { inject } = await newServer();
    const big = JSON.stringify({
      ...POD,
      metadata: { name: 'big', annotations: { a: 'x'.repeat(3 * 1024 * 1024) } },
    });
    assertStatus(
      await inject({
        method: 'POST',
        path: '/api/v1/namespaces/default/pods',
        body: big,
        contentType: 'application/json',
      }),
      413,
      'RequestEntityTooLarge',
    );
  });

  it('unknown fields under Strict, warnings under Warn', async () => {
    const { inject } = await newServer();
    const body = JSON.stringify({ ...POD, spec: { ...POD.spec, bogus: 1 } });
    const s = assertStatus(
      await inject({
        method: 'POST',
        path: '/api/v1/namespaces/default/pods?fieldValidation=Strict',
        body,
        contentType: 'application/json',
      }),
      400,
      'BadRequest',
    );
    assert.match(s.message, /strict decoding error: unknown field "spec\.bogus"/);
    const warn = await inject({
      method: 'POST',
      path: '/api/v1/namespaces/default/pods?fieldValidation=Warn',
      body,
      contentType: 'application/json',
    });
    assert.equal(warn.status, 201);
    assert.match(String(warn.headers['Warning']), /unknown field \\"spec\.bogus\\"/);
  });

  it('invalid names, wrong kinds, missing namespaces, stale resourceVersions', async () => {
    const { inject } = await newServer();
    const bad = assertStatus(
      await inject({
        method: 'POST',
        path: '/api/v1/namespaces/default/pods',
        body: JSON.stringify({ ...POD, metadata: { name: 'Bad_Name' } }),
        contentType: 'application/json',
      }),
      422,
      'Invalid',
    );
    assert.match(
      bad.message,
      /^Pod "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name"/,
    );
    assertStatus(
      await inject({
        method: 'POST',
        path: '/api/v1/namespaces/default/pods',
        body: JSON.stringify({ ...POD, kind: 'Service' }),
        contentType: 'application/json',
      }),
      400,
      'BadRequest',
    );
    assertStatus(
      await inject({
        method: 'POST',
        path: '/api/v1/namespaces/default/pods',
        body: JSON.stringify({ ...POD, apiVersion: 'apps/v1' }),
        contentType: 'application/json',
      }),
      400,
      'BadRequest',
    );
    const nf = assertStatus(
      await inject({
        method: 'POST',
        path: '/api/v1/namespaces/nope/pods',
        body: JSON.stringify(POD),
        contentType: 'application/json',
      }),
      404,
      'NotFound',
    );
    assert.equal(nf.message, 'namespaces "nope" not found');
    const created = await inject({
      method: 'POST',
      path: '/api/v1/namespaces/default/pods',
      body: JSON.stringify(POD),
      contentType: 'application/json',
    });
    assert.equal(created.status, 201);
    const stale = { ...created.json<typeof POD>(), metadata: { name: 'p', resourceVersion: '1' } };
    const c = assertStatus(
      await inject({
        method: 'PUT',
        path: '/api/v1/namespaces/default/pods/p',
        body: JSON.stringify(stale),
        contentType: 'application/json',
      }),
      409,
      'Conflict',
    );
    assert.match(
      c.message,
      /the object has been modified; please apply your changes to the latest version and try again/,
    );
    assertStatus(
      await inject({
        method: 'GET',
        path: '/api/v1/namespaces/default/pods?fieldSelector=spec.bogus=x',
      }),
      400,
      'BadRequest',
    );
    assertStatus(
      await inject({ method: 'GET', path: '/api/v1/namespaces/default/widgets' }),
      404,
      'NotFound',
    );
  });

  it('a fuzz over every request decoder never crashes and always answers a Status', async () => {
    const { inject } = await newServer();
    const contentTypes = [
      'application/json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
      'application/merge-patch+json',
      'application/json-patch+json',
      'application/strategic-merge-patch+json',
      'application/apply-patch+yaml',
    ];
    await inject({
      method: 'POST',
      path: '/apis/apps/v1/namespaces/default/deployments',
      contentType: 'application/json',
      body: JSON.stringify({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd' },
        spec: {
          selector: { matchLabels: { a: 'b' } },
          template: {
            metadata: { labels: { a: 'b' } },
            spec: { containers: [{ name: 'c', image: 'x' }] },
          },
        },
      }),
    });
    const bodyArb = fc.oneof(
      fc.json().map((s) => Buffer.from(s)),
      fc
        .uint8Array({ maxLength: 200 })
        .map((a) => Buffer.concat([Buffer.from('k8s\0'), Buffer.from(a)])),
      fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a)),
      fc.string().map((s) => Buffer.from(s)),
      fc.jsonValue().map((v) =>
        Buffer.from(
          JSON.stringify({
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            metadata: { name: 'd' },
            spec: v,
          }),
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'PUT', 'PATCH', 'DELETE'),
        fc.constantFrom(...contentTypes),
        bodyArb,
        async (method, contentType, body) => {
          const path =
            method === 'POST'
              ? '/apis/apps/v1/namespaces/default/deployments'
              : '/apis/apps/v1/namespaces/default/deployments/d';
          const res = await inject({ method, path, contentType, body });
          assert.ok(
            res.status < 500 || res.json<StatusBody>().kind === 'Status',
            `${res.status} ${res.body}`,
          );
          if (res.status >= 400) assert.equal(res.json<StatusBody>().kind, 'Status');
        },
      ),
      { numRuns: 400 },
    );
  });
});

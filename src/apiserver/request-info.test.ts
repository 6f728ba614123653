import assert from 'node:assert/strict';
import { it } from 'node:test';
import { parseRequestInfo } from './request-info.ts';

const q = new URLSearchParams();

it('resolves resource paths as RequestInfoFactory does', () => {
  const cases: [string, string, Record<string, string>][] = [
    ['GET', '/api/v1/pods', { verb: 'list', resource: 'pods', namespace: '', name: '' }],
    [
      'GET',
      '/api/v1/namespaces/ns/pods/p/log',
      { verb: 'get', resource: 'pods', namespace: 'ns', name: 'p', subresource: 'log' },
    ],
    [
      'PUT',
      '/api/v1/namespaces/demo/finalize',
      {
        verb: 'update',
        resource: 'namespaces',
        namespace: '',
        name: 'demo',
        subresource: 'finalize',
      },
    ],
    [
      'GET',
      '/api/v1/namespaces/demo/status',
      { verb: 'get', resource: 'namespaces', name: 'demo', subresource: 'status' },
    ],
    ['DELETE', '/api/v1/namespaces/demo', { verb: 'delete', resource: 'namespaces', name: 'demo' }],
    [
      'DELETE',
      '/apis/apps/v1/namespaces/x/deployments',
      { verb: 'deletecollection', group: 'apps', resource: 'deployments', namespace: 'x' },
    ],
    [
      'PATCH',
      '/apis/apps/v1/namespaces/x/deployments/d/scale',
      { verb: 'patch', subresource: 'scale', name: 'd' },
    ],
    ['GET', '/api/v1/watch/namespaces/x/pods', { verb: 'watch', resource: 'pods', namespace: 'x' }],
  ];
  for (const [method, path, want] of cases) {
    const info = parseRequestInfo(method, path, q);
    assert.equal(info.kind, 'resource', path);
    for (const [k, v] of Object.entries(want))
      assert.equal((info as unknown as Record<string, string>)[k], v, `${path} ${k}`);
  }
  assert.equal(
    parseRequestInfo('GET', '/api/v1/pods', new URLSearchParams('watch=true')).kind ===
      'resource' && 'watch',
    'watch',
  );
  assert.equal(parseRequestInfo('GET', '/version', q).kind, 'nonresource');
  assert.equal(parseRequestInfo('GET', '/apis/apps/v1', q).kind, 'nonresource');
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { goNetError, storeServiceResolver, webhookTarget } from './webhook-client.ts';

describe('service resolution', async () => {
  const store = new CachedStore({ persistence: noPersistence });
  const ref = { namespace: 'ns', name: 'hook', path: '/mutate', port: 443 };
  const resolver = storeServiceResolver(store);

  it('reports a missing service in upstream words', async () => {
    await assert.rejects(
      webhookTarget({ service: { ...ref, name: 'absent' } }, { resolver, timeoutSeconds: 10 }),
      {
        message: 'Post "https://absent.ns.svc:443/mutate?timeout=10s": service "absent" not found',
      },
    );
  });

  await store.create('/services/ns/hook', {
    metadata: { name: 'hook', namespace: 'ns' },
    spec: { ports: [{ name: 'https', port: 443, targetPort: 8443 }] },
  });

  it('needs endpoints on the named port', () => {
    assert.throws(() => resolver.resolve(ref), /no endpoints available for service "hook"/);
    assert.throws(() => resolver.resolve({ ...ref, port: 80 }), /no service port 80 found/);
  });

  it('uses the first ready EndpointSlice address, then Endpoints when present', async () => {
    await store.create('/endpointslices.discovery.k8s.io/ns/hook-abc', {
      metadata: {
        name: 'hook-abc',
        namespace: 'ns',
        labels: { 'kubernetes.io/service-name': 'hook' },
      },
      ports: [{ name: 'https', port: 8443 }],
      endpoints: [
        { addresses: ['10.0.0.1'], conditions: { ready: false } },
        { addresses: ['10.0.0.2'], conditions: { ready: true } },
      ],
    });
    assert.deepEqual(await resolver.resolve(ref), { host: '10.0.0.2', port: 8443 });
    await store.create('/endpoints/ns/hook', {
      metadata: { name: 'hook', namespace: 'ns' },
      subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 9443 }] }],
    });
    const target = await webhookTarget(
      { service: ref, caPem: 'PEM' },
      { resolver, timeoutSeconds: 5 },
    );
    assert.deepEqual(target, {
      url: 'https://hook.ns.svc:443/mutate?timeout=5s',
      host: '127.0.0.1',
      port: 9443,
      path: '/mutate?timeout=5s',
      servername: 'hook.ns.svc',
      caPem: 'PEM',
    });
  });
});

describe('Go wording of network failures', () => {
  const target = { host: '127.0.0.1', port: 9 };
  const cases: [string, { code?: string; address?: string; port?: number }, string][] = [
    [
      'refused',
      { code: 'ECONNREFUSED', address: '127.0.0.1', port: 9 },
      'dial tcp 127.0.0.1:9: connect: connection refused',
    ],
    [
      'unknown CA',
      { code: 'SELF_SIGNED_CERT_IN_CHAIN' },
      'tls: failed to verify certificate: x509: certificate signed by unknown authority',
    ],
    ['no host', { code: 'ENOTFOUND' }, 'dial tcp: lookup 127.0.0.1: no such host'],
  ];
  for (const [name, e, want] of cases) {
    it(name, () => {
      assert.equal(goNetError({ ...e, message: 'node says' }, target), want);
    });
  }
});

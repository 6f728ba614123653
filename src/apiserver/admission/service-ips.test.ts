import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonObject, KubeObject } from '../../api/index.ts';
import { ApiStatusError, InProcessTransport, KubeClient } from '../../client/index.ts';
import { CachedStore, noPersistence, type Store } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { ApiServer } from '../server.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { kubernetesService, serviceIpAllocation } from './service-ips.ts';
import { AdmissionChain } from './types.ts';

const SVC = '/api/v1/namespaces/default/services';
const USER = { username: 'admin', groups: ['system:masters'] };

async function server(store: Store): Promise<KubeClient> {
  const clock = new ManualClock();
  const ids = sequentialIds();
  const admission = new AdmissionChain([
    namespaceLifecycle(store),
    serviceIpAllocation(store, { ids, clock }),
  ]);
  const api = new ApiServer({ store, clock, ids, admission });
  const client = new KubeClient(new InProcessTransport(api, USER));
  if (!store.get('/namespaces/default'))
    await client.create('/api/v1/namespaces', { metadata: { name: 'default' } });
  return client;
}

function svc(name: string, spec: JsonObject = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
  };
}

const specOf = (o: KubeObject): JsonObject => o['spec'] as JsonObject; // SAFETY: test reads.

async function rejection(p: Promise<unknown>): Promise<ApiStatusError> {
  try {
    await p;
  } catch (e: unknown) {
    if (e instanceof ApiStatusError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

test('allocates distinct cluster IPs in the service CIDR with the single-stack fields', async () => {
  const client = await server(new CachedStore({ persistence: noPersistence }));
  const seen = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const s = specOf(await client.create(SVC, svc(`s${String(i)}`)));
    const ip = s['clusterIP'] as string; // SAFETY: allocated above.
    assert.match(ip, /^10\.100\.\d+\.\d+$/);
    assert.notEqual(ip, '10.100.0.1');
    assert.deepEqual(s['clusterIPs'], [ip]);
    assert.deepEqual(s['ipFamilies'], ['IPv4']);
    assert.equal(s['ipFamilyPolicy'], 'SingleStack');
    assert.equal(s['internalTrafficPolicy'], 'Cluster');
    assert.equal(s['nodePort'], undefined);
    seen.add(ip);
  }
  assert.equal(seen.size, 20);
});

test('checks requested IPs: in range and free, with upstream messages', async () => {
  const client = await server(new CachedStore({ persistence: noPersistence }));
  const k = await client.create(SVC, kubernetesService({ targetPort: 6443 }));
  assert.equal(specOf(k)['clusterIP'], '10.100.0.1');
  const taken = await rejection(client.create(SVC, svc('a', { clusterIP: '10.100.0.1' })));
  assert.equal(taken.httpStatus, 422);
  assert.equal(
    taken.message,
    'Service "a" is invalid: spec.clusterIPs: Invalid value: []string{"10.100.0.1"}: failed to allocate IP 10.100.0.1: provided IP is already allocated',
  );
  const out = await rejection(client.create(SVC, svc('b', { clusterIP: '10.0.0.9' })));
  assert.match(
    out.message,
    /failed to allocate IP 10\.0\.0\.9: the provided IP \(10\.0\.0\.9\) is not in the valid range\. The range of valid IPs is 10\.100\.0\.0\/16$/,
  );
  const headless = specOf(await client.create(SVC, svc('h', { clusterIP: 'None' })));
  assert.deepEqual(headless['clusterIPs'], ['None']);
  const ext = specOf(
    await client.create(SVC, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'ext' },
      spec: { type: 'ExternalName', externalName: 'example.com' },
    }),
  );
  assert.equal(ext['clusterIP'], undefined);
});

test('node ports: allocated, kept on update, conflicts rejected, released on delete', async () => {
  const client = await server(new CachedStore({ persistence: noPersistence }));
  const np = specOf(
    await client.create(
      SVC,
      svc('np', {
        type: 'NodePort',
        ports: [
          { name: 'a', port: 80 },
          { name: 'b', port: 81 },
        ],
      }),
    ),
  );
  const ports = np['ports'] as JsonObject[]; // SAFETY: test reads.
  const [p0, p1] = ports.map((p) => Number(p['nodePort']));
  assert.ok(p0 !== undefined && p0 >= 30000 && p0 <= 32767);
  assert.ok(p1 !== undefined && p1 !== p0);
  const fixed = specOf(
    await client.create(
      SVC,
      svc('fixed', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
    ),
  );
  assert.equal((fixed['ports'] as JsonObject[])[0]?.['nodePort'], 30080); // SAFETY: test reads.
  const dup = await rejection(
    client.create(SVC, svc('dup', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] })),
  );
  assert.equal(
    dup.message,
    'Service "dup" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated',
  );
  const low = await rejection(
    client.create(SVC, svc('low', { type: 'NodePort', ports: [{ port: 80, nodePort: 80 }] })),
  );
  assert.match(
    low.message,
    /provided port is not in the valid range\. The range of valid ports is 30000-32767$/,
  );
  // A PUT without the allocated values keeps them.
  const live = await client.get(`${SVC}/np`);
  const updated = specOf(
    await client.update(`${SVC}/np`, {
      ...live,
      spec: {
        ...specOf(live),
        clusterIP: '',
        clusterIPs: [],
        ports: [
          { name: 'a', port: 80 },
          { name: 'b', port: 81 },
        ],
      },
    }),
  );
  assert.equal(updated['clusterIP'], np['clusterIP']);
  assert.deepEqual(
    (updated['ports'] as JsonObject[]).map((p) => p['nodePort']), // SAFETY: test reads.
    [p0, p1],
  );
  await client.delete(`${SVC}/fixed`);
  await client.create(
    SVC,
    svc('again', { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }),
  );
});

test('the used set comes from the store, so a new allocator after a restart sees it', async () => {
  const store = new CachedStore({ persistence: noPersistence });
  const first = await server(store);
  const ip = specOf(await first.create(SVC, svc('one')))['clusterIP'];
  const second = await server(store);
  const e = await rejection(second.create(SVC, svc('two', { clusterIP: ip ?? '' })));
  assert.match(e.message, /provided IP is already allocated/);
});

test('concurrent creates never share an IP', async () => {
  const client = await server(new CachedStore({ persistence: noPersistence }));
  const made = await Promise.all(
    Array.from({ length: 30 }, (_, i) => client.create(SVC, svc(`c${String(i)}`))),
  );
  const ips = new Set(made.map((m) => specOf(m)['clusterIP']));
  assert.equal(ips.size, 30);
});

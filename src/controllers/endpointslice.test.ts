import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { eventually, startCluster } from '../../test/support/controller-kit.ts';
import { EndpointSliceController } from './endpointslice.ts';
import { asSlice, planSlices, type SliceEndpoint } from './endpointslice-plan.ts';
import { createPod, service, setPodStatus } from './endpoints-test-kit.ts';

const SVC = '/api/v1/namespaces/default/services';
const SLICES = '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices';

let cluster: Cluster;
let ac: AbortController;
let running: Promise<unknown>;

beforeEach(async () => {
  cluster = await startCluster();
  ac = new AbortController();
  running = new EndpointSliceController({ client: cluster.client, sleep: realSleep }).run(
    ac.signal,
  );
});

afterEach(async () => {
  ac.abort();
  await running;
  cluster.close();
});

async function slicesOf(svc: string): Promise<KubeObject[]> {
  return (await cluster.client.list(SLICES, { labelSelector: `kubernetes.io/service-name=${svc}` }))
    .items;
}

const endpointsOf = (s: KubeObject): SliceEndpoint[] => asSlice(s).endpoints ?? [];

test('one slice per port set with conditions, owner and labels; follows pod changes', async () => {
  const ports = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
  await createPod(cluster.client, {
    name: 'a',
    labels: { app: 'web' },
    ip: '10.0.0.1',
    node: 'n1',
    ports,
  });
  await createPod(cluster.client, {
    name: 'b',
    labels: { app: 'web' },
    ip: '10.0.0.2',
    ready: false,
    ports,
  });
  const svc = await cluster.client.create(
    SVC,
    service('web', {
      selector: { app: 'web' },
      clusterIP: '10.100.9.9',
      ports: [{ port: 80, targetPort: 'http' }],
    }),
  );
  const [slice] = await eventually(async () => {
    const s = await slicesOf('web');
    return s.length === 1 && endpointsOf(s[0] ?? { metadata: {} }).length === 2 ? s : undefined;
  });
  assert.ok(slice);
  assert.match(slice.metadata.name ?? '', /^web-[a-z0-9]{5}$/);
  assert.deepEqual(slice.metadata.labels, {
    'kubernetes.io/service-name': 'web',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
  });
  const owner = slice.metadata.ownerReferences?.[0];
  assert.ok(owner);
  assert.equal(owner.uid, svc.metadata.uid);
  assert.equal(owner.controller, true);
  assert.equal(slice['addressType'], 'IPv4');
  assert.deepEqual(slice['ports'], [{ name: '', port: 8080, protocol: 'TCP' }]);
  const [first, second] = endpointsOf(slice);
  assert.ok(first && second);
  assert.deepEqual(first.conditions, { ready: true, serving: true, terminating: false });
  assert.equal(first.nodeName, 'n1');
  assert.deepEqual(second.conditions, { ready: false, serving: false, terminating: false });
  assert.equal(second.targetRef['name'], 'b');
  assert.ok(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);

  await setPodStatus(cluster.client, { name: 'b', labels: {}, ip: '10.0.0.2', ready: true });
  await cluster.client.delete('/api/v1/namespaces/default/pods/a', { gracePeriodSeconds: 0 });
  await eventually(async () => {
    const s = await slicesOf('web');
    const e = s.length === 1 ? endpointsOf(s[0] ?? { metadata: {} }) : [];
    return e.length === 1 && e[0]?.conditions.ready === true && e[0].addresses[0] === '10.0.0.2'
      ? true
      : undefined;
  });
  assert.equal((await slicesOf('web')).length, 1);
});

test('a service with no pods gets one placeholder; selectorless services get none', async () => {
  await cluster.client.create(
    SVC,
    service('empty', { selector: { app: 'none' }, ports: [{ port: 80 }] }),
  );
  await cluster.client.create(SVC, service('manual', { ports: [{ port: 80 }] }));
  const [p] = await eventually(async () => {
    const s = await slicesOf('empty');
    return s.length === 1 ? s : undefined;
  });
  assert.equal(endpointsOf(p ?? { metadata: {} }).length, 0);
  // The API server gave the Service a cluster IP, so its slice is not labelled headless.
  assert.equal(p?.metadata.labels?.['service.kubernetes.io/headless'], undefined);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await slicesOf('empty')).length, 1);
  assert.equal((await slicesOf('manual')).length, 0);
});

test('planning packs at most 100 endpoints per slice', () => {
  const eps: SliceEndpoint[] = Array.from({ length: 250 }, (_, i) => ({
    addresses: [`10.1.${String(Math.floor(i / 250))}.${String(i)}`],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { uid: `u${String(i)}` },
  }));
  const plan = planSlices(
    [{ ports: [{ name: '', port: 80, protocol: 'TCP' }], endpoints: eps }],
    [],
    () => true,
  );
  assert.deepEqual(
    plan.create.map((c) => c.endpoints.length),
    [100, 100, 50],
  );
  assert.equal(plan.delete.length, 0);
});

import assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { isNotFound, realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { eventually, startCluster } from '../../test/support/controller-kit.ts';
import { EndpointsController, type EndpointSubset } from './endpoints.ts';
import { createPod, service, setPodStatus } from './endpoints-test-kit.ts';

const SVC = '/api/v1/namespaces/default/services';
const EP = '/api/v1/namespaces/default/endpoints';

let cluster: Cluster;
let ac: AbortController;
let running: Promise<unknown>;

beforeEach(async () => {
  cluster = await startCluster();
  ac = new AbortController();
  running = new EndpointsController({ client: cluster.client, sleep: realSleep }).run(ac.signal);
});

afterEach(async () => {
  ac.abort();
  await running;
  cluster.close();
});

async function subsetsOf(name: string): Promise<EndpointSubset[] | undefined> {
  try {
    const ep = await cluster.client.get(`${EP}/${name}`);
    return (ep['subsets'] ?? []) as EndpointSubset[]; // SAFETY: test reads.
  } catch (e: unknown) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

test('lists ready and not-ready pods with resolved ports, then follows changes', async () => {
  const web = [{ name: 'http', containerPort: 8080, protocol: 'TCP' }];
  await createPod(cluster.client, {
    name: 'a',
    labels: { app: 'web' },
    ip: '10.0.0.2',
    node: 'n1',
    ports: web,
  });
  await createPod(cluster.client, {
    name: 'b',
    labels: { app: 'web' },
    ip: '10.0.0.1',
    ready: false,
    ports: web,
  });
  await createPod(cluster.client, { name: 'c', labels: { app: 'other' }, ip: '10.0.0.3' });
  await createPod(cluster.client, { name: 'd', labels: { app: 'web' } });
  await cluster.client.create(
    SVC,
    service('web', {
      selector: { app: 'web' },
      clusterIP: '10.100.5.5',
      ports: [
        { name: 'http', port: 80, targetPort: 'http' },
        { name: 'metrics', port: 9090, targetPort: 9090 },
      ],
    }),
  );
  const subsets = await eventually(async () => {
    const s = await subsetsOf('web');
    return s && s.length > 0 ? s : undefined;
  });
  assert.deepEqual(subsets, [
    {
      addresses: [
        {
          ip: '10.0.0.2',
          nodeName: 'n1',
          targetRef: {
            kind: 'Pod',
            namespace: 'default',
            name: 'a',
            uid: (await pod('a')).metadata.uid,
          },
        },
      ],
      notReadyAddresses: [
        {
          ip: '10.0.0.1',
          targetRef: {
            kind: 'Pod',
            namespace: 'default',
            name: 'b',
            uid: (await pod('b')).metadata.uid,
          },
        },
      ],
      ports: [
        { name: 'http', port: 8080, protocol: 'TCP' },
        { name: 'metrics', port: 9090, protocol: 'TCP' },
      ],
    },
  ]);
  const ep = await cluster.client.get(`${EP}/web`);
  assert.match(
    ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '',
    /^\d{4}-\d\d-\d\dT/,
  );
  assert.equal(ep.metadata.labels?.['service.kubernetes.io/headless'], undefined);

  await setPodStatus(cluster.client, { name: 'b', labels: {}, ip: '10.0.0.1', ready: true });
  await cluster.client.delete('/api/v1/namespaces/default/pods/a', { gracePeriodSeconds: 0 });
  await eventually(async () => {
    const s = await subsetsOf('web');
    const only = s?.[0];
    return s?.length === 1 &&
      only?.addresses?.length === 1 &&
      only.addresses[0]?.ip === '10.0.0.1' &&
      only.notReadyAddresses === undefined
      ? true
      : undefined;
  });
});

async function pod(name: string): Promise<KubeObject> {
  return cluster.client.get(`/api/v1/namespaces/default/pods/${name}`);
}

test('headless and publishNotReadyAddresses; selectorless services are left alone', async () => {
  await createPod(cluster.client, {
    name: 'x',
    labels: { app: 'db' },
    ip: '10.0.1.1',
    ready: false,
  });
  await cluster.client.create(
    SVC,
    service('db', { selector: { app: 'db' }, clusterIP: 'None', publishNotReadyAddresses: true }),
  );
  await cluster.client.create(SVC, service('manual', { ports: [{ port: 80 }] }));
  const subsets = await eventually(async () => {
    const s = await subsetsOf('db');
    return s && s.length > 0 ? s : undefined;
  });
  const first = subsets[0];
  assert.ok(first);
  assert.equal(first.addresses?.[0]?.ip, '10.0.1.1');
  assert.equal(first.ports, undefined);
  const ep = await cluster.client.get(`${EP}/db`);
  assert.equal(ep.metadata.labels?.['service.kubernetes.io/headless'], '');
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(await subsetsOf('manual'), undefined);
});

test('deleting the service deletes its Endpoints', async () => {
  await cluster.client.create(
    SVC,
    service('gone', { selector: { app: 'gone' }, ports: [{ port: 80 }] }),
  );
  await eventually(async () => ((await subsetsOf('gone')) ? true : undefined));
  await cluster.client.delete(`${SVC}/gone`);
  await eventually(async () => ((await subsetsOf('gone')) === undefined ? true : undefined));
});

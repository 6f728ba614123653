import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { pluginHarness, pod, rejection } from './plugin-test-kit.ts';
import { resourceQuotaAdmission } from './resource-quota.ts';

const PODS = '/api/v1/namespaces/default/pods';
const QUOTAS = '/api/v1/namespaces/default/resourcequotas';

const withCpu = (name: string, cpu: string): KubeObject =>
  pod(name, {
    containers: [
      { name: 'app', image: 'nginx', resources: { requests: { cpu }, limits: { cpu } } },
    ],
  });

/** A quota whose status the controller would have filled in. */
async function quota(
  h: Awaited<ReturnType<typeof pluginHarness>>,
  hard: Record<string, string>,
  used: Record<string, string>,
): Promise<void> {
  await h.client.create(QUOTAS, { metadata: { name: 'q' }, spec: { hard } });
  const key = '/resourcequotas/default/q';
  const cur = h.store.get(key);
  assert.ok(cur);
  await h.store.update(key, { ...cur.object, status: { hard, used } });
}

test('charges admitted pods and refuses the one that exceeds the quota', async () => {
  const h = await pluginHarness((store, clock) => [resourceQuotaAdmission({ store, clock })]);
  await quota(h, { 'requests.cpu': '1', pods: '5' }, { 'requests.cpu': '0', pods: '0' });
  await h.client.create(PODS, withCpu('a', '600m'));
  const status = h.store.get('/resourcequotas/default/q')?.object['status'] as Record<
    string,
    unknown
  >;
  assert.deepEqual(status['used'], { 'requests.cpu': '600m', pods: '1' });
  const e = await rejection(h.client.create(PODS, withCpu('b', '500m')));
  assert.equal(e.httpStatus, 403);
  assert.equal(
    e.message,
    'pods "b" is forbidden: exceeded quota: q, requested: requests.cpu=500m, used: requests.cpu=600m, limited: requests.cpu=1',
  );
});

test('object counts, required requests and unknown status', async () => {
  const h = await pluginHarness((store, clock) => [resourceQuotaAdmission({ store, clock })]);
  await quota(
    h,
    { 'count/configmaps': '1', 'limits.memory': '1Gi' },
    { 'count/configmaps': '1', 'limits.memory': '0' },
  );
  const cm = await rejection(
    h.client.create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'c' } }),
  );
  assert.equal(
    cm.message,
    'configmaps "c" is forbidden: exceeded quota: q, requested: count/configmaps=1, used: count/configmaps=1, limited: count/configmaps=1',
  );
  const bare = await rejection(h.client.create(PODS, pod('p')));
  assert.equal(
    bare.message,
    'pods "p" is forbidden: failed quota: q: must specify limits.memory for: app',
  );
  await h.client.create(QUOTAS, { metadata: { name: 'fresh' }, spec: { hard: { secrets: '3' } } });
  const unknown = await rejection(
    h.client.create('/api/v1/namespaces/default/secrets', { metadata: { name: 's' } }),
  );
  assert.equal(
    unknown.message,
    'secrets "s" is forbidden: status unknown for quota: fresh, resources: secrets',
  );
});

test('scoped quotas only select matching pods', async () => {
  const h = await pluginHarness((store, clock) => [resourceQuotaAdmission({ store, clock })]);
  await h.client.create(QUOTAS, {
    metadata: { name: 'q' },
    spec: { hard: { pods: '0' }, scopes: ['BestEffort'] },
  });
  const key = '/resourcequotas/default/q';
  const cur = h.store.get(key);
  assert.ok(cur);
  await h.store.update(key, {
    ...cur.object,
    status: { hard: { pods: '0' }, used: { pods: '0' } },
  });
  await h.client.create(PODS, withCpu('burstable', '100m'));
  const e = await rejection(h.client.create(PODS, pod('besteffort')));
  assert.match(e.message, /exceeded quota: q, requested: pods=1, used: pods=0, limited: pods=0/);
});

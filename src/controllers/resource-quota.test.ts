import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pluginHarness, pod } from '../apiserver/admission/plugin-test-kit.ts';
import { resourceQuotaAdmission } from '../apiserver/admission/resource-quota.ts';
import { ResourceQuotaController } from './resource-quota.ts';

const cpuPod = (name: string, cpu: string) =>
  pod(name, {
    containers: [{ name: 'app', image: 'i', resources: { requests: { cpu }, limits: { cpu } } }],
  });

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(cond(), 'condition not reached');
}

test('keeps status.hard and status.used current as objects come and go', async () => {
  const h = await pluginHarness((store, clock) => [resourceQuotaAdmission({ store, clock })]);
  const ac = new AbortController();
  const ctl = new ResourceQuotaController({ store: h.store, client: h.client, clock: h.clock });
  const running = ctl.run(ac.signal);
  const used = (): unknown =>
    (
      h.store.get('/resourcequotas/default/q')?.object['status'] as
        Record<string, unknown> | undefined
    )?.['used'];
  await h.client.create('/api/v1/namespaces/default/configmaps', { metadata: { name: 'before' } });
  await h.client.create('/api/v1/namespaces/default/resourcequotas', {
    metadata: { name: 'q' },
    spec: { hard: { pods: '3', 'requests.cpu': '2', 'count/configmaps': '5', 'limits.cpu': '4' } },
  });
  await until(() => used() !== undefined);
  assert.deepEqual(used(), {
    'count/configmaps': '1',
    'limits.cpu': '0',
    pods: '0',
    'requests.cpu': '0',
  });
  await h.client.create('/api/v1/namespaces/default/pods', cpuPod('a', '500m'));
  await h.client.create('/api/v1/namespaces/default/pods', cpuPod('b', '1'));
  await until(() => JSON.stringify(used()).includes('"pods":"2"'));
  assert.deepEqual(used(), {
    'count/configmaps': '1',
    'limits.cpu': '1500m',
    pods: '2',
    'requests.cpu': '1500m',
  });
  await h.client.delete('/api/v1/namespaces/default/pods/a');
  await until(() => JSON.stringify(used()).includes('"pods":"1"'));
  assert.deepEqual(used(), {
    'count/configmaps': '1',
    'limits.cpu': '1',
    pods: '1',
    'requests.cpu': '1',
  });
  const status = h.store.get('/resourcequotas/default/q')?.object['status'] as Record<
    string,
    unknown
  >;
  assert.deepEqual(status['hard'], {
    'count/configmaps': '5',
    'limits.cpu': '4',
    pods: '3',
    'requests.cpu': '2',
  });
  ac.abort();
  await running;
});

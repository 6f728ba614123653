import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultTolerationSeconds } from './default-toleration-seconds.ts';
import { pluginHarness, pod } from './plugin-test-kit.ts';

const PODS = '/api/v1/namespaces/default/pods';

test('adds the not-ready and unreachable NoExecute tolerations for 300 s', async () => {
  const h = await pluginHarness(() => [defaultTolerationSeconds()]);
  const created = await h.client.create(PODS, pod('a'));
  assert.deepEqual((created['spec'] as Record<string, unknown>)['tolerations'], [
    {
      key: 'node.kubernetes.io/not-ready',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
    {
      key: 'node.kubernetes.io/unreachable',
      operator: 'Exists',
      effect: 'NoExecute',
      tolerationSeconds: 300,
    },
  ]);
});

test('keeps tolerations the pod already has for those taints', async () => {
  const h = await pluginHarness(() => [defaultTolerationSeconds()]);
  const own = {
    key: 'node.kubernetes.io/unreachable',
    operator: 'Exists',
    effect: 'NoExecute',
    tolerationSeconds: 5,
  };
  const created = await h.client.create(PODS, pod('a', { tolerations: [own] }));
  const tolerations = (created['spec'] as Record<string, unknown>)['tolerations'] as unknown[];
  assert.equal(tolerations.length, 2);
  assert.deepEqual(tolerations[0], own);
  assert.equal((tolerations[1] as Record<string, unknown>)['key'], 'node.kubernetes.io/not-ready');
  // A toleration of every taint covers both.
  const all = await h.client.create(PODS, pod('b', { tolerations: [{ operator: 'Exists' }] }));
  assert.deepEqual((all['spec'] as Record<string, unknown>)['tolerations'], [
    { operator: 'Exists' },
  ]);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pluginHarness, pod, rejection } from './plugin-test-kit.ts';
import { priorityAdmission } from './priority.ts';

const PODS = '/api/v1/namespaces/default/pods';
const PCS = '/apis/scheduling.k8s.io/v1/priorityclasses';
const spec = (o: Record<string, unknown>): Record<string, unknown> =>
  o['spec'] as Record<string, unknown>; // SAFETY: test reads of created pods.

const pc = (name: string, value: number, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  ...extra,
});

test('resolves priorityClassName into priority and preemptionPolicy', async () => {
  const h = await pluginHarness((store) => [priorityAdmission(store)]);
  await h.client.create(PCS, pc('high', 1000, { preemptionPolicy: 'Never' }));
  const s = spec(await h.client.create(PODS, pod('a', { priorityClassName: 'high' })));
  assert.equal(s['priority'], 1000);
  assert.equal(s['preemptionPolicy'], 'Never');
  const sys = spec(
    await h.client.create(PODS, pod('b', { priorityClassName: 'system-node-critical' })),
  );
  assert.equal(sys['priority'], 2000001000);
});

test('without a class: the global default, else zero', async () => {
  const h = await pluginHarness((store) => [priorityAdmission(store)]);
  const none = spec(await h.client.create(PODS, pod('a')));
  assert.equal(none['priority'], 0);
  assert.equal(none['preemptionPolicy'], 'PreemptLowerPriority');
  assert.equal(none['priorityClassName'], undefined);
  await h.client.create(PCS, pc('dflt', 7, { globalDefault: true }));
  const d = spec(await h.client.create(PODS, pod('b')));
  assert.equal(d['priorityClassName'], 'dflt');
  assert.equal(d['priority'], 7);
  const second = await rejection(h.client.create(PCS, pc('other', 9, { globalDefault: true })));
  assert.equal(second.httpStatus, 403);
  assert.equal(
    second.message,
    'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass dflt is already marked as default. Only one default can exist',
  );
});

test('unknown class and a directly set priority are forbidden with upstream messages', async () => {
  const h = await pluginHarness((store) => [priorityAdmission(store)]);
  const missing = await rejection(h.client.create(PODS, pod('a', { priorityClassName: 'x' })));
  assert.equal(missing.httpStatus, 403);
  assert.equal(missing.message, 'pods "a" is forbidden: no PriorityClass with name x was found');
  const direct = await rejection(h.client.create(PODS, pod('b', { priority: 5 })));
  assert.equal(
    direct.message,
    'pods "b" is forbidden: the integer value of priority (5) must not be provided in pod spec; priority admission controller computed 0 from the given PriorityClass name',
  );
});

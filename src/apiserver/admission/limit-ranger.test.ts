import assert from 'node:assert/strict';
import { test } from 'node:test';
import { limitRanger } from './limit-ranger.ts';
import { pluginHarness, pod, rejection } from './plugin-test-kit.ts';

const PODS = '/api/v1/namespaces/default/pods';
const LIMITS = '/api/v1/namespaces/default/limitranges';
type Obj = Record<string, unknown>;
const at = (o: unknown, k: string): unknown => (o as Obj)[k]; // SAFETY: test reads.

const container = (resources: Obj = {}, name = 'app'): Obj => ({ name, image: 'nginx', resources });

test('applies default limits and requests and notes them in an annotation', async () => {
  const h = await pluginHarness((store) => [limitRanger(store)]);
  await h.client.create(LIMITS, {
    metadata: { name: 'lr' },
    spec: {
      limits: [
        {
          type: 'Container',
          default: { cpu: '500m', memory: '256Mi' },
          defaultRequest: { cpu: '100m' },
        },
      ],
    },
  });
  const created = await h.client.create(
    PODS,
    pod('a', { containers: [container({ requests: { memory: '64Mi' } })] }),
  );
  const c = (at(at(created, 'spec'), 'containers') as Obj[])[0];
  assert.deepEqual(at(c, 'resources'), {
    requests: { memory: '64Mi', cpu: '100m' },
    limits: { cpu: '500m', memory: '256Mi' },
  });
  assert.equal(
    created.metadata.annotations?.['kubernetes.io/limit-ranger'],
    'LimitRanger plugin set: cpu request for container app; cpu, memory limit for container app',
  );
});

test('enforces min, max and maxLimitRequestRatio with upstream messages', async () => {
  const h = await pluginHarness((store) => [limitRanger(store)]);
  await h.client.create(LIMITS, {
    metadata: { name: 'lr' },
    spec: {
      limits: [
        {
          type: 'Container',
          min: { cpu: '100m' },
          max: { cpu: '1' },
          maxLimitRequestRatio: { cpu: '2' },
        },
      ],
    },
  });
  const big = await rejection(
    h.client.create(
      PODS,
      pod('a', { containers: [container({ limits: { cpu: '2' }, requests: { cpu: '1500m' } })] }),
    ),
  );
  assert.equal(big.httpStatus, 403);
  assert.equal(
    big.message,
    'pods "a" is forbidden: maximum cpu usage per Container is 1, but limit is 2',
  );
  const small = await rejection(
    h.client.create(
      PODS,
      pod('b', { containers: [container({ limits: { cpu: '1' }, requests: { cpu: '50m' } })] }),
    ),
  );
  assert.equal(
    small.message,
    'pods "b" is forbidden: [minimum cpu usage per Container is 100m, but request is 50m, cpu max limit to request ratio per Container is 2, but provided ratio is 20.000000]',
  );
  // Defaults (the max) fill an unset container, which then passes.
  const ok = await h.client.create(
    PODS,
    pod('c', { containers: [container({ requests: { cpu: '600m' } })] }),
  );
  assert.deepEqual(at((at(at(ok, 'spec'), 'containers') as Obj[])[0], 'resources'), {
    requests: { cpu: '600m' },
    limits: { cpu: '1' },
  });
});

test('Pod-level max sums containers; claims are held to storage bounds', async () => {
  const h = await pluginHarness((store) => [limitRanger(store)]);
  await h.client.create(LIMITS, {
    metadata: { name: 'lr' },
    spec: {
      limits: [
        { type: 'Pod', max: { memory: '1Gi' } },
        { type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '10Gi' } },
      ],
    },
  });
  const two = { limits: { memory: '600Mi' } };
  const e = await rejection(
    h.client.create(PODS, pod('a', { containers: [container(two, 'x'), container(two, 'y')] })),
  );
  assert.equal(
    e.message,
    'pods "a" is forbidden: maximum memory usage per Pod is 1Gi, but limit is 1200Mi',
  );
  const pvc = (name: string, storage: string): Obj => ({
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  });
  const claims = '/api/v1/namespaces/default/persistentvolumeclaims';
  const tooBig = await rejection(h.client.create(claims, pvc('big', '20Gi') as never));
  assert.equal(
    tooBig.message,
    'persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 10Gi, but request is 20Gi',
  );
  await h.client.create(claims, pvc('fine', '5Gi') as never);
});

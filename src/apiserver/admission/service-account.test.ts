import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pluginHarness, pod, rejection } from './plugin-test-kit.ts';
import { API_TOKEN_MOUNT_PATH, serviceAccountAdmission } from './service-account.ts';

const PODS = '/api/v1/namespaces/default/pods';
type Obj = Record<string, unknown>;
const at = (o: unknown, k: string): unknown => (o as Obj)[k]; // SAFETY: test reads.

const noWait = (): Promise<void> => Promise.resolve();

test('defaults the account and mounts the projected API access volume everywhere', async () => {
  const h = await pluginHarness((store) => [serviceAccountAdmission({ store, sleep: noWait })]);
  const created = await h.client.create(
    PODS,
    pod('a', {
      initContainers: [{ name: 'init', image: 'busybox' }],
      containers: [
        { name: 'app', image: 'nginx' },
        { name: 'side', image: 'nginx' },
      ],
    }),
  );
  const spec = at(created, 'spec');
  assert.equal(at(spec, 'serviceAccountName'), 'default');
  const volumes = at(spec, 'volumes') as Obj[];
  assert.equal(volumes.length, 1);
  const name = volumes[0]?.['name'] as string;
  assert.match(name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.deepEqual(volumes[0]?.['projected'], {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      {
        downwardAPI: {
          items: [
            { path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } },
          ],
        },
      },
    ],
  });
  for (const kind of ['containers', 'initContainers']) {
    for (const c of at(spec, kind) as Obj[]) {
      assert.deepEqual(c['volumeMounts'], [
        { name, readOnly: true, mountPath: API_TOKEN_MOUNT_PATH },
      ]);
    }
  }
});

test('automountServiceAccountToken false on the pod or the account skips the volume', async () => {
  const h = await pluginHarness((store) => [serviceAccountAdmission({ store, sleep: noWait })]);
  const off = await h.client.create(PODS, pod('a', { automountServiceAccountToken: false }));
  assert.equal(at(at(off, 'spec'), 'volumes'), undefined);
  await h.client.create('/api/v1/namespaces/default/serviceaccounts', {
    metadata: { name: 'quiet' },
    automountServiceAccountToken: false,
    imagePullSecrets: [{ name: 'regcred' }],
  });
  const quiet = await h.client.create(PODS, pod('b', { serviceAccountName: 'quiet' }));
  assert.equal(at(at(quiet, 'spec'), 'volumes'), undefined);
  assert.deepEqual(at(at(quiet, 'spec'), 'imagePullSecrets'), [{ name: 'regcred' }]);
  // The pod's own setting wins over the account's.
  const on = await h.client.create(
    PODS,
    pod('c', { serviceAccountName: 'quiet', automountServiceAccountToken: true }),
  );
  assert.equal((at(at(on, 'spec'), 'volumes') as unknown[]).length, 1);
});

test('a missing account is forbidden in upstream words, after waiting for `default`', async () => {
  let waits = 0;
  const h = await pluginHarness((store) => [
    serviceAccountAdmission({
      store,
      sleep: () => {
        waits++;
        return Promise.resolve();
      },
    }),
  ]);
  const e = await rejection(h.client.create(PODS, pod('a', { serviceAccountName: 'robot' })));
  assert.equal(e.httpStatus, 403);
  assert.equal(
    e.message,
    'pods "a" is forbidden: error looking up service account default/robot: serviceaccount "robot" not found',
  );
  assert.equal(waits, 0);
  await h.client.delete('/api/v1/namespaces/default/serviceaccounts/default');
  const d = await rejection(h.client.create(PODS, pod('b')));
  assert.match(
    d.message,
    /error looking up service account default\/default: serviceaccount "default" not found/,
  );
  assert.equal(waits, 9);
});

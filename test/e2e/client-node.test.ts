import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import * as k8s from '@kubernetes/client-node';
import { eventually } from './harness.ts';
import { freePort, startKilnProcess } from './process-harness.ts';

function kubeConfig(stateDir: string): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromString(readFileSync(join(stateDir, 'kubeconfig'), 'utf8'));
  return kc;
}

it('client-node: an informer keeps a correct cache across a daemon restart', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kiln-informer-'));
  const port = await freePort();
  let child = await startKilnProcess(stateDir, port);
  const kc = kubeConfig(stateDir);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ns = 'default';
  const informer = k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () =>
    core.listNamespacedConfigMap({ namespace: ns }),
  );
  let stopped = false;
  informer.on('error', () => {
    // client-node stops on errors; restarting is the documented pattern.
    if (!stopped) setTimeout(() => void informer.start().catch(() => undefined), 200);
  });
  try {
    await informer.start();
    for (const name of ['a', 'b', 'c']) {
      await core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name }, data: { v: name } },
      });
    }
    const cached = (): string[] =>
      informer
        .list(ns)
        .map((c) => c.metadata?.name ?? '')
        .filter((n) => n !== 'kube-root-ca.crt')
        .sort();
    await eventually('the first three objects in the cache', () => cached().join() === 'a,b,c');
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    child = await startKilnProcess(stateDir, port);
    await core.deleteNamespacedConfigMap({ name: 'a', namespace: ns });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'd' } } });
    await core.patchNamespacedConfigMap(
      { name: 'b', namespace: ns, body: { data: { v: 'changed' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    await eventually(
      'the cache to match the server after the restart',
      () => cached().join() === 'b,c,d',
      30_000,
    );
    await eventually(
      'the cache to see the change',
      () => informer.get('b', ns)?.data?.['v'] === 'changed',
      30_000,
    );
  } finally {
    stopped = true;
    await informer.stop();
    child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
});

it('client-node: server-side apply through KubernetesObjectApi', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kiln-ssa-'));
  const port = await freePort();
  const child = await startKilnProcess(stateDir, port);
  try {
    const client = k8s.KubernetesObjectApi.makeApiClient(kubeConfig(stateDir));
    const spec = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'ssa', namespace: 'default' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'ssa' } },
        template: {
          metadata: { labels: { app: 'ssa' } },
          spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
        },
      },
    };
    const created = await client.patch(
      spec,
      undefined,
      undefined,
      'kiln-test',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    assert.equal((created as k8s.V1Deployment).spec?.replicas, 2);
    const updated = await client.patch(
      { ...spec, spec: { ...spec.spec, replicas: 4 } },
      undefined,
      undefined,
      'kiln-test',
      true,
      k8s.PatchStrategy.ServerSideApply,
    );
    assert.equal((updated as k8s.V1Deployment).spec?.replicas, 4);
    const managers = ((updated as k8s.V1Deployment).metadata?.managedFields ?? []).map(
      (m) => `${m.manager ?? ''}/${m.operation ?? ''}`,
    );
    assert.ok(managers.includes('kiln-test/Apply'), managers.join());
  } finally {
    child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
});

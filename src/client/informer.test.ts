import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { eventually, startCluster } from '../../test/support/controller-kit.ts';
import { Informer, realSleep } from './informer.ts';

const PODS = '/api/v1/namespaces/default/pods';

function pod(name: string, app: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app } },
    spec: { containers: [{ name: 'c', image: 'i' }] },
  };
}

const names = (objs: readonly KubeObject[]): string[] =>
  objs.map((o) => o.metadata.name ?? '').sort();

test('byIndex follows adds, relabels and deletes; an undeclared index throws', async () => {
  const cluster = await startCluster();
  const ac = new AbortController();
  await cluster.client.create(PODS, pod('a', 'web'));
  const informer = new Informer({
    client: cluster.client,
    path: '/api/v1/pods',
    sleep: realSleep,
    handlers: {},
    indexers: { app: (o) => [o.metadata.labels?.['app'] ?? ''] },
  });
  const running = informer.run(ac.signal);
  try {
    await informer.waitForSync();
    assert.deepEqual(names(informer.byIndex('app', 'web')), ['a']);
    await cluster.client.create(PODS, pod('b', 'web'));
    await cluster.client.create(PODS, pod('c', 'db'));
    await eventually(async () => {
      await Promise.resolve();
      assert.deepEqual(names(informer.byIndex('app', 'web')), ['a', 'b']);
      assert.deepEqual(names(informer.byIndex('app', 'db')), ['c']);
      return true;
    });
    await cluster.client.patch(`${PODS}/a`, { metadata: { labels: { app: 'db' } } });
    await eventually(async () => {
      await Promise.resolve();
      assert.deepEqual(names(informer.byIndex('app', 'web')), ['b']);
      assert.deepEqual(names(informer.byIndex('app', 'db')), ['a', 'c']);
      return true;
    });
    await cluster.client.delete(`${PODS}/c`, { gracePeriodSeconds: 0 });
    await eventually(async () => {
      await Promise.resolve();
      assert.deepEqual(names(informer.byIndex('app', 'db')), ['a']);
      return true;
    });
    assert.deepEqual(informer.byIndex('app', 'none'), []);
    assert.throws(() => informer.byIndex('missing', 'x'), /no index "missing"/);
  } finally {
    ac.abort();
    await running;
    cluster.close();
  }
});

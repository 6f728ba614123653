import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { realSleep } from '../client/index.ts';
import { randomIds, systemClock } from '../util/index.ts';
import { Cluster } from './cluster.ts';
import { drainNode } from './node-drain.ts';
import { nodePool } from './node-pool.ts';
import { startCluster } from '../../test/support/controller-kit.ts';

const pod = (
  name: string,
  node: string,
  extra: Partial<KubeObject['metadata']> = {},
): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default', labels: { app: name }, ...extra },
  spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx' }] },
});

async function withCluster(fn: (c: Cluster, node: string) => Promise<void>): Promise<void> {
  const nodes = nodePool({
    count: 1,
    instanceType: 'm5.large',
    region: 'us-east-1',
    nodegroup: 'ng',
  });
  const cluster = await startCluster({ name: 'drain', ids: randomIds, nodes });
  const ac = new AbortController();
  const running = cluster.run(ac.signal);
  try {
    await fn(cluster, nodes[0]?.name ?? '');
  } finally {
    ac.abort();
    await running.catch(() => undefined);
    cluster.close();
  }
}

async function podNames(c: Cluster): Promise<string[]> {
  const list = await c.client.list('/api/v1/namespaces/default/pods');
  return list.items.map((p) => p.metadata.name ?? '').sort();
}

describe('drainNode', () => {
  it('cordons the node and evicts its pods, leaving DaemonSet pods', async () => {
    await withCluster(async (c, node) => {
      await c.client.create('/api/v1/namespaces/default/pods', pod('a', node));
      await c.client.create('/api/v1/namespaces/default/pods', pod('b', node));
      await c.client.create('/apis/apps/v1/namespaces/default/daemonsets', {
        apiVersion: 'apps/v1',
        kind: 'DaemonSet',
        metadata: { name: 'ds', namespace: 'default' },
        spec: {
          selector: { matchLabels: { app: 'ds' } },
          template: {
            metadata: { labels: { app: 'ds' } },
            spec: { containers: [{ name: 'c', image: 'nginx' }] },
          },
        },
      });
      for (let i = 0; !(await podNames(c)).some((n) => n.startsWith('ds-')); i++) {
        assert.ok(i < 200, 'the DaemonSet pod never appeared');
        await new Promise((r) => setTimeout(r, 50));
      }
      const drained = await drainNode(c.client, node, {
        clock: systemClock,
        sleep: realSleep,
        timeoutMs: 60_000,
        signal: new AbortController().signal,
      });
      assert.equal(drained, true);
      const n = (await c.client.get(`/api/v1/nodes/${node}`)) as KubeObject & {
        spec: { unschedulable?: boolean };
      };
      assert.equal(n.spec.unschedulable, true);
      const left = await podNames(c);
      assert.equal(left.length, 1);
      assert.match(left[0] ?? '', /^ds-/);
    });
  });

  it('respects a disruption budget, and gives up after the timeout', async () => {
    await withCluster(async (c, node) => {
      await c.client.create('/api/v1/namespaces/default/pods', pod('kept', node));
      await c.client.create('/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
        apiVersion: 'policy/v1',
        kind: 'PodDisruptionBudget',
        metadata: { name: 'kept', namespace: 'default' },
        spec: { minAvailable: 1, selector: { matchLabels: { app: 'kept' } } },
      });
      const t0 = Date.now();
      const drained = await drainNode(c.client, node, {
        clock: systemClock,
        sleep: realSleep,
        timeoutMs: 2_000,
        signal: new AbortController().signal,
      });
      assert.equal(drained, false);
      assert.ok(Date.now() - t0 >= 2_000);
      assert.deepEqual(await podNames(c), ['kept']);
    });
  });
});

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { realSleep } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { systemClock } from '../util/index.ts';
import {
  eventually,
  listPods,
  podTemplate,
  runFakeKubelet,
  startCluster,
} from '../../test/support/controller-kit.ts';
import { DaemonSetController } from './daemonset.ts';
import { targetNodeName } from './daemonset-nodes.ts';
import { asDaemonSet, type DaemonSet } from './daemonset-plan.ts';

const DS = '/apis/apps/v1/namespaces/default/daemonsets';

interface Env {
  readonly cluster: Cluster;
  readonly ac: AbortController;
  readonly running: Promise<unknown>;
}

let env: Env | undefined;

afterEach(async () => {
  if (!env) return;
  env.ac.abort();
  await env.running;
  env.cluster.close();
  env = undefined;
});

async function start(): Promise<Cluster> {
  const cluster = await startCluster();
  const ac = new AbortController();
  const running = Promise.all([
    new DaemonSetController({ client: cluster.client, sleep: realSleep, clock: systemClock }).run(
      ac.signal,
    ),
    runFakeKubelet({ client: cluster.client, signal: ac.signal }),
  ]);
  env = { cluster, ac, running };
  return cluster;
}

async function addNode(
  c: Cluster,
  name: string,
  extra: { labels?: Record<string, string>; taints?: unknown[] } = {},
): Promise<void> {
  await c.client.create('/api/v1/nodes', {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...extra.labels } },
    spec: extra.taints === undefined ? {} : { taints: extra.taints },
  });
}

function daemonSet(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: podTemplate({ app: name }),
      ...spec,
    },
  };
}

async function getDs(c: Cluster, name: string): Promise<DaemonSet> {
  return asDaemonSet(await c.client.get(`${DS}/${name}`));
}

async function podNodes(c: Cluster): Promise<string[]> {
  const pods = (await listPods(c.client)).filter((p) => p.metadata.deletionTimestamp === undefined);
  return pods.map((p) => targetNodeName(p) ?? '?').sort();
}

test('one pod per eligible node; a NoSchedule-tainted node gets none', async () => {
  const c = await start();
  await addNode(c, 'n1');
  await addNode(c, 'n2');
  await addNode(c, 'n3', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
  await c.client.create(DS, daemonSet('agent'));
  const ds = await eventually(async () => {
    const d = await getDs(c, 'agent');
    return d.status?.numberReady === 2 ? d : undefined;
  });
  assert.deepEqual(await podNodes(c), ['n1', 'n2']);
  const st = ds.status;
  assert.ok(st);
  assert.equal(st.desiredNumberScheduled, 2);
  assert.equal(st.currentNumberScheduled, 2);
  assert.equal(st.numberMisscheduled, 0);
  assert.equal(st.updatedNumberScheduled, 2);
  assert.equal(st.numberAvailable, 2);
  assert.equal(st.numberUnavailable, undefined);
  assert.equal(st.observedGeneration, ds.metadata.generation);

  const pod = (await listPods(c.client))[0];
  assert.ok(pod);
  const spec = pod['spec'] as {
    affinity: unknown;
    tolerations: { key: string; effect: string }[];
  };
  assert.deepEqual(spec.affinity, {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [
          {
            matchFields: [
              { key: 'metadata.name', operator: 'In', values: [targetNodeName(pod) ?? ''] },
            ],
          },
        ],
      },
    },
  });
  const tolerated = spec.tolerations.map((t) => `${t.key}:${t.effect}`);
  assert.ok(tolerated.includes('node.kubernetes.io/not-ready:NoExecute'));
  assert.ok(tolerated.includes('node.kubernetes.io/unschedulable:NoSchedule'));
  assert.ok(!tolerated.some((t) => t.startsWith('node.kubernetes.io/network-unavailable')));
  const labels = pod.metadata.labels ?? {};
  assert.ok(labels['controller-revision-hash']);
  assert.equal(labels['pod-template-generation'], String(ds.metadata.generation));

  const revs = await c.client.list('/apis/apps/v1/namespaces/default/controllerrevisions');
  assert.equal(revs.items.length, 1);
  const rev = revs.items[0];
  assert.ok(rev);
  assert.equal(rev.metadata.name, `agent-${labels['controller-revision-hash'] ?? ''}`);
  assert.equal(rev['revision'], 1);

  const events = await c.client.list('/api/v1/namespaces/default/events');
  assert.ok(events.items.some((e) => e['reason'] === 'SuccessfulCreate'));
});

test('nodeSelector, node changes, and an untolerated NoExecute taint', async () => {
  const c = await start();
  await addNode(c, 'a', { labels: { disk: 'ssd' } });
  await addNode(c, 'b');
  await c.client.create(DS, daemonSet('ssd', { template: selectorTemplate() }));
  await eventually(async () => ((await podNodes(c)).join() === 'a' ? true : undefined));
  // Labelling a node makes it eligible.
  await c.client.patch('/api/v1/nodes/b', { metadata: { labels: { disk: 'ssd' } } });
  await eventually(async () => ((await podNodes(c)).join() === 'a,b' ? true : undefined));
  // A NoExecute taint the pod does not tolerate removes the pod there.
  await c.client.patch('/api/v1/nodes/a', {
    spec: { taints: [{ key: 'evict', value: 'x', effect: 'NoExecute' }] },
  });
  await eventually(async () => ((await podNodes(c)).join() === 'b' ? true : undefined));
  const ds = await eventually(async () => {
    const d = await getDs(c, 'ssd');
    return d.status?.desiredNumberScheduled === 1 && d.status.numberReady === 1 ? d : undefined;
  });
  assert.equal(ds.status?.numberMisscheduled, 0);
  const events = await c.client.list('/api/v1/namespaces/default/events');
  assert.ok(events.items.some((e) => e['reason'] === 'SuccessfulDelete'));
});

function selectorTemplate(): KubeObject {
  const t = podTemplate({ app: 'ssd' });
  return { ...t, spec: { ...(t['spec'] as object), nodeSelector: { disk: 'ssd' } } };
}

test('a rolling update replaces pods within maxUnavailable and records revisions', async () => {
  const c = await start();
  for (const n of ['r1', 'r2', 'r3', 'r4']) await addNode(c, n);
  await c.client.create(DS, daemonSet('roll'));
  await eventually(async () =>
    (await getDs(c, 'roll')).status?.numberReady === 4 ? true : undefined,
  );
  let mostMissing = 0;
  const stop = { now: false };
  const watcher = (async () => {
    while (!stop.now) {
      const live = (await listPods(c.client)).filter(
        (p) => p.metadata.deletionTimestamp === undefined,
      );
      mostMissing = Math.max(mostMissing, 4 - live.length);
      await new Promise((r) => setTimeout(r, 2));
    }
  })();
  await c.client.patch(`${DS}/roll`, {
    spec: { template: podTemplate({ app: 'roll' }, 'nginx:1.28') },
  });
  const done = await eventually(async () => {
    const d = await getDs(c, 'roll');
    const s = d.status;
    return s !== undefined &&
      s.observedGeneration === d.metadata.generation &&
      s.updatedNumberScheduled === 4 &&
      s.numberAvailable === 4
      ? d
      : undefined;
  }, 8000);
  stop.now = true;
  await watcher;
  assert.ok(mostMissing <= 1, `at most one node without a pod, saw ${String(mostMissing)}`);
  const pods = await listPods(c.client);
  assert.equal(pods.length, 4);
  for (const p of pods) {
    const spec = p['spec'] as { containers: { image: string }[] };
    assert.equal(spec.containers[0]?.image, 'nginx:1.28');
  }
  const revs = await c.client.list('/apis/apps/v1/namespaces/default/controllerrevisions');
  assert.deepEqual(revs.items.map((r) => r['revision']).sort(), [1, 2]);
  assert.equal(done.status?.currentNumberScheduled, 4);
});

test('OnDelete keeps old pods until they are deleted', async () => {
  const c = await start();
  await addNode(c, 'o1');
  await c.client.create(DS, daemonSet('od', { updateStrategy: { type: 'OnDelete' } }));
  await eventually(async () =>
    (await getDs(c, 'od')).status?.numberReady === 1 ? true : undefined,
  );
  const [before] = await listPods(c.client);
  await c.client.patch(`${DS}/od`, { spec: { template: podTemplate({ app: 'od' }, 'nginx:2') } });
  await eventually(async () => {
    const d = await getDs(c, 'od');
    return d.status?.observedGeneration === d.metadata.generation ? true : undefined;
  });
  await new Promise((r) => setTimeout(r, 100));
  const [still] = await listPods(c.client);
  assert.equal(still?.metadata.uid, before?.metadata.uid);
  assert.equal((await getDs(c, 'od')).status?.updatedNumberScheduled, undefined);
  await c.client.delete(`/api/v1/namespaces/default/pods/${before?.metadata.name ?? ''}`);
  await eventually(async () =>
    (await getDs(c, 'od')).status?.updatedNumberScheduled === 1 ? true : undefined,
  );
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeShouldRunDaemonPod, type NodeView } from './daemonset-nodes.ts';
import { planManage, planRollingUpdate, type DaemonSet } from './daemonset-plan.ts';
import type { Pod } from './deployment-objects.ts';

const NOW = Date.UTC(2026, 0, 1);

function node(name: string, taints: { key: string; effect: string }[] = []): NodeView {
  return { metadata: { name }, spec: { taints } };
}

function ds(spec: Partial<DaemonSet['spec']> = {}): DaemonSet {
  return {
    metadata: { name: 'd', namespace: 'default', uid: 'u', generation: 2 },
    spec: {
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: {} },
      ...spec,
    },
  };
}

function pod(name: string, a: { hash: string; ready: boolean; created?: number }): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'd', 'controller-revision-hash': a.hash },
      creationTimestamp: new Date(a.created ?? NOW - 60_000).toISOString(),
    },
    spec: { nodeName: name.split('-')[0] ?? '' },
    status: {
      phase: 'Running',
      conditions: [{ type: 'Ready', status: a.ready ? 'True' : 'False' }],
    },
  };
}

test('taints: NoSchedule keeps new pods away but lets one stay; NoExecute evicts', () => {
  const t = ds().spec.template;
  assert.deepEqual(nodeShouldRunDaemonPod(t, node('a', [{ key: 'x', effect: 'NoSchedule' }])), {
    shouldRun: false,
    shouldContinueRunning: true,
  });
  assert.deepEqual(nodeShouldRunDaemonPod(t, node('a', [{ key: 'x', effect: 'NoExecute' }])), {
    shouldRun: false,
    shouldContinueRunning: false,
  });
  const builtIn = [
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
  ];
  assert.equal(nodeShouldRunDaemonPod(t, node('a', builtIn)).shouldRun, true);
  const net = [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }];
  assert.equal(nodeShouldRunDaemonPod(t, node('a', net)).shouldRun, false);
  const hostNet = { ...t, spec: { hostNetwork: true } };
  assert.equal(nodeShouldRunDaemonPod(hostNet, node('a', net)).shouldRun, true);
});

test('manage: duplicates beyond the oldest go, failed pods go, missing nodes get one', () => {
  const d = ds();
  const dup = [
    pod('a-1', { hash: 'h', ready: true, created: NOW - 5000 }),
    pod('a-2', { hash: 'h', ready: true }),
  ];
  const failed = { ...pod('b-1', { hash: 'h', ready: false }), status: { phase: 'Failed' } };
  const plan = planManage({
    ds: d,
    nodes: [node('a'), node('b'), node('c')],
    podsByNode: new Map([
      ['a', dup],
      ['b', [failed]],
    ]),
    hash: 'h',
    now: NOW,
    failedPodMayGo: () => true,
  });
  assert.deepEqual(plan.create, ['c']);
  assert.deepEqual(plan.delete.map((p) => p.metadata.name).sort(), ['a-1', 'b-1']);
});

test('rolling update without surge deletes at most maxUnavailable available old pods', () => {
  const d = ds({
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } },
  });
  const names = ['a', 'b', 'c', 'e'];
  const plan = planRollingUpdate({
    ds: d,
    nodes: names.map((n) => node(n)),
    podsByNode: new Map(names.map((n) => [n, [pod(`${n}-1`, { hash: 'old', ready: true })]])),
    hash: 'new',
    now: NOW,
  });
  assert.equal(plan.delete.length, 2);
  assert.deepEqual(plan.create, []);
});

test('rolling update with surge starts new pods first, then removes old ones once available', () => {
  const d = ds({
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
  });
  const nodes = [node('a'), node('b')];
  const first = planRollingUpdate({
    ds: d,
    nodes,
    podsByNode: new Map([
      ['a', [pod('a-1', { hash: 'old', ready: true })]],
      ['b', [pod('b-1', { hash: 'old', ready: true })]],
    ]),
    hash: 'new',
    now: NOW,
  });
  assert.equal(first.create.length, 1);
  assert.deepEqual(first.delete, []);
  const second = planRollingUpdate({
    ds: d,
    nodes,
    podsByNode: new Map([
      ['a', [pod('a-1', { hash: 'old', ready: true }), pod('a-2', { hash: 'new', ready: true })]],
      ['b', [pod('b-1', { hash: 'old', ready: true })]],
    ]),
    hash: 'new',
    now: NOW,
  });
  assert.deepEqual(
    second.delete.map((p) => p.metadata.name),
    ['a-1'],
  );
  // Node a's surge is done (its new pod is available), so node b may surge now, as upstream.
  assert.deepEqual(second.create, ['b']);
});

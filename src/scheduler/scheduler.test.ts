import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addNodes,
  addPod,
  failedScheduling,
  makeNode,
  makePod,
  nodeOf,
  startHarness,
  waitFor,
} from './test-helpers.test.ts';

const CP_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

describe('DefaultScheduler', () => {
  it('binds a pod, records Scheduled and sets PodScheduled=True', async () => {
    const h = await startHarness();
    try {
      await addNodes(h.client, [makeNode('n1')]);
      await addPod(h.client, makePod('web', { cpu: '100m' }));
      assert.equal(await nodeOf(h.client, 'web'), 'n1');
      const ev = await waitFor(async () => {
        const l = await h.client.list('/api/v1/namespaces/default/events');
        return l.items.find((e) => e['reason'] === 'Scheduled');
      }, 'Scheduled event');
      assert.equal(ev['message'], 'Successfully assigned default/web to n1');
      assert.equal(ev['type'], 'Normal');
      assert.deepEqual(ev['source'], { component: 'default-scheduler' });
      const p = await h.client.get('/api/v1/namespaces/default/pods/web');
      const conds = (p['status'] as { conditions: { type: string; status: string }[] }).conditions;
      assert.equal(conds.find((c) => c.type === 'PodScheduled')?.status, 'True');
    } finally {
      await h.stop();
    }
  });

  it('ignores pods for other schedulers, gated pods and pods with a nodeName', async () => {
    const h = await startHarness();
    try {
      await addNodes(h.client, [makeNode('n1'), makeNode('n2')]);
      await addPod(h.client, makePod('other', { spec: { schedulerName: 'my-scheduler' } }));
      await addPod(h.client, makePod('gated', { spec: { schedulingGates: [{ name: 'x' }] } }));
      await addPod(h.client, makePod('pinned', { spec: { nodeName: 'n2' } }));
      await addPod(h.client, makePod('mine'));
      await nodeOf(h.client, 'mine');
      for (const name of ['other', 'gated']) {
        const p = await h.client.get(`/api/v1/namespaces/default/pods/${name}`);
        assert.equal((p['spec'] as { nodeName?: string }).nodeName, undefined, name);
      }
      assert.equal(await nodeOf(h.client, 'pinned'), 'n2');
    } finally {
      await h.stop();
    }
  });

  it('reports taints and resources in kube-scheduler format and marks the pod Unschedulable', async () => {
    const h = await startHarness();
    try {
      await addNodes(h.client, [
        makeNode('cp', { taints: [CP_TAINT] }),
        makeNode('w1', { cpu: '1' }),
        makeNode('w2', { cpu: '1' }),
      ]);
      await addPod(h.client, makePod('big', { cpu: '2' }));
      assert.equal(
        await failedScheduling(h.client, 'big'),
        '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
      );
      const cond = await waitFor(async () => {
        const p = await h.client.get('/api/v1/namespaces/default/pods/big');
        const cs = (p['status'] as { conditions?: Record<string, unknown>[] }).conditions ?? [];
        return cs.find((c) => c['type'] === 'PodScheduled');
      }, 'PodScheduled condition');
      assert.equal(cond['status'], 'False');
      assert.equal(cond['reason'], 'Unschedulable');
      assert.match(String(cond['message']), /^0\/3 nodes are available/);
    } finally {
      await h.stop();
    }
  });

  const goldens: {
    name: string;
    nodes: ReturnType<typeof makeNode>[];
    pod: ReturnType<typeof makePod>;
    existing?: ReturnType<typeof makePod>[];
    message: string;
  }[] = [
    {
      name: 'NodeUnschedulable',
      nodes: [makeNode('n1', { unschedulable: true })],
      pod: makePod('p'),
      message:
        '0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
    },
    {
      name: 'NodeSelector and required node affinity',
      nodes: [
        makeNode('a', { labels: { disk: 'ssd', zone: 'z1' } }),
        makeNode('b', { labels: { disk: 'hdd', zone: 'z2' } }),
      ],
      pod: makePod('p', {
        spec: {
          nodeSelector: { disk: 'ssd' },
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['z1'] }] },
                ],
              },
            },
          },
        },
      }),
      message:
        "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    },
    {
      name: 'NodeResourcesFit with memory, extended resources and pod count',
      nodes: [
        makeNode('a', { memory: '1Gi' }),
        makeNode('b', { extra: { 'example.com/gpu': '1' } }),
        makeNode('c', { pods: '0' }),
      ],
      pod: makePod('p', {
        spec: {
          containers: [
            {
              name: 'c',
              image: 'x',
              resources: { requests: { memory: '2Gi' }, limits: { 'example.com/gpu': '2' } },
            },
          ],
        },
      }),
      message:
        // Every node lacks the gpus outright (unresolvable), so preemption cannot help anywhere.
        '0/3 nodes are available: 1 Insufficient memory, 1 Too many pods, 3 Insufficient example.com/gpu. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
    },
    {
      name: 'NodePorts',
      nodes: [makeNode('a')],
      existing: [
        makePod('holder', {
          spec: {
            nodeName: 'a',
            containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }],
          },
        }),
      ],
      pod: makePod('p', {
        spec: {
          containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort: 8080 }] }],
        },
      }),
      message:
        "0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.",
    },
    {
      name: 'required pod anti-affinity',
      nodes: [makeNode('a'), makeNode('b')],
      existing: [
        makePod('x1', { labels: { app: 'db' }, spec: { nodeName: 'a' } }),
        makePod('x2', { labels: { app: 'db' }, spec: { nodeName: 'b' } }),
      ],
      pod: makePod('p', {
        labels: { app: 'db' },
        spec: {
          affinity: {
            podAntiAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { app: 'db' } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          },
        },
      }),
      message:
        "0/2 nodes are available: 2 node(s) didn't match pod anti-affinity rules. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
    },
    {
      name: 'required pod affinity',
      nodes: [makeNode('a'), makeNode('b')],
      existing: [makePod('x1', { labels: { app: 'cache' }, spec: { nodeName: 'a' } })],
      pod: makePod('p', {
        spec: {
          affinity: {
            podAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: [
                {
                  labelSelector: { matchLabels: { app: 'web' } },
                  topologyKey: 'kubernetes.io/hostname',
                },
              ],
            },
          },
        },
      }),
      message:
        "0/2 nodes are available: 2 node(s) didn't match pod affinity rules. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    },
    {
      name: 'PodTopologySpread DoNotSchedule',
      nodes: [
        makeNode('a', { labels: { zone: 'z1' } }),
        makeNode('b', {
          labels: { zone: 'z2' },
          taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }],
        }),
        makeNode('c'),
      ],
      existing: [
        makePod('x1', { labels: { app: 's' }, spec: { nodeName: 'a' } }),
        makePod('x2', { labels: { app: 's' }, spec: { nodeName: 'a' } }),
      ],
      pod: makePod('p', {
        labels: { app: 's' },
        spec: {
          topologySpreadConstraints: [
            {
              maxSkew: 1,
              topologyKey: 'zone',
              whenUnsatisfiable: 'DoNotSchedule',
              labelSelector: { matchLabels: { app: 's' } },
            },
          ],
        },
      }),
      // The tainted z2 still counts as an empty domain (nodeTaintsPolicy: Ignore).
      message:
        "0/3 nodes are available: 1 node(s) didn't match pod topology spread constraints, 1 node(s) didn't match pod topology spread constraints (missing required label), 1 node(s) had untolerated taint {k: v}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
    },
  ];

  for (const g of goldens) {
    it(`FailedScheduling golden: ${g.name}`, async () => {
      const h = await startHarness();
      try {
        await addNodes(h.client, g.nodes);
        for (const p of g.existing ?? []) await addPod(h.client, p);
        await addPod(h.client, g.pod);
        assert.equal(await failedScheduling(h.client, 'p'), g.message);
      } finally {
        await h.stop();
      }
    });
  }
});

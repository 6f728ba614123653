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

async function priorityClass(
  h: Awaited<ReturnType<typeof startHarness>>,
  name: string,
  value: number,
): Promise<void> {
  // The Priority admission plugin sets spec.priority and preemptionPolicy from the class.
  await h.client.create('/apis/scheduling.k8s.io/v1/priorityclasses', {
    apiVersion: 'scheduling.k8s.io/v1',
    kind: 'PriorityClass',
    metadata: { name },
    value,
    ...(name.endsWith('-never') ? { preemptionPolicy: 'Never' } : {}),
  });
}

describe('DefaultScheduler behaviour', () => {
  it('never double-books resources across many pods', async () => {
    const h = await startHarness();
    try {
      await addNodes(
        h.client,
        ['a', 'b', 'c', 'd'].map((n) => makeNode(n, { cpu: '2' })),
      );
      for (let i = 0; i < 40; i++) await addPod(h.client, makePod(`p${i}`, { cpu: '500m' }));
      const bound = await waitFor(async () => {
        const pods = (await h.client.list('/api/v1/namespaces/default/pods')).items;
        const b = pods.filter((p) => (p['spec'] as { nodeName?: string }).nodeName !== undefined);
        const failed = (await h.client.list('/api/v1/namespaces/default/events')).items.filter(
          (e) => e['reason'] === 'FailedScheduling',
        );
        return b.length === 16 && failed.length === 24 ? b : undefined;
      }, '16 bound and 24 failed');
      const perNode = new Map<string, number>();
      for (const p of bound) {
        const n = (p['spec'] as { nodeName: string }).nodeName;
        perNode.set(n, (perNode.get(n) ?? 0) + 1);
      }
      assert.deepEqual([...perNode.values()], [4, 4, 4, 4]);
      assert.equal(
        await failedScheduling(h.client, 'p39'),
        '0/4 nodes are available: 4 Insufficient cpu. preemption: 0/4 nodes are available: 4 No preemption victims found for incoming pod.',
      );
    } finally {
      await h.stop();
    }
  });

  it('schedules higher priority first', async () => {
    const h = await startHarness({ start: false });
    try {
      await priorityClass(h, 'high', 1000);
      await priorityClass(h, 'high-never', 1000);
      await addNodes(h.client, [makeNode('only', { cpu: '1' })]);
      await addPod(h.client, makePod('low', { cpu: '800m' }));
      await addPod(
        h.client,
        makePod('high', {
          cpu: '800m',
          spec: { priorityClassName: 'high-never' },
        }),
      );
      (h as unknown as { begin(): void }).begin();
      assert.equal(await nodeOf(h.client, 'high'), 'only');
      assert.equal(
        await failedScheduling(h.client, 'low'),
        '0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.',
      );
    } finally {
      await h.stop();
    }
  });

  it('reports preemptionPolicy=Never as upstream', async () => {
    const h = await startHarness();
    try {
      await priorityClass(h, 'high', 1000);
      await priorityClass(h, 'high-never', 1000);
      await addNodes(h.client, [makeNode('only', { cpu: '1' })]);
      await addPod(h.client, makePod('low', { cpu: '800m' }));
      await nodeOf(h.client, 'low');
      await addPod(
        h.client,
        makePod('p', { cpu: '800m', spec: { priorityClassName: 'high-never' } }),
      );
      assert.equal(
        await failedScheduling(h.client, 'p'),
        '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
      );
    } finally {
      await h.stop();
    }
  });

  it('preempts a lower-priority pod and nominates the node', async () => {
    const h = await startHarness();
    try {
      await priorityClass(h, 'high', 1000);
      await addNodes(h.client, [makeNode('only', { cpu: '1' })]);
      await addPod(h.client, makePod('low', { cpu: '800m' }));
      await nodeOf(h.client, 'low');
      await addPod(h.client, makePod('high', { cpu: '800m', spec: { priorityClassName: 'high' } }));
      const nominated = await waitFor(async () => {
        const p = await h.client.get('/api/v1/namespaces/default/pods/high');
        return (p['status'] as { nominatedNodeName?: string }).nominatedNodeName;
      }, 'nominatedNodeName');
      assert.equal(nominated, 'only');
      assert.equal(
        await failedScheduling(h.client, 'high'),
        '0/1 nodes are available: 1 Insufficient cpu.',
      );
      const victim = await waitFor(async () => {
        const p = await h.client.get('/api/v1/namespaces/default/pods/low');
        return p.metadata.deletionTimestamp === undefined ? undefined : p;
      }, 'victim deletion');
      const conds = (victim['status'] as { conditions: Record<string, unknown>[] }).conditions;
      assert.equal(
        conds.find((c) => c['type'] === 'DisruptionTarget')?.['reason'],
        'PreemptionByScheduler',
      );
      const ev = await waitFor(async () => {
        const l = await h.client.list('/api/v1/namespaces/default/events');
        return l.items.find((e) => e['reason'] === 'Preempted');
      }, 'Preempted event');
      assert.match(String(ev['message']), /^Preempted by pod .+ on node only$/);
      // The victim finishes terminating: the preemptor now fits.
      await h.client.delete('/api/v1/namespaces/default/pods/low', { gracePeriodSeconds: 0 });
      h.clock.advance(10_000);
      assert.equal(await nodeOf(h.client, 'high'), 'only');
    } finally {
      await h.stop();
    }
  });

  it('requeues an unschedulable pod when a node appears', async () => {
    const h = await startHarness();
    try {
      await addNodes(h.client, [makeNode('small', { cpu: '1' })]);
      await addPod(h.client, makePod('p', { cpu: '2' }));
      await failedScheduling(h.client, 'p');
      h.clock.advance(60_000);
      await addNodes(h.client, [makeNode('big', { cpu: '8' })]);
      assert.equal(await nodeOf(h.client, 'p'), 'big');
    } finally {
      await h.stop();
    }
  });

  it('honours tolerations, including operator Exists with an empty key', async () => {
    const h = await startHarness();
    try {
      const taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
      await addNodes(h.client, [makeNode('t', { taints: [taint] })]);
      await addPod(
        h.client,
        makePod('eq', {
          spec: {
            tolerations: [
              { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' },
            ],
          },
        }),
      );
      await addPod(h.client, makePod('all', { spec: { tolerations: [{ operator: 'Exists' }] } }));
      await addPod(
        h.client,
        makePod('wrong', { spec: { tolerations: [{ key: 'dedicated', value: 'cpu' }] } }),
      );
      assert.equal(await nodeOf(h.client, 'eq'), 't');
      assert.equal(await nodeOf(h.client, 'all'), 't');
      assert.equal(
        await failedScheduling(h.client, 'wrong'),
        '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.',
      );
    } finally {
      await h.stop();
    }
  });

  it('scores: preferred node affinity, least allocated and PreferNoSchedule taints', async () => {
    const h = await startHarness();
    try {
      await addNodes(h.client, [
        makeNode('busy', { cpu: '4', labels: { tier: 'gold' } }),
        makeNode('idle', { cpu: '4' }),
        makeNode('soft', { cpu: '64', taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }),
      ]);
      await addPod(h.client, makePod('filler', { cpu: '3', spec: { nodeName: 'busy' } }));
      await nodeOf(h.client, 'filler');
      // Taint score (weight 3) outweighs the much emptier 'soft'; 'idle' beats 'busy' on load.
      await addPod(h.client, makePod('plain', { cpu: '100m' }));
      assert.equal(await nodeOf(h.client, 'plain'), 'idle');
      await addPod(
        h.client,
        makePod('gold', {
          cpu: '100m',
          spec: {
            affinity: {
              nodeAffinity: {
                preferredDuringSchedulingIgnoredDuringExecution: [
                  {
                    weight: 100,
                    preference: {
                      matchExpressions: [{ key: 'tier', operator: 'In', values: ['gold'] }],
                    },
                  },
                ],
              },
            },
          },
        }),
      );
      assert.equal(await nodeOf(h.client, 'gold'), 'busy');
    } finally {
      await h.stop();
    }
  });

  it('reports no nodes as a SchedulerError', async () => {
    const h = await startHarness();
    try {
      await addPod(h.client, makePod('p'));
      assert.equal(await failedScheduling(h.client, 'p'), 'no nodes available to schedule pods');
    } finally {
      await h.stop();
    }
  });
});

import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../../api/index.ts';
import { InProcessTransport, KubeClient, realSleep } from '../../client/index.ts';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { ApiServer } from '../server.ts';
import { ClusterRoleAggregationController } from './aggregation-controller.ts';

const PATH = '/apis/rbac.authorization.k8s.io/v1/clusterroles';
const AGG = 'example.com/aggregate-to-monitoring';

const role = (name: string, labels: Record<string, string>, rules: unknown[]): KubeObject => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'ClusterRole',
  metadata: { name, labels },
  rules,
});

async function eventually(check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

it('fills and refreshes the rules of aggregated ClusterRoles', async () => {
  const store = new CachedStore({ persistence: noPersistence });
  const api = new ApiServer({ store, clock: new ManualClock(), ids: sequentialIds() });
  const client = new KubeClient(
    new InProcessTransport(api, { username: 'test', groups: ['system:masters'] }),
  );
  const pods = { apiGroups: [''], resources: ['pods'], verbs: ['get'] };
  const nodes = { apiGroups: [''], resources: ['nodes'], verbs: ['list'] };
  await client.create(PATH, {
    ...role('monitoring', {}, []),
    aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [AGG]: 'true' } }] },
  });
  await client.create(PATH, role('b-source', { [AGG]: 'true' }, [pods, nodes]));
  await client.create(PATH, role('a-source', { [AGG]: 'true' }, [pods]));
  await client.create(PATH, role('unrelated', {}, [{ ...pods, verbs: ['delete'] }]));
  const ac = new AbortController();
  const running = new ClusterRoleAggregationController({ client, sleep: realSleep }).run(ac.signal);
  try {
    const rulesOf = async (): Promise<unknown> => (await client.get(`${PATH}/monitoring`))['rules'];
    // Sources by name, each rule once.
    await eventually(async () => isDeepStrictEqual(await rulesOf(), [pods, nodes]));
    await client.delete(`${PATH}/b-source`);
    await eventually(async () => isDeepStrictEqual(await rulesOf(), [pods]));
    const edited = await client.get(`${PATH}/unrelated`);
    await client.update(`${PATH}/unrelated`, {
      ...edited,
      metadata: { ...edited.metadata, labels: { [AGG]: 'true' } },
    });
    await eventually(async () =>
      isDeepStrictEqual(await rulesOf(), [pods, { ...pods, verbs: ['delete'] }]),
    );
  } finally {
    ac.abort();
    await running;
  }
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { NodeSpec } from '../agent/index.ts';
import { cidrContains, cidrSize, Ec2Service, parseCidr } from '../aws/ec2/index.ts';
import type { NodegroupReconcileRequest } from '../aws/eks/index.ts';
import { realSleep } from '../client/index.ts';
import { CachedStore, noPersistence } from '../store/index.ts';
import { ManualClock, randomIds } from '../util/index.ts';
import { Cluster } from './cluster.ts';
import { nodePool } from './node-pool.ts';
import { Ec2NodegroupHost, NODEGROUP_LABEL } from './nodegroup-host.ts';
import { startCluster } from '../../test/support/controller-kit.ts';

const REGION = 'us-east-1';

async function setup(nodes: readonly NodeSpec[] = [], previous?: Cluster) {
  const clock = new ManualClock(Date.parse('2026-01-01T00:00:00Z'));
  const ids = randomIds;
  const awsStore = new CachedStore({ persistence: noPersistence });
  const ec2 = new Ec2Service({ store: awsStore, clock, ids, accountId: '000000000000' });
  const vpc = await ec2.createEksctlVpc({ region: REGION, clusterName: 'kiln' });
  const cluster = await startCluster({ name: 'kiln', clock, ids, nodes });
  // Node objects a previous run registered (the cluster's store outlives its node agent).
  for (const node of previous ? (await previous.client.list('/api/v1/nodes')).items : []) {
    await cluster.client.create('/api/v1/nodes', {
      ...node,
      metadata: { name: node.metadata.name ?? '', labels: node.metadata.labels ?? {} },
    });
  }
  const host = new Ec2NodegroupHost({
    ec2,
    ids,
    clock,
    sleep: realSleep,
    awsStore,
    cluster: (region, name) => (region === REGION && name === 'kiln' ? cluster : undefined),
  });
  const req = (desiredSize: number): NodegroupReconcileRequest => ({
    region: REGION,
    cluster: 'kiln',
    nodegroup: 'ng-a',
    desiredSize,
    instanceType: 't3.large',
    labels: { team: 'web' },
    taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }],
    subnets: vpc.privateSubnetIds,
  });
  // The record EKS stores for the group (only the fields the host reads).
  await awsStore.create(`/eks/${REGION}/nodegroups/kiln/ng-a`, {
    metadata: { name: 'ng-a' },
    resource: {
      clusterName: 'kiln',
      nodegroupName: 'ng-a',
      status: 'ACTIVE',
      scalingConfig: { minSize: 0, maxSize: 3, desiredSize: 2 },
      instanceTypes: ['t3.large'],
      labels: { team: 'web' },
      taints: [{ key: 'dedicated', value: 'web', effect: 'NO_SCHEDULE' }],
      subnets: [...vpc.privateSubnetIds],
    },
  });
  const close = (): void => {
    cluster.close();
    awsStore.close();
  };
  return { ec2, cluster, host, req, vpc, close };
}

async function nodeNames(cluster: Cluster): Promise<string[]> {
  const list = await cluster.client.list('/api/v1/nodes', {
    labelSelector: `${NODEGROUP_LABEL}=ng-a`,
  });
  return list.items.map((n) => n.metadata.name ?? '').sort();
}

describe('Ec2NodegroupHost', () => {
  it('adds nodes named, labelled and tainted as EKS does, spread over the subnets', async () => {
    const t = await setup();
    try {
      await t.host.reconcile(t.req(3));
      const nodes = t.cluster.workerNodes();
      assert.equal(nodes.length, 3);
      const zones = new Set(nodes.map((n) => n.labels?.['topology.kubernetes.io/zone']));
      assert.equal(zones.size, 3);
      for (const n of nodes) {
        const labels = n.labels ?? {};
        assert.match(n.internalIp, /^192\.168\.\d+\.\d+$/);
        assert.equal(n.name, `ip-${n.internalIp.replaceAll('.', '-')}.ec2.internal`);
        assert.match(n.providerId ?? '', /^aws:\/\/\/us-east-1[a-f]\/i-[0-9a-f]{17}$/);
        assert.equal(labels['node.kubernetes.io/instance-type'], 't3.large');
        assert.equal(labels['eks.amazonaws.com/capacityType'], 'ON_DEMAND');
        assert.equal(labels['team'], 'web');
        assert.deepEqual(n.taints, [{ key: 'dedicated', value: 'web', effect: 'NoSchedule' }]);
        assert.deepEqual(n.capacity, { cpu: '2', memory: '7859Mi', pods: 35 });
      }
      assert.equal(new Set(nodes.map((n) => n.podCidr)).size, 3);
      assert.deepEqual(await nodeNames(t.cluster), nodes.map((n) => n.name).sort());
      // Level-triggered: the same request again changes nothing.
      await t.host.reconcile(t.req(3));
      assert.deepEqual(t.cluster.workerNodes(), nodes);
    } finally {
      t.close();
    }
  });

  it('scales in by removing the newest nodes, and to zero', async () => {
    const t = await setup();
    try {
      await t.host.reconcile(t.req(3));
      const [first, second, third] = t.cluster.workerNodes();
      const freeBefore = t.ec2.subnet(REGION, t.vpc.privateSubnetIds[2] ?? '');
      // Its pods' IPv4 prefix is a block of its own subnet, returned with its address.
      const podBlock = parseCidr(third?.podCidr ?? '');
      const subnet = parseCidr(freeBefore?.cidrBlock ?? '');
      assert.ok(podBlock && subnet && cidrContains(subnet, podBlock), third?.podCidr);
      await t.host.reconcile(t.req(2));
      assert.deepEqual(
        t.cluster.workerNodes().map((n) => n.name),
        [first?.name, second?.name],
      );
      assert.equal(
        t.ec2.subnet(REGION, t.vpc.privateSubnetIds[2] ?? '')?.availableIpAddressCount,
        (freeBefore?.availableIpAddressCount ?? 0) + 1 + cidrSize(podBlock),
      );
      assert.equal((await nodeNames(t.cluster)).length, 2);
      await t.host.reconcile(t.req(0));
      assert.deepEqual(t.cluster.workerNodes(), []);
      assert.deepEqual(await nodeNames(t.cluster), []);
    } finally {
      t.close();
    }
  });

  it('adopts configured nodes that carry the group name instead of duplicating them', async () => {
    const pool = nodePool({
      count: 2,
      instanceType: 'm5.large',
      region: REGION,
      nodegroup: 'ng-a',
    });
    const t = await setup(pool);
    try {
      await t.host.reconcile(t.req(2));
      assert.deepEqual(t.cluster.workerNodes(), pool);
      await t.host.reconcile(t.req(3));
      const nodes = t.cluster.workerNodes();
      assert.equal(nodes.length, 3);
      assert.deepEqual(nodes.slice(0, 2), pool);
      assert.notEqual(nodes[2]?.podCidr, pool[0]?.podCidr);
      assert.notEqual(nodes[2]?.podCidr, pool[1]?.podCidr);
    } finally {
      t.close();
    }
  });

  it('hosts again the Nodes a previous run registered, on resync', async () => {
    const first = await setup();
    await first.host.reconcile(first.req(2));
    const before = first.cluster.workerNodes();
    const t = await setup([], first.cluster);
    try {
      await t.host.resync();
      const after = t.cluster.workerNodes();
      // Nodes registered in the same second come back in name order.
      const key = (n: NodeSpec): string => [n.name, n.internalIp, n.podCidr, n.providerId].join();
      assert.deepEqual(after.map(key).sort(), before.map(key).sort());
      assert.deepEqual(after[0]?.taints, [
        { key: 'dedicated', value: 'web', effect: 'NoSchedule' },
      ]);
      const adopted = after[0];
      assert.ok(adopted);
      assert.equal(adopted.labels?.['team'], 'web');
    } finally {
      first.close();
      t.close();
    }
  });

  it('lists the group nodes as running EC2 instances with EKS tags', async () => {
    const t = await setup();
    try {
      await t.host.reconcile(t.req(2));
      const instances = await t.host.listInstances(REGION);
      assert.equal(instances.length, 2);
      const nodes = t.cluster.workerNodes();
      for (const [i, inst] of instances.entries()) {
        const node = nodes[i];
        assert.ok(node);
        assert.equal(`aws:///${inst.availabilityZone}/${inst.instanceId}`, node.providerId);
        assert.equal(inst.privateIpAddress, node.internalIp);
        assert.equal(inst.privateDnsName, node.name);
        assert.equal(inst.instanceType, 't3.large');
        assert.equal(inst.state, 'running');
        assert.equal(inst.vpcId, t.vpc.vpcId);
        assert.ok(t.vpc.privateSubnetIds.includes(inst.subnetId));
        assert.ok(inst.tags.some((g) => g.key === 'eks:nodegroup-name' && g.value === 'ng-a'));
        assert.ok(inst.tags.some((g) => g.key === 'eks:cluster-name' && g.value === 'kiln'));
      }
      assert.deepEqual(await t.host.listInstances('eu-west-1'), []);
    } finally {
      t.close();
    }
  });

  it('does nothing for a cluster Kiln does not host', async () => {
    const t = await setup();
    try {
      await t.host.reconcile({ ...t.req(2), cluster: 'other' });
      assert.deepEqual(t.cluster.workerNodes(), []);
    } finally {
      t.close();
    }
  });
});

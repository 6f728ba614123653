import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EKSCTL_CLUSTER_ROLE } from '../aws/eksctl-roles.ts';
import { noopLogger } from '../telemetry/index.ts';
import { ManualClock, randomIds } from '../util/index.ts';
import { AwsPlane, registerDefaultCluster, reserveDefaultPool } from './aws-plane.ts';
import { nodePool } from './node-pool.ts';

function plane(): AwsPlane {
  return new AwsPlane({
    dataDir: undefined,
    fsync: false,
    accountId: '000000000000',
    clock: new ManualClock(Date.parse('2026-01-01T00:00:00Z')),
    ids: randomIds,
    logger: noopLogger,
    clusters: {
      create: () => Promise.resolve({ endpoint: 'https://127.0.0.1:1', caData: '' }),
      delete: () => Promise.resolve(),
    },
  });
}

describe('AwsPlane', () => {
  it("registers kiln up's cluster with eksctl's cluster role, once", async () => {
    const p = plane();
    try {
      await registerDefaultCluster(p, { region: 'ap-northeast-2', name: 'demo' });
      await registerDefaultCluster(p, { region: 'ap-northeast-2', name: 'demo' });
      const role = p.iam.getRole('eksctl-demo-cluster-ServiceRole');
      assert.ok(role);
      assert.deepEqual(
        JSON.parse(role.AssumeRolePolicyDocument),
        JSON.parse(EKSCTL_CLUSTER_ROLE.trustPolicy),
      );
      assert.deepEqual(p.iam.attachedPolicyArns(role.RoleName), EKSCTL_CLUSTER_ROLE.policyArns);
      assert.ok(p.store.get('/eks/ap-northeast-2/clusters/demo'));
    } finally {
      await p.stop();
    }
  });

  it("claims the default pool's addresses in the cluster's public subnets, once", async () => {
    const p = plane();
    try {
      const c = { region: 'ap-northeast-2', name: 'demo' };
      await registerDefaultCluster(p, c);
      const nodes = nodePool({ count: 4, instanceType: 'm5.large', ...c, nodegroup: 'ng' });
      await reserveDefaultPool(p, { ...c, nodes });
      await reserveDefaultPool(p, { ...c, nodes });
      const found = await p.ec2.handle(
        p.internalCall({
          region: c.region,
          action: 'DescribeSubnets',
          params: { 'Filter.1.Name': 'cidr-block', 'Filter.1.Value.1': '192.168.0.0/19' },
        }),
      );
      // SAFETY: DescribeSubnets' body; the id is checked below.
      const publicA = (found.body['subnetSet'] as { subnetId?: string }[] | undefined)?.[0]
        ?.subnetId;
      assert.ok(publicA);
      // Two nodes in 2a: two addresses and two /27s, and the NAT gateway's address.
      assert.equal(p.ec2.subnet(c.region, publicA)?.availableIpAddressCount, 8192 - 5 - 1 - 2 - 64);
      const next = await p.ec2.allocateAddress(c.region, publicA);
      assert.equal(next, '192.168.0.5');
      for (let i = 0; i < 4; i++) await p.ec2.allocateAddress(c.region, publicA);
      assert.equal(await p.ec2.allocateAddress(c.region, publicA), '192.168.0.12');
      await assert.rejects(
        reserveDefaultPool(p, {
          ...c,
          nodes: nodePool({
            count: 1,
            instanceType: 'm5.large',
            ...c,
            nodegroup: 'ng',
            vpcCidr: '10.9.0.0/16',
          }),
        }),
        /node ip-10-9-0-10\.ap-northeast-2\.compute\.internal \(10\.9\.0\.10\) is in none of demo's subnets/,
      );
    } finally {
      await p.stop();
    }
  });

  it('serves the endpoint on the port it got and stops listening on stop', async () => {
    const p = plane();
    const ac = new AbortController();
    await p.start({ host: '127.0.0.1', port: 0, signal: ac.signal });
    try {
      assert.match(p.url, /^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(p.url, { method: 'POST' });
      assert.ok(res.status >= 400, `an unsigned call is refused (${String(res.status)})`);
      await res.body?.cancel();
    } finally {
      ac.abort();
      await p.stop();
    }
    await assert.rejects(fetch(p.url, { method: 'POST' }));
  });
});

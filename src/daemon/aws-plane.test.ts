import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EKSCTL_CLUSTER_ROLE } from '../aws/eksctl-roles.ts';
import { noopLogger } from '../telemetry/index.ts';
import { ManualClock, randomIds } from '../util/index.ts';
import { AwsPlane, registerDefaultCluster } from './aws-plane.ts';

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

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CreateFargateProfileCommand, EKSClient } from '@aws-sdk/client-eks';
import { startCluster, type TestCluster } from './harness.ts';

/**
 * `kiln up --aws-mode lenient` is for people who only exercise the API calls: profiles become
 * ACTIVE at once and unknown subnets and roles are accepted. `strict` (the default) refuses the
 * same call as EKS does.
 */

const UNKNOWN = {
  clusterName: 'kiln',
  podExecutionRoleArn: 'arn:aws:iam::000000000000:role/NoSuchRole',
  subnets: ['subnet-0123456789abcdef0'],
  selectors: [{ namespace: 'default' }],
};

function eksClient(url: string): EKSClient {
  return new EKSClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
}

for (const mode of ['strict', 'lenient'] as const) {
  describe(`AWS validation mode: ${mode}`, () => {
    let c: TestCluster;
    before(async () => {
      // A long lifecycle delay shows that lenient profiles skip it; strict needs the cluster ACTIVE first.
      c = await startCluster({
        config: { awsMode: mode, eksDelayMs: mode === 'lenient' ? 60_000 : 0 },
      });
    });
    after(async () => {
      await c.stop();
    });

    it(
      mode === 'lenient'
        ? 'accepts an unknown role and subnet and makes the profile ACTIVE at once'
        : 'refuses an unknown role and subnet as EKS does',
      async () => {
        const url = c.daemon.aws?.url;
        assert.ok(url);
        const eks = eksClient(url);
        const call = eks.send(
          new CreateFargateProfileCommand({ ...UNKNOWN, fargateProfileName: 'fp' }),
        );
        if (mode === 'lenient') {
          const out = await call;
          assert.equal(out.fargateProfile?.status, 'ACTIVE');
          assert.deepEqual(out.fargateProfile.subnets, UNKNOWN.subnets);
        } else {
          await assert.rejects(call, (e: unknown) => {
            assert.ok(e instanceof Error);
            assert.equal(e.name, 'InvalidParameterException', e.message);
            return true;
          });
        }
        eks.destroy();
      },
    );
  });
}

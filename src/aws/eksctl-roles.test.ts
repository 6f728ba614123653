import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  EKSCTL_CLUSTER_ROLE,
  EKSCTL_NODE_ROLE,
  eksctlClusterRoleName,
  eksctlNodeRoleName,
  serviceTrustPolicy,
} from './eksctl-roles.ts';
import { trustsService } from './eks/trust-policy.ts';

const PROFILE_ARN = 'arn:aws:eks:ap-northeast-2:000000000000:fargateprofile/demo/fp-default/abc';

describe('eksctl roles', () => {
  it('trusts the service each role is for, and only it', () => {
    const cluster = EKSCTL_CLUSTER_ROLE.trustPolicy;
    const node = EKSCTL_NODE_ROLE.trustPolicy;
    const opts = (service: string) => ({ service, sourceArn: PROFILE_ARN });
    assert.equal(trustsService(cluster, opts('eks.amazonaws.com')), true);
    assert.equal(trustsService(cluster, opts('ec2.amazonaws.com')), false);
    assert.equal(trustsService(node, opts('ec2.amazonaws.com')), true);
    assert.equal(trustsService(node, opts('eks.amazonaws.com')), false);
  });

  it('writes the document eksctl writes, with a condition only when given one', () => {
    assert.deepEqual(JSON.parse(serviceTrustPolicy('ec2.amazonaws.com')), {
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' },
      ],
    });
    const fargate = serviceTrustPolicy('eks-fargate-pods.amazonaws.com', {
      ArnLike: { 'aws:SourceArn': 'arn:aws:eks:ap-northeast-2:000000000000:fargateprofile/demo/*' },
    });
    const opts = (sourceArn: string) => ({ service: 'eks-fargate-pods.amazonaws.com', sourceArn });
    assert.equal(trustsService(fargate, opts(PROFILE_ARN)), true);
    assert.equal(trustsService(fargate, opts(PROFILE_ARN.replace('/demo/', '/other/'))), false);
  });

  it('names and equips the roles as eksctl stacks do', () => {
    assert.equal(eksctlClusterRoleName('demo'), 'eksctl-demo-cluster-ServiceRole');
    assert.equal(eksctlNodeRoleName('demo', 'ng-1'), 'eksctl-demo-nodegroup-ng-1-NodeInstanceRole');
    assert.deepEqual(EKSCTL_CLUSTER_ROLE.policyArns, [
      'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
    ]);
    assert.equal(EKSCTL_NODE_ROLE.policyArns.length, 3);
  });
});

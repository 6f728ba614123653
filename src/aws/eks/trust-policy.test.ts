import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { trustsService } from './trust-policy.ts';

const SVC = 'eks-fargate-pods.amazonaws.com';
const ARN = 'arn:aws:eks:ap-northeast-2:123456789012:fargateprofile/demo/fp/0000';

function doc(statement: Record<string, unknown>): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
}

describe('trustsService', () => {
  const cases: { name: string; document: string; want: boolean }[] = [
    {
      name: "the seed's policy with an empty Condition",
      document: doc({
        Effect: 'Allow',
        Principal: { Service: SVC },
        Action: 'sts:AssumeRole',
        Condition: {},
      }),
      want: true,
    },
    {
      name: 'principal list and action list',
      document: doc({
        Effect: 'Allow',
        Principal: { Service: ['ec2.amazonaws.com', SVC] },
        Action: ['sts:AssumeRole'],
      }),
      want: true,
    },
    {
      name: 'other service',
      document: doc({
        Effect: 'Allow',
        Principal: { Service: 'ec2.amazonaws.com' },
        Action: 'sts:AssumeRole',
      }),
      want: false,
    },
    {
      name: 'Deny effect',
      document: doc({ Effect: 'Deny', Principal: { Service: SVC }, Action: 'sts:AssumeRole' }),
      want: false,
    },
    {
      name: 'other action',
      document: doc({ Effect: 'Allow', Principal: { Service: SVC }, Action: 'sts:TagSession' }),
      want: false,
    },
    {
      name: 'ArnLike SourceArn for the cluster',
      document: doc({
        Effect: 'Allow',
        Principal: { Service: SVC },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnLike: {
            'aws:SourceArn': 'arn:aws:eks:ap-northeast-2:123456789012:fargateprofile/demo/*',
          },
        },
      }),
      want: true,
    },
    {
      name: 'ArnLike SourceArn for another cluster',
      document: doc({
        Effect: 'Allow',
        Principal: { Service: SVC },
        Action: 'sts:AssumeRole',
        Condition: {
          ArnLike: {
            'aws:SourceArn': 'arn:aws:eks:ap-northeast-2:123456789012:fargateprofile/prod/*',
          },
        },
      }),
      want: false,
    },
    {
      name: 'StringEquals SourceAccount',
      document: doc({
        Effect: 'Allow',
        Principal: { Service: SVC },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': '999999999999' } },
      }),
      want: false,
    },
    { name: 'not JSON', document: '{', want: false },
  ];
  for (const tc of cases) {
    it(tc.name, () => {
      assert.equal(trustsService(tc.document, { service: SVC, sourceArn: ARN }), tc.want);
    });
  }
});

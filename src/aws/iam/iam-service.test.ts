import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { AwsError, type AwsCall } from '../types.ts';
import { IamService } from './iam-service.ts';
import { parseTrustPolicy, trustsPrincipal } from './policy-document.ts';

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { Service: 'eks-fargate-pods.amazonaws.com' },
      Action: 'sts:AssumeRole',
    },
  ],
});
const FARGATE_POLICY = 'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy';

function setup(): {
  iam: IamService;
  call: (action: string, params?: Record<string, string>) => Promise<Record<string, unknown>>;
} {
  const iam = new IamService({
    store: new CachedStore({ persistence: noPersistence }),
    clock: new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0, 500)),
    ids: sequentialIds(),
  });
  const call = async (action: string, params: Record<string, string> = {}) => {
    const c: AwsCall = {
      region: 'ap-northeast-2',
      caller: {
        accessKeyId: 'test',
        accountId: '000000000000',
        arn: 'arn:aws:iam::000000000000:root',
        userId: '000000000000',
      },
      requestId: 'r',
      action,
      method: 'POST',
      path: '/',
      query: new URLSearchParams(),
      params: new Map(Object.entries({ Action: action, Version: '2010-05-08', ...params })),
      json: {},
      headers: {},
    };
    return (await iam.handle(c)).body;
  };
  return { iam, call };
}

async function rejects(
  p: Promise<unknown>,
  code: string,
  message: string | RegExp,
  status?: number,
): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof AwsError, String(e));
    assert.equal(e.code, code);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    if (status !== undefined) assert.equal(e.httpStatus, status);
    return true;
  });
}

describe('IAM roles', () => {
  it('creates a role as AWS returns it: AROA id, ARN with path, URL-encoded trust policy', async () => {
    const { call } = setup();
    const out = await call('CreateRole', {
      RoleName: 'FargateRole',
      Path: '/eks/',
      AssumeRolePolicyDocument: TRUST,
    });
    const role = out['Role'] as Record<string, unknown>;
    assert.equal(role['Arn'], 'arn:aws:iam::000000000000:role/eks/FargateRole');
    assert.match(String(role['RoleId']), /^AROA[A-Z2-7]{17}$/);
    assert.deepEqual(role['CreateDate'], new Date(Date.UTC(2026, 0, 1, 12, 0, 0)));
    assert.equal(role['AssumeRolePolicyDocument'], encodeURIComponent(TRUST));
    assert.equal(role['MaxSessionDuration'], undefined);
    const got = (await call('GetRole', { RoleName: 'fargaterole' }))['Role'] as Record<
      string,
      unknown
    >;
    assert.equal(got['RoleName'], 'FargateRole');
    assert.equal(got['MaxSessionDuration'], 3600);
  });

  it('reports every CreateRole validation message as AWS words it', async () => {
    const { call } = setup();
    await rejects(
      call('CreateRole', { RoleName: 'bad name!', AssumeRolePolicyDocument: TRUST }),
      'ValidationError',
      "1 validation error detected: Value 'bad name!' at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+",
    );
    await rejects(
      call('CreateRole', { RoleName: 'x'.repeat(65), AssumeRolePolicyDocument: TRUST }),
      'ValidationError',
      `1 validation error detected: Value '${'x'.repeat(65)}' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64`,
    );
    await rejects(
      call('CreateRole', { RoleName: '', Path: 'nope', AssumeRolePolicyDocument: TRUST }),
      'ValidationError',
      "2 validation errors detected: Value '' at 'roleName' failed to satisfy constraint: Member must have length greater than or equal to 1; Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)",
    );
    await rejects(
      call('CreateRole', { AssumeRolePolicyDocument: TRUST }),
      'ValidationError',
      "1 validation error detected: Value null at 'roleName' failed to satisfy constraint: Member must not be null",
    );
    await rejects(
      call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: '{"Version":' }),
      'MalformedPolicyDocument',
      'This policy contains invalid Json',
      400,
    );
    await rejects(
      call('CreateRole', {
        RoleName: 'r',
        AssumeRolePolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}',
      }),
      'MalformedPolicyDocument',
      'Has prohibited field Resource',
    );
    await rejects(
      call('CreateRole', {
        RoleName: 'r',
        AssumeRolePolicyDocument:
          '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}',
      }),
      'MalformedPolicyDocument',
      'Missing required field Principal',
    );
    await rejects(
      call('CreateRole', {
        RoleName: 'r',
        AssumeRolePolicyDocument: '{"Version":"2020-01-01","Statement":[]}',
      }),
      'MalformedPolicyDocument',
      'The policy failed legacy parsing',
    );
    await rejects(
      call('CreateRole', {
        RoleName: 'r',
        AssumeRolePolicyDocument: TRUST,
        MaxSessionDuration: '100',
      }),
      'ValidationError',
      "1 validation error detected: Value '100' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600",
    );
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'x'.repeat(2100), Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' },
      ],
    });
    await rejects(
      call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: big }),
      'LimitExceeded',
      'Cannot exceed quota for ACLSizePerRole: 2048',
      409,
    );
  });

  it('refuses duplicate names case-insensitively and unknown roles', async () => {
    const { call } = setup();
    await call('CreateRole', { RoleName: 'FargateRole', AssumeRolePolicyDocument: TRUST });
    await rejects(
      call('CreateRole', { RoleName: 'FargateRole', AssumeRolePolicyDocument: TRUST }),
      'EntityAlreadyExists',
      'Role with name FargateRole already exists.',
      409,
    );
    await rejects(
      call('CreateRole', { RoleName: 'fargaterole', AssumeRolePolicyDocument: TRUST }),
      'EntityAlreadyExists',
      'Role with name fargaterole already exists.',
    );
    await rejects(
      call('GetRole', { RoleName: 'Nope' }),
      'NoSuchEntity',
      'The role with name Nope cannot be found.',
      404,
    );
  });

  it('pages ListRoles with Marker and MaxItems', async () => {
    const { call } = setup();
    for (const n of ['c', 'a', 'b'])
      await call('CreateRole', { RoleName: n, AssumeRolePolicyDocument: TRUST });
    const p1 = await call('ListRoles', { MaxItems: '2' });
    assert.deepEqual(
      (p1['Roles'] as { RoleName: string }[]).map((r) => r.RoleName),
      ['a', 'b'],
    );
    assert.equal(p1['IsTruncated'], true);
    const p2 = await call('ListRoles', { MaxItems: '2', Marker: String(p1['Marker']) });
    assert.deepEqual(
      (p2['Roles'] as { RoleName: string }[]).map((r) => r.RoleName),
      ['c'],
    );
    assert.equal(p2['IsTruncated'], false);
    assert.equal(p2['Marker'], undefined);
  });

  it('attaches, lists and detaches managed policies; blocks deletes while attached', async () => {
    const { call, iam } = setup();
    await call('CreateRole', { RoleName: 'FargateRole', AssumeRolePolicyDocument: TRUST });
    await call('AttachRolePolicy', { RoleName: 'FargateRole', PolicyArn: FARGATE_POLICY });
    await call('AttachRolePolicy', { RoleName: 'FargateRole', PolicyArn: FARGATE_POLICY });
    assert.deepEqual(iam.attachedPolicyArns('FargateRole'), [FARGATE_POLICY]);
    const listed = await call('ListAttachedRolePolicies', { RoleName: 'FargateRole' });
    assert.deepEqual(listed['AttachedPolicies'], [
      { PolicyName: 'AmazonEKSFargatePodExecutionRolePolicy', PolicyArn: FARGATE_POLICY },
    ]);
    await rejects(
      call('AttachRolePolicy', {
        RoleName: 'FargateRole',
        PolicyArn: 'arn:aws:iam::aws:policy/Nope',
      }),
      'NoSuchEntity',
      'Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.',
      404,
    );
    await rejects(
      call('AttachRolePolicy', { RoleName: 'FargateRole', PolicyArn: 'not-an-arn' }),
      'InvalidInput',
      'ARN not-an-arn is not valid.',
    );
    await rejects(
      call('DeleteRole', { RoleName: 'FargateRole' }),
      'DeleteConflict',
      'Cannot delete entity, must detach all policies first.',
      409,
    );
    await call('DetachRolePolicy', { RoleName: 'FargateRole', PolicyArn: FARGATE_POLICY });
    await rejects(
      call('DetachRolePolicy', { RoleName: 'FargateRole', PolicyArn: FARGATE_POLICY }),
      'NoSuchEntity',
      `Policy ${FARGATE_POLICY} was not found.`,
    );
    await call('PutRolePolicy', {
      RoleName: 'FargateRole',
      PolicyName: 'inline',
      PolicyDocument:
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}',
    });
    await rejects(
      call('DeleteRole', { RoleName: 'FargateRole' }),
      'DeleteConflict',
      'Cannot delete entity, must delete policies first.',
    );
    assert.deepEqual((await call('ListRolePolicies', { RoleName: 'FargateRole' }))['PolicyNames'], [
      'inline',
    ]);
    await rejects(
      call('GetRolePolicy', { RoleName: 'FargateRole', PolicyName: 'x' }),
      'NoSuchEntity',
      'The role policy with name x cannot be found.',
    );
    await call('DeleteRolePolicy', { RoleName: 'FargateRole', PolicyName: 'inline' });
    await call('DeleteRole', { RoleName: 'FargateRole' });
    assert.equal(iam.getRole('FargateRole'), undefined);
  });

  it('tags and untags roles', async () => {
    const { call } = setup();
    await call('CreateRole', {
      RoleName: 'r',
      AssumeRolePolicyDocument: TRUST,
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'a',
    });
    await call('TagRole', {
      RoleName: 'r',
      'Tags.member.1.Key': 'team',
      'Tags.member.1.Value': 'b',
      'Tags.member.2.Key': 'env',
      'Tags.member.2.Value': 'dev',
    });
    await call('UntagRole', { RoleName: 'r', 'TagKeys.member.1': 'env' });
    assert.deepEqual((await call('ListRoleTags', { RoleName: 'r' }))['Tags'], [
      { Key: 'team', Value: 'b' },
    ]);
  });

  it('serves AWS managed policies and customer managed ones', async () => {
    const { call } = setup();
    const got = (await call('GetPolicy', { PolicyArn: FARGATE_POLICY }))['Policy'] as Record<
      string,
      unknown
    >;
    assert.equal(got['PolicyName'], 'AmazonEKSFargatePodExecutionRolePolicy');
    assert.equal(got['DefaultVersionId'], 'v1');
    const v = (await call('GetPolicyVersion', { PolicyArn: FARGATE_POLICY, VersionId: 'v1' }))[
      'PolicyVersion'
    ] as Record<string, unknown>;
    assert.match(decodeURIComponent(String(v['Document'])), /ecr:GetAuthorizationToken/);
    await rejects(
      call('GetPolicy', { PolicyArn: 'arn:aws:iam::aws:policy/Nope' }),
      'NoSuchEntity',
      'Policy arn:aws:iam::aws:policy/Nope was not found.',
    );
    const doc =
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"eks:*","Resource":"*"}]}';
    const created = (await call('CreatePolicy', { PolicyName: 'mine', PolicyDocument: doc }))[
      'Policy'
    ] as Record<string, string>;
    const arn = created['Arn'] ?? '';
    assert.equal(arn, 'arn:aws:iam::000000000000:policy/mine');
    await rejects(
      call('CreatePolicy', { PolicyName: 'mine', PolicyDocument: doc }),
      'EntityAlreadyExists',
      'A policy called mine already exists. Duplicate names are not allowed.',
    );
    const local = await call('ListPolicies', { Scope: 'Local' });
    assert.deepEqual(
      (local['Policies'] as { PolicyName: string }[]).map((p) => p.PolicyName),
      ['mine'],
    );
    const aws = await call('ListPolicies', { Scope: 'AWS', MaxItems: '100' });
    assert.ok((aws['Policies'] as unknown[]).length >= 7);
    await call('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST });
    await call('AttachRolePolicy', { RoleName: 'r', PolicyArn: arn });
    await rejects(
      call('DeletePolicy', { PolicyArn: arn }),
      'DeleteConflict',
      'Cannot delete a policy attached to entities.',
    );
  });

  it('rejects unknown actions as InvalidAction', async () => {
    const { call } = setup();
    await rejects(
      call('FlyRole'),
      'InvalidAction',
      'Could not find operation FlyRole for version 2010-05-08',
    );
  });
});

describe('trust policies', () => {
  it('matches service and AWS principals, honouring Deny', () => {
    const p = parseTrustPolicy(TRUST);
    assert.equal(
      trustsPrincipal(p, { kind: 'service', service: 'eks-fargate-pods.amazonaws.com' }),
      true,
    );
    assert.equal(trustsPrincipal(p, { kind: 'aws', accountId: '000000000000', arns: [] }), false);
    const acct = parseTrustPolicy(
      '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:root"},"Action":"sts:*"},{"Effect":"Deny","Principal":{"AWS":"arn:aws:iam::000000000000:user/bob"},"Action":"sts:AssumeRole"}]}',
    );
    assert.equal(
      trustsPrincipal(acct, {
        kind: 'aws',
        accountId: '000000000000',
        arns: ['arn:aws:iam::000000000000:user/alice'],
      }),
      true,
    );
    assert.equal(
      trustsPrincipal(acct, {
        kind: 'aws',
        accountId: '000000000000',
        arns: ['arn:aws:iam::000000000000:user/bob'],
      }),
      false,
    );
    assert.equal(
      trustsPrincipal(acct, { kind: 'aws', accountId: '111111111111', arns: [] }),
      false,
    );
  });
});

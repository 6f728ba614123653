import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ensureDebianPackage } from './host-packages.ts';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
  ListAttachedRolePoliciesCommand,
} from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { InMemoryAwsCredentialStore } from '../../src/apiserver/authn/index.ts';
import { AwsEndpoint, IamService, StsCredentials, StsService } from '../../src/aws/index.ts';
import { CachedStore, noPersistence } from '../../src/store/index.ts';
import { randomIds, systemClock } from '../../src/util/index.ts';

/** The seed's trust policy (`fargaterole.json`), byte for byte. */
const SEED_TRUST_POLICY = `{
"Version":"2012-10-17",
"Statement":[
{
"Effect":"Allow",
"Principal":{
"Service": "eks-fargate-pods.amazonaws.com"
},
"Action":"sts:AssumeRole",
"Condition":{
}
}
]
}
`;
const POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy';
const BAD_POLICY_ARN = 'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicyX';
const ACCOUNT = '000000000000';
const REGION = 'ap-northeast-2';

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  file: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The two AWS CLIs: v1 (first `aws` on PATH here) and v2 (Debian's awscli in /usr/bin). */
async function findCli(
  major: 1 | 2,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Promise<string | undefined> {
  if (major === 2) ensureDebianPackage('/usr/bin/aws', 'awscli');
  const candidates = major === 2 ? ['/usr/bin/aws'] : ['aws', '/usr/local/bin/aws'];
  for (const c of candidates) {
    if (c.startsWith('/') && !existsSync(c)) continue;
    const v = await run(c, ['--version'], env, cwd);
    if (`${v.stdout}${v.stderr}`.startsWith(`aws-cli/${String(major)}.`)) return c;
  }
  return undefined;
}

describe('IAM and STS through the AWS CLI v1, v2, boto3 and the SDK v3', () => {
  let server: Server;
  let endpoint = '';
  let dir = '';
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    const store = new CachedStore({ persistence: noPersistence });
    const credentials = new StsCredentials({ store, base: new InMemoryAwsCredentialStore() });
    const iam = new IamService({ store, clock: systemClock, ids: randomIds });
    const sts = new StsService({ credentials, iam, clock: systemClock, ids: randomIds });
    const aws = new AwsEndpoint({
      services: [iam, sts],
      credentials,
      clock: systemClock,
      ids: randomIds,
    });
    server = createServer(aws.listener());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
    dir = mkdtempSync(join(tmpdir(), 'kiln-aws-iam-'));
    writeFileSync(join(dir, 'fargaterole.json'), SEED_TRUST_POLICY);
    env = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: dir,
      AWS_CONFIG_FILE: join(dir, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials'),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: REGION,
      AWS_PAGER: '',
    };
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const major of [1, 2] as const) {
    it(`AWS CLI v${String(major)} runs the seed's IAM calls`, async (t) => {
      const cli = await findCli(major, env, dir);
      if (cli === undefined) {
        t.skip(`AWS CLI v${String(major)} is not installed`);
        return;
      }
      const role = major === 1 ? 'FargateRole' : 'AmazonEKSFargatePodExecutionRole';
      const aws = (...args: string[]) => run(cli, [...args, '--endpoint-url', endpoint], env, dir);
      // FargateRole=$(aws iam create-role … --output text --query 'Role.Arn'), as the seed does.
      const created = await aws(
        'iam',
        'create-role',
        '--role-name',
        role,
        '--assume-role-policy-document',
        'file://fargaterole.json',
        '--output',
        'text',
        '--query',
        'Role.Arn',
      );
      assert.equal(created.code, 0, created.stderr);
      assert.equal(created.stdout.trim(), `arn:aws:iam::${ACCOUNT}:role/${role}`);
      const attached = await aws(
        'iam',
        'attach-role-policy',
        '--role-name',
        role,
        '--policy-arn',
        POLICY_ARN,
      );
      assert.equal(attached.code, 0, attached.stderr);
      assert.equal(attached.stdout, '');

      const got = await aws('iam', 'get-role', '--role-name', role, '--output', 'json');
      assert.equal(got.code, 0, got.stderr);
      const r = (JSON.parse(got.stdout) as { Role: Record<string, unknown> }).Role;
      assert.equal(r['RoleName'], role);
      assert.match(String(r['RoleId']), /^AROA[A-Z0-9]{17}$/);
      assert.deepEqual(r['AssumeRolePolicyDocument'], JSON.parse(SEED_TRUST_POLICY));
      const listed = await aws(
        'iam',
        'list-attached-role-policies',
        '--role-name',
        role,
        '--output',
        'json',
      );
      assert.deepEqual(JSON.parse(listed.stdout), {
        AttachedPolicies: [
          { PolicyName: 'AmazonEKSFargatePodExecutionRolePolicy', PolicyArn: POLICY_ARN },
        ],
      });

      const dup = await aws(
        'iam',
        'create-role',
        '--role-name',
        role,
        '--assume-role-policy-document',
        'file://fargaterole.json',
      );
      assert.notEqual(dup.code, 0);
      assert.equal(
        dup.stderr.trim(),
        `An error occurred (EntityAlreadyExists) when calling the CreateRole operation: Role with name ${role} already exists.`,
      );
      const missing = await aws(
        'iam',
        'attach-role-policy',
        '--role-name',
        role,
        '--policy-arn',
        BAD_POLICY_ARN,
      );
      assert.equal(
        missing.stderr.trim(),
        `An error occurred (NoSuchEntity) when calling the AttachRolePolicy operation: Policy ${BAD_POLICY_ARN} does not exist or is not attachable.`,
      );
      const noRole = await aws('iam', 'get-role', '--role-name', 'Nope');
      assert.equal(
        noRole.stderr.trim(),
        'An error occurred (NoSuchEntity) when calling the GetRole operation: The role with name Nope cannot be found.',
      );

      const me = await aws('sts', 'get-caller-identity', '--output', 'json');
      assert.deepEqual(JSON.parse(me.stdout), {
        UserId: ACCOUNT,
        Account: ACCOUNT,
        Arn: `arn:aws:iam::${ACCOUNT}:root`,
      });
      const bad = await run(
        cli,
        ['sts', 'get-caller-identity', '--endpoint-url', endpoint],
        { ...env, AWS_SECRET_ACCESS_KEY: 'wrong' },
        dir,
      );
      assert.match(
        bad.stderr,
        /An error occurred \(SignatureDoesNotMatch\) when calling the GetCallerIdentity operation: The request signature we calculated does not match the signature you provided\./,
      );
      const unknown = await run(
        cli,
        ['iam', 'list-roles', '--endpoint-url', endpoint],
        { ...env, AWS_ACCESS_KEY_ID: 'AKIAUNKNOWN' },
        dir,
      );
      assert.match(
        unknown.stderr,
        /An error occurred \(InvalidClientTokenId\) when calling the ListRoles operation: The security token included in the request is invalid\./,
      );
    });
  }

  it('boto3 sees the same results and errors', async (t) => {
    const script = `
import boto3, json, sys
from botocore.exceptions import ClientError
ep, role = sys.argv[1], 'BotoFargateRole'
iam = boto3.client('iam', endpoint_url=ep)
sts = boto3.client('sts', endpoint_url=ep)
doc = open('fargaterole.json').read()
out = {}
out['arn'] = iam.create_role(RoleName=role, AssumeRolePolicyDocument=doc)['Role']['Arn']
iam.attach_role_policy(RoleName=role, PolicyArn='${POLICY_ARN}')
out['doc'] = iam.get_role(RoleName=role)['Role']['AssumeRolePolicyDocument']
out['attached'] = iam.list_attached_role_policies(RoleName=role)['AttachedPolicies']
def err(f):
    try:
        f()
    except ClientError as e:
        return [e.response['Error']['Code'], str(e)]
out['dup'] = err(lambda: iam.create_role(RoleName=role, AssumeRolePolicyDocument=doc))
out['missing'] = err(lambda: iam.attach_role_policy(RoleName=role, PolicyArn='${BAD_POLICY_ARN}'))
out['me'] = sts.get_caller_identity()['Arn']
print(json.dumps(out))
`;
    const probe = await run('python3', ['-c', 'import boto3'], env, dir);
    if (probe.code !== 0) {
      t.skip('boto3 is not installed');
      return;
    }
    const res = await run('python3', ['-c', script, endpoint], env, dir);
    assert.equal(res.code, 0, res.stderr);
    const out = JSON.parse(res.stdout) as Record<string, unknown>;
    assert.equal(out['arn'], `arn:aws:iam::${ACCOUNT}:role/BotoFargateRole`);
    assert.deepEqual(out['doc'], JSON.parse(SEED_TRUST_POLICY));
    assert.deepEqual(out['attached'], [
      { PolicyName: 'AmazonEKSFargatePodExecutionRolePolicy', PolicyArn: POLICY_ARN },
    ]);
    assert.deepEqual(out['dup'], [
      'EntityAlreadyExists',
      'An error occurred (EntityAlreadyExists) when calling the CreateRole operation: Role with name BotoFargateRole already exists.',
    ]);
    assert.deepEqual(out['missing'], [
      'NoSuchEntity',
      `An error occurred (NoSuchEntity) when calling the AttachRolePolicy operation: Policy ${BAD_POLICY_ARN} does not exist or is not attachable.`,
    ]);
    assert.equal(out['me'], `arn:aws:iam::${ACCOUNT}:root`);
  });

  it('the AWS SDK for JavaScript v3 sees the same results and errors', async () => {
    const config = {
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    };
    const iam = new IAMClient(config);
    const role = 'SdkFargateRole';
    const created = await iam.send(
      new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: SEED_TRUST_POLICY }),
    );
    assert.equal(created.Role?.Arn, `arn:aws:iam::${ACCOUNT}:role/${role}`);
    assert.ok(created.Role.CreateDate instanceof Date);
    await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: POLICY_ARN }));
    const got = await iam.send(new GetRoleCommand({ RoleName: role }));
    assert.equal(decodeURIComponent(got.Role?.AssumeRolePolicyDocument ?? ''), SEED_TRUST_POLICY);
    const listed = await iam.send(new ListAttachedRolePoliciesCommand({ RoleName: role }));
    assert.deepEqual(listed.AttachedPolicies, [
      { PolicyName: 'AmazonEKSFargatePodExecutionRolePolicy', PolicyArn: POLICY_ARN },
    ]);
    await assert.rejects(
      iam.send(
        new CreateRoleCommand({ RoleName: role, AssumeRolePolicyDocument: SEED_TRUST_POLICY }),
      ),
      { name: 'EntityAlreadyExistsException', message: `Role with name ${role} already exists.` },
    );
    await assert.rejects(
      iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: BAD_POLICY_ARN })),
      {
        name: 'NoSuchEntityException',
        message: `Policy ${BAD_POLICY_ARN} does not exist or is not attachable.`,
      },
    );
    const me = await new STSClient(config).send(new GetCallerIdentityCommand({}));
    assert.equal(me.Arn, `arn:aws:iam::${ACCOUNT}:root`);
    await assert.rejects(
      new STSClient({
        ...config,
        credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' },
      }).send(new GetCallerIdentityCommand({})),
      { name: 'SignatureDoesNotMatch' },
    );
  });
});

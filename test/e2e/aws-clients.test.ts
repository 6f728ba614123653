import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import {
  CreateFargateProfileCommand,
  DescribeClusterCommand,
  DescribeFargateProfileCommand,
  EKSClient,
  ListClustersCommand,
  ListFargateProfilesCommand,
} from '@aws-sdk/client-eks';
import {
  AttachRolePolicyCommand,
  CreateRoleCommand,
  GetRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { kubectlBinary, startCluster, type TestCluster } from './harness.ts';

/**
 * The same EKS, IAM and EC2 calls through AWS CLI v1, AWS CLI v2 (Debian's awscli), boto3 and
 * the AWS SDK for JavaScript v3 against one daemon: every client must see the same results and
 * the same error codes and messages. Each call is written once, rendered for every client, and
 * its outcome projected onto the fields that matter before the clients are compared.
 */

const REGION = 'us-east-1';
const CLUSTER = 'kiln';
const ROLE = 'ClientsFargateRole';
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

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(
  file: string,
  args: readonly string[],
  o: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { ...o, timeout: 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

type Outcome =
  | { readonly ok: true; readonly data: unknown }
  | { readonly ok: false; readonly code: string; readonly message: string };

interface SdkClients {
  readonly eks: EKSClient;
  readonly ec2: EC2Client;
  readonly iam: IAMClient;
}

/** One AWS call rendered for each kind of client. */
interface Call {
  /** AWS CLI arguments after `aws` (JSON output is added). */
  readonly cli: readonly string[];
  /** boto3: service, snake_case method and keyword arguments. */
  readonly boto: { readonly service: string; readonly method: string; readonly params: object };
  readonly sdk: (c: SdkClients) => Promise<unknown>;
}

interface Client {
  readonly label: string;
  call(c: Call): Promise<Outcome>;
  close(): void;
}

const CLI_ERROR = /^An error occurred \(([^)]+)\) when calling the \w+ operation: (.*)$/m;

function cliClient(o: {
  label: string;
  cli: string;
  endpoint: string;
  env: NodeJS.ProcessEnv;
  cwd: string;
}): Client {
  return {
    label: o.label,
    call: async (c) => {
      const args = [...c.cli, '--output', 'json', '--endpoint-url', o.endpoint];
      const r = await run(o.cli, args, o);
      if (r.code === 0)
        return { ok: true, data: r.stdout.trim() === '' ? {} : JSON.parse(r.stdout) };
      const m = CLI_ERROR.exec(r.stderr.trim());
      if (!m) throw new Error(`${o.label} ${c.cli.join(' ')}: ${r.stderr}`);
      return { ok: false, code: m[1] ?? '', message: m[2] ?? '' };
    },
    close: () => undefined,
  };
}

/** A long-lived python process that runs one boto3 call per JSON line on stdin. */
const BOTO_DRIVER = `
import boto3, json, sys
from botocore.exceptions import ClientError
ep = sys.argv[1]
clients = {}
for line in sys.stdin:
    req = json.loads(line)
    svc = req['service']
    if svc not in clients:
        clients[svc] = boto3.client(svc, endpoint_url=ep)
    try:
        out = getattr(clients[svc], req['method'])(**req['params'])
        out.pop('ResponseMetadata', None)
        res = {'ok': True, 'data': out}
    except ClientError as e:
        res = {'ok': False, 'code': e.response['Error']['Code'], 'message': e.response['Error']['Message']}
    print(json.dumps(res, default=str), flush=True)
`;
import { ensureDebianPackage } from './host-packages.ts';

function botoClient(o: { endpoint: string; env: NodeJS.ProcessEnv; cwd: string }): Client {
  const child: ChildProcessWithoutNullStreams = spawn('python3', ['-c', BOTO_DRIVER, o.endpoint], {
    env: o.env,
    cwd: o.cwd,
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  return {
    label: 'boto3',
    call: async (c) => {
      child.stdin.write(`${JSON.stringify(c.boto)}\n`);
      const line = await lines.next();
      if (line.done === true) throw new Error(`the boto3 driver exited: ${stderr}`);
      // SAFETY: the driver prints exactly an Outcome per line.
      return JSON.parse(line.value) as Outcome;
    },
    close: () => {
      child.stdin.end();
    },
  };
}

function sdkClient(endpoint: string): Client {
  const config = {
    endpoint,
    region: REGION,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const clients: SdkClients = {
    eks: new EKSClient(config),
    ec2: new EC2Client(config),
    iam: new IAMClient(config),
  };
  return {
    label: 'sdk-v3',
    call: async (c) => {
      try {
        return { ok: true, data: await c.sdk(clients) };
      } catch (e) {
        if (!(e instanceof Error)) throw e;
        // Query protocols (IAM, EC2) carry the wire code in `Code`; `name` is the modeled class
        // (`EntityAlreadyExistsException` for `EntityAlreadyExists`). rest-json has only `name`.
        // SAFETY: reading an optional field of the SDK's ServiceException, checked below.
        const code = (e as { Code?: unknown }).Code;
        return { ok: false, code: typeof code === 'string' ? code : e.name, message: e.message };
      }
    },
    close: () => {
      clients.eks.destroy();
      clients.ec2.destroy();
      clients.iam.destroy();
    },
  };
}

// The calls, each rendered for the CLI, boto3 and the SDK v3.

const describeCluster = (name: string): Call => ({
  cli: ['eks', 'describe-cluster', '--name', name],
  boto: { service: 'eks', method: 'describe_cluster', params: { name } },
  sdk: (c) => c.eks.send(new DescribeClusterCommand({ name })),
});

const listClusters: Call = {
  cli: ['eks', 'list-clusters'],
  boto: { service: 'eks', method: 'list_clusters', params: {} },
  sdk: (c) => c.eks.send(new ListClustersCommand({})),
};

interface ProfileInput {
  readonly name: string;
  readonly role: string;
  readonly subnets: readonly string[];
  readonly labels: Record<string, string>;
}

function createProfile(p: ProfileInput): Call {
  const selectors = [{ namespace: 'clients', labels: p.labels }];
  return {
    cli: [
      'eks',
      'create-fargate-profile',
      '--cluster-name',
      CLUSTER,
      '--fargate-profile-name',
      p.name,
      '--pod-execution-role-arn',
      p.role,
      '--subnets',
      ...p.subnets,
      '--selectors',
      JSON.stringify(selectors),
    ],
    boto: {
      service: 'eks',
      method: 'create_fargate_profile',
      params: {
        clusterName: CLUSTER,
        fargateProfileName: p.name,
        podExecutionRoleArn: p.role,
        subnets: p.subnets,
        selectors,
      },
    },
    sdk: (c) =>
      c.eks.send(
        new CreateFargateProfileCommand({
          clusterName: CLUSTER,
          fargateProfileName: p.name,
          podExecutionRoleArn: p.role,
          subnets: [...p.subnets],
          selectors,
        }),
      ),
  };
}

const describeProfile = (name: string): Call => ({
  cli: [
    'eks',
    'describe-fargate-profile',
    '--cluster-name',
    CLUSTER,
    '--fargate-profile-name',
    name,
  ],
  boto: {
    service: 'eks',
    method: 'describe_fargate_profile',
    params: { clusterName: CLUSTER, fargateProfileName: name },
  },
  sdk: (c) =>
    c.eks.send(
      new DescribeFargateProfileCommand({ clusterName: CLUSTER, fargateProfileName: name }),
    ),
});

const listProfiles: Call = {
  cli: ['eks', 'list-fargate-profiles', '--cluster-name', CLUSTER],
  boto: { service: 'eks', method: 'list_fargate_profiles', params: { clusterName: CLUSTER } },
  sdk: (c) => c.eks.send(new ListFargateProfilesCommand({ clusterName: CLUSTER })),
};

const describeSubnets = (vpcId: string): Call => ({
  cli: ['ec2', 'describe-subnets', '--filters', `Name=vpc-id,Values=${vpcId}`],
  boto: {
    service: 'ec2',
    method: 'describe_subnets',
    params: { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] },
  },
  sdk: (c) =>
    c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })),
});

const authorizeIngress = (groupId: string, cidr: string): Call => ({
  cli: [
    'ec2',
    'authorize-security-group-ingress',
    '--group-id',
    groupId,
    '--protocol',
    '-1',
    '--cidr',
    cidr,
  ],
  boto: {
    service: 'ec2',
    method: 'authorize_security_group_ingress',
    params: { GroupId: groupId, IpProtocol: '-1', CidrIp: cidr },
  },
  sdk: (c) =>
    c.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpProtocol: '-1',
        CidrIp: cidr,
      }),
    ),
});

const describeSecurityGroup = (groupId: string): Call => ({
  cli: ['ec2', 'describe-security-groups', '--group-ids', groupId],
  boto: { service: 'ec2', method: 'describe_security_groups', params: { GroupIds: [groupId] } },
  sdk: (c) => c.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })),
});

const createRole = (name: string): Call => ({
  cli: ['iam', 'create-role', '--role-name', name, '--assume-role-policy-document', TRUST],
  boto: {
    service: 'iam',
    method: 'create_role',
    params: { RoleName: name, AssumeRolePolicyDocument: TRUST },
  },
  sdk: (c) =>
    c.iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: TRUST })),
});

const getRole = (name: string): Call => ({
  cli: ['iam', 'get-role', '--role-name', name],
  boto: { service: 'iam', method: 'get_role', params: { RoleName: name } },
  sdk: (c) => c.iam.send(new GetRoleCommand({ RoleName: name })),
});

// Projections: the fields each step compares, read the same way from every client's output.

function at(v: unknown, path: string): unknown {
  let cur = v;
  for (const k of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    // SAFETY: a non-null object read by key; a missing key yields undefined.
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/** The outcome with `data` replaced by its projection; errors stay as they are. */
function project(o: Outcome, f: (data: unknown) => unknown): Outcome {
  return o.ok ? { ok: true, data: f(o.data) } : o;
}

const clusterView = (d: unknown): unknown => ({
  name: at(d, 'cluster.name'),
  arn: at(d, 'cluster.arn'),
  status: at(d, 'cluster.status'),
  endpoint: at(d, 'cluster.endpoint'),
  ca: at(d, 'cluster.certificateAuthority.data'),
  vpcId: at(d, 'cluster.resourcesVpcConfig.vpcId'),
  clusterSecurityGroupId: at(d, 'cluster.resourcesVpcConfig.clusterSecurityGroupId'),
  subnetIds: list(at(d, 'cluster.resourcesVpcConfig.subnetIds')).map(String).sort(),
});

const profileView = (d: unknown): unknown => ({
  name: at(d, 'fargateProfile.fargateProfileName'),
  cluster: at(d, 'fargateProfile.clusterName'),
  arn: String(at(d, 'fargateProfile.fargateProfileArn')).replace(/\/[^/]+$/, '/<uuid>'),
  role: at(d, 'fargateProfile.podExecutionRoleArn'),
  status: at(d, 'fargateProfile.status'),
  subnets: list(at(d, 'fargateProfile.subnets')).map(String).sort(),
  selectors: at(d, 'fargateProfile.selectors'),
  tags: at(d, 'fargateProfile.tags'),
});

interface SubnetView {
  readonly id: string;
  readonly zone: string;
  readonly cidr: string;
  readonly public: boolean;
}

const subnetsView = (d: unknown): SubnetView[] =>
  list(at(d, 'Subnets'))
    .map((s) => ({
      id: String(at(s, 'SubnetId')),
      zone: String(at(s, 'AvailabilityZone')),
      cidr: String(at(s, 'CidrBlock')),
      public: at(s, 'MapPublicIpOnLaunch') === true,
    }))
    .sort((a, b) => a.id.localeCompare(b.id));

const groupView = (cidr: string) => (d: unknown) => {
  const g = list(at(d, 'SecurityGroups'))[0];
  const all = list(at(g, 'IpPermissions')).filter((p) => at(p, 'IpProtocol') === '-1');
  const cidrs = all.flatMap((p) => list(at(p, 'IpRanges')).map((r) => at(r, 'CidrIp')));
  return { groupId: at(g, 'GroupId'), vpcId: at(g, 'VpcId'), hasRule: cidrs.includes(cidr) };
};

/** What one client saw, step by step, with its own names replaced by placeholders. */
type Transcript = Record<string, Outcome>;

async function waitActive(client: Client, name: string): Promise<Outcome> {
  const end = Date.now() + 20_000;
  for (;;) {
    const o = project(await client.call(describeProfile(name)), profileView);
    if (!o.ok || at(o.data, 'status') !== 'CREATING' || Date.now() > end) return o;
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function scenario(client: Client, n: number, role: string): Promise<Transcript> {
  const t: Transcript = {};
  const profile = `clients-${client.label}`;
  const cidr = `10.99.0.${String(n + 1)}/32`;
  t['describeCluster'] = project(await client.call(describeCluster(CLUSTER)), clusterView);
  const listed = await client.call(listClusters);
  t['listClusters'] = project(listed, (d) => list(at(d, 'clusters')).includes(CLUSTER));
  const cluster = t['describeCluster'].ok ? t['describeCluster'].data : {};
  const vpcId = String(at(cluster, 'vpcId'));
  const groupId = String(at(cluster, 'clusterSecurityGroupId'));
  const subnets = await client.call(describeSubnets(vpcId));
  t['describeSubnets'] = project(subnets, subnetsView);
  const priv = (subnets.ok ? subnetsView(subnets.data) : []).filter((s) => !s.public);
  const input = { role, subnets: priv.map((s) => s.id), labels: { client: client.label } };
  t['createProfile'] = project(
    await client.call(createProfile({ ...input, name: profile })),
    profileView,
  );
  t['describeProfileActive'] = await waitActive(client, profile);
  const names = await client.call(listProfiles);
  t['listProfiles'] = project(names, (d) => list(at(d, 'fargateProfileNames')).includes(profile));
  t['describeMissingCluster'] = await client.call(describeCluster('no-such-cluster'));
  t['reservedPrefix'] = await client.call(createProfile({ ...input, name: 'eks-x' }));
  t['duplicateProfile'] = await client.call(createProfile({ ...input, name: profile }));
  t['authorizeIngress'] = project(await client.call(authorizeIngress(groupId, cidr)), (d) =>
    at(d, 'Return'),
  );
  t['duplicateRule'] = await client.call(authorizeIngress(groupId, cidr));
  t['describeGroup'] = project(await client.call(describeSecurityGroup(groupId)), groupView(cidr));
  t['duplicateRole'] = await client.call(createRole(ROLE));
  t['missingRole'] = await client.call(getRole('NoSuchRole'));
  // Each client's own names become placeholders so the transcripts compare directly.
  const text = JSON.stringify(t).replaceAll(profile, '<profile>').replaceAll(cidr, '<cidr>');
  // SAFETY: parsing what was just serialised from a Transcript.
  return JSON.parse(text.replaceAll(`client":"${client.label}`, 'client":"<client>')) as Transcript;
}

async function findCli(
  major: 1 | 2,
  o: { env: NodeJS.ProcessEnv; cwd: string },
): Promise<string | undefined> {
  if (major === 2) ensureDebianPackage('/usr/bin/aws', 'awscli');
  const candidates = major === 2 ? ['/usr/bin/aws'] : ['aws', '/usr/local/bin/aws'];
  for (const c of candidates) {
    if (c.startsWith('/') && !existsSync(c)) continue;
    const v = await run(c, ['--version'], o);
    if (`${v.stdout}${v.stderr}`.startsWith(`aws-cli/${String(major)}.`)) return c;
  }
  return undefined;
}

describe('EKS, IAM and EC2 through AWS CLI v1, v2, boto3 and the SDK v3', () => {
  let c: TestCluster;
  let dir = '';
  let env: NodeJS.ProcessEnv = {};
  let endpoint = '';
  let roleArn = '';
  const transcripts = new Map<string, Transcript>();
  const missing: string[] = [];

  before(async () => {
    c = await startCluster();
    endpoint = c.daemon.aws?.url ?? '';
    dir = mkdtempSync(join(tmpdir(), 'kiln-aws-clients-'));
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
    const sdk = sdkClient(endpoint);
    const iam = new IAMClient({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const made = await iam.send(
      new CreateRoleCommand({ RoleName: ROLE, AssumeRolePolicyDocument: TRUST }),
    );
    roleArn = made.Role?.Arn ?? '';
    await iam.send(
      new AttachRolePolicyCommand({
        RoleName: ROLE,
        PolicyArn: 'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy',
      }),
    );
    iam.destroy();
    const o = { env, cwd: dir };
    const clients: Client[] = [];
    for (const major of [1, 2] as const) {
      const cli = await findCli(major, o);
      if (cli === undefined) missing.push(`AWS CLI v${String(major)}`);
      else clients.push(cliClient({ label: `cli-v${String(major)}`, cli, endpoint, ...o }));
    }
    if ((await run('python3', ['-c', 'import boto3'], o)).code === 0) {
      clients.push(botoClient({ endpoint, ...o }));
    } else missing.push('boto3');
    clients.push(sdk);
    // One client after another: at most one profile may be CREATING per cluster.
    for (const [n, client] of clients.entries()) {
      try {
        transcripts.set(client.label, await scenario(client, n, roleArn));
      } finally {
        client.close();
      }
    }
  });

  after(async () => {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const reference = (): Transcript => {
    const t = transcripts.get('sdk-v3');
    assert.ok(t, 'the SDK v3 scenario ran');
    return t;
  };

  it('ran every client', () => {
    assert.deepEqual(missing, []);
    assert.deepEqual([...transcripts.keys()], ['cli-v1', 'cli-v2', 'boto3', 'sdk-v3']);
  });

  it('every client sees the same results and errors, step by step', () => {
    const ref = reference();
    for (const [label, t] of transcripts) {
      for (const step of Object.keys(ref)) {
        assert.deepEqual(t[step], ref[step], `${label}: ${step}`);
      }
    }
  });

  it('describes the default cluster as ACTIVE with its endpoint, CA and security group', () => {
    const t = reference();
    const cluster = t['describeCluster'];
    assert.ok(cluster?.ok);
    assert.equal(at(cluster.data, 'status'), 'ACTIVE');
    assert.equal(at(cluster.data, 'endpoint'), c.daemon.url);
    assert.equal(at(cluster.data, 'ca'), Buffer.from(c.caPem).toString('base64'));
    assert.match(String(at(cluster.data, 'clusterSecurityGroupId')), /^sg-[0-9a-f]{17}$/);
    assert.match(String(at(cluster.data, 'arn')), /^arn:aws:eks:us-east-1:\d{12}:cluster\/kiln$/);
    assert.deepEqual(t['listClusters'], { ok: true, data: true });
    const subnets = t['describeSubnets'];
    assert.ok(subnets?.ok);
    // SAFETY: describeSubnets' projection is subnetsView, which returns SubnetView[].
    const views = subnets.data as SubnetView[];
    assert.equal(views.length, 6);
    assert.equal(views.filter((s) => !s.public).length, 3);
    assert.equal(new Set(views.filter((s) => !s.public).map((s) => s.zone)).size, 3);
  });

  it('creates each profile CREATING on the private subnets, then ACTIVE and listed', () => {
    const t = reference();
    const created = t['createProfile'];
    const active = t['describeProfileActive'];
    assert.ok(created?.ok && active?.ok);
    assert.equal(at(created.data, 'status'), 'CREATING');
    assert.equal(at(active.data, 'status'), 'ACTIVE');
    assert.equal(at(active.data, 'name'), '<profile>');
    assert.equal(at(active.data, 'role'), roleArn);
    assert.deepEqual(at(active.data, 'selectors'), [
      { namespace: 'clients', labels: { client: '<client>' } },
    ]);
    assert.match(
      String(at(active.data, 'arn')),
      /^arn:aws:eks:us-east-1:\d{12}:fargateprofile\/kiln\/<profile>\/<uuid>$/,
    );
    assert.equal(list(at(active.data, 'subnets')).length, 3);
    assert.deepEqual(t['listProfiles'], { ok: true, data: true });
  });

  it('fails the EKS calls with EKS codes and messages', () => {
    const t = reference();
    assert.deepEqual(t['describeMissingCluster'], {
      ok: false,
      code: 'ResourceNotFoundException',
      message: 'No cluster found for name: no-such-cluster.',
    });
    assert.deepEqual(t['reservedPrefix'], {
      ok: false,
      code: 'InvalidParameterException',
      message: "The fargate profile name starts with the reserved prefix: 'eks-'.",
    });
    assert.deepEqual(t['duplicateProfile'], {
      ok: false,
      code: 'ResourceInUseException',
      message: 'A Fargate Profile already exists with this name in this cluster.',
    });
  });

  it('authorizes an ingress rule once and rejects the duplicate as EC2 does', () => {
    const t = reference();
    assert.deepEqual(t['authorizeIngress'], { ok: true, data: true });
    assert.deepEqual(t['duplicateRule'], {
      ok: false,
      code: 'InvalidPermission.Duplicate',
      message: 'the specified rule "peer: <cidr>, ALL, ALLOW" already exists',
    });
    const group = t['describeGroup'];
    assert.ok(group?.ok);
    assert.equal(at(group.data, 'hasRule'), true);
  });

  it('fails the IAM calls with IAM codes and messages', () => {
    const t = reference();
    assert.deepEqual(t['duplicateRole'], {
      ok: false,
      code: 'EntityAlreadyExists',
      message: `Role with name ${ROLE} already exists.`,
    });
    assert.deepEqual(t['missingRole'], {
      ok: false,
      code: 'NoSuchEntity',
      message: 'The role with name NoSuchRole cannot be found.',
    });
  });

  it('update-kubeconfig writes a kubeconfig kubectl authenticates with through get-token', async (t) => {
    const o = { env, cwd: dir };
    const cli = await findCli(1, o);
    if (cli === undefined) {
      t.skip('AWS CLI v1 is not installed');
      return;
    }
    const kubeconfig = join(dir, 'eks-kubeconfig');
    const up = await run(
      cli,
      [
        'eks',
        'update-kubeconfig',
        '--name',
        CLUSTER,
        '--kubeconfig',
        kubeconfig,
        '--endpoint-url',
        endpoint,
      ],
      o,
    );
    assert.equal(up.code, 0, up.stderr);
    const text = readFileSync(kubeconfig, 'utf8');
    assert.match(text, /get-token/);
    assert.match(text, new RegExp(`server: ${c.daemon.url.replaceAll('.', '\\.')}`));
    // The exec plugin runs the first `aws` on PATH (v1), which signs for sts.us-east-1.
    const ns = await run(
      kubectlBinary('1.32'),
      [
        '--kubeconfig',
        kubeconfig,
        '--cache-dir',
        join(dir, 'kube-cache'),
        'get',
        'ns',
        '-o',
        'name',
      ],
      o,
    );
    assert.equal(ns.code, 0, ns.stderr);
    assert.match(ns.stdout, /^namespace\/kube-system$/m);
    assert.match(ns.stdout, /^namespace\/default$/m);
  });
});

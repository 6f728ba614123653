import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CachedStore, noPersistence, type Store } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { AwsError, type AwsCall } from '../types.ts';
import {
  EksService,
  FARGATE_POD_EXECUTION_POLICY,
  MISCONFIGURED_ROLE_MESSAGE,
  activeFargateProfiles,
  type ClusterHost,
  type Ec2View,
  type EksServiceOptions,
  type IamRoleView,
  type IamView,
  type NodegroupHost,
  type NodegroupReconcileRequest,
  type ProfileDeletedEvent,
} from './index.ts';

const REGION = 'ap-northeast-2';
const ACCOUNT = '123456789012';
const CLUSTER_ROLE = `arn:aws:iam::${ACCOUNT}:role/EksClusterRole`;
const FARGATE_ROLE = `arn:aws:iam::${ACCOUNT}:role/FargateRole`;
const NODE_ROLE = `arn:aws:iam::${ACCOUNT}:role/NodeRole`;

function trust(service: string, condition: unknown = {}): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        Condition: condition,
      },
    ],
  });
}

class FakeIam implements IamView {
  readonly roles = new Map<string, IamRoleView>();
  put(arn: string, doc: string, policies: string[], path = '/'): void {
    this.roles.set(arn, { arn, path, assumeRolePolicyDocument: doc, attachedPolicyArns: policies });
  }
  role(arn: string): Promise<IamRoleView | undefined> {
    return Promise.resolve(this.roles.get(arn));
  }
}

interface FakeSubnet {
  vpcId: string;
  az: string;
  public: boolean;
}

class FakeEc2 implements Ec2View {
  readonly subnets = new Map<string, FakeSubnet>([
    ['subnet-pub-a', { vpcId: 'vpc-1', az: 'ap-northeast-2a', public: true }],
    ['subnet-pub-b', { vpcId: 'vpc-1', az: 'ap-northeast-2b', public: true }],
    ['subnet-priv-a', { vpcId: 'vpc-1', az: 'ap-northeast-2a', public: false }],
    ['subnet-priv-b', { vpcId: 'vpc-1', az: 'ap-northeast-2b', public: false }],
    ['subnet-priv-d', { vpcId: 'vpc-1', az: 'ap-northeast-2d', public: false }],
    ['subnet-other', { vpcId: 'vpc-2', az: 'ap-northeast-2a', public: false }],
  ]);
  readonly groups = new Map<string, string>([['sg-user', 'vpc-1']]);
  readonly deletedGroups: string[] = [];
  subnet(_region: string, id: string) {
    const s = this.subnets.get(id);
    return Promise.resolve(
      s ? { subnetId: id, vpcId: s.vpcId, availabilityZone: s.az } : undefined,
    );
  }
  isPublicSubnet(_region: string, id: string): Promise<boolean> {
    return Promise.resolve(this.subnets.get(id)?.public ?? false);
  }
  securityGroupVpc(_region: string, id: string): Promise<string | undefined> {
    return Promise.resolve(this.groups.get(id));
  }
  createClusterSecurityGroup(opts: {
    region: string;
    vpcId: string;
    clusterName: string;
  }): Promise<string> {
    const id = `sg-cluster${this.groups.size}`;
    this.groups.set(id, opts.vpcId);
    return Promise.resolve(id);
  }
  deleteClusterSecurityGroup(opts: { region: string; groupId: string }): Promise<void> {
    this.deletedGroups.push(opts.groupId);
    return Promise.resolve();
  }
}

class FakeHost implements ClusterHost {
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  failNext = false;
  create(opts: { region: string; name: string; version: string }) {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('host down'));
    }
    this.created.push(opts.name);
    return Promise.resolve({ endpoint: `https://127.0.0.1:6443/eks/${opts.name}`, caData: 'Q0E=' });
  }
  delete(opts: { region: string; name: string }): Promise<void> {
    this.deleted.push(opts.name);
    return Promise.resolve();
  }
}

class FakeNodes implements NodegroupHost {
  readonly calls: NodegroupReconcileRequest[] = [];
  reconcile(req: NodegroupReconcileRequest): Promise<void> {
    this.calls.push(req);
    return Promise.resolve();
  }
}

interface Env {
  svc: EksService;
  store: Store;
  clock: ManualClock;
  iam: FakeIam;
  ec2: FakeEc2;
  host: FakeHost;
  nodes: FakeNodes;
  deleted: ProfileDeletedEvent[];
  opts: EksServiceOptions;
}

function env(over: Partial<EksServiceOptions> = {}): Env {
  const store = new CachedStore({ persistence: noPersistence });
  const clock = new ManualClock();
  const iam = new FakeIam();
  iam.put(CLUSTER_ROLE, trust('eks.amazonaws.com'), [
    'arn:aws:iam::aws:policy/AmazonEKSClusterPolicy',
  ]);
  iam.put(FARGATE_ROLE, trust('eks-fargate-pods.amazonaws.com'), [FARGATE_POD_EXECUTION_POLICY]);
  iam.put(NODE_ROLE, trust('ec2.amazonaws.com'), [
    'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
    'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  ]);
  const ec2 = new FakeEc2();
  const host = new FakeHost();
  const nodes = new FakeNodes();
  const deleted: ProfileDeletedEvent[] = [];
  const opts: EksServiceOptions = {
    store,
    clock,
    ids: sequentialIds(),
    accountId: ACCOUNT,
    iam,
    ec2,
    clusters: host,
    nodegroups: nodes,
    unsupportedFargateZones: ['ap-northeast-2d'],
    onProfileDeleted: (e) => {
      deleted.push(e);
      return Promise.resolve();
    },
    ...over,
  };
  return { svc: new EksService(opts), store, clock, iam, ec2, host, nodes, deleted, opts };
}

function call(
  method: string,
  path: string,
  json: Record<string, unknown> = {},
  query = '',
): AwsCall {
  return {
    region: REGION,
    caller: {
      accessKeyId: 'test',
      accountId: ACCOUNT,
      arn: `arn:aws:iam::${ACCOUNT}:root`,
      userId: ACCOUNT,
    },
    requestId: 'req-1',
    action: '',
    method,
    path,
    query: new URLSearchParams(query),
    params: new Map(),
    json,
    headers: {},
  };
}

async function ok(e: Env, c: AwsCall): Promise<Record<string, unknown>> {
  const res = await e.svc.handle(c);
  assert.equal(res.status ?? 200, 200);
  return JSON.parse(JSON.stringify(res.body)) as Record<string, unknown>;
}

async function fails(
  e: Env,
  c: AwsCall,
  want: { code: string; message: string | RegExp; status: number },
): Promise<AwsError> {
  try {
    await e.svc.handle(c);
  } catch (err: unknown) {
    assert.ok(err instanceof AwsError, String(err));
    assert.equal(err.code, want.code);
    if (typeof want.message === 'string') assert.equal(err.message, want.message);
    else assert.match(err.message, want.message);
    assert.equal(err.httpStatus, want.status);
    return err;
  }
  assert.fail(`expected ${want.code}`);
}

const createClusterBody = (name = 'wsi-eks-cluster') => ({
  name,
  roleArn: CLUSTER_ROLE,
  resourcesVpcConfig: {
    subnetIds: ['subnet-pub-a', 'subnet-pub-b', 'subnet-priv-a', 'subnet-priv-b'],
  },
});

async function activeCluster(e: Env, name = 'wsi-eks-cluster'): Promise<void> {
  await ok(e, call('POST', '/clusters', createClusterBody(name)));
  e.clock.advance(e.opts.delays?.clusterCreate ?? 5000);
  await e.svc.reconcileOnce();
}

const profileBody = (name = 'skills-fargates', extra: Record<string, unknown> = {}) => ({
  fargateProfileName: name,
  podExecutionRoleArn: FARGATE_ROLE,
  subnets: ['subnet-priv-a', 'subnet-priv-b'],
  selectors: [{ namespace: 'wsi-skills-namespace', labels: { node: 'fargate' } }],
  ...extra,
});

function field<T>(body: Record<string, unknown>, key: string): T {
  return body[key] as T;
}

interface ProfileWire {
  fargateProfileName: string;
  fargateProfileArn: string;
  status: string;
  subnets: string[];
  selectors: { namespace: string; labels?: Record<string, string> }[];
  tags: Record<string, string>;
  health: { issues: { code: string; message: string }[] };
}

describe('EKS clusters', () => {
  it('creates a cluster CREATING, then ACTIVE with endpoint and CA after the delay', async () => {
    const e = env();
    const created = field<Record<string, unknown>>(
      await ok(e, call('POST', '/clusters', createClusterBody())),
      'cluster',
    );
    assert.equal(created['status'], 'CREATING');
    assert.equal(created['arn'], `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/wsi-eks-cluster`);
    assert.equal(created['version'], '1.32');
    assert.match(String(created['platformVersion']), /^eks\.\d+$/);
    assert.deepEqual(created['kubernetesNetworkConfig'], {
      serviceIpv4Cidr: '10.100.0.0/16',
      ipFamily: 'ipv4',
    });
    const vpc = created['resourcesVpcConfig'] as Record<string, unknown>;
    assert.equal(vpc['vpcId'], 'vpc-1');
    assert.match(String(vpc['clusterSecurityGroupId']), /^sg-/);
    assert.match(
      (created['identity'] as { oidc: { issuer: string } }).oidc.issuer,
      /^https:\/\/oidc\.eks\.ap-northeast-2\.amazonaws\.com\/id\/[0-9A-F]{32}$/,
    );
    assert.equal(created['endpoint'], undefined);
    e.clock.advance(4999);
    await e.svc.reconcileOnce();
    assert.equal(
      field<{ status: string }>(await ok(e, call('GET', '/clusters/wsi-eks-cluster')), 'cluster')
        .status,
      'CREATING',
    );
    e.clock.advance(1);
    await e.svc.reconcileOnce();
    const c = field<Record<string, unknown>>(
      await ok(e, call('GET', '/clusters/wsi-eks-cluster')),
      'cluster',
    );
    assert.equal(c['status'], 'ACTIVE');
    assert.equal(c['endpoint'], 'https://127.0.0.1:6443/eks/wsi-eks-cluster');
    assert.deepEqual(c['certificateAuthority'], { data: 'Q0E=' });
    assert.deepEqual(e.host.created, ['wsi-eks-cluster']);
  });

  it('retries a failed host creation later and records the error', async () => {
    const e = env();
    e.host.failNext = true;
    await ok(e, call('POST', '/clusters', createClusterBody()));
    e.clock.advance(5000);
    await e.svc.reconcileOnce();
    assert.equal(
      field<{ status: string }>(await ok(e, call('GET', '/clusters/wsi-eks-cluster')), 'cluster')
        .status,
      'CREATING',
    );
    const rec = e.store.get(`/eks/${REGION}/clusters/wsi-eks-cluster`);
    assert.equal((rec?.object['pending'] as { lastError: string }).lastError, 'host down');
    e.clock.advance(5000);
    await e.svc.reconcileOnce();
    assert.equal(
      field<{ status: string }>(await ok(e, call('GET', '/clusters/wsi-eks-cluster')), 'cluster')
        .status,
      'ACTIVE',
    );
  });

  const clusterCases: {
    name: string;
    body: Record<string, unknown>;
    code: string;
    message: string | RegExp;
    status: number;
  }[] = [
    {
      name: 'missing name',
      body: { ...createClusterBody(), name: undefined },
      code: 'InvalidParameterException',
      message: 'name must be provided',
      status: 400,
    },
    {
      name: 'bad name',
      body: createClusterBody('-bad'),
      code: 'InvalidParameterException',
      message: /regular expression pattern: \^\[0-9A-Za-z\]/,
      status: 400,
    },
    {
      name: 'long name',
      body: createClusterBody('a'.repeat(101)),
      code: 'InvalidParameterException',
      message: /length less than or equal to 100/,
      status: 400,
    },
    {
      name: 'no vpc config',
      body: { name: 'x', roleArn: CLUSTER_ROLE },
      code: 'InvalidParameterException',
      message: 'resourcesVpcConfig must be provided',
      status: 400,
    },
    {
      name: 'bad version',
      body: { ...createClusterBody(), version: '1.10' },
      code: 'InvalidParameterException',
      message: 'unsupported Kubernetes version',
      status: 400,
    },
    {
      name: 'unknown role',
      body: { ...createClusterBody(), roleArn: `arn:aws:iam::${ACCOUNT}:role/Nope` },
      code: 'InvalidParameterException',
      message: `Role with arn: arn:aws:iam::${ACCOUNT}:role/Nope, could not be assumed because it does not exist or the trusted entity is not correct`,
      status: 400,
    },
    {
      name: 'role trusting the wrong service',
      body: { ...createClusterBody(), roleArn: FARGATE_ROLE },
      code: 'InvalidParameterException',
      message: /could not be assumed/,
      status: 400,
    },
    {
      name: 'unknown subnet',
      body: {
        ...createClusterBody(),
        resourcesVpcConfig: { subnetIds: ['subnet-pub-a', 'subnet-nope'] },
      },
      code: 'InvalidParameterException',
      message: "The subnet ID 'subnet-nope' does not exist",
      status: 400,
    },
    {
      name: 'one AZ',
      body: {
        ...createClusterBody(),
        resourcesVpcConfig: { subnetIds: ['subnet-pub-a', 'subnet-priv-a'] },
      },
      code: 'InvalidParameterException',
      message: 'Subnets specified must be in at least two different AZs',
      status: 400,
    },
    {
      name: 'two VPCs',
      body: {
        ...createClusterBody(),
        resourcesVpcConfig: { subnetIds: ['subnet-pub-b', 'subnet-other'] },
      },
      code: 'InvalidParameterException',
      message: 'Subnets specified must belong to the same VPC',
      status: 400,
    },
    {
      name: 'unknown security group',
      body: {
        ...createClusterBody(),
        resourcesVpcConfig: {
          subnetIds: ['subnet-pub-a', 'subnet-pub-b'],
          securityGroupIds: ['sg-nope'],
        },
      },
      code: 'InvalidParameterException',
      message: "The security group 'sg-nope' does not exist",
      status: 400,
    },
    {
      name: 'too many tags',
      body: {
        ...createClusterBody(),
        tags: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v'])),
      },
      code: 'InvalidParameterException',
      message: 'Tags must contain no more than 50 entries',
      status: 400,
    },
    {
      name: 'wrong JSON type',
      body: { ...createClusterBody(), name: 5 },
      code: 'InvalidParameterException',
      message: /Value at 'name' failed to satisfy constraint: Member must be a string/,
      status: 400,
    },
  ];
  for (const tc of clusterCases) {
    it(`CreateCluster rejects: ${tc.name}`, async () => {
      const e = env();
      await fails(e, call('POST', '/clusters', tc.body), tc);
    });
  }

  it('reports unknown clusters and duplicate names as EKS does', async () => {
    const e = env();
    const err = await fails(e, call('GET', '/clusters/nope'), {
      code: 'ResourceNotFoundException',
      message: 'No cluster found for name: nope.',
      status: 404,
    });
    assert.deepEqual(err.fields, { clusterName: 'nope' });
    await ok(e, call('POST', '/clusters', createClusterBody('dup')));
    await fails(e, call('POST', '/clusters', createClusterBody('dup')), {
      code: 'ResourceInUseException',
      message: 'Cluster already exists with name: dup',
      status: 409,
    });
  });

  it('is idempotent on clientRequestToken', async () => {
    const e = env();
    const body = { ...createClusterBody(), clientRequestToken: 'tok-1' };
    const a = await ok(e, call('POST', '/clusters', body));
    const b = await ok(e, call('POST', '/clusters', body));
    assert.deepEqual(a, b);
    await fails(e, call('POST', '/clusters', { ...body, clientRequestToken: 'tok-2' }), {
      code: 'ResourceInUseException',
      message: /already exists/,
      status: 409,
    });
  });

  it('lists clusters in pages with opaque tokens and rejects bad tokens', async () => {
    const e = env({ mode: 'lenient' });
    for (const n of ['c', 'a', 'e', 'b', 'd'])
      await ok(e, call('POST', '/clusters', createClusterBody(n)));
    const p1 = await ok(e, call('GET', '/clusters', {}, 'maxResults=2'));
    assert.deepEqual(p1['clusters'], ['a', 'b']);
    const t1 = String(p1['nextToken']);
    const p2 = await ok(
      e,
      call('GET', '/clusters', {}, `maxResults=2&nextToken=${encodeURIComponent(t1)}`),
    );
    assert.deepEqual(p2['clusters'], ['c', 'd']);
    assert.notEqual(p2['nextToken'], t1);
    const p3 = await ok(
      e,
      call(
        'GET',
        '/clusters',
        {},
        `maxResults=2&nextToken=${encodeURIComponent(String(p2['nextToken']))}`,
      ),
    );
    assert.deepEqual(p3, { clusters: ['e'] });
    assert.deepEqual(await ok(e, call('GET', '/clusters')), {
      clusters: ['a', 'b', 'c', 'd', 'e'],
    });
    await fails(e, call('GET', '/clusters', {}, 'nextToken=garbage'), {
      code: 'InvalidParameterException',
      message: 'The nextToken provided is invalid.',
      status: 400,
    });
    await fails(e, call('GET', '/clusters', {}, 'maxResults=101'), {
      code: 'InvalidParameterException',
      message: /Member must have value between 1 and 100/,
      status: 400,
    });
  });

  it('lenient mode: ACTIVE at once, unknown subnets and roles accepted', async () => {
    const e = env({ mode: 'lenient' });
    const body = {
      name: 'x',
      roleArn: 'arn:aws:iam::1:role/none',
      resourcesVpcConfig: { subnetIds: ['subnet-zzz'] },
    };
    const c = field<Record<string, unknown>>(
      await ok(e, call('POST', '/clusters', body)),
      'cluster',
    );
    assert.equal(c['status'], 'ACTIVE');
    assert.equal(c['endpoint'], 'https://127.0.0.1:6443/eks/x');
    const p = field<ProfileWire>(
      await ok(
        e,
        call('POST', '/clusters/x/fargate-profiles', {
          ...profileBody('fp'),
          podExecutionRoleArn: 'arn:aws:iam::1:role/none',
          subnets: ['subnet-zzz'],
        }),
      ),
      'fargateProfile',
    );
    assert.equal(p.status, 'ACTIVE');
    assert.deepEqual(p.health.issues, []);
  });

  it('deletes a cluster only without node groups and profiles', async () => {
    const e = env();
    await activeCluster(e);
    await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody()));
    await fails(e, call('DELETE', '/clusters/wsi-eks-cluster'), {
      code: 'ResourceInUseException',
      message: 'Cluster has Fargate Profiles in ACTIVE/CREATING state',
      status: 409,
    });
    await ok(
      e,
      call('POST', '/clusters/wsi-eks-cluster/node-groups', {
        nodegroupName: 'ng-1',
        nodeRole: NODE_ROLE,
        subnets: ['subnet-priv-a'],
      }),
    );
    const err = await fails(e, call('DELETE', '/clusters/wsi-eks-cluster'), {
      code: 'ResourceInUseException',
      message: 'Cluster has nodegroups attached',
      status: 409,
    });
    assert.deepEqual(err.fields, { clusterName: 'wsi-eks-cluster', nodegroupName: 'ng-1' });
    e.clock.advance(5000);
    await e.svc.reconcileOnce();
    await ok(e, call('DELETE', '/clusters/wsi-eks-cluster/node-groups/ng-1'));
    await ok(e, call('DELETE', '/clusters/wsi-eks-cluster/fargate-profiles/skills-fargates'));
    e.clock.advance(5000);
    await e.svc.reconcileOnce();
    const d = field<{ status: string }>(
      await ok(e, call('DELETE', '/clusters/wsi-eks-cluster')),
      'cluster',
    );
    assert.equal(d.status, 'DELETING');
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    await fails(e, call('GET', '/clusters/wsi-eks-cluster'), {
      code: 'ResourceNotFoundException',
      message: /No cluster found/,
      status: 404,
    });
    assert.deepEqual(e.host.deleted, ['wsi-eks-cluster']);
    assert.equal(e.ec2.deletedGroups.length, 1);
  });

  it('UpdateClusterConfig: logging and endpoint access become Updates that complete', async () => {
    const e = env();
    await activeCluster(e);
    const u = field<{
      id: string;
      status: string;
      type: string;
      params: { type: string; value: string }[];
    }>(
      await ok(
        e,
        call('POST', '/clusters/wsi-eks-cluster/update-config', {
          logging: { clusterLogging: [{ types: ['api', 'audit'], enabled: true }] },
          clientRequestToken: 'u-1',
        }),
      ),
      'update',
    );
    assert.equal(u.status, 'InProgress');
    assert.equal(u.type, 'LoggingUpdate');
    assert.equal(u.params[0]?.type, 'ClusterLogging');
    const again = field<{ id: string }>(
      await ok(
        e,
        call('POST', '/clusters/wsi-eks-cluster/update-config', {
          logging: {},
          clientRequestToken: 'u-1',
        }),
      ),
      'update',
    );
    assert.equal(again.id, u.id);
    assert.equal(
      field<{ status: string }>(await ok(e, call('GET', '/clusters/wsi-eks-cluster')), 'cluster')
        .status,
      'UPDATING',
    );
    await fails(e, call('DELETE', '/clusters/wsi-eks-cluster/fargate-profiles/x'), {
      code: 'ResourceNotFoundException',
      message: 'No Fargate Profile found with name: x',
      status: 404,
    });
    await fails(
      e,
      call('POST', '/clusters/wsi-eks-cluster/update-config', {
        resourcesVpcConfig: { endpointPrivateAccess: true },
      }),
      {
        code: 'ResourceInUseException',
        message: /currently UPDATING/,
        status: 409,
      },
    );
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    const c = field<{ status: string; logging: unknown }>(
      await ok(e, call('GET', '/clusters/wsi-eks-cluster')),
      'cluster',
    );
    assert.equal(c.status, 'ACTIVE');
    assert.deepEqual(c.logging, {
      clusterLogging: [
        { types: ['api', 'audit'], enabled: true },
        { types: ['authenticator', 'controllerManager', 'scheduler'], enabled: false },
      ],
    });
    assert.equal(
      field<{ status: string }>(
        await ok(e, call('GET', `/clusters/wsi-eks-cluster/updates/${u.id}`)),
        'update',
      ).status,
      'Successful',
    );
    assert.deepEqual(await ok(e, call('GET', '/clusters/wsi-eks-cluster/updates')), {
      updateIds: [u.id],
    });
    await fails(e, call('GET', '/clusters/wsi-eks-cluster/updates/nope'), {
      code: 'ResourceNotFoundException',
      message: 'No update found for ID: nope',
      status: 404,
    });
    const updateCases: { body: Record<string, unknown>; message: string | RegExp }[] = [
      {
        body: { logging: { clusterLogging: [{ types: ['api'], enabled: true }] } },
        message: 'No changes needed for the logging config provided',
      },
      { body: {}, message: 'No changes provided in the update request' },
      {
        body: { logging: { clusterLogging: [] }, resourcesVpcConfig: {} },
        message: 'Only one type of update can be allowed.',
      },
      {
        body: { logging: { clusterLogging: [{ types: ['bogus'], enabled: true }] } },
        message: 'Unknown log type: bogus',
      },
      {
        body: { resourcesVpcConfig: { endpointPublicAccess: true } },
        message:
          'Cluster is already at the desired configuration with endpointPrivateAccess: false , endpointPublicAccess: true, and Public Endpoint Restrictions: [0.0.0.0/0]',
      },
      {
        body: { resourcesVpcConfig: { endpointPublicAccess: false } },
        message: 'Private and public endpoint access cannot both be disabled',
      },
      {
        body: { accessConfig: { authenticationMode: 'CONFIG_MAP' } },
        message: 'Unsupported authentication mode update from API_AND_CONFIG_MAP to CONFIG_MAP',
      },
    ];
    for (const tc of updateCases) {
      await fails(e, call('POST', '/clusters/wsi-eks-cluster/update-config', tc.body), {
        code: 'InvalidParameterException',
        message: tc.message,
        status: 400,
      });
    }
    const ep = field<{ type: string }>(
      await ok(
        e,
        call('POST', '/clusters/wsi-eks-cluster/update-config', {
          resourcesVpcConfig: { endpointPrivateAccess: true },
        }),
      ),
      'update',
    );
    assert.equal(ep.type, 'EndpointAccessUpdate');
  });

  it('routes unknown paths to NotFoundException', async () => {
    const e = env();
    await fails(e, call('PUT', '/clusters'), {
      code: 'NotFoundException',
      message: /No EKS operation/,
      status: 404,
    });
  });
});

describe('Fargate profiles', () => {
  it('walks the seed: CREATING → ACTIVE, listed, described, then DELETING → gone with pods deleted', async () => {
    const e = env();
    await activeCluster(e);
    const p = field<ProfileWire>(
      await ok(
        e,
        call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', {
          ...profileBody(),
          clientRequestToken: 't',
        }),
      ),
      'fargateProfile',
    );
    assert.equal(p.status, 'CREATING');
    assert.match(
      p.fargateProfileArn,
      /^arn:aws:eks:ap-northeast-2:123456789012:fargateprofile\/wsi-eks-cluster\/skills-fargates\/[0-9a-f-]{36}$/,
    );
    assert.deepEqual(p.tags, {});
    assert.deepEqual(p.selectors, [
      { namespace: 'wsi-skills-namespace', labels: { node: 'fargate' } },
    ]);
    assert.deepEqual(p.health.issues, []);
    assert.deepEqual(activeFargateProfiles(e.store, REGION, 'wsi-eks-cluster'), []);
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    const d = field<ProfileWire>(
      await ok(e, call('GET', '/clusters/wsi-eks-cluster/fargate-profiles/skills-fargates')),
      'fargateProfile',
    );
    assert.equal(d.status, 'ACTIVE');
    assert.equal(
      activeFargateProfiles(e.store, REGION, 'wsi-eks-cluster')[0]?.fargateProfileName,
      'skills-fargates',
    );
    assert.deepEqual(await ok(e, call('GET', '/clusters/wsi-eks-cluster/fargate-profiles')), {
      fargateProfileNames: ['skills-fargates'],
    });
    const del = field<ProfileWire>(
      await ok(e, call('DELETE', '/clusters/wsi-eks-cluster/fargate-profiles/skills-fargates')),
      'fargateProfile',
    );
    assert.equal(del.status, 'DELETING');
    e.clock.advance(2000);
    await e.svc.reconcileOnce();
    assert.deepEqual(e.deleted, [
      { region: REGION, cluster: 'wsi-eks-cluster', profile: 'skills-fargates' },
    ]);
    await fails(e, call('GET', '/clusters/wsi-eks-cluster/fargate-profiles/skills-fargates'), {
      code: 'ResourceNotFoundException',
      message: 'No Fargate Profile found with name: skills-fargates',
      status: 404,
    });
  });

  it('fills omitted subnets with the cluster private subnets in supported zones and omits empty labels', async () => {
    const e = env();
    await ok(
      e,
      call('POST', '/clusters', {
        ...createClusterBody(),
        resourcesVpcConfig: {
          subnetIds: ['subnet-pub-a', 'subnet-priv-a', 'subnet-priv-b', 'subnet-priv-d'],
        },
      }),
    );
    e.clock.advance(5000);
    await e.svc.reconcileOnce();
    const p = field<ProfileWire>(
      await ok(
        e,
        call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', {
          fargateProfileName: 'fp',
          podExecutionRoleArn: FARGATE_ROLE,
          selectors: [{ namespace: 'default', labels: {} }],
        }),
      ),
      'fargateProfile',
    );
    assert.deepEqual(p.subnets, ['subnet-priv-a', 'subnet-priv-b']);
    assert.deepEqual(p.selectors, [{ namespace: 'default' }]);
  });

  const sixLabels = Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`l${i}`, 'v']));
  const profileCases: {
    name: string;
    body: Record<string, unknown>;
    code: string;
    message: string | RegExp;
    status: number;
  }[] = [
    {
      name: 'eks- prefix',
      body: profileBody('eks-mine'),
      code: 'InvalidParameterException',
      message: "The fargate profile name starts with the reserved prefix: 'eks-'.",
      status: 400,
    },
    {
      name: 'missing name',
      body: profileBody(''),
      code: 'InvalidParameterException',
      message: 'fargateProfileName must be provided',
      status: 400,
    },
    {
      name: 'bad name',
      body: profileBody('bad name'),
      code: 'InvalidParameterException',
      message: /regular expression pattern/,
      status: 400,
    },
    {
      name: 'missing role',
      body: profileBody('fp', { podExecutionRoleArn: undefined }),
      code: 'InvalidParameterException',
      message: 'podExecutionRoleArn must be provided',
      status: 400,
    },
    {
      name: 'no selectors',
      body: profileBody('fp', { selectors: [] }),
      code: 'InvalidParameterException',
      message: 'Fargate Profile must have at least one selector',
      status: 400,
    },
    {
      name: 'six selectors',
      body: profileBody('fp', {
        selectors: Array.from({ length: 6 }, (_, i) => ({ namespace: `ns${i}` })),
      }),
      code: 'InvalidParameterException',
      message: 'Fargate Profile cannot have more than 5 selectors',
      status: 400,
    },
    {
      name: 'six labels',
      body: profileBody('fp', { selectors: [{ namespace: 'ns', labels: sixLabels }] }),
      code: 'InvalidParameterException',
      message: 'Fargate Profile selector cannot have more than 5 labels',
      status: 400,
    },
    {
      name: 'no namespace',
      body: profileBody('fp', { selectors: [{ labels: { a: 'b' } }] }),
      code: 'InvalidParameterException',
      message: 'Fargate Profile selector namespace must be provided',
      status: 400,
    },
    {
      name: 'public subnet',
      body: profileBody('fp', { subnets: ['subnet-priv-a', 'subnet-pub-b'] }),
      code: 'InvalidParameterException',
      message: 'Subnet subnet-pub-b provided in Fargate Profile is not a private subnet',
      status: 400,
    },
    {
      name: 'unknown subnet',
      body: profileBody('fp', { subnets: ['subnet-nope'] }),
      code: 'InvalidParameterException',
      message: "The subnet ID 'subnet-nope' does not exist",
      status: 400,
    },
    {
      name: 'subnet in another VPC',
      body: profileBody('fp', { subnets: ['subnet-other'] }),
      code: 'InvalidParameterException',
      message:
        'Subnet subnet-other provided in Fargate Profile is not in the VPC vpc-1 of cluster wsi-eks-cluster',
      status: 400,
    },
    {
      name: 'unsupported AZ',
      body: profileBody('fp', { subnets: ['subnet-priv-d'] }),
      code: 'InvalidParameterException',
      message:
        'Fargate Profile creation for the Availability Zone ap-northeast-2d for Subnet subnet-priv-d is not supported',
      status: 400,
    },
    {
      name: 'long tag value',
      body: profileBody('fp', { tags: { k: 'v'.repeat(257) } }),
      code: 'InvalidParameterException',
      message: "Tag value for key 'k' must be at most 256 characters long",
      status: 400,
    },
  ];
  for (const tc of profileCases) {
    it(`CreateFargateProfile rejects: ${tc.name}`, async () => {
      const e = env();
      await activeCluster(e);
      await fails(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', tc.body), tc);
    });
  }

  it('needs an existing, ACTIVE cluster', async () => {
    const e = env();
    await fails(e, call('POST', '/clusters/nope/fargate-profiles', profileBody()), {
      code: 'ResourceNotFoundException',
      message: 'No cluster found for name: nope.',
      status: 404,
    });
    await ok(e, call('POST', '/clusters', createClusterBody()));
    await fails(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody()), {
      code: 'InvalidRequestException',
      message: "Cluster 'wsi-eks-cluster' is not in ACTIVE status",
      status: 400,
    });
  });

  it('allows one profile CREATING/DELETING per cluster, with the observed messages', async () => {
    const e = env();
    await activeCluster(e);
    await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody('a')));
    const err = await fails(
      e,
      call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody('b')),
      {
        code: 'ResourceInUseException',
        message:
          'Cannot create Fargate Profile b because cluster wsi-eks-cluster currently has Fargate profile a in status CREATING',
        status: 409,
      },
    );
    assert.equal(err.fields['clusterName'], 'wsi-eks-cluster');
    await fails(e, call('DELETE', '/clusters/wsi-eks-cluster/fargate-profiles/a'), {
      code: 'ResourceInUseException',
      message:
        'Cannot Delete Fargate Profile a because cluster wsi-eks-cluster currently has Fargate profile a in status CREATING',
      status: 409,
    });
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody('b')));
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    await ok(e, call('DELETE', '/clusters/wsi-eks-cluster/fargate-profiles/a'));
    await fails(e, call('DELETE', '/clusters/wsi-eks-cluster/fargate-profiles/b'), {
      code: 'ResourceInUseException',
      message:
        'Cannot Delete Fargate Profile b because cluster wsi-eks-cluster currently has Fargate profile a in status DELETING',
      status: 409,
    });
    await fails(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody('c')), {
      code: 'ResourceInUseException',
      message:
        'Cannot create Fargate Profile c because cluster wsi-eks-cluster currently has Fargate profile a in status DELETING',
      status: 409,
    });
    await fails(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody('b')), {
      code: 'ResourceInUseException',
      message: 'A Fargate Profile already exists with this name in this cluster.',
      status: 409,
    });
  });

  it('refuses deletion during a cluster update', async () => {
    const e = env();
    await activeCluster(e);
    await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody('a')));
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    await ok(
      e,
      call('POST', '/clusters/wsi-eks-cluster/update-config', {
        resourcesVpcConfig: { endpointPrivateAccess: true },
      }),
    );
    await fails(e, call('DELETE', '/clusters/wsi-eks-cluster/fargate-profiles/a'), {
      code: 'ResourceInUseException',
      message:
        'Cannot Delete Fargate Profile a because cluster wsi-eks-cluster currently has an update in progress',
      status: 409,
    });
  });

  it('enforces 10 profiles per cluster', async () => {
    const e = env({ delays: { profileCreate: 0 } });
    await activeCluster(e);
    for (let i = 0; i < 10; i++) {
      await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody(`p${i}`)));
      await e.svc.reconcileOnce();
    }
    await fails(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody('p10')), {
      code: 'ResourceLimitExceededException',
      message:
        'Cannot create Fargate Profile p10 because cluster wsi-eks-cluster already has the maximum of 10 Fargate profiles',
      status: 400,
    });
  });

  const roleCases: { name: string; setup: (iam: FakeIam) => void }[] = [
    { name: 'missing role', setup: (iam) => iam.roles.delete(FARGATE_ROLE) },
    {
      name: 'role trusting another service',
      setup: (iam) => {
        iam.put(FARGATE_ROLE, trust('ec2.amazonaws.com'), [FARGATE_POD_EXECUTION_POLICY]);
      },
    },
    {
      name: 'role without the policy',
      setup: (iam) => {
        iam.put(FARGATE_ROLE, trust('eks-fargate-pods.amazonaws.com'), []);
      },
    },
    {
      name: 'role with a path',
      setup: (iam) => {
        iam.put(
          FARGATE_ROLE,
          trust('eks-fargate-pods.amazonaws.com'),
          [FARGATE_POD_EXECUTION_POLICY],
          '/x/',
        );
      },
    },
    {
      name: 'SourceArn condition for another cluster',
      setup: (iam) => {
        iam.put(
          FARGATE_ROLE,
          trust('eks-fargate-pods.amazonaws.com', {
            ArnLike: { 'aws:SourceArn': `arn:aws:eks:${REGION}:${ACCOUNT}:fargateprofile/other/*` },
          }),
          [FARGATE_POD_EXECUTION_POLICY],
        );
      },
    },
  ];
  for (const tc of roleCases) {
    it(`a misconfigured pod execution role becomes a health issue: ${tc.name}`, async () => {
      const e = env();
      await activeCluster(e);
      tc.setup(e.iam);
      const p = field<ProfileWire>(
        await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody())),
        'fargateProfile',
      );
      assert.deepEqual(p.health.issues, [
        { code: 'AccessDenied', message: MISCONFIGURED_ROLE_MESSAGE, resourceIds: [FARGATE_ROLE] },
      ]);
      e.clock.advance(3000);
      await e.svc.reconcileOnce();
      const d = field<ProfileWire>(
        await ok(e, call('GET', '/clusters/wsi-eks-cluster/fargate-profiles/skills-fargates')),
        'fargateProfile',
      );
      assert.equal(d.status, 'ACTIVE');
      assert.equal(d.health.issues.length, 1);
    });
  }

  it('accepts a SourceArn condition matching the profile and re-checks the role on activation', async () => {
    const e = env();
    await activeCluster(e);
    e.iam.put(
      FARGATE_ROLE,
      trust('eks-fargate-pods.amazonaws.com', {
        ArnLike: {
          'aws:SourceArn': `arn:aws:eks:${REGION}:${ACCOUNT}:fargateprofile/wsi-eks-cluster/*`,
        },
      }),
      [],
    );
    const p = field<ProfileWire>(
      await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody())),
      'fargateProfile',
    );
    assert.equal(p.health.issues.length, 1);
    e.iam.put(
      FARGATE_ROLE,
      trust('eks-fargate-pods.amazonaws.com', {
        ArnLike: {
          'aws:SourceArn': `arn:aws:eks:${REGION}:${ACCOUNT}:fargateprofile/wsi-eks-cluster/*`,
        },
      }),
      [FARGATE_POD_EXECUTION_POLICY],
    );
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    const d = field<ProfileWire>(
      await ok(e, call('GET', '/clusters/wsi-eks-cluster/fargate-profiles/skills-fargates')),
      'fargateProfile',
    );
    assert.deepEqual(d.health.issues, []);
  });

  it('is idempotent on clientRequestToken', async () => {
    const e = env();
    await activeCluster(e);
    const body = { ...profileBody(), clientRequestToken: 'x' };
    const a = await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', body));
    assert.deepEqual(
      await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', body)),
      a,
    );
  });

  it('a new service over the same store finishes a CREATING profile (restart)', async () => {
    const e = env();
    await activeCluster(e);
    await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody()));
    const restarted = new EksService({ ...e.opts });
    e.clock.advance(3000);
    await restarted.reconcileOnce();
    assert.equal(restarted.fargateProfiles(REGION, 'wsi-eks-cluster')[0]?.status, 'ACTIVE');
  });

  it('pages profile names', async () => {
    const e = env({ mode: 'lenient' });
    await ok(e, call('POST', '/clusters', createClusterBody()));
    for (const n of ['z', 'y', 'x'])
      await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody(n)));
    const p1 = await ok(
      e,
      call('GET', '/clusters/wsi-eks-cluster/fargate-profiles', {}, 'maxResults=2'),
    );
    assert.deepEqual(p1['fargateProfileNames'], ['x', 'y']);
    const p2 = await ok(
      e,
      call(
        'GET',
        '/clusters/wsi-eks-cluster/fargate-profiles',
        {},
        `nextToken=${String(p1['nextToken'])}`,
      ),
    );
    assert.deepEqual(p2, { fargateProfileNames: ['z'] });
  });

  it('run() advances transitions as they fall due and stops on abort', async () => {
    const e = env({ delays: { clusterCreate: 0, profileCreate: 0 } });
    const ac = new AbortController();
    const running = e.svc.run(ac.signal);
    await ok(e, call('POST', '/clusters', createClusterBody()));
    for (let i = 0; i < 50; i++) {
      const c = field<{ status: string }>(
        await ok(e, call('GET', '/clusters/wsi-eks-cluster')),
        'cluster',
      );
      if (c.status === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    await ok(e, call('POST', '/clusters/wsi-eks-cluster/fargate-profiles', profileBody()));
    for (let i = 0; i < 50; i++) {
      if (e.svc.fargateProfiles(REGION, 'wsi-eks-cluster')[0]?.status === 'ACTIVE') break;
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.equal(e.svc.fargateProfiles(REGION, 'wsi-eks-cluster')[0]?.status, 'ACTIVE');
    ac.abort();
    await running;
  });
});

describe('node groups', () => {
  const base = {
    nodegroupName: 'ng-1',
    nodeRole: NODE_ROLE,
    subnets: ['subnet-priv-a', 'subnet-priv-b'],
  };

  it('creates with defaults, reconciles nodes, updates config and deletes', async () => {
    const e = env();
    await activeCluster(e);
    const ng = field<Record<string, unknown>>(
      await ok(
        e,
        call('POST', '/clusters/wsi-eks-cluster/node-groups', {
          ...base,
          labels: { role: 'app' },
          taints: [{ key: 'dedicated', value: 'x', effect: 'NO_SCHEDULE' }],
        }),
      ),
      'nodegroup',
    );
    assert.equal(ng['status'], 'CREATING');
    assert.deepEqual(ng['instanceTypes'], ['t3.medium']);
    assert.deepEqual(ng['scalingConfig'], { minSize: 1, maxSize: 2, desiredSize: 2 });
    assert.equal(ng['capacityType'], 'ON_DEMAND');
    assert.equal(ng['amiType'], 'AL2023_x86_64_STANDARD');
    assert.match(
      String(ng['nodegroupArn']),
      /^arn:aws:eks:ap-northeast-2:123456789012:nodegroup\/wsi-eks-cluster\/ng-1\/[0-9a-f-]{36}$/,
    );
    e.clock.advance(5000);
    await e.svc.reconcileOnce();
    assert.equal(e.nodes.calls.at(-1)?.desiredSize, 2);
    assert.deepEqual(e.nodes.calls.at(-1)?.taints, [
      { key: 'dedicated', value: 'x', effect: 'NO_SCHEDULE' },
    ]);
    assert.deepEqual(await ok(e, call('GET', '/clusters/wsi-eks-cluster/node-groups')), {
      nodegroups: ['ng-1'],
    });
    const u = field<{ id: string; type: string; params: { type: string; value: string }[] }>(
      await ok(
        e,
        call('POST', '/clusters/wsi-eks-cluster/node-groups/ng-1/update-config', {
          scalingConfig: { desiredSize: 3, maxSize: 5 },
          labels: { addOrUpdateLabels: { tier: 'web' }, removeLabels: ['role'] },
          taints: { removeTaints: [{ key: 'dedicated', effect: 'NO_SCHEDULE' }] },
        }),
      ),
      'update',
    );
    assert.equal(u.type, 'ConfigUpdate');
    assert.deepEqual(
      u.params.map((p) => p.type),
      ['MaxSize', 'DesiredSize', 'LabelsToAdd', 'LabelsToRemove', 'TaintsToRemove'],
    );
    assert.equal(
      field<{ status: string }>(
        await ok(e, call('GET', '/clusters/wsi-eks-cluster/node-groups/ng-1')),
        'nodegroup',
      ).status,
      'UPDATING',
    );
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    const after = field<{
      status: string;
      labels: unknown;
      taints: unknown[];
      scalingConfig: unknown;
    }>(await ok(e, call('GET', '/clusters/wsi-eks-cluster/node-groups/ng-1')), 'nodegroup');
    assert.equal(after.status, 'ACTIVE');
    assert.deepEqual(after.labels, { tier: 'web' });
    assert.deepEqual(after.taints, []);
    assert.deepEqual(after.scalingConfig, { minSize: 1, maxSize: 5, desiredSize: 3 });
    assert.equal(e.nodes.calls.at(-1)?.desiredSize, 3);
    assert.deepEqual(
      await ok(e, call('GET', '/clusters/wsi-eks-cluster/updates', {}, 'nodegroupName=ng-1')),
      { updateIds: [u.id] },
    );
    assert.deepEqual(await ok(e, call('GET', '/clusters/wsi-eks-cluster/updates')), {
      updateIds: [],
    });
    assert.equal(
      field<{ status: string }>(
        await ok(e, call('DELETE', '/clusters/wsi-eks-cluster/node-groups/ng-1')),
        'nodegroup',
      ).status,
      'DELETING',
    );
    e.clock.advance(3000);
    await e.svc.reconcileOnce();
    assert.equal(e.nodes.calls.at(-1)?.desiredSize, 0);
    await fails(e, call('GET', '/clusters/wsi-eks-cluster/node-groups/ng-1'), {
      code: 'ResourceNotFoundException',
      message: 'No node group found for name: ng-1.',
      status: 404,
    });
  });

  const ngCases: { name: string; body: Record<string, unknown>; message: string | RegExp }[] = [
    {
      name: 'min > desired',
      body: { ...base, scalingConfig: { minSize: 3, maxSize: 4, desiredSize: 2 } },
      message: "Minimum capacity 3 can't be greater than desired size 2",
    },
    {
      name: 'desired > max',
      body: { ...base, scalingConfig: { minSize: 1, maxSize: 2, desiredSize: 3 } },
      message: "Desired capacity 3 can't be greater than max size 2",
    },
    {
      name: 'max 0',
      body: { ...base, scalingConfig: { minSize: 0, maxSize: 0, desiredSize: 0 } },
      message: 'Maximum capacity must be greater than or equal to 1',
    },
    {
      name: 'negative min',
      body: { ...base, scalingConfig: { minSize: -1, maxSize: 1, desiredSize: 0 } },
      message: 'Minimum capacity must be greater than or equal to 0',
    },
    { name: 'no subnets', body: { ...base, subnets: [] }, message: 'subnets must be provided' },
    {
      name: 'no role',
      body: { ...base, nodeRole: undefined },
      message: 'nodeRole must be provided',
    },
    {
      name: 'bad taint effect',
      body: { ...base, taints: [{ key: 'k', effect: 'NoSchedule' }] },
      message: /Taint effect NoSchedule is not one of/,
    },
    {
      name: 'bad capacity type',
      body: { ...base, capacityType: 'CHEAP' },
      message: /Member must satisfy enum value set/,
    },
    {
      name: 'subnet in another VPC',
      body: { ...base, subnets: ['subnet-other'] },
      message: 'Subnet subnet-other is not in the VPC vpc-1 of the cluster',
    },
    {
      name: 'unknown role',
      body: { ...base, nodeRole: 'arn:aws:iam::123456789012:role/none' },
      message: 'Role with arn: arn:aws:iam::123456789012:role/none, could not be found',
    },
    {
      name: 'role without node policies',
      body: { ...base, nodeRole: FARGATE_ROLE },
      message: /doesn't have the Amazon EKS Managed Policies/,
    },
  ];
  for (const tc of ngCases) {
    it(`CreateNodegroup rejects: ${tc.name}`, async () => {
      const e = env();
      await activeCluster(e);
      await fails(e, call('POST', '/clusters/wsi-eks-cluster/node-groups', tc.body), {
        code: 'InvalidParameterException',
        message: tc.message,
        status: 400,
      });
    });
  }

  it('rejects duplicates and bad updates', async () => {
    const e = env({ delays: { nodegroupCreate: 0 } });
    await activeCluster(e);
    await ok(e, call('POST', '/clusters/wsi-eks-cluster/node-groups', base));
    await fails(
      e,
      call('POST', '/clusters/wsi-eks-cluster/node-groups/ng-1/update-config', {
        scalingConfig: { desiredSize: 1 },
      }),
      {
        code: 'ResourceInUseException',
        message: /currently CREATING/,
        status: 409,
      },
    );
    await fails(e, call('POST', '/clusters/wsi-eks-cluster/node-groups', base), {
      code: 'ResourceInUseException',
      message: 'NodeGroup already exists with name ng-1 and cluster name wsi-eks-cluster',
      status: 409,
    });
    await e.svc.reconcileOnce();
    await fails(
      e,
      call('POST', '/clusters/wsi-eks-cluster/node-groups/ng-1/update-config', {
        scalingConfig: { desiredSize: 9 },
      }),
      {
        code: 'InvalidParameterException',
        message: "Desired capacity 9 can't be greater than max size 2",
        status: 400,
      },
    );
    await fails(e, call('POST', '/clusters/wsi-eks-cluster/node-groups/ng-1/update-config', {}), {
      code: 'InvalidParameterException',
      message: 'No changes needed for the nodegroup config provided',
      status: 400,
    });
  });
});

describe('tags', () => {
  it('tags, lists and untags clusters and profiles by URL-encoded ARN', async () => {
    const e = env();
    await activeCluster(e);
    const arn = `arn:aws:eks:${REGION}:${ACCOUNT}:cluster/wsi-eks-cluster`;
    await ok(e, call('POST', `/tags/${encodeURIComponent(arn)}`, { tags: { a: '1', b: '2' } }));
    assert.deepEqual(await ok(e, call('GET', `/tags/${encodeURIComponent(arn)}`)), {
      tags: { a: '1', b: '2' },
    });
    await ok(e, call('DELETE', `/tags/${encodeURIComponent(arn)}`, {}, 'tagKeys=a&tagKeys=zz'));
    assert.deepEqual(await ok(e, call('GET', `/tags/${encodeURIComponent(arn)}`)), {
      tags: { b: '2' },
    });
    const p = field<ProfileWire>(
      await ok(
        e,
        call(
          'POST',
          '/clusters/wsi-eks-cluster/fargate-profiles',
          profileBody('fp', { tags: { team: 'x' } }),
        ),
      ),
      'fargateProfile',
    );
    assert.deepEqual(await ok(e, call('GET', `/tags/${encodeURIComponent(p.fargateProfileArn)}`)), {
      tags: { team: 'x' },
    });
    assert.deepEqual(await ok(e, call('GET', `/tags/${p.fargateProfileArn}`)), {
      tags: { team: 'x' },
    });
    await fails(
      e,
      call('GET', `/tags/${encodeURIComponent(`arn:aws:eks:${REGION}:${ACCOUNT}:cluster/nope`)}`),
      {
        code: 'NotFoundException',
        message: /was not found/,
        status: 404,
      },
    );
    await fails(e, call('GET', '/tags/not-an-arn'), {
      code: 'BadRequestException',
      message: /not a valid resource ARN/,
      status: 400,
    });
    await fails(e, call('POST', `/tags/${encodeURIComponent(arn)}`, { tags: { 'aws:x': '1' } }), {
      code: 'BadRequestException',
      message: "Tag keys beginning with 'aws:' are reserved",
      status: 400,
    });
  });
});

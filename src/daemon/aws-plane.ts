import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { InMemoryAwsCredentialStore } from '../apiserver/authn/index.ts';
import type { NodeSpec } from '../agent/index.ts';
import {
  cidrHas,
  EKS_CLUSTER_SG_DESCRIPTION,
  Ec2Service,
  parseCidr,
  parseIp,
} from '../aws/ec2/index.ts';
import {
  EKSCTL_CLUSTER_ROLE,
  EKSCTL_NODE_ROLE,
  eksctlClusterRoleName,
  eksctlNodeRoleName,
  type EksctlRole,
} from '../aws/eksctl-roles.ts';
import { EksService, type ClusterHost, type Ec2View, type IamView } from '../aws/eks/index.ts';
import { AwsEndpoint } from '../aws/endpoint/index.ts';
import { IamService } from '../aws/iam/index.ts';
import { StsCredentials, StsService } from '../aws/sts/index.ts';
import type { AwsCall, AwsCaller } from '../aws/types.ts';
import { realSleep, type Sleep } from '../client/index.ts';
import { CachedStore, noPersistence, SqlitePersistence, type Store } from '../store/index.ts';
import type { Logger } from '../telemetry/index.ts';
import { closeServer, listenOn, type Clock, type IdSource } from '../util/index.ts';
import { Ec2NodegroupHost, type WorkerPool } from './nodegroup-host.ts';

export interface AwsPlaneOptions {
  /** Where the AWS state lives; undefined keeps it in memory. */
  readonly dataDir: string | undefined;
  readonly fsync: boolean;
  readonly accountId: string;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  readonly clusters: ClusterHost;
  /** The Kiln cluster behind an EKS cluster, whose worker nodes managed node groups are. */
  readonly workers?: (region: string, name: string) => WorkerPool | undefined;
  /** Seconds until CREATING clusters and profiles become ACTIVE (0: at once). */
  readonly lifecycleDelayMs?: number;
  readonly mode?: 'strict' | 'lenient';
  /** Called when a Fargate profile is gone: Kiln deletes its pods. */
  readonly onProfileDeleted?: ConstructorParameters<typeof EksService>[0]['onProfileDeleted'];
  /** Waits between drain passes (default: real time). */
  readonly sleep?: Sleep;
  /** How long a node leaving a node group may take to drain (default EKS's 5 minutes). */
  readonly drainTimeoutMs?: number;
}

/**
 * Kiln's AWS side: one durable store for IAM, STS, EC2 and EKS state, the services over it,
 * and the endpoint that serves them on one port. The credentials it accepts are the ones
 * `k8s-aws-v1.` tokens are checked against.
 */
export class AwsPlane {
  readonly store: Store;
  readonly credentials: StsCredentials;
  readonly iam: IamService;
  readonly ec2: Ec2Service;
  readonly eks: EksService;
  /** Hosts managed node groups as worker nodes; undefined without `workers`. */
  readonly nodegroups: Ec2NodegroupHost | undefined;
  readonly endpoint: AwsEndpoint;
  readonly #o: AwsPlaneOptions;
  #server: Server | undefined;
  url = '';

  constructor(o: AwsPlaneOptions) {
    this.#o = o;
    let persistence = noPersistence;
    if (o.dataDir !== undefined) {
      mkdirSync(o.dataDir, { recursive: true });
      persistence = new SqlitePersistence({ path: join(o.dataDir, 'state.db'), fsync: o.fsync });
    }
    this.store = new CachedStore({ persistence });
    const store = this.store;
    const { clock, ids, accountId } = o;
    this.credentials = new StsCredentials({
      store,
      base: new InMemoryAwsCredentialStore({ accountId }),
    });
    this.iam = new IamService({ store, clock, ids });
    // DescribeInstances lists node-group nodes; the host itself needs the EC2 service.
    const instances = {
      listInstances: (region: string) =>
        this.nodegroups?.listInstances(region) ?? Promise.resolve([]),
    };
    this.ec2 = new Ec2Service({ store, clock, ids, accountId, instances });
    const workers = o.workers;
    this.nodegroups =
      workers === undefined
        ? undefined
        : new Ec2NodegroupHost({
            ec2: this.ec2,
            ids,
            clock,
            sleep: o.sleep ?? realSleep,
            awsStore: store,
            cluster: workers,
            ...(o.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: o.drainTimeoutMs }),
          });
    const sts = new StsService({ credentials: this.credentials, iam: this.iam, clock, ids });
    const delay = o.lifecycleDelayMs;
    this.eks = new EksService({
      store,
      clock,
      ids,
      accountId,
      ...(o.mode === undefined ? {} : { mode: o.mode }),
      iam: iamView(this.iam),
      ec2: ec2View(this.ec2, (o) => this.internalCall(o)),
      clusters: o.clusters,
      ...(this.nodegroups ? { nodegroups: this.nodegroups } : {}),
      ...(delay === undefined
        ? {}
        : {
            delays: {
              clusterCreate: delay,
              clusterDelete: delay,
              clusterUpdate: delay,
              profileCreate: delay,
              profileDelete: delay,
              nodegroupCreate: delay,
              nodegroupDelete: delay,
              nodegroupUpdate: delay,
            },
          }),
      ...(o.onProfileDeleted === undefined ? {} : { onProfileDeleted: o.onProfileDeleted }),
    });
    this.endpoint = new AwsEndpoint({
      services: [this.iam, sts, this.ec2, this.eks],
      credentials: this.credentials,
      clock,
      ids,
      logger: o.logger,
    });
  }

  /** Serves the endpoint on host:port (0: any free port) and runs the EKS reconciler. */
  async start(o: { host: string; port: number; signal: AbortSignal }): Promise<void> {
    const server = createServer(this.endpoint.listener());
    this.#server = server;
    const port = await listenOn(server, o);
    this.url = `http://${o.host}:${String(port)}`;
    void this.eks.run(o.signal).catch((e: unknown) => {
      this.#o.logger.error('EKS reconciler stopped', {
        error: e instanceof Error ? e.message : String(e),
      });
    });
  }

  async stop(): Promise<void> {
    if (this.#server) await closeServer(this.#server);
    this.store.close();
  }

  /** An AwsCall as the account's root, for Kiln's own calls into its services. */
  internalCall(o: {
    region: string;
    method?: string;
    path?: string;
    action?: string;
    params?: Record<string, string>;
    json?: Record<string, unknown>;
  }): AwsCall {
    const caller: AwsCaller = {
      accessKeyId: 'test',
      accountId: this.#o.accountId,
      arn: `arn:aws:iam::${this.#o.accountId}:root`,
      userId: this.#o.accountId,
    };
    return {
      region: o.region,
      caller,
      requestId: this.#o.ids.uuid(),
      action: o.action ?? '',
      method: o.method ?? 'POST',
      path: o.path ?? '/',
      query: new URLSearchParams(),
      params: new Map(Object.entries(o.params ?? {})),
      json: o.json ?? {},
      headers: {},
    };
  }
}

function iamView(iam: IamService): IamView {
  return {
    role: (arn) => {
      const r = iam.getRoleByArn(arn);
      return Promise.resolve(
        r === undefined
          ? undefined
          : {
              arn: r.Arn,
              path: r.Path,
              assumeRolePolicyDocument: r.AssumeRolePolicyDocument,
              attachedPolicyArns: r.AttachedPolicyArns,
            },
      );
    },
  };
}

function ec2View(ec2: Ec2Service, internalCall: AwsPlane['internalCall']): Ec2View {
  const call = (region: string, action: string, params: Record<string, string>): AwsCall =>
    internalCall({ region, action, params: { Action: action, Version: '2016-11-15', ...params } });
  return {
    subnet: (region, id) => {
      const s = ec2.subnet(region, id);
      return Promise.resolve(
        s === undefined
          ? undefined
          : { subnetId: s.subnetId, vpcId: s.vpcId, availabilityZone: s.availabilityZone },
      );
    },
    isPublicSubnet: (region, id) => Promise.resolve(ec2.isPublicSubnet(region, id)),
    securityGroupVpc: (region, id) => Promise.resolve(ec2.securityGroupVpc(region, id)),
    createClusterSecurityGroup: async ({ region, vpcId, clusterName }) => {
      // The eksctl-shaped VPC Kiln builds already holds the cluster's group: reuse it.
      const found = await ec2.handle(
        call(region, 'DescribeSecurityGroups', {
          'Filter.1.Name': 'vpc-id',
          'Filter.1.Value.1': vpcId,
        }),
      );
      const groups = (found.body['securityGroupInfo'] ?? []) as {
        groupId: string;
        groupName: string;
      }[];
      const existing = groups.find((g) => g.groupName.startsWith(`eks-cluster-sg-${clusterName}-`));
      if (existing) return existing.groupId;
      const made = await ec2.handle(
        call(region, 'CreateSecurityGroup', {
          GroupName: `eks-cluster-sg-${clusterName}-${String(Date.now()).slice(-10)}`,
          GroupDescription: EKS_CLUSTER_SG_DESCRIPTION,
          VpcId: vpcId,
        }),
      );
      const groupId = made.body['groupId'];
      return typeof groupId === 'string' ? groupId : '';
    },
    deleteClusterSecurityGroup: async ({ region, groupId }) => {
      await ec2
        .handle(call(region, 'DeleteSecurityGroup', { GroupId: groupId }))
        .catch(() => undefined);
    },
  };
}

/** The EKS clusters the store knows (any region) that have or are getting a Kiln cluster. */
export function hostedEksClusters(plane: AwsPlane): { region: string; name: string }[] {
  return plane.store
    .list('/eks/')
    .items.map((i) => /^\/eks\/([^/]+)\/clusters\/([^/]+)$/.exec(i.key))
    .flatMap((m) => (m ? [{ region: m[1] ?? '', name: m[2] ?? '' }] : []));
}

/** Creates an eksctl stack's role with its managed policies unless IAM has it already. */
async function ensureEksctlRole(
  plane: AwsPlane,
  o: { region: string; name: string; role: EksctlRole },
): Promise<void> {
  if (plane.iam.getRole(o.name) !== undefined) return;
  const iam = (action: string, params: Record<string, string>): Promise<unknown> =>
    plane.iam.handle(plane.internalCall({ region: o.region, action, params }));
  await iam('CreateRole', { RoleName: o.name, AssumeRolePolicyDocument: o.role.trustPolicy });
  for (const arn of o.role.policyArns) {
    await iam('AttachRolePolicy', { RoleName: o.name, PolicyArn: arn });
  }
}

/**
 * Registers `kiln up`'s default cluster with EKS as `eksctl create cluster` would have made it:
 * an eksctl-shaped VPC over three AZs, a cluster service role with AmazonEKSClusterPolicy, and
 * the cluster itself (whose Kubernetes API is the daemon's root). Does nothing when EKS knows
 * the cluster already.
 */
export async function registerDefaultCluster(
  plane: AwsPlane,
  c: { region: string; name: string },
): Promise<void> {
  if (plane.store.get(`/eks/${c.region}/clusters/${c.name}`)) return;
  const vpc = await plane.ec2.createEksctlVpc({ region: c.region, clusterName: c.name });
  const roleName = eksctlClusterRoleName(c.name);
  await ensureEksctlRole(plane, { region: c.region, name: roleName, role: EKSCTL_CLUSTER_ROLE });
  const role = plane.iam.getRole(roleName);
  await plane.eks.handle(
    plane.internalCall({
      region: c.region,
      method: 'POST',
      path: '/clusters',
      json: {
        name: c.name,
        version: '1.32',
        roleArn: role?.Arn ?? '',
        resourcesVpcConfig: {
          subnetIds: [...vpc.publicSubnetIds, ...vpc.privateSubnetIds],
          securityGroupIds: [vpc.controlPlaneSecurityGroupId],
        },
        tags: { 'alpha.eksctl.io/cluster-name': c.name },
      },
    }),
  );
}

/**
 * The name of the managed node group eksctl would have made for `kiln up`'s cluster: eksctl's
 * default `ng-` and 8 hex characters, derived from the cluster so it is stable over restarts.
 */
export function defaultNodegroupName(c: { region: string; name: string }): string {
  const hex = createHash('sha256').update(`${c.region}/${c.name}`).digest('hex');
  return `ng-${hex.slice(0, 8)}`;
}

/** The stored EKS cluster's status and subnets (loosely read: the record is EKS's). */
function eksCluster(plane: AwsPlane, key: string): { status: unknown; subnetIds: string[] } {
  const object = plane.store.get(key)?.object;
  // SAFETY: EKS cluster records are `{resource: Cluster}`; every field is checked before use.
  const resource = (object as { resource?: Record<string, unknown> } | undefined)?.resource;
  const vpc = resource?.['resourcesVpcConfig'];
  const ids: unknown =
    typeof vpc === 'object' && vpc !== null ? (vpc as { subnetIds?: unknown }).subnetIds : [];
  return {
    status: resource?.['status'],
    subnetIds: Array.isArray(ids) ? ids.filter((i): i is string => typeof i === 'string') : [],
  };
}

/**
 * Claims in EC2 the addresses of `kiln up`'s configured worker nodes (placed in the cluster's
 * eksctl VPC by `nodePool`): each node's address and its pods' block in the cluster subnet
 * that holds them, so EC2 hands neither to a later node group's instance. Idempotent, so it
 * runs on every start (also for nodes added to the configuration since). Throws when a node
 * lies in none of the cluster's subnets or its addresses are taken.
 */
export async function reserveDefaultPool(
  plane: AwsPlane,
  c: { region: string; name: string; nodes: readonly NodeSpec[] },
): Promise<void> {
  const subnets = eksCluster(plane, `/eks/${c.region}/clusters/${c.name}`).subnetIds.flatMap(
    (id) => {
      const s = plane.ec2.subnet(c.region, id);
      const cidr = s && parseCidr(s.cidrBlock);
      return cidr ? [{ id, cidr }] : [];
    },
  );
  for (const node of c.nodes) {
    const ip = parseIp(node.internalIp);
    const subnet = subnets.find((s) => ip !== undefined && cidrHas(s.cidr, ip));
    if (!subnet) {
      throw new Error(`node ${node.name} (${node.internalIp}) is in none of ${c.name}'s subnets`);
    }
    await plane.ec2.reserveAddress(c.region, { subnetId: subnet.id, ip: node.internalIp });
    await plane.ec2.reserveAddress(c.region, { subnetId: subnet.id, ip: node.podCidr });
  }
}

/**
 * Registers the managed node group eksctl creates with `kiln up`'s cluster (m5.large on the
 * public subnets, eksctl's default without `privateNetworking`) once the cluster is ACTIVE, sized to the default cluster's configured worker
 * nodes, which carry its name and so are its nodes. Does nothing when EKS knows it already.
 */
export async function registerDefaultNodegroup(
  plane: AwsPlane,
  c: { region: string; name: string; nodes: number; signal: AbortSignal },
): Promise<void> {
  const ng = defaultNodegroupName(c);
  if (c.nodes === 0 || plane.store.get(`/eks/${c.region}/nodegroups/${c.name}/${ng}`)) return;
  const clusterKey = `/eks/${c.region}/clusters/${c.name}`;
  while (eksCluster(plane, clusterKey).status !== 'ACTIVE') {
    if (c.signal.aborted || plane.store.get(clusterKey) === undefined) return;
    await delay(50, undefined, { signal: c.signal }).catch(() => undefined);
  }
  const roleName = eksctlNodeRoleName(c.name, ng);
  await ensureEksctlRole(plane, { region: c.region, name: roleName, role: EKSCTL_NODE_ROLE });
  // Where `nodePool` placed the nodes this group adopts.
  const subnets = eksCluster(plane, clusterKey).subnetIds.filter((id) =>
    plane.ec2.isPublicSubnet(c.region, id),
  );
  await plane.eks.handle(
    plane.internalCall({
      region: c.region,
      method: 'POST',
      path: `/clusters/${c.name}/node-groups`,
      json: {
        nodegroupName: ng,
        nodeRole: plane.iam.getRole(roleName)?.Arn ?? '',
        subnets,
        instanceTypes: ['m5.large'],
        amiType: 'AL2023_x86_64_STANDARD',
        // eksctl's default is min = max = desired; Kiln leaves room to scale out.
        scalingConfig: { minSize: c.nodes, maxSize: c.nodes * 2, desiredSize: c.nodes },
        tags: {
          'alpha.eksctl.io/cluster-name': c.name,
          'alpha.eksctl.io/nodegroup-name': ng,
          'alpha.eksctl.io/nodegroup-type': 'managed',
        },
      },
    }),
  );
}

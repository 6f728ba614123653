import { StoreAlreadyExistsError } from '../../store/index.ts';
import type { AwsResult } from '../types.ts';
import {
  arnPrefix,
  getRecord,
  listRecords,
  nowSeconds,
  param,
  type EksContext,
  type EksRequest,
} from './context.ts';
import { invalidParameter, resourceInUse, resourceNotFound } from './errors.ts';
import {
  checkName,
  optBool,
  optObject,
  optObjectList,
  optString,
  optStringList,
  optStringMap,
  reqString,
  type Body,
} from './input.ts';
import {
  eksKeys,
  makeRecord,
  withResource,
  type Cluster,
  type EksRecord,
  type LogSetup,
} from './model.ts';
import { pageParams, paginate } from './pagination.ts';
import { checkTags } from './tags.ts';
import { trustsService } from './trust-policy.ts';

/** Kubernetes versions EKS offers, with the platform version a new cluster gets. */
const PLATFORM_VERSIONS: Readonly<Record<string, string>> = {
  '1.28': 'eks.40',
  '1.29': 'eks.33',
  '1.30': 'eks.29',
  '1.31': 'eks.25',
  '1.32': 'eks.10',
  '1.33': 'eks.6',
};

export const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'];

export function loadCluster(ctx: EksContext, region: string, name: string): EksRecord<Cluster> {
  const rec = getRecord<Cluster>(ctx, eksKeys.cluster(region, name));
  if (!rec) throw resourceNotFound(`No cluster found for name: ${name}.`, { clusterName: name });
  return rec;
}

interface VpcPlacement {
  readonly subnetIds: string[];
  readonly securityGroupIds: string[];
  readonly vpcId: string;
}

async function strictSubnets(ctx: EksContext, region: string, subnetIds: readonly string[]) {
  const vpcs = new Set<string>();
  const zones = new Set<string>();
  for (const id of subnetIds) {
    const s = await ctx.ec2.subnet(region, id);
    if (!s) throw invalidParameter(`The subnet ID '${id}' does not exist`);
    vpcs.add(s.vpcId);
    zones.add(s.availabilityZone);
  }
  if (vpcs.size > 1) throw invalidParameter('Subnets specified must belong to the same VPC');
  if (zones.size < 2)
    throw invalidParameter('Subnets specified must be in at least two different AZs');
  return [...vpcs][0] ?? '';
}

async function placeCluster(ctx: EksContext, region: string, vpc: Body): Promise<VpcPlacement> {
  const subnetIds = optStringList(vpc, 'subnetIds') ?? [];
  const securityGroupIds = optStringList(vpc, 'securityGroupIds') ?? [];
  if (ctx.mode === 'lenient') {
    const known =
      subnetIds.length > 0 ? await ctx.ec2.subnet(region, subnetIds[0] ?? '') : undefined;
    const vpcId = known?.vpcId ?? `vpc-${ctx.ids.uuid().replace(/-/g, '').slice(0, 17)}`;
    return { subnetIds, securityGroupIds, vpcId };
  }
  const vpcId = await strictSubnets(ctx, region, subnetIds);
  for (const sg of securityGroupIds) {
    const sgVpc = await ctx.ec2.securityGroupVpc(region, sg);
    if (sgVpc === undefined) throw invalidParameter(`The security group '${sg}' does not exist`);
    if (sgVpc !== vpcId) {
      throw invalidParameter(
        `Security group ${sg} does not belong to the VPC ${vpcId} of the subnets`,
      );
    }
  }
  return { subnetIds, securityGroupIds, vpcId };
}

async function clusterSecurityGroup(
  ctx: EksContext,
  opts: { region: string; vpcId: string; clusterName: string },
): Promise<string> {
  try {
    return await ctx.ec2.createClusterSecurityGroup(opts);
  } catch (e: unknown) {
    // Lenient mode accepts VPCs EC2 does not know, so the group can only be a placeholder.
    if (ctx.mode === 'strict') throw e;
    return `sg-${ctx.ids.uuid().replace(/-/g, '').slice(0, 17)}`;
  }
}

async function checkClusterRole(
  ctx: EksContext,
  roleArn: string,
  clusterArn: string,
): Promise<void> {
  if (ctx.mode === 'lenient') return;
  const role = await ctx.iam.role(roleArn);
  const trusted =
    role !== undefined &&
    trustsService(role.assumeRolePolicyDocument, {
      service: 'eks.amazonaws.com',
      sourceArn: clusterArn,
    });
  if (!trusted) {
    throw invalidParameter(
      `Role with arn: ${roleArn}, could not be assumed because it does not exist or the trusted entity is not correct`,
    );
  }
}

function parseLogging(body: Body | undefined): LogSetup[] | undefined {
  const list = body ? optObjectList(body, 'clusterLogging') : undefined;
  if (!list) return undefined;
  const enabled = new Set<string>();
  for (const entry of list) {
    const types = optStringList(entry, 'types') ?? [];
    for (const t of types) {
      if (!LOG_TYPES.includes(t)) throw invalidParameter(`Unknown log type: ${t}`);
    }
    const on = optBool(entry, 'enabled') ?? false;
    for (const t of types) {
      if (on) enabled.add(t);
      else enabled.delete(t);
    }
  }
  return normaliseLogging(enabled);
}

/** EKS reports logging as at most two setups: the enabled types and the disabled ones. */
export function normaliseLogging(enabled: ReadonlySet<string>): LogSetup[] {
  const on = LOG_TYPES.filter((t) => enabled.has(t));
  const off = LOG_TYPES.filter((t) => !enabled.has(t));
  return [
    ...(on.length > 0 ? [{ types: on, enabled: true }] : []),
    ...(off.length > 0 ? [{ types: off, enabled: false }] : []),
  ];
}

interface CreateInput {
  readonly name: string;
  readonly roleArn: string;
  readonly version: string;
  readonly vpc: Body;
  readonly tags: Record<string, string>;
  readonly token: string | undefined;
  readonly logging: LogSetup[] | undefined;
  readonly accessConfig: Body | undefined;
}

function parseCreate(body: Body, defaultVersion: string): CreateInput {
  const name = reqString(body, 'name');
  checkName(name, 'name');
  const roleArn = reqString(body, 'roleArn');
  const vpc = optObject(body, 'resourcesVpcConfig');
  if (!vpc) throw invalidParameter('resourcesVpcConfig must be provided');
  const version = optString(body, 'version') ?? defaultVersion;
  if (PLATFORM_VERSIONS[version] === undefined)
    throw invalidParameter('unsupported Kubernetes version');
  const tags = optStringMap(body, 'tags') ?? {};
  checkTags(tags, invalidParameter);
  return {
    name,
    roleArn,
    version,
    vpc,
    tags,
    token: optString(body, 'clientRequestToken'),
    logging: parseLogging(optObject(body, 'logging')),
    accessConfig: optObject(body, 'accessConfig'),
  };
}

function endpointAccess(vpc: Body) {
  return {
    endpointPublicAccess: optBool(vpc, 'endpointPublicAccess') ?? true,
    endpointPrivateAccess: optBool(vpc, 'endpointPrivateAccess') ?? false,
    publicAccessCidrs: optStringList(vpc, 'publicAccessCidrs') ?? ['0.0.0.0/0'],
  };
}

function buildCluster(
  ctx: EksContext,
  req: {
    region: string;
    input: CreateInput;
    placement: VpcPlacement & { clusterSecurityGroupId: string };
  },
): Cluster {
  const { region, input, placement } = req;
  const oidcId = ctx.ids.uuid().replace(/-/g, '').toUpperCase();
  return {
    name: input.name,
    arn: `${arnPrefix(ctx, region)}:cluster/${input.name}`,
    createdAt: nowSeconds(ctx),
    version: input.version,
    roleArn: input.roleArn,
    resourcesVpcConfig: { ...placement, ...endpointAccess(input.vpc) },
    kubernetesNetworkConfig: { serviceIpv4Cidr: '10.100.0.0/16', ipFamily: 'ipv4' },
    logging: { clusterLogging: input.logging ?? normaliseLogging(new Set()) },
    identity: { oidc: { issuer: `https://oidc.eks.${region}.amazonaws.com/id/${oidcId}` } },
    status: 'CREATING',
    certificateAuthority: {},
    platformVersion: PLATFORM_VERSIONS[input.version] ?? 'eks.1',
    tags: input.tags,
    health: { issues: [] },
    accessConfig: {
      authenticationMode:
        (input.accessConfig && optString(input.accessConfig, 'authenticationMode')) ??
        'API_AND_CONFIG_MAP',
      bootstrapClusterCreatorAdminPermissions:
        (input.accessConfig &&
          optBool(input.accessConfig, 'bootstrapClusterCreatorAdminPermissions')) ??
        true,
    },
  };
}

/** CREATING → ACTIVE: the Kiln cluster exists, so the endpoint and CA are known. */
export async function activateCluster(
  ctx: EksContext,
  region: string,
  cluster: Cluster,
): Promise<Cluster> {
  const host = await ctx.clusters.create({ region, name: cluster.name, version: cluster.version });
  return {
    ...cluster,
    status: 'ACTIVE',
    endpoint: host.endpoint,
    certificateAuthority: { data: host.caData },
  };
}

function alreadyExists(name: string): Error {
  return resourceInUse(`Cluster already exists with name: ${name}`, { clusterName: name });
}

export async function createCluster(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const input = parseCreate(req.call.json, ctx.defaultVersion);
  const existing = getRecord<Cluster>(ctx, eksKeys.cluster(region, input.name));
  if (existing) {
    if (input.token !== undefined && existing.clientRequestToken === input.token) {
      return { body: { cluster: existing.resource } };
    }
    throw alreadyExists(input.name);
  }
  await checkClusterRole(ctx, input.roleArn, `${arnPrefix(ctx, region)}:cluster/${input.name}`);
  const placed = await placeCluster(ctx, region, input.vpc);
  const clusterSecurityGroupId = await clusterSecurityGroup(ctx, {
    region,
    vpcId: placed.vpcId,
    clusterName: input.name,
  });
  let cluster = buildCluster(ctx, {
    region,
    input,
    placement: { ...placed, clusterSecurityGroupId },
  });
  const lenient = ctx.mode === 'lenient';
  if (lenient) cluster = await activateCluster(ctx, region, cluster);
  const record = makeRecord({
    kind: 'EksCluster',
    name: input.name,
    resource: cluster,
    pending: lenient
      ? undefined
      : { action: 'create', at: ctx.clock.now() + ctx.delays.clusterCreate },
    clientRequestToken: input.token,
  });
  try {
    await ctx.store.create(eksKeys.cluster(region, input.name), record);
  } catch (e: unknown) {
    if (e instanceof StoreAlreadyExistsError) throw alreadyExists(input.name);
    throw e;
  }
  return { body: { cluster } };
}

export function describeCluster(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const rec = loadCluster(ctx, req.call.region, param(req, 'name'));
  return Promise.resolve({ body: { cluster: rec.resource } });
}

export function listClusters(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const names = listRecords<Cluster>(ctx, eksKeys.clusters(req.call.region)).map(
    (r) => r.resource.name,
  );
  const page = paginate(names, pageParams(req.call.query));
  return Promise.resolve({
    body: { clusters: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) },
  });
}

export async function deleteCluster(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const name = param(req, 'name');
  const rec = loadCluster(ctx, region, name);
  if (rec.resource.status === 'DELETING') return { body: { cluster: rec.resource } };
  const nodegroup = listRecords(ctx, eksKeys.nodegroups(region, name))[0];
  if (nodegroup) {
    throw resourceInUse('Cluster has nodegroups attached', {
      clusterName: name,
      nodegroupName: nodegroup.metadata.name,
    });
  }
  if (ctx.store.count(eksKeys.profiles(region, name)) > 0) {
    throw resourceInUse('Cluster has Fargate Profiles in ACTIVE/CREATING state', {
      clusterName: name,
    });
  }
  const cluster = { ...rec.resource, status: 'DELETING' };
  const pending = { action: 'delete', at: ctx.clock.now() + ctx.delays.clusterDelete } as const;
  await ctx.store.update(eksKeys.cluster(region, name), withResource(rec, cluster, pending));
  return { body: { cluster } };
}

/** DELETING → gone: the Kiln cluster, its security group, its updates. */
export async function removeCluster(
  ctx: EksContext,
  region: string,
  cluster: Cluster,
): Promise<void> {
  await ctx.clusters.delete({ region, name: cluster.name });
  if (ctx.mode === 'strict') {
    await ctx.ec2.deleteClusterSecurityGroup({
      region,
      groupId: cluster.resourcesVpcConfig.clusterSecurityGroupId,
    });
  }
  for (const u of ctx.store.list(eksKeys.updates(region, cluster.name)).items) {
    await ctx.store.delete(u.key);
  }
  await ctx.store.delete(eksKeys.cluster(region, cluster.name));
}

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
import { invalidParameter, invalidRequest, resourceInUse, resourceNotFound } from './errors.ts';
import { loadCluster } from './clusters.ts';
import {
  checkName,
  optInt,
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
  type Nodegroup,
  type ScalingConfig,
  type Taint,
} from './model.ts';
import { pageParams, paginate } from './pagination.ts';
import { checkTags } from './tags.ts';

const TAINT_EFFECTS = ['NO_SCHEDULE', 'NO_EXECUTE', 'PREFER_NO_SCHEDULE'];
const AMI_TYPES = [
  'AL2_x86_64',
  'AL2_x86_64_GPU',
  'AL2_ARM_64',
  'AL2023_x86_64_STANDARD',
  'AL2023_ARM_64_STANDARD',
  'AL2023_x86_64_NVIDIA',
  'AL2023_x86_64_NEURON',
  'BOTTLEROCKET_x86_64',
  'BOTTLEROCKET_ARM_64',
  'CUSTOM',
];
const CAPACITY_TYPES = ['ON_DEMAND', 'SPOT', 'CAPACITY_BLOCK'];

/** The managed policies a node role must carry for its nodes to join. */
const REQUIRED_NODE_POLICIES = [
  'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
  'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
];

export function loadNodegroup(ctx: EksContext, req: EksRequest) {
  const region = req.call.region;
  const cluster = param(req, 'name');
  loadCluster(ctx, region, cluster);
  const name = param(req, 'nodegroupName');
  const rec = getRecord<Nodegroup>(ctx, eksKeys.nodegroup(region, cluster, name));
  if (!rec) {
    throw resourceNotFound(`No node group found for name: ${name}.`, {
      clusterName: cluster,
      nodegroupName: name,
    });
  }
  return { region, cluster, name, rec };
}

/** min ≤ desired ≤ max, max ≥ 1, none negative. */
export function checkScaling(s: ScalingConfig): void {
  if (s.minSize < 0) throw invalidParameter('Minimum capacity must be greater than or equal to 0');
  if (s.maxSize < 1) throw invalidParameter('Maximum capacity must be greater than or equal to 1');
  if (s.desiredSize < 0)
    throw invalidParameter('Desired capacity must be greater than or equal to 0');
  if (s.minSize > s.desiredSize) {
    throw invalidParameter(
      `Minimum capacity ${s.minSize} can't be greater than desired size ${s.desiredSize}`,
    );
  }
  if (s.desiredSize > s.maxSize) {
    throw invalidParameter(
      `Desired capacity ${s.desiredSize} can't be greater than max size ${s.maxSize}`,
    );
  }
}

export function parseScaling(body: Body | undefined, base: ScalingConfig): ScalingConfig {
  if (!body) return base;
  return {
    minSize: optInt(body, 'minSize') ?? base.minSize,
    maxSize: optInt(body, 'maxSize') ?? base.maxSize,
    desiredSize: optInt(body, 'desiredSize') ?? base.desiredSize,
  };
}

export function parseTaints(list: Body[] | undefined): Taint[] {
  return (list ?? []).map((t) => {
    const key = reqString(t, 'key');
    const effect = reqString(t, 'effect');
    if (!TAINT_EFFECTS.includes(effect)) {
      throw invalidParameter(`Taint effect ${effect} is not one of ${TAINT_EFFECTS.join(', ')}`);
    }
    const value = optString(t, 'value');
    return value === undefined ? { key, effect } : { key, value, effect };
  });
}

function oneOf(value: string, allowed: readonly string[], field: string): string {
  if (!allowed.includes(value)) {
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value;
}

async function checkPlacement(
  ctx: EksContext,
  opts: { region: string; cluster: Cluster; subnets: string[]; nodeRole: string },
): Promise<void> {
  if (ctx.mode === 'lenient') return;
  for (const id of opts.subnets) {
    const s = await ctx.ec2.subnet(opts.region, id);
    if (!s) throw invalidParameter(`The subnet ID '${id}' does not exist`);
    if (s.vpcId !== opts.cluster.resourcesVpcConfig.vpcId) {
      throw invalidParameter(
        `Subnet ${id} is not in the VPC ${opts.cluster.resourcesVpcConfig.vpcId} of the cluster`,
      );
    }
  }
  const role = await ctx.iam.role(opts.nodeRole);
  if (!role) throw invalidParameter(`Role with arn: ${opts.nodeRole}, could not be found`);
  if (!REQUIRED_NODE_POLICIES.every((p) => role.attachedPolicyArns.includes(p))) {
    throw invalidParameter(
      `The provided role doesn't have the Amazon EKS Managed Policies associated with it. Please ensure the following policies [${REQUIRED_NODE_POLICIES.join(', ')}] are attached`,
    );
  }
}

interface CreateInput {
  readonly name: string;
  readonly subnets: string[];
  readonly nodeRole: string;
  readonly scaling: ScalingConfig;
  readonly body: Body;
  readonly tags: Record<string, string>;
  readonly token: string | undefined;
}

function parseCreate(body: Body): CreateInput {
  const name = reqString(body, 'nodegroupName');
  checkName(name, 'nodegroupName');
  const subnets = optStringList(body, 'subnets') ?? [];
  if (subnets.length === 0) throw invalidParameter('subnets must be provided');
  const nodeRole = reqString(body, 'nodeRole');
  const scaling = parseScaling(optObject(body, 'scalingConfig'), {
    minSize: 1,
    maxSize: 2,
    desiredSize: 2,
  });
  checkScaling(scaling);
  const tags = optStringMap(body, 'tags') ?? {};
  checkTags(tags, invalidParameter);
  return {
    name,
    subnets,
    nodeRole,
    scaling,
    body,
    tags,
    token: optString(body, 'clientRequestToken'),
  };
}

function buildNodegroup(
  ctx: EksContext,
  opts: { region: string; cluster: Cluster; input: CreateInput },
): Nodegroup {
  const { region, cluster, input } = opts;
  const { body } = input;
  const id = ctx.ids.uuid();
  const taints = parseTaints(optObjectList(body, 'taints'));
  const now = nowSeconds(ctx);
  return {
    nodegroupName: input.name,
    nodegroupArn: `${arnPrefix(ctx, region)}:nodegroup/${cluster.name}/${input.name}/${id}`,
    clusterName: cluster.name,
    version: optString(body, 'version') ?? cluster.version,
    releaseVersion: optString(body, 'releaseVersion') ?? `${cluster.version}.0-20250101`,
    createdAt: now,
    modifiedAt: now,
    status: 'CREATING',
    capacityType: oneOf(
      optString(body, 'capacityType') ?? 'ON_DEMAND',
      CAPACITY_TYPES,
      'capacityType',
    ),
    scalingConfig: input.scaling,
    instanceTypes: optStringList(body, 'instanceTypes') ?? ['t3.medium'],
    subnets: input.subnets,
    amiType: oneOf(optString(body, 'amiType') ?? 'AL2023_x86_64_STANDARD', AMI_TYPES, 'amiType'),
    nodeRole: input.nodeRole,
    labels: optStringMap(body, 'labels') ?? {},
    ...(taints.length > 0 ? { taints } : {}),
    resources: { autoScalingGroups: [{ name: `eks-${input.name}-${id}` }] },
    diskSize: optInt(body, 'diskSize') ?? 20,
    health: { issues: [] },
    updateConfig: { maxUnavailable: 1 },
    tags: input.tags,
  };
}

function alreadyExists(name: string, cluster: string): Error {
  return resourceInUse(`NodeGroup already exists with name ${name} and cluster name ${cluster}`, {
    clusterName: cluster,
    nodegroupName: name,
  });
}

export async function createNodegroup(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const cluster = loadCluster(ctx, region, param(req, 'name')).resource;
  const input = parseCreate(req.call.json);
  const key = eksKeys.nodegroup(region, cluster.name, input.name);
  const existing = getRecord<Nodegroup>(ctx, key);
  if (existing) {
    if (input.token !== undefined && existing.clientRequestToken === input.token) {
      return { body: { nodegroup: existing.resource } };
    }
    throw alreadyExists(input.name, cluster.name);
  }
  if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') {
    throw invalidRequest(`Cluster '${cluster.name}' is not in ACTIVE status`, {
      clusterName: cluster.name,
    });
  }
  await checkPlacement(ctx, { region, cluster, subnets: input.subnets, nodeRole: input.nodeRole });
  const nodegroup = buildNodegroup(ctx, { region, cluster, input });
  const record = makeRecord({
    kind: 'EksNodegroup',
    name: input.name,
    resource: nodegroup,
    pending: { action: 'create', at: ctx.clock.now() + ctx.delays.nodegroupCreate },
    clientRequestToken: input.token,
  });
  try {
    await ctx.store.create(key, record);
  } catch (e: unknown) {
    if (e instanceof StoreAlreadyExistsError) throw alreadyExists(input.name, cluster.name);
    throw e;
  }
  return { body: { nodegroup } };
}

export function describeNodegroup(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  return Promise.resolve({ body: { nodegroup: loadNodegroup(ctx, req).rec.resource } });
}

export function listNodegroups(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const cluster = param(req, 'name');
  loadCluster(ctx, region, cluster);
  const names = listRecords<Nodegroup>(ctx, eksKeys.nodegroups(region, cluster)).map(
    (r) => r.resource.nodegroupName,
  );
  const page = paginate(names, pageParams(req.call.query));
  return Promise.resolve({
    body: { nodegroups: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) },
  });
}

export async function deleteNodegroup(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const { region, cluster, name, rec } = loadNodegroup(ctx, req);
  if (rec.resource.status === 'DELETING') return { body: { nodegroup: rec.resource } };
  const nodegroup = { ...rec.resource, status: 'DELETING', modifiedAt: nowSeconds(ctx) };
  const pending = { action: 'delete', at: ctx.clock.now() + ctx.delays.nodegroupDelete } as const;
  await ctx.store.update(
    eksKeys.nodegroup(region, cluster, name),
    withResource(rec, nodegroup, pending),
  );
  return { body: { nodegroup } };
}

/** Asks the host to make the node set match the group (0 nodes while it is being deleted). */
export async function reconcileNodes(
  ctx: EksContext,
  opts: { region: string; nodegroup: Nodegroup; deleting: boolean },
): Promise<void> {
  const ng = opts.nodegroup;
  await ctx.nodegroups?.reconcile({
    region: opts.region,
    cluster: ng.clusterName,
    nodegroup: ng.nodegroupName,
    desiredSize: opts.deleting ? 0 : ng.scalingConfig.desiredSize,
    instanceType: ng.instanceTypes[0] ?? 't3.medium',
    labels: ng.labels,
    taints: ng.taints ?? [],
    subnets: ng.subnets,
  });
}

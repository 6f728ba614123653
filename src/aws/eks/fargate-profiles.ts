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
import {
  invalidParameter,
  invalidRequest,
  resourceInUse,
  resourceLimitExceeded,
  resourceNotFound,
} from './errors.ts';
import { loadCluster } from './clusters.ts';
import {
  checkName,
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
  type FargateProfile,
  type FargateProfileSelector,
  type HealthIssue,
} from './model.ts';
import { pageParams, paginate } from './pagination.ts';
import { checkTags } from './tags.ts';
import { trustsService } from './trust-policy.ts';

export const FARGATE_POD_EXECUTION_POLICY =
  'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy';

/**
 * What the fargate-scheduler reports (in its "Misconfigured Fargate Profile" event) when the
 * pod execution role cannot be used; the profile's health issue carries the same text.
 */
export const MISCONFIGURED_ROLE_MESSAGE =
  'Pod execution role is not found in auth config or does not have all required permissions for launching fargate pods.';

const BUSY = new Set(['CREATING', 'DELETING']);

function profileNotFound(cluster: string, name: string): Error {
  return resourceNotFound(`No Fargate Profile found with name: ${name}`, {
    clusterName: cluster,
    fargateProfileName: name,
  });
}

function loadProfile(ctx: EksContext, req: EksRequest) {
  const region = req.call.region;
  const cluster = param(req, 'name');
  loadCluster(ctx, region, cluster);
  const name = param(req, 'fargateProfileName');
  const rec = getRecord<FargateProfile>(ctx, eksKeys.profile(region, cluster, name));
  if (!rec) throw profileNotFound(cluster, name);
  return { region, cluster, name, rec };
}

function parseSelectors(ctx: EksContext, body: Body): FargateProfileSelector[] {
  const list = optObjectList(body, 'selectors') ?? [];
  if (list.length === 0) throw invalidParameter('Fargate Profile must have at least one selector');
  if (list.length > ctx.limits.selectorsPerProfile) {
    throw invalidParameter(
      `Fargate Profile cannot have more than ${ctx.limits.selectorsPerProfile} selectors`,
    );
  }
  return list.map((s) => {
    const namespace = optString(s, 'namespace') ?? '';
    if (namespace === '')
      throw invalidParameter('Fargate Profile selector namespace must be provided');
    const labels = optStringMap(s, 'labels') ?? {};
    if (Object.keys(labels).length > ctx.limits.labelsPerSelector) {
      throw invalidParameter(
        `Fargate Profile selector cannot have more than ${ctx.limits.labelsPerSelector} labels`,
      );
    }
    return Object.keys(labels).length > 0 ? { namespace, labels } : { namespace };
  });
}

interface CreateInput {
  readonly name: string;
  readonly roleArn: string;
  readonly subnets: string[] | undefined;
  readonly selectors: FargateProfileSelector[];
  readonly tags: Record<string, string>;
  readonly token: string | undefined;
}

function parseCreate(ctx: EksContext, body: Body): CreateInput {
  const name = reqString(body, 'fargateProfileName');
  if (name.startsWith('eks-')) {
    throw invalidParameter("The fargate profile name starts with the reserved prefix: 'eks-'.", {
      fargateProfileName: name,
    });
  }
  checkName(name, 'fargateProfileName');
  const roleArn = reqString(body, 'podExecutionRoleArn');
  const tags = optStringMap(body, 'tags') ?? {};
  checkTags(tags, invalidParameter);
  return {
    name,
    roleArn,
    subnets: optStringList(body, 'subnets'),
    selectors: parseSelectors(ctx, body),
    tags,
    token: optString(body, 'clientRequestToken'),
  };
}

/** The cluster's state allows a new profile: ACTIVE, no other profile busy, under the quota. */
function checkClusterAdmits(
  ctx: EksContext,
  opts: { region: string; cluster: Cluster; name: string },
): void {
  const { region, cluster, name } = opts;
  if (cluster.status !== 'ACTIVE' && cluster.status !== 'UPDATING') {
    throw invalidRequest(`Cluster '${cluster.name}' is not in ACTIVE status`, {
      clusterName: cluster.name,
    });
  }
  const others = listRecords<FargateProfile>(ctx, eksKeys.profiles(region, cluster.name));
  const busy = others.find((p) => BUSY.has(p.resource.status));
  if (busy) {
    throw resourceInUse(
      `Cannot create Fargate Profile ${name} because cluster ${cluster.name} currently has Fargate profile ${busy.resource.fargateProfileName} in status ${busy.resource.status}`,
      { clusterName: cluster.name, fargateProfileName: name },
    );
  }
  if (others.length >= ctx.limits.profilesPerCluster) {
    throw resourceLimitExceeded(
      `Cannot create Fargate Profile ${name} because cluster ${cluster.name} already has the maximum of ${ctx.limits.profilesPerCluster} Fargate profiles`,
      { clusterName: cluster.name, fargateProfileName: name },
    );
  }
}

async function checkSubnet(
  ctx: EksContext,
  opts: { region: string; cluster: Cluster; id: string; profile: string },
) {
  const { region, cluster, id, profile } = opts;
  const subnet = await ctx.ec2.subnet(region, id);
  if (!subnet)
    throw invalidParameter(`The subnet ID '${id}' does not exist`, { fargateProfileName: profile });
  if (await ctx.ec2.isPublicSubnet(region, id)) {
    throw invalidParameter(`Subnet ${id} provided in Fargate Profile is not a private subnet`, {
      fargateProfileName: profile,
    });
  }
  if (subnet.vpcId !== cluster.resourcesVpcConfig.vpcId) {
    throw invalidParameter(
      `Subnet ${id} provided in Fargate Profile is not in the VPC ${cluster.resourcesVpcConfig.vpcId} of cluster ${cluster.name}`,
      { fargateProfileName: profile },
    );
  }
  if (ctx.unsupportedFargateZones.has(subnet.availabilityZone)) {
    throw invalidParameter(
      `Fargate Profile creation for the Availability Zone ${subnet.availabilityZone} for Subnet ${id} is not supported`,
      { fargateProfileName: profile },
    );
  }
}

/** Omitted subnets default to the cluster's private subnets. */
async function resolveSubnets(
  ctx: EksContext,
  opts: { region: string; cluster: Cluster; input: CreateInput },
): Promise<string[]> {
  const { region, cluster, input } = opts;
  if (ctx.mode === 'lenient') return input.subnets ?? [...cluster.resourcesVpcConfig.subnetIds];
  if (input.subnets !== undefined && input.subnets.length > 0) {
    for (const id of input.subnets)
      await checkSubnet(ctx, { region, cluster, id, profile: input.name });
    return input.subnets;
  }
  const chosen: string[] = [];
  for (const id of cluster.resourcesVpcConfig.subnetIds) {
    const subnet = await ctx.ec2.subnet(region, id);
    const usable =
      subnet !== undefined &&
      !ctx.unsupportedFargateZones.has(subnet.availabilityZone) &&
      !(await ctx.ec2.isPublicSubnet(region, id));
    if (usable) chosen.push(id);
  }
  if (chosen.length === 0) {
    throw invalidParameter(
      `Subnets must be provided: cluster ${cluster.name} has no private subnets for Fargate`,
      { fargateProfileName: input.name },
    );
  }
  return chosen;
}

/**
 * The pod execution role as EKS checks it: it exists, has no path, trusts
 * eks-fargate-pods.amazonaws.com for this profile's ARN, and carries the managed policy.
 * Failing any of these leaves the profile usable by the API but blocked for launches.
 */
export async function roleHealth(ctx: EksContext, profile: FargateProfile): Promise<HealthIssue[]> {
  if (ctx.mode === 'lenient') return [];
  const role = await ctx.iam.role(profile.podExecutionRoleArn);
  const ok =
    role?.path === '/' &&
    trustsService(role.assumeRolePolicyDocument, {
      service: 'eks-fargate-pods.amazonaws.com',
      sourceArn: profile.fargateProfileArn,
    }) &&
    role.attachedPolicyArns.includes(FARGATE_POD_EXECUTION_POLICY);
  return ok
    ? []
    : [
        {
          code: 'AccessDenied',
          message: MISCONFIGURED_ROLE_MESSAGE,
          resourceIds: [profile.podExecutionRoleArn],
        },
      ];
}

function existingOrConflict(
  rec: EksRecord<FargateProfile>,
  input: CreateInput,
  cluster: string,
): AwsResult {
  if (input.token !== undefined && rec.clientRequestToken === input.token) {
    return { body: { fargateProfile: rec.resource } };
  }
  throw resourceInUse('A Fargate Profile already exists with this name in this cluster.', {
    clusterName: cluster,
    fargateProfileName: input.name,
  });
}

export async function createFargateProfile(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const cluster = loadCluster(ctx, region, param(req, 'name')).resource;
  const input = parseCreate(ctx, req.call.json);
  const key = eksKeys.profile(region, cluster.name, input.name);
  const existing = getRecord<FargateProfile>(ctx, key);
  if (existing) return existingOrConflict(existing, input, cluster.name);
  checkClusterAdmits(ctx, { region, cluster, name: input.name });
  const subnets = await resolveSubnets(ctx, { region, cluster, input });
  const lenient = ctx.mode === 'lenient';
  const draft: FargateProfile = {
    fargateProfileName: input.name,
    fargateProfileArn: `${arnPrefix(ctx, region)}:fargateprofile/${cluster.name}/${input.name}/${ctx.ids.uuid()}`,
    clusterName: cluster.name,
    createdAt: nowSeconds(ctx),
    podExecutionRoleArn: input.roleArn,
    subnets,
    selectors: input.selectors,
    status: lenient ? 'ACTIVE' : 'CREATING',
    tags: input.tags,
    health: { issues: [] },
  };
  const profile = { ...draft, health: { issues: await roleHealth(ctx, draft) } };
  const record = makeRecord({
    kind: 'EksFargateProfile',
    name: input.name,
    resource: profile,
    pending: lenient
      ? undefined
      : { action: 'create', at: ctx.clock.now() + ctx.delays.profileCreate },
    clientRequestToken: input.token,
  });
  try {
    await ctx.store.create(key, record);
  } catch (e: unknown) {
    const raced =
      e instanceof StoreAlreadyExistsError ? getRecord<FargateProfile>(ctx, key) : undefined;
    if (raced) return existingOrConflict(raced, input, cluster.name);
    throw e;
  }
  return { body: { fargateProfile: profile } };
}

export function describeFargateProfile(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const { rec } = loadProfile(ctx, req);
  return Promise.resolve({ body: { fargateProfile: rec.resource } });
}

export function listFargateProfiles(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const cluster = param(req, 'name');
  loadCluster(ctx, region, cluster);
  const names = listRecords<FargateProfile>(ctx, eksKeys.profiles(region, cluster)).map(
    (r) => r.resource.fargateProfileName,
  );
  const page = paginate(names, pageParams(req.call.query));
  return Promise.resolve({
    body: {
      fargateProfileNames: page.items,
      ...(page.nextToken ? { nextToken: page.nextToken } : {}),
    },
  });
}

export async function deleteFargateProfile(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const { region, cluster, name, rec } = loadProfile(ctx, req);
  const clusterStatus = loadCluster(ctx, region, cluster).resource.status;
  if (clusterStatus === 'UPDATING') {
    throw resourceInUse(
      `Cannot Delete Fargate Profile ${name} because cluster ${cluster} currently has an update in progress`,
      { clusterName: cluster, fargateProfileName: name },
    );
  }
  const busy = listRecords<FargateProfile>(ctx, eksKeys.profiles(region, cluster)).find((p) =>
    BUSY.has(p.resource.status),
  );
  if (busy) {
    throw resourceInUse(
      `Cannot Delete Fargate Profile ${name} because cluster ${cluster} currently has Fargate profile ${busy.resource.fargateProfileName} in status ${busy.resource.status}`,
      { clusterName: cluster, fargateProfileName: name },
    );
  }
  const profile = { ...rec.resource, status: 'DELETING' };
  const pending = { action: 'delete', at: ctx.clock.now() + ctx.delays.profileDelete } as const;
  await ctx.store.update(
    eksKeys.profile(region, cluster, name),
    withResource(rec, profile, pending),
  );
  return { body: { fargateProfile: profile } };
}

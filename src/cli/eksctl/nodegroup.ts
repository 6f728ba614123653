import type { Nodegroup } from '@aws-sdk/client-eks';
import { EKSCTL_NODE_ROLE, eksctlNodeRoleName } from '../../aws/eksctl-roles.ts';
import { CliError, type ManagedNodeGroupConfig } from './config-file.ts';
import type { KubeCall } from './coredns.ts';
import { hex8, info, kubeFor, success, type ClusterContext } from './context.ts';
import { AwsCallError } from './aws-call-error.ts';
import { nodegroupSummary, printNodegroups, type NodegroupSummary } from './print-eks.ts';

/** A node group as eksctl resolves it: every default filled in. */
export interface NodegroupPlan {
  readonly name: string;
  readonly instanceTypes: readonly string[];
  readonly desired: number;
  readonly min: number;
  readonly max: number;
  readonly volumeSize: number;
  readonly amiFamily: string;
  readonly privateNetworking: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly tags: Readonly<Record<string, string>>;
}

/** eksctl's defaults (pkg/apis/eksctl.io/v1alpha5/defaults.go) for a managed node group. */
export const DEFAULT_INSTANCE_TYPE = 'm5.large';
export const DEFAULT_NODE_COUNT = 2;
const DEFAULT_VOLUME_SIZE = 80;
const DEFAULT_AMI_FAMILY = 'AmazonLinux2023';

const AMI_TYPES: Readonly<Record<string, string>> = {
  AmazonLinux2023: 'AL2023_x86_64_STANDARD',
  AmazonLinux2: 'AL2_x86_64',
  Bottlerocket: 'BOTTLEROCKET_x86_64',
};

/** The scaling checks of eksctl's cmdutils.ValidateNumberOfNodes, in its words, in its order. */
const NODE_CHECKS: readonly {
  readonly bad: (desired: number, min: number | undefined, max: number | undefined) => boolean;
  readonly message: string;
}[] = [
  {
    bad: (_d, _n, max) => max !== undefined && max < 0,
    message: 'maximum number of nodes must be 0 or greater',
  },
  {
    bad: (d, min, max) => max !== undefined && min !== undefined && (min > d || max < d),
    message: 'number of nodes must be within range of min nodes and max nodes',
  },
  {
    bad: (d, _n, max) => max !== undefined && max < d,
    message: 'maximum number of nodes must be greater than or equal to number of nodes',
  },
  {
    bad: (_d, min) => min !== undefined && min < 0,
    message: 'minimum number of nodes must be 0 or greater',
  },
  {
    bad: (d, min) => min !== undefined && min > d,
    message: 'minimum number of nodes must be less than or equal to number of nodes',
  },
];

export function validateNumberOfNodes(s: { desired?: number; min?: number; max?: number }): void {
  const { desired, min, max } = s;
  if (desired === undefined || desired < 0) {
    throw new CliError('number of nodes must be 0 or greater');
  }
  const failed = NODE_CHECKS.find((c) => c.bad(desired, min, max));
  if (failed) throw new CliError(failed.message);
}

const orDefault = <T>(v: T | undefined, fallback: T, empty?: (v: T) => boolean): T =>
  v === undefined || empty?.(v) === true ? fallback : v;

/**
 * Fills eksctl's defaults: m5.large, 2 nodes, 80 GiB, AmazonLinux2023; an unset minimum
 * follows the desired count (and the desired count an explicit minimum), an unset maximum
 * the desired count.
 */
export function planNodegroup(
  ng: Partial<ManagedNodeGroupConfig>,
  generated: () => string,
): NodegroupPlan {
  const desired = ng.desiredCapacity ?? ng.minSize ?? DEFAULT_NODE_COUNT;
  const min = ng.minSize ?? desired;
  const max = ng.maxSize ?? Math.max(desired, min);
  validateNumberOfNodes({ desired, min, max });
  const amiFamily = orDefault(ng.amiFamily, DEFAULT_AMI_FAMILY, (a) => a === '');
  if (AMI_TYPES[amiFamily] === undefined) {
    throw new CliError(`AMI family ${amiFamily} is not supported for managed nodegroups`);
  }
  return {
    name: orDefault(ng.name, '', (n) => n === '') || generated(),
    instanceTypes: orDefault(ng.instanceTypes, [DEFAULT_INSTANCE_TYPE], (t) => t.length === 0),
    desired,
    min,
    max,
    volumeSize: ng.volumeSize ?? DEFAULT_VOLUME_SIZE,
    amiFamily,
    privateNetworking: ng.privateNetworking ?? false,
    labels: ng.labels ?? {},
    tags: ng.tags ?? {},
  };
}

export const generatedNodegroupName = (ctx: Pick<ClusterContext, 'ids'>) => (): string =>
  `ng-${hex8(ctx.ids)}`;

async function waitNodegroup(
  ctx: ClusterContext,
  o: { cluster: string; name: string; done: (ng: Nodegroup) => boolean; what: string },
): Promise<void> {
  const deadline = ctx.clock.now() + ctx.waitTimeoutMs;
  for (;;) {
    const ng = await ctx.api.describeNodegroup(o.cluster, o.name);
    if (o.done(ng)) return;
    if (ng.status === 'CREATE_FAILED' || ng.status === 'DEGRADED') {
      throw new CliError(`nodegroup ${JSON.stringify(o.name)} is ${ng.status ?? ''}`);
    }
    if (ctx.clock.now() > deadline) {
      throw new CliError(`timed out waiting for ${o.what} of nodegroup ${JSON.stringify(o.name)}`);
    }
    await ctx.sleep(ctx.pollMs);
  }
}

interface NodeView {
  readonly name: string;
  readonly ready: boolean;
}

async function nodesOf(kube: KubeCall, nodegroup: string): Promise<NodeView[]> {
  const selector = encodeURIComponent(`eks.amazonaws.com/nodegroup=${nodegroup}`);
  const r = await kube({ method: 'GET', path: `/api/v1/nodes?labelSelector=${selector}` });
  if (r.status !== 200) throw new CliError(`listing nodes: HTTP ${String(r.status)}`);
  // SAFETY: a NodeList from the API server; each field is read defensively below.
  const items = (r.body as { items?: unknown[] }).items ?? [];
  return items.map((n) => {
    // SAFETY: a Node object; missing fields read as not ready.
    const node = n as {
      metadata?: { name?: string };
      status?: { conditions?: { type?: string; status?: string }[] };
    };
    return {
      name: node.metadata?.name ?? '',
      ready:
        node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    };
  });
}

function reportNodes(ctx: ClusterContext, nodegroup: string, nodes: readonly NodeView[]): number {
  info(ctx, `nodegroup ${JSON.stringify(nodegroup)} has ${String(nodes.length)} node(s)`);
  for (const n of nodes) {
    info(ctx, `node ${JSON.stringify(n.name)} is ${n.ready ? 'ready' : 'not ready'}`);
  }
  return nodes.filter((n) => n.ready).length;
}

/** eksctl's WaitForNodes: reports the nodes, then waits for `min` of them to be Ready. */
export async function waitForNodes(
  ctx: ClusterContext,
  o: { kube: KubeCall; nodegroup: string; min: number },
): Promise<void> {
  if (o.min === 0) return;
  reportNodes(ctx, o.nodegroup, await nodesOf(o.kube, o.nodegroup));
  info(
    ctx,
    `waiting for at least ${String(o.min)} node(s) to become ready in ${JSON.stringify(o.nodegroup)}`,
  );
  const deadline = ctx.clock.now() + ctx.waitTimeoutMs;
  let nodes = await nodesOf(o.kube, o.nodegroup);
  while (nodes.filter((n) => n.ready).length < o.min) {
    if (ctx.clock.now() > deadline) {
      throw new CliError(
        `timed out waiting for at least ${String(o.min)} nodes to join the cluster and become ready in ${JSON.stringify(o.nodegroup)}`,
      );
    }
    await ctx.sleep(ctx.pollMs);
    nodes = await nodesOf(o.kube, o.nodegroup);
  }
  reportNodes(ctx, o.nodegroup, nodes);
}

/**
 * Creates one managed node group as eksctl's nodegroup stack would: the node instance role,
 * CreateNodegroup on the cluster's public subnets (private with privateNetworking), then waits
 * for ACTIVE and for the nodes.
 */
export async function createManagedNodegroup(
  ctx: ClusterContext,
  o: { cluster: string; plan: NodegroupPlan; kube: KubeCall },
): Promise<void> {
  const { cluster, plan } = o;
  const c = await ctx.api.describeCluster(cluster);
  const subnetIds = c.resourcesVpcConfig?.subnetIds ?? [];
  const publicity = await ctx.api.ec2.subnetPublicity(subnetIds);
  const subnets = subnetIds.filter((id) => publicity.get(id) === !plan.privateNetworking);
  const nodeRole = await ctx.api.ensureRole({
    name: eksctlNodeRoleName(cluster, plan.name),
    ...EKSCTL_NODE_ROLE,
  });
  const eksctlTags = {
    'alpha.eksctl.io/cluster-name': cluster,
    'alpha.eksctl.io/nodegroup-name': plan.name,
  };
  await ctx.api.createNodegroup({
    cluster,
    name: plan.name,
    nodeRole,
    subnets: subnets.length > 0 ? subnets : subnetIds,
    instanceTypes: plan.instanceTypes,
    amiType: AMI_TYPES[plan.amiFamily] ?? 'AL2023_x86_64_STANDARD',
    diskSize: plan.volumeSize,
    scaling: { min: plan.min, max: plan.max, desired: plan.desired },
    labels: { ...eksctlTags, ...plan.labels },
    tags: { ...eksctlTags, 'alpha.eksctl.io/nodegroup-type': 'managed', ...plan.tags },
  });
  await waitNodegroup(ctx, {
    cluster,
    name: plan.name,
    done: (ng) => ng.status === 'ACTIVE',
    what: 'the creation',
  });
  await waitForNodes(ctx, { kube: o.kube, nodegroup: plan.name, min: plan.min });
}

/** `create nodegroup`: each planned group not there yet, with eksctl's log lines. */
export async function createNodegroups(
  ctx: ClusterContext,
  o: { cluster: string; plans: readonly NodegroupPlan[] },
): Promise<void> {
  const c = await ctx.api.describeCluster(o.cluster);
  const version = c.version ?? '';
  info(ctx, `will use version ${version} for new nodegroup(s) based on control plane version`);
  const existing = new Set(await ctx.api.listNodegroups(o.cluster));
  const plans = o.plans.filter((p) => !existing.has(p.name));
  for (const p of o.plans.filter((x) => existing.has(x.name))) {
    info(
      ctx,
      `nodegroup ${JSON.stringify(p.name)} already exists in cluster ${JSON.stringify(o.cluster)}, skipping`,
    );
  }
  for (const p of plans) {
    info(ctx, `nodegroup ${JSON.stringify(p.name)} will use "" [${p.amiFamily}/${version}]`);
  }
  const names = plans.map((p) => p.name).join(', ');
  info(
    ctx,
    `${String(plans.length)} nodegroup${plans.length === 1 ? '' : 's'} (${names}) ${plans.length === 1 ? 'was' : 'were'} included (based on the include/exclude rules)`,
  );
  const kube = await kubeFor(ctx, o.cluster);
  for (const plan of plans) await createManagedNodegroup(ctx, { cluster: o.cluster, plan, kube });
  success(
    ctx,
    `created ${String(plans.length)} managed nodegroup(s) in cluster ${JSON.stringify(o.cluster)}`,
  );
}

/** `get nodegroup --cluster C [--name N] [-o table|json|yaml]`. */
export async function getNodegroups(
  ctx: ClusterContext,
  o: { cluster: string; name?: string; output: string },
): Promise<void> {
  const names = o.name === undefined ? await ctx.api.listNodegroups(o.cluster) : [o.name];
  const summaries: NodegroupSummary[] = [];
  for (const n of names)
    summaries.push(nodegroupSummary(await ctx.api.describeNodegroup(o.cluster, n)));
  if (o.output === 'table' && summaries.length === 0) {
    throw new CliError(
      o.name === undefined ? 'No nodegroups found' : `nodegroup with name ${o.name} not found`,
    );
  }
  ctx.out(printNodegroups(summaries, o.output));
}

/** `scale nodegroup --cluster C --name N --nodes N [--nodes-min] [--nodes-max]`. */
export async function scaleNodegroup(
  ctx: ClusterContext,
  o: { cluster: string; name: string; desired?: number; min?: number; max?: number },
): Promise<void> {
  validateNumberOfNodes(o);
  info(ctx, `scaling nodegroup ${JSON.stringify(o.name)} in cluster ${o.cluster}`);
  try {
    await ctx.api.updateNodegroupScaling(o.cluster, o.name, {
      ...(o.desired === undefined ? {} : { desired: o.desired }),
      ...(o.min === undefined ? {} : { min: o.min }),
      ...(o.max === undefined ? {} : { max: o.max }),
    });
    info(ctx, `waiting for scaling of nodegroup ${JSON.stringify(o.name)} to complete`);
    await waitNodegroup(ctx, {
      cluster: o.cluster,
      name: o.name,
      done: (ng) => ng.status === 'ACTIVE',
      what: 'the scaling',
    });
  } catch (e: unknown) {
    if (!(e instanceof CliError) && !(e instanceof AwsCallError)) throw e;
    throw new CliError(
      `failed to scale nodegroup for cluster ${JSON.stringify(o.cluster)}, error: ${e.message}`,
    );
  }
  info(ctx, 'nodegroup successfully scaled');
}

/** `delete nodegroup --cluster C --name N [--wait]`. */
export async function deleteNodegroup(
  ctx: ClusterContext,
  o: { cluster: string; name: string; wait: boolean },
): Promise<void> {
  await ctx.api.describeNodegroup(o.cluster, o.name);
  info(ctx, `1 nodegroup (${o.name}) was included (based on the include/exclude rules)`);
  info(ctx, `will delete 1 nodegroups from cluster ${JSON.stringify(o.cluster)}`);
  info(
    ctx,
    `1 task: { 1 task: { delete nodegroup ${JSON.stringify(o.name)}${o.wait ? '' : ' [async]'} } }`,
  );
  await ctx.api.deleteNodegroup(o.cluster, o.name);
  if (o.wait) {
    const deadline = ctx.clock.now() + ctx.waitTimeoutMs;
    while ((await ctx.api.listNodegroups(o.cluster)).includes(o.name)) {
      if (ctx.clock.now() > deadline) {
        throw new CliError(
          `timed out waiting for the deletion of nodegroup ${JSON.stringify(o.name)}`,
        );
      }
      await ctx.sleep(ctx.pollMs);
    }
  }
  success(ctx, `deleted 1 nodegroup(s) from cluster ${JSON.stringify(o.cluster)}`);
}

import { EKSCTL_CLUSTER_ROLE, eksctlClusterRoleName } from '../../aws/eksctl-roles.ts';
import { randomSuffix } from '../../util/index.ts';
import type { FargateProfileConfig } from './config-file.ts';
import { CliError } from './config-file.ts';
import { scheduleCorednsOnFargate } from './coredns.ts';
import { fargateContext, info, kubeFor, success, warning, type ClusterContext } from './context.ts';
import { createFargateProfiles } from './fargate.ts';
import { eksctlKubeconfig, kubeconfigPath, kubeconfigUsername, writeKubeconfig } from './kube.ts';
import { createManagedNodegroup, type NodegroupPlan } from './nodegroup.ts';
import { printCluster, printClusterSummaries, type ClusterSummary } from './print-eks.ts';
import { buildEksctlVpc, planSubnets } from './vpc.ts';

/** Kiln's EKS default Kubernetes version. */
export const DEFAULT_VERSION = '1.32';
export const DEFAULT_CIDR = '192.168.0.0/16';
const ZONES = 3;

/** What `create cluster` makes, with every default resolved. */
export interface ClusterPlan {
  readonly name: string;
  readonly version: string;
  readonly cidr: string;
  readonly nodegroups: readonly NodegroupPlan[];
  readonly fargateProfiles: readonly FargateProfileConfig[];
  /** `--kubeconfig`; undefined for eksctl's default place. */
  readonly kubeconfig?: string;
}

/** eksctl's `--fargate` profile: `fp-default` over the default and kube-system namespaces. */
export const DEFAULT_FARGATE_PROFILE: FargateProfileConfig = {
  name: 'fp-default',
  podExecutionRoleARN: '',
  selectors: [
    { namespace: 'default', labels: {} },
    { namespace: 'kube-system', labels: {} },
  ],
  subnets: [],
  tags: {},
};

const ADJECTIVES = [
  'attractive',
  'beautiful',
  'fabulous',
  'hilarious',
  'ridiculous',
  'scrumptious',
];
const NOUNS = ['badger', 'creature', 'mushroom', 'outfit', 'sculpture', 'sheepdog', 'wardrobe'];

/** eksctl's generated cluster name: `<adjective>-<noun>-<unix seconds>`. */
export function generatedClusterName(ctx: Pick<ClusterContext, 'ids' | 'clock'>): string {
  const pick = (words: readonly string[]): string => words[ctx.ids.int(words.length)] ?? 'kiln';
  return `${pick(ADJECTIVES)}-${pick(NOUNS)}-${String(Math.floor(ctx.clock.now() / 1000))}`;
}

function logIntro(ctx: ClusterContext, plan: ClusterPlan, zones: readonly string[]): void {
  const region = ctx.target.region;
  info(ctx, `using region ${region}`);
  info(ctx, `setting availability zones to [${zones.join(' ')}]`);
  for (const z of planSubnets(plan.cidr, zones)) {
    info(ctx, `subnets for ${z.zone} - public:${z.publicCidr} private:${z.privateCidr}`);
  }
  for (const ng of plan.nodegroups) {
    info(ctx, `nodegroup ${JSON.stringify(ng.name)} will use "" [${ng.amiFamily}/${plan.version}]`);
  }
  info(ctx, `using Kubernetes version ${plan.version}`);
  const kinds = [
    ...(plan.fargateProfiles.length > 0 ? ['Fargate profile'] : []),
    ...(plan.nodegroups.length > 0 ? ['managed nodes'] : []),
  ];
  const what = `EKS cluster ${JSON.stringify(plan.name)} in ${JSON.stringify(region)} region`;
  info(ctx, `creating ${what}${kinds.length > 0 ? ` with ${kinds.join(' and ')}` : ''}`);
  info(
    ctx,
    `Kubernetes API endpoint access will use default of {publicAccess=true, privateAccess=false} for cluster ${JSON.stringify(plan.name)} in ${JSON.stringify(region)}`,
  );
  info(
    ctx,
    `CloudWatch logging will not be enabled for cluster ${JSON.stringify(plan.name)} in ${JSON.stringify(region)}`,
  );
  info(
    ctx,
    `you can enable it with 'eksctl utils update-cluster-logging --enable-types={SPECIFY-YOUR-LOG-TYPES-HERE (e.g. all)} --region=${region} --cluster=${plan.name}'`,
  );
}

async function waitClusterActive(ctx: ClusterContext, name: string): Promise<void> {
  const deadline = ctx.clock.now() + ctx.waitTimeoutMs;
  for (;;) {
    const c = await ctx.api.describeCluster(name);
    if (c.status === 'ACTIVE') return;
    if (c.status === 'FAILED')
      throw new CliError(`failed to create cluster ${JSON.stringify(name)}`);
    if (ctx.clock.now() > deadline) {
      throw new CliError(`timed out waiting for control plane ${JSON.stringify(name)}`);
    }
    await ctx.sleep(ctx.pollMs);
  }
}

/** The control plane as eksctl's cluster stack makes it: VPC, service role, cluster. */
async function createControlPlane(
  ctx: ClusterContext,
  plan: ClusterPlan,
  zones: readonly string[],
): Promise<void> {
  const vpc = await buildEksctlVpc(ctx.api.ec2, {
    cluster: plan.name,
    cidr: plan.cidr,
    plan: planSubnets(plan.cidr, zones),
    suffix: () => randomSuffix(ctx.ids, 13).toUpperCase(),
  });
  const roleArn = await ctx.api.ensureRole({
    name: eksctlClusterRoleName(plan.name),
    ...EKSCTL_CLUSTER_ROLE,
  });
  await ctx.api.createCluster({
    name: plan.name,
    version: plan.version,
    roleArn,
    subnetIds: [...vpc.publicSubnetIds, ...vpc.privateSubnetIds],
    securityGroupIds: [vpc.controlPlaneSecurityGroupId],
    tags: {
      'alpha.eksctl.io/cluster-name': plan.name,
      'eksctl.cluster.k8s.io/v1alpha1/cluster-name': plan.name,
      'alpha.eksctl.io/cluster-oidc-enabled': 'false',
      Name: `eksctl-${plan.name}-cluster/ControlPlane`,
    },
  });
  info(ctx, 'waiting for the control plane to become ready');
  await waitClusterActive(ctx, plan.name);
}

async function saveKubeconfig(ctx: ClusterContext, plan: ClusterPlan): Promise<string> {
  const c = await ctx.api.describeCluster(plan.name);
  const path = kubeconfigPath(ctx.env, plan.kubeconfig);
  writeKubeconfig(
    path,
    eksctlKubeconfig({
      cluster: plan.name,
      region: ctx.target.region,
      server: c.endpoint ?? '',
      caData: c.certificateAuthority?.data ?? '',
      username: kubeconfigUsername(await ctx.api.callerArn()),
    }),
  );
  success(ctx, `saved kubeconfig as ${JSON.stringify(path)}`);
  return path;
}

/** Moves CoreDNS to Fargate when a profile selects it (eksctl's ScheduleCoreDNSOnFargateIfRelevant). */
export async function moveCorednsIfSelected(
  ctx: ClusterContext,
  cluster: string,
  profiles: readonly FargateProfileConfig[],
): Promise<void> {
  const kube = await kubeFor(ctx, cluster);
  await scheduleCorednsOnFargate(
    {
      kube,
      info: (m) => {
        info(ctx, m);
      },
      warn: (m) => {
        warning(ctx, m);
      },
      sleep: ctx.sleep,
      now: () => ctx.clock.now(),
      timeoutMs: ctx.waitTimeoutMs,
    },
    profiles,
  );
}

/**
 * `create cluster`: the eksctl-shaped VPC, the cluster role and the control plane, the
 * kubeconfig entry, the managed node groups (waiting for their nodes) and the Fargate
 * profiles (moving CoreDNS when one selects kube-system), with eksctl's log lines.
 */
export async function createCluster(ctx: ClusterContext, plan: ClusterPlan): Promise<void> {
  const existing = await ctx.api.listClusters();
  if (existing.includes(plan.name)) {
    throw new CliError(`cluster ${JSON.stringify(plan.name)} already exists`);
  }
  const zones = (await ctx.api.ec2.zones()).slice(0, ZONES);
  logIntro(ctx, plan, zones);
  await createControlPlane(ctx, plan, zones);
  const path = await saveKubeconfig(ctx, plan);
  success(ctx, `all EKS cluster resources for ${JSON.stringify(plan.name)} have been created`);
  if (plan.nodegroups.length > 0) {
    const kube = await kubeFor(ctx, plan.name);
    for (const ng of plan.nodegroups) {
      await createManagedNodegroup(ctx, { cluster: plan.name, plan: ng, kube });
    }
    success(
      ctx,
      `created ${String(plan.nodegroups.length)} managed nodegroup(s) in cluster ${JSON.stringify(plan.name)}`,
    );
  }
  if (plan.fargateProfiles.length > 0) {
    await createFargateProfiles(fargateContext(ctx), plan.name, plan.fargateProfiles);
    await moveCorednsIfSelected(ctx, plan.name, plan.fargateProfiles);
  }
  info(ctx, `kubectl command should work with ${JSON.stringify(path)}, try 'kubectl get nodes'`);
  success(
    ctx,
    `EKS cluster ${JSON.stringify(plan.name)} in ${JSON.stringify(ctx.target.region)} region is ready`,
  );
}

/** eksctl decides EKSCTL CREATED from its CloudFormation stack; Kiln from eksctl's cluster tag. */
function owned(tags: Readonly<Record<string, string>> | undefined): string {
  return tags?.['alpha.eksctl.io/cluster-name'] === undefined ? 'False' : 'True';
}

/** `get cluster [--name N] [-o table|json|yaml]`. */
export async function getClusters(
  ctx: ClusterContext,
  o: { name?: string; output: string },
): Promise<void> {
  if (o.name !== undefined) {
    ctx.out(printCluster(await ctx.api.describeCluster(o.name), o.output));
    return;
  }
  const list: ClusterSummary[] = [];
  for (const name of await ctx.api.listClusters()) {
    const c = await ctx.api.describeCluster(name);
    list.push({ Name: name, Region: ctx.target.region, Owned: owned(c.tags) });
  }
  ctx.out(printClusterSummaries(list, o.output));
}

import { readFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import { awsTarget } from './commands.ts';
import {
  CliError,
  parseClusterConfig,
  type ClusterConfig,
  type ManagedNodeGroupConfig,
} from './config-file.ts';
import {
  createCluster,
  DEFAULT_CIDR,
  DEFAULT_FARGATE_PROFILE,
  DEFAULT_VERSION,
  generatedClusterName,
  getClusters,
  type ClusterPlan,
} from './cluster.ts';
import { liveClusterContext, type ClusterContext } from './context.ts';
import {
  createNodegroups,
  deleteNodegroup,
  generatedNodegroupName,
  getNodegroups,
  planNodegroup,
  scaleNodegroup,
  type NodegroupPlan,
} from './nodegroup.ts';

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError('expected an integer');
  return n;
}

/** `--name` and the positional name are one setting; eksctl refuses both. */
function nameOf(flag: string | undefined, positional: string | undefined): string | undefined {
  if (flag !== undefined && positional !== undefined) {
    throw new CliError(`--name=${flag} and argument ${positional} cannot be used at the same time`);
  }
  return flag ?? positional;
}

interface NodeFlags {
  nodeType?: string;
  nodes?: number;
  nodesMin?: number;
  nodesMax?: number;
  nodeVolumeSize?: number;
  nodePrivateNetworking?: boolean;
}

/** The node group the flags describe (unset values left to eksctl's defaults). */
function nodegroupFromFlags(
  name: string | undefined,
  f: NodeFlags,
): Partial<ManagedNodeGroupConfig> {
  return {
    ...(name === undefined ? {} : { name }),
    ...(f.nodeType === undefined ? {} : { instanceTypes: [f.nodeType] }),
    ...(f.nodes === undefined ? {} : { desiredCapacity: f.nodes }),
    ...(f.nodesMin === undefined ? {} : { minSize: f.nodesMin }),
    ...(f.nodesMax === undefined ? {} : { maxSize: f.nodesMax }),
    ...(f.nodeVolumeSize === undefined ? {} : { volumeSize: f.nodeVolumeSize }),
    ...(f.nodePrivateNetworking === true ? { privateNetworking: true } : {}),
  };
}

const addNodeFlags = (c: Command): Command =>
  c
    .option('-t, --node-type <type>', 'node instance type (default "m5.large")')
    .option('-N, --nodes <n>', 'total number of nodes (default 2)', parseCount)
    .option('-m, --nodes-min <n>', 'minimum nodes in ASG', parseCount)
    .option('-M, --nodes-max <n>', 'maximum nodes in ASG', parseCount)
    .option('--node-volume-size <gib>', 'node volume size in GB (default 80)', parseCount)
    .option('-P, --node-private-networking', 'whether to make nodegroup networking private');

interface CreateClusterFlags extends NodeFlags {
  configFile?: string;
  name?: string;
  region?: string;
  version?: string;
  fargate?: boolean;
  withoutNodegroup?: boolean;
  nodegroupName?: string;
  vpcCidr?: string;
  kubeconfig?: string;
}

function loadConfig(file: string, flags: { name?: string }): ClusterConfig {
  if (flags.name !== undefined) {
    throw new CliError('cannot use --name when --config-file/-f is set');
  }
  return parseClusterConfig(readFileSync(file, 'utf8'));
}

function nodegroupPlans(
  ctx: Pick<ClusterContext, 'ids'>,
  flags: CreateClusterFlags,
  fromFile: ClusterConfig | undefined,
): NodegroupPlan[] {
  const generated = generatedNodegroupName(ctx);
  if (fromFile) return fromFile.managedNodeGroups.map((ng) => planNodegroup(ng, generated));
  // eksctl: `--fargate` alone makes a cluster without a node group.
  if (flags.withoutNodegroup === true || flags.fargate === true) return [];
  return [planNodegroup(nodegroupFromFlags(flags.nodegroupName, flags), generated)];
}

/** The file's settings, empty strings read as unset. */
function fileSettings(f: ClusterConfig | undefined): {
  name?: string;
  version?: string;
  cidr?: string;
  region?: string;
} {
  if (!f) return {};
  const set = (k: string, v: string): Record<string, string> => (v === '' ? {} : { [k]: v });
  return {
    name: f.name,
    ...set('version', f.version),
    ...set('cidr', f.vpcCidr),
    ...set('region', f.region),
  };
}

const kubeconfigSetting = (f: CreateClusterFlags): { kubeconfig?: string } =>
  f.kubeconfig === undefined ? {} : { kubeconfig: f.kubeconfig };

function clusterPlan(
  ctx: Pick<ClusterContext, 'ids' | 'clock'>,
  flags: CreateClusterFlags,
  positional: string | undefined,
): { plan: ClusterPlan; region: string | undefined } {
  const fromFile = flags.configFile === undefined ? undefined : loadConfig(flags.configFile, flags);
  const file = fileSettings(fromFile);
  const profiles = fromFile?.fargateProfiles ?? [];
  const plan: ClusterPlan = {
    name: file.name ?? nameOf(flags.name, positional) ?? generatedClusterName(ctx),
    version: flags.version ?? file.version ?? DEFAULT_VERSION,
    cidr: flags.vpcCidr ?? file.cidr ?? DEFAULT_CIDR,
    nodegroups: nodegroupPlans(ctx, flags, fromFile),
    fargateProfiles: flags.fargate === true ? [DEFAULT_FARGATE_PROFILE, ...profiles] : profiles,
    ...kubeconfigSetting(flags),
  };
  return { plan, region: flags.region ?? file.region };
}

interface NodegroupFlags extends NodeFlags {
  cluster?: string;
  name?: string;
  configFile?: string;
  region?: string;
  output?: string;
  wait?: boolean;
}

const clusterOf = (flags: { cluster?: string }): string => {
  if (flags.cluster === undefined || flags.cluster === '')
    throw new CliError('--cluster must be set');
  return flags.cluster;
};

/**
 * `kiln create|get cluster` and `kiln create|get|scale|delete nodegroup`, as eksctl's
 * commands of the same names, against the AWS endpoint.
 */
export function addClusterCommands(
  program: { create: Command; get: Command; delete: Command; scale: Command },
  opts: { env: NodeJS.ProcessEnv; runningEndpoint: () => string | undefined },
): void {
  const ctxFor = (region: string | undefined): Promise<ClusterContext> =>
    liveClusterContext(awsTarget(opts.env, region, opts.runningEndpoint()), opts.env);

  addNodeFlags(
    program.create
      .command('cluster')
      .description('Create a cluster')
      .argument('[name]')
      .option('-f, --config-file <file>', 'load configuration from a file')
      .option('-n, --name <name>', 'EKS cluster name (generated if unspecified)')
      .option('-r, --region <region>', 'AWS region')
      .option('--version <version>', `Kubernetes version (default "${DEFAULT_VERSION}")`)
      .option(
        '--fargate',
        'Create a Fargate profile scheduling pods in the default and kube-system namespaces onto Fargate',
      )
      .option('--without-nodegroup', 'if set, initial nodegroup will not be created')
      .option('--nodegroup-name <name>', 'name of the nodegroup (generated if unspecified)')
      .option('--vpc-cidr <cidr>', 'global CIDR to use for VPC (default 192.168.0.0/16)')
      .option('--kubeconfig <path>', 'path to write kubeconfig'),
  ).action(async (positional: string | undefined, flags: CreateClusterFlags) => {
    const seed = await ctxFor(flags.region);
    const { plan, region } = clusterPlan(seed, flags, positional);
    await createCluster(region === undefined ? seed : await ctxFor(region), plan);
  });

  program.get
    .command('cluster')
    .alias('clusters')
    .description('Get cluster(s)')
    .argument('[name]')
    .option('-n, --name <name>', 'EKS cluster name')
    .option('-r, --region <region>', 'AWS region')
    .option(
      '-o, --output <format>',
      'specifies the output format (valid option: table, json, yaml)',
      'table',
    )
    .action(
      async (
        positional: string | undefined,
        flags: { name?: string; region?: string; output: string },
      ) => {
        const name = nameOf(flags.name, positional);
        await getClusters(await ctxFor(flags.region), {
          output: flags.output,
          ...(name === undefined ? {} : { name }),
        });
      },
    );

  addNodeFlags(
    program.create
      .command('nodegroup')
      .alias('ng')
      .description('Create a nodegroup')
      .argument('[name]')
      .option('--cluster <name>', 'name of the EKS cluster to add the nodegroup to')
      .option('-n, --name <name>', 'name of the new nodegroup (generated if unspecified)')
      .option('-f, --config-file <file>', 'load configuration from a file')
      .option('-r, --region <region>', 'AWS region'),
  ).action(async (positional: string | undefined, flags: NodegroupFlags) => {
    if (flags.configFile !== undefined) {
      const config = loadConfig(flags.configFile, flags);
      const ctx = await ctxFor(flags.region ?? (config.region === '' ? undefined : config.region));
      const plans = config.managedNodeGroups.map((ng) =>
        planNodegroup(ng, generatedNodegroupName(ctx)),
      );
      await createNodegroups(ctx, { cluster: config.name, plans });
      return;
    }
    const ctx = await ctxFor(flags.region);
    const plan = planNodegroup(
      nodegroupFromFlags(nameOf(flags.name, positional), flags),
      generatedNodegroupName(ctx),
    );
    await createNodegroups(ctx, { cluster: clusterOf(flags), plans: [plan] });
  });

  program.get
    .command('nodegroup')
    .aliases(['ng', 'nodegroups'])
    .description('Get nodegroup(s)')
    .argument('[name]')
    .option('--cluster <name>', 'EKS cluster name')
    .option('-n, --name <name>', 'Name of the nodegroup')
    .option('-r, --region <region>', 'AWS region')
    .option(
      '-o, --output <format>',
      'specifies the output format (valid option: table, json, yaml)',
      'table',
    )
    .action(async (positional: string | undefined, flags: NodegroupFlags) => {
      const name = nameOf(flags.name, positional);
      await getNodegroups(await ctxFor(flags.region), {
        cluster: clusterOf(flags),
        output: flags.output ?? 'table',
        ...(name === undefined ? {} : { name }),
      });
    });

  program.scale
    .command('nodegroup')
    .alias('ng')
    .description('Scale a nodegroup')
    .argument('[name]')
    .option('--cluster <name>', 'EKS cluster name')
    .option('-n, --name <name>', 'Name of the nodegroup to scale')
    .option('-N, --nodes <n>', 'desired number of nodes (required)', parseCount)
    .option('-M, --nodes-max <n>', 'maximum number of nodes', parseCount)
    .option('-m, --nodes-min <n>', 'minimum number of nodes', parseCount)
    .option('-r, --region <region>', 'AWS region')
    .action(async (positional: string | undefined, flags: NodegroupFlags) => {
      const name = nameOf(flags.name, positional);
      if (name === undefined) {
        throw new CliError(
          'a config file is required when --name is not set or when scaling multiple nodegroups',
        );
      }
      await scaleNodegroup(await ctxFor(flags.region), {
        cluster: clusterOf(flags),
        name,
        ...(flags.nodes === undefined ? {} : { desired: flags.nodes }),
        ...(flags.nodesMin === undefined ? {} : { min: flags.nodesMin }),
        ...(flags.nodesMax === undefined ? {} : { max: flags.nodesMax }),
      });
    });

  program.delete
    .command('nodegroup')
    .alias('ng')
    .description('Delete a nodegroup')
    .argument('[name]')
    .option('--cluster <name>', 'EKS cluster name')
    .option('-n, --name <name>', 'Name of the nodegroup to delete')
    .option('-r, --region <region>', 'AWS region')
    .option('-w, --wait', 'wait for deletion of all resources before exiting')
    .action(async (positional: string | undefined, flags: NodegroupFlags) => {
      const name = nameOf(flags.name, positional);
      if (name === undefined) throw new CliError('--name must be set');
      await deleteNodegroup(await ctxFor(flags.region), {
        cluster: clusterOf(flags),
        name,
        wait: flags.wait === true,
      });
    });
}

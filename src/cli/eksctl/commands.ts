import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { randomIds, systemClock } from '../../util/index.ts';
import { CliError, parseClusterConfig, type FargateProfileConfig } from './config-file.ts';
import { moveCorednsIfSelected } from './cluster.ts';
import { liveClusterContext } from './context.ts';
import type { AwsTarget } from './sdk-call.ts';
import {
  createFargateProfiles,
  defaultProfileName,
  deleteFargateProfile,
  getFargateProfiles,
  type EksctlContext,
} from './fargate.ts';

/** The default AWS endpoint `kiln up` serves. */
export const DEFAULT_AWS_ENDPOINT = 'http://127.0.0.1:4566';

/**
 * Where the commands send their AWS calls: the endpoint from `$AWS_ENDPOINT_URL_EKS`,
 * `$AWS_EKS_ENDPOINT` (eksctl's variable) or `$AWS_ENDPOINT_URL`, else Kiln's default; the
 * region from the flag, the config file, `$AWS_REGION`/`$AWS_DEFAULT_REGION`, else us-east-1.
 */
export function awsTarget(
  env: NodeJS.ProcessEnv,
  region: string | undefined,
  running?: string,
): AwsTarget {
  return {
    endpoint:
      env['AWS_ENDPOINT_URL_EKS'] ??
      env['AWS_EKS_ENDPOINT'] ??
      env['AWS_ENDPOINT_URL'] ??
      running ??
      DEFAULT_AWS_ENDPOINT,
    region: region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? 'us-east-1',
    credentials: {
      accessKeyId: env['AWS_ACCESS_KEY_ID'] ?? 'test',
      secretAccessKey: env['AWS_SECRET_ACCESS_KEY'] ?? 'test',
    },
  };
}

/** The SDK loads only when a command runs: every `kiln` start, `kiln up` too, would pay for it. */
async function context(target: AwsTarget): Promise<EksctlContext> {
  const { sdkEksApi } = await import('./eks-api.ts');
  return {
    api: sdkEksApi(target),
    clock: systemClock,
    ids: randomIds,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: (line) => process.stdout.write(`${line}\n`),
    out: (text) => process.stdout.write(text),
  };
}

/** eksctl's `k=v,k2=v2` flag values. */
function parseMap(raw: string | undefined): Record<string, string> {
  if (raw === undefined || raw === '') return {};
  return Object.fromEntries(
    raw.split(',').map((kv) => {
      const i = kv.indexOf('=');
      if (i <= 0) throw new CliError(`invalid key=value pair ${JSON.stringify(kv)}`);
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
}

interface CreateFlags {
  configFile?: string;
  cluster?: string;
  name?: string;
  namespace?: string;
  labels?: string;
  tags?: string;
  region?: string;
}

interface Planned {
  cluster: string;
  region: string | undefined;
  profiles: FargateProfileConfig[];
}

function profilesFromFile(flags: CreateFlags, file: string): Planned {
  if (flags.name !== undefined || flags.namespace !== undefined || flags.labels !== undefined) {
    throw new CliError('cannot use --name, --namespace or --labels when --config-file/-f is set');
  }
  const config = parseClusterConfig(readFileSync(file, 'utf8'));
  return {
    cluster: config.name,
    region: flags.region ?? (config.region === '' ? undefined : config.region),
    profiles: [...config.fargateProfiles],
  };
}

function profilesFrom(flags: CreateFlags, positional: string | undefined): Planned {
  if (flags.configFile !== undefined) return profilesFromFile(flags, flags.configFile);
  if (flags.cluster === undefined) throw new CliError('--cluster must be set');
  const name = flags.name ?? positional ?? defaultProfileName(randomIds);
  if (name.startsWith('eks-')) {
    throw new CliError('invalid Fargate profile: name should NOT start with "eks-"');
  }
  if ((flags.namespace ?? '') === '')
    throw new CliError('invalid Fargate profile: empty selector namespace');
  return {
    cluster: flags.cluster,
    region: flags.region,
    profiles: [
      {
        name,
        podExecutionRoleARN: '',
        selectors: [{ namespace: flags.namespace ?? '', labels: parseMap(flags.labels) }],
        subnets: [],
        tags: parseMap(flags.tags),
      },
    ],
  };
}

/** `kiln create|get|delete fargateprofile`, as eksctl's commands of the same names. */
export function addFargateCommands(
  program: { create: Command; get: Command; delete: Command },
  opts: { env: NodeJS.ProcessEnv; runningEndpoint: () => string | undefined },
): void {
  const target = (region: string | undefined): AwsTarget =>
    awsTarget(opts.env, region, opts.runningEndpoint());
  program.create
    .command('fargateprofile')
    .description('Create a Fargate profile')
    .argument('[name]')
    .option('-f, --config-file <file>', 'load configuration from a file')
    .option('--cluster <name>', 'EKS cluster name')
    .option('--name <name>', 'name of the Fargate profile')
    .option('--namespace <ns>', 'Kubernetes namespace of the pods to select')
    .option('-l, --labels <k=v,...>', 'Kubernetes labels of the pods to select')
    .option('-t, --tags <k=v,...>', 'tags for the Fargate profile')
    .option('-r, --region <region>', 'AWS region')
    .action(async (positional: string | undefined, flags: CreateFlags) => {
      const { cluster, region, profiles } = profilesFrom(flags, positional);
      await createFargateProfiles(await context(target(region)), cluster, profiles);
      // As eksctl: a profile selecting kube-system (unlabelled or for coredns) moves CoreDNS.
      await moveCorednsIfSelected(
        await liveClusterContext(target(region), opts.env),
        cluster,
        profiles,
      );
    });
  program.get
    .command('fargateprofile')
    .description('Get Fargate profile(s)')
    .requiredOption('--cluster <name>', 'EKS cluster name')
    .option('--name <name>', 'name of the Fargate profile')
    .option('-o, --output <format>', 'table, yaml or json', 'table')
    .option('-r, --region <region>', 'AWS region')
    .action(async (flags: { cluster: string; name?: string; output: string; region?: string }) => {
      await getFargateProfiles(await context(target(flags.region)), {
        cluster: flags.cluster,
        output: flags.output,
        ...(flags.name === undefined ? {} : { name: flags.name }),
      });
    });
  program.delete
    .command('fargateprofile')
    .description('Delete a Fargate profile')
    .requiredOption('--cluster <name>', 'EKS cluster name')
    .requiredOption('--name <name>', 'name of the Fargate profile')
    .option('--wait', 'wait for the deletion of the Fargate profile')
    .option('-r, --region <region>', 'AWS region')
    .action(async (flags: { cluster: string; name: string; wait?: boolean; region?: string }) => {
      await deleteFargateProfile(await context(target(flags.region)), {
        cluster: flags.cluster,
        name: flags.name,
        wait: flags.wait === true,
      });
    });
}

import type { FargateProfile } from '@aws-sdk/client-eks';
import { serviceTrustPolicy } from '../../aws/eksctl-roles.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import { CliError, validateFargateProfile, type FargateProfileConfig } from './config-file.ts';
import type { EksApi } from './eks-api.ts';
import { printProfiles, type PrintedProfile } from './print.ts';

/** What the eksctl-compatible commands need around them. */
export interface EksctlContext {
  readonly api: EksApi;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly sleep: (ms: number) => Promise<void>;
  /** Log lines (eksctl prints them on stdout). */
  readonly log: (line: string) => void;
  readonly out: (text: string) => void;
  /** How long to wait for a profile to become ACTIVE (eksctl's default: 5 min). */
  readonly waitTimeoutMs?: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** eksctl's log line: local time, an icon, two spaces. */
export function logLine(now: number, icon: 'ℹ' | '✔' | '!', message: string): string {
  const d = new Date(now);
  const date = `${String(d.getFullYear())}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  return `${date} ${time} [${icon}]  ${message}`;
}

const info = (ctx: EksctlContext, message: string): void => {
  ctx.log(logLine(ctx.clock.now(), 'ℹ', message));
};

/** eksctl's default profile name: `fp-` and 8 characters of [a-f0-9]. */
export function defaultProfileName(ids: IdSource): string {
  return `fp-${Array.from({ length: 8 }, () => '0123456789abcdef'[ids.int(16)] ?? '0').join('')}`;
}

const POD_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy';

/**
 * The pod execution role eksctl's `eksctl-<cluster>-fargate` stack makes when the config
 * names none: trusted by eks-fargate-pods for this cluster's profiles only.
 */
async function defaultRole(ctx: EksctlContext, cluster: string): Promise<string> {
  const arn = await ctx.api.clusterArn(cluster);
  const [, , , region = '', account = ''] = arn.split(':');
  const trustPolicy = serviceTrustPolicy('eks-fargate-pods.amazonaws.com', {
    ArnLike: { 'aws:SourceArn': `arn:aws:eks:${region}:${account}:fargateprofile/${cluster}/*` },
  });
  return ctx.api.ensureRole({
    name: `eksctl-${cluster}-fargate-FargatePodExecutionRole`,
    trustPolicy,
    policyArns: [POD_EXECUTION_POLICY],
  });
}

async function waitActive(ctx: EksctlContext, cluster: string, name: string): Promise<void> {
  const deadline = ctx.clock.now() + (ctx.waitTimeoutMs ?? 300_000);
  for (let delay = 1000; ctx.clock.now() < deadline; delay = Math.min(delay * 2, 10_000)) {
    const p = await ctx.api.describeFargateProfile(cluster, name);
    if (p.status === 'ACTIVE') return;
    if (p.status === 'CREATE_FAILED') {
      throw new CliError(`Fargate profile ${JSON.stringify(name)} failed to create`);
    }
    await ctx.sleep(delay);
  }
  throw new CliError(
    `timed out while waiting for Fargate profile ${JSON.stringify(name)}'s creation`,
  );
}

/** `create fargateprofile`: each profile not there yet is created and waited for. */
export async function createFargateProfiles(
  ctx: EksctlContext,
  cluster: string,
  profiles: readonly FargateProfileConfig[],
): Promise<void> {
  profiles.forEach(validateFargateProfile);
  const existing = new Set(await ctx.api.listFargateProfiles(cluster));
  let role: string | undefined;
  for (const p of profiles) {
    if (existing.has(p.name)) {
      info(
        ctx,
        `Fargate profile ${JSON.stringify(p.name)} already exists on EKS cluster ${JSON.stringify(cluster)}, skipping`,
      );
      continue;
    }
    let podExecutionRoleArn = p.podExecutionRoleARN;
    if (podExecutionRoleArn === '') podExecutionRoleArn = role ??= await defaultRole(ctx, cluster);
    info(
      ctx,
      `creating Fargate profile ${JSON.stringify(p.name)} on EKS cluster ${JSON.stringify(cluster)}`,
    );
    try {
      await ctx.api.createFargateProfile({ ...p, cluster, podExecutionRoleArn });
    } catch (e: unknown) {
      throw new CliError(
        `failed to create Fargate profile ${JSON.stringify(p.name)}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    await waitActive(ctx, cluster, p.name);
    info(
      ctx,
      `created Fargate profile ${JSON.stringify(p.name)} on EKS cluster ${JSON.stringify(cluster)}`,
    );
  }
}

function printed(p: FargateProfile): PrintedProfile {
  return {
    name: p.fargateProfileName ?? '',
    podExecutionRoleARN: p.podExecutionRoleArn ?? '',
    selectors: (p.selectors ?? []).map((s) => ({
      namespace: s.namespace ?? '',
      ...(s.labels ? { labels: s.labels } : {}),
    })),
    ...(p.subnets ? { subnets: p.subnets } : {}),
    ...(p.tags ? { tags: p.tags } : {}),
    status: p.status ?? '',
  };
}

/** `get fargateprofile --cluster C [--name N] [-o table|yaml|json]`. */
export async function getFargateProfiles(
  ctx: EksctlContext,
  o: { cluster: string; name?: string; output: string },
): Promise<void> {
  const names = o.name === undefined ? await ctx.api.listFargateProfiles(o.cluster) : [o.name];
  const profiles: PrintedProfile[] = [];
  for (const n of names) profiles.push(printed(await ctx.api.describeFargateProfile(o.cluster, n)));
  ctx.out(printProfiles(profiles, o.output));
}

/** `delete fargateprofile --cluster C --name N [--wait]`. */
export async function deleteFargateProfile(
  ctx: EksctlContext,
  o: { cluster: string; name: string; wait: boolean },
): Promise<void> {
  await ctx.api.deleteFargateProfile(o.cluster, o.name);
  if (o.wait) {
    const deadline = ctx.clock.now() + (ctx.waitTimeoutMs ?? 300_000);
    while ((await ctx.api.listFargateProfiles(o.cluster)).includes(o.name)) {
      if (ctx.clock.now() > deadline) {
        throw new CliError(
          `timed out while waiting for Fargate profile ${JSON.stringify(o.name)}'s deletion`,
        );
      }
      await ctx.sleep(2000);
    }
  }
  info(
    ctx,
    `deleted Fargate profile ${JSON.stringify(o.name)} on EKS cluster ${JSON.stringify(o.cluster)}`,
  );
}

import { randomIds, systemClock, type Clock, type IdSource } from '../../util/index.ts';
import type { ClusterApi } from './cluster-api.ts';
import type { KubeCall } from './coredns.ts';
import type { EksApi } from './eks-api.ts';
import type { AwsTarget } from './sdk-call.ts';
import { logLine, type EksctlContext } from './fargate.ts';
import { eksToken, kubeRequest } from './kube.ts';

/** What the cluster and node group commands need around them. */
export interface ClusterContext {
  readonly api: ClusterApi;
  /** The Fargate profile calls (`create cluster --fargate`). */
  readonly eks: EksApi;
  readonly target: AwsTarget;
  readonly env: NodeJS.ProcessEnv;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly sleep: (ms: number) => Promise<void>;
  /** Log lines (eksctl prints them on stdout). */
  readonly log: (line: string) => void;
  readonly out: (text: string) => void;
  /** eksctl's `--timeout` (default 25 min). */
  readonly waitTimeoutMs: number;
  /** How often to poll EKS while waiting. */
  readonly pollMs: number;
}

export const info = (ctx: ClusterContext, message: string): void => {
  ctx.log(logLine(ctx.clock.now(), 'ℹ', message));
};
export const success = (ctx: ClusterContext, message: string): void => {
  ctx.log(logLine(ctx.clock.now(), '✔', message));
};
export const warning = (ctx: ClusterContext, message: string): void => {
  ctx.log(logLine(ctx.clock.now(), '!', message));
};

/** The fargate commands' context over the same plumbing. */
export function fargateContext(ctx: ClusterContext): EksctlContext {
  return {
    api: ctx.eks,
    clock: ctx.clock,
    ids: ctx.ids,
    sleep: ctx.sleep,
    log: ctx.log,
    out: ctx.out,
    waitTimeoutMs: ctx.waitTimeoutMs,
  };
}

/** A Kubernetes API caller for an EKS cluster: its endpoint and CA, an `aws eks get-token` token. */
export async function kubeFor(ctx: ClusterContext, cluster: string): Promise<KubeCall> {
  const c = await ctx.api.describeCluster(cluster);
  const caPem = Buffer.from(c.certificateAuthority?.data ?? '', 'base64').toString('utf8');
  const server = c.endpoint ?? '';
  return (r) =>
    kubeRequest({ server, caPem, token: eksToken(ctx.target, cluster, ctx.clock.now()) }, r);
}

/** eksctl's random 8-hex suffix (`ng-1a2b3c4d`). */
export const hex8 = (ids: IdSource): string =>
  Array.from({ length: 8 }, () => '0123456789abcdef'[ids.int(16)] ?? '0').join('');

/** eksctl's default `--timeout`. */
const DEFAULT_TIMEOUT_MS = 25 * 60_000;

/**
 * The context of a real command run: SDK clients on the target, stdout, the system clock. The
 * SDK loads here, when a command runs, not with the CLI.
 */
export async function liveClusterContext(
  target: AwsTarget,
  env: NodeJS.ProcessEnv,
): Promise<ClusterContext> {
  const [{ sdkClusterApi }, { sdkEksApi }] = await Promise.all([
    import('./cluster-api.ts'),
    import('./eks-api.ts'),
  ]);
  return {
    api: sdkClusterApi(target),
    eks: sdkEksApi(target),
    target,
    env,
    clock: systemClock,
    ids: randomIds,
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    log: (line) => process.stdout.write(`${line}\n`),
    out: (text) => process.stdout.write(text),
    waitTimeoutMs: DEFAULT_TIMEOUT_MS,
    pollMs: 500,
  };
}

import { homedir } from 'node:os';
import { join } from 'node:path';

/** Everything the daemon is configured with. */
export interface DaemonConfig {
  readonly stateDir: string;
  readonly host: string;
  readonly port: number;
  /** Keep state in memory only (tests, throwaway clusters). */
  readonly inMemory: boolean;
  /** fsync each commit (survives power loss, slower). */
  readonly fsync: boolean;
  /** Worker nodes (m5.large, sim runtime) the default cluster starts with. */
  readonly workerNodes: number;
  /** Whether clusters get EKS's kube-system add-ons (CoreDNS, kube-proxy, aws-node). */
  readonly eksAddons: boolean;
  /** The AWS-compatible endpoint's port (0: any free port). */
  readonly awsPort: number;
  /** The Prometheus `/metrics` listener's port, plain HTTP on `host` (0: any free port). */
  readonly metricsPort: number;
  /** The AWS account Kiln plays. */
  readonly accountId: string;
  /** The region and EKS name of the default cluster. */
  readonly region: string;
  readonly clusterName: string;
  /** How long EKS clusters and Fargate profiles stay CREATING/DELETING (ms; 0: no wait). */
  readonly eksDelayMs: number;
  /**
   * `strict` validates AWS calls as AWS does; `lenient` makes clusters and profiles ACTIVE at
   * once and accepts unknown subnets and roles, for people who only exercise the API calls.
   */
  readonly awsMode: 'strict' | 'lenient';
  /** Fargate launch throttling: token-bucket burst and refill per second (AWS: 20 and 20). */
  readonly fargateLaunchBurst: number;
  readonly fargateLaunchRate: number;
  /** The account's Fargate vCPU quota; 0: none. */
  readonly fargateVcpuQuota: number;
}

function portFrom(flags: Partial<DaemonConfig>, env: NodeJS.ProcessEnv): number {
  const port = flags.port ?? (env['KILN_PORT'] === undefined ? 6443 : Number(env['KILN_PORT']));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `invalid port ${String(port)}: use a number from 1 to 65535 (or 0 for any free port)`,
    );
  }
  return port;
}

/** The only place that reads the environment. Flags (passed in) win over it. */
export function loadConfig(
  flags: Partial<DaemonConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): DaemonConfig {
  return {
    stateDir: flags.stateDir ?? env['KILN_STATE_DIR'] ?? join(homedir(), '.kiln'),
    host: flags.host ?? env['KILN_HOST'] ?? '127.0.0.1',
    port: portFrom(flags, env),
    inMemory: flags.inMemory ?? env['KILN_IN_MEMORY'] === '1',
    fsync: flags.fsync ?? env['KILN_FSYNC'] === '1',
    workerNodes: flags.workerNodes ?? parseCount(env['KILN_WORKER_NODES'], 2),
    metricsPort: metricsPortFrom(flags.metricsPort ?? env['KILN_METRICS_PORT']),
    ...awsConfig(flags, env),
    ...fargateConfig(flags, env),
  };
}

type AwsConfig = Pick<
  DaemonConfig,
  'eksAddons' | 'awsPort' | 'accountId' | 'region' | 'clusterName' | 'eksDelayMs' | 'awsMode'
>;

type FargateConfig = Pick<
  DaemonConfig,
  'fargateLaunchBurst' | 'fargateLaunchRate' | 'fargateVcpuQuota'
>;

function fargateConfig(flags: Partial<DaemonConfig>, env: NodeJS.ProcessEnv): FargateConfig {
  return {
    fargateLaunchBurst:
      flags.fargateLaunchBurst ?? parseCount(env['KILN_FARGATE_LAUNCH_BURST'], 20),
    fargateLaunchRate: flags.fargateLaunchRate ?? parseCount(env['KILN_FARGATE_LAUNCH_RATE'], 20),
    fargateVcpuQuota: flags.fargateVcpuQuota ?? parseCount(env['KILN_FARGATE_VCPU_QUOTA'], 0),
  };
}

function awsMode(raw: string | undefined): 'strict' | 'lenient' {
  if (raw === undefined || raw === '' || raw === 'strict') return 'strict';
  if (raw === 'lenient') return 'lenient';
  throw new Error(`invalid AWS validation mode ${raw}: use strict or lenient`);
}

function awsConfig(flags: Partial<DaemonConfig>, env: NodeJS.ProcessEnv): AwsConfig {
  return {
    eksAddons: flags.eksAddons ?? env['KILN_EKS_ADDONS'] !== '0',
    awsPort: flags.awsPort ?? parseCount(env['KILN_AWS_PORT'], 4566),
    accountId: flags.accountId ?? env['KILN_ACCOUNT_ID'] ?? '000000000000',
    region: flags.region ?? env['KILN_REGION'] ?? 'us-east-1',
    clusterName: flags.clusterName ?? env['KILN_CLUSTER_NAME'] ?? 'kiln',
    eksDelayMs: flags.eksDelayMs ?? parseCount(env['KILN_EKS_DELAY_MS'], 3000),
    awsMode: flags.awsMode ?? awsMode(env['KILN_AWS_MODE']),
  };
}

export function statePaths(stateDir: string): {
  pki: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  adminToken: string;
  kubeconfig: string;
  pidFile: string;
  logFile: string;
  endpointFile: string;
  awsEndpointFile: string;
  metricsEndpointFile: string;
  aws: string;
  clusters: string;
} {
  const pki = join(stateDir, 'pki');
  return {
    pki,
    caCert: join(pki, 'ca.crt'),
    caKey: join(pki, 'ca.key'),
    serverCert: join(pki, 'apiserver.crt'),
    serverKey: join(pki, 'apiserver.key'),
    adminToken: join(stateDir, 'admin.token'),
    kubeconfig: join(stateDir, 'kubeconfig'),
    pidFile: join(stateDir, 'kiln.pid'),
    logFile: join(stateDir, 'kiln.log'),
    endpointFile: join(stateDir, 'endpoint'),
    awsEndpointFile: join(stateDir, 'aws-endpoint'),
    metricsEndpointFile: join(stateDir, 'metrics-endpoint'),
    aws: join(stateDir, 'aws'),
    clusters: join(stateDir, 'clusters'),
  };
}

/** Where `kiln kubeconfig --merge` writes: the first $KUBECONFIG file, else ~/.kube/config. */
export function mergeTarget(env: NodeJS.ProcessEnv = process.env): string {
  const first = (env['KUBECONFIG'] ?? '').split(':')[0] ?? '';
  return first === '' ? join(env['HOME'] ?? homedir(), '.kube', 'config') : first;
}

/** 9464: the port OpenTelemetry's Prometheus exporter made the customary default. */
function metricsPortFrom(raw: number | string | undefined): number {
  if (raw === undefined || raw === '') return 9464;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(
      `invalid metrics port ${String(raw)}: use a number from 1 to 65535 (or 0 for any free port)`,
    );
  }
  return port;
}

function parseCount(raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`invalid count ${raw}: use a whole number`);
  return n;
}

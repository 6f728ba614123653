import type { KubeObject } from '../../api/index.ts';

/** Wire shapes of the EKS API (2017-11-01). Timestamps are epoch seconds, as the JSON carries them. */

export type Tags = Record<string, string>;

export interface HealthIssue {
  code: string;
  message: string;
  resourceIds?: string[];
}

export interface Health {
  issues: HealthIssue[];
}

export interface LogSetup {
  types: string[];
  enabled: boolean;
}

export interface Cluster {
  name: string;
  arn: string;
  createdAt: number;
  version: string;
  endpoint?: string;
  roleArn: string;
  resourcesVpcConfig: {
    subnetIds: string[];
    securityGroupIds: string[];
    clusterSecurityGroupId: string;
    vpcId: string;
    endpointPublicAccess: boolean;
    endpointPrivateAccess: boolean;
    publicAccessCidrs: string[];
  };
  kubernetesNetworkConfig: { serviceIpv4Cidr: string; ipFamily: string };
  logging: { clusterLogging: LogSetup[] };
  identity: { oidc: { issuer: string } };
  status: string;
  certificateAuthority: { data?: string };
  platformVersion: string;
  tags: Tags;
  health: Health;
  accessConfig: { authenticationMode: string; bootstrapClusterCreatorAdminPermissions?: boolean };
}

export interface FargateProfileSelector {
  namespace: string;
  labels?: Record<string, string>;
}

export interface FargateProfile {
  fargateProfileName: string;
  fargateProfileArn: string;
  clusterName: string;
  createdAt: number;
  podExecutionRoleArn: string;
  subnets: string[];
  selectors: FargateProfileSelector[];
  status: string;
  tags: Tags;
  health: Health;
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface ScalingConfig {
  minSize: number;
  maxSize: number;
  desiredSize: number;
}

export interface Nodegroup {
  nodegroupName: string;
  nodegroupArn: string;
  clusterName: string;
  version: string;
  releaseVersion: string;
  createdAt: number;
  modifiedAt: number;
  status: string;
  capacityType: string;
  scalingConfig: ScalingConfig;
  instanceTypes: string[];
  subnets: string[];
  amiType: string;
  nodeRole: string;
  labels: Record<string, string>;
  taints?: Taint[];
  resources: { autoScalingGroups: { name: string }[] };
  diskSize: number;
  health: Health;
  updateConfig: { maxUnavailable: number };
  tags: Tags;
}

export interface UpdateParam {
  type: string;
  value: string;
}

export interface Update {
  id: string;
  status: string;
  type: string;
  params: UpdateParam[];
  createdAt: number;
  errors: { errorCode: string; errorMessage: string; resourceIds: string[] }[];
}

/** What the reconciler does to an object once `at` (epoch ms) has passed. */
export interface Pending {
  readonly action: 'create' | 'delete' | 'complete';
  readonly at: number;
  /** The last failure of the action, retried later. */
  readonly lastError?: string;
}

/**
 * How every EKS object sits in the store: the wire object plus the lifecycle bookkeeping that
 * makes transitions survive restarts.
 */
export interface EksRecord<T> extends KubeObject {
  readonly kind: 'EksCluster' | 'EksFargateProfile' | 'EksNodegroup' | 'EksUpdate';
  readonly resource: T;
  readonly pending?: Pending;
  /** The clientRequestToken of the call that created it, for idempotent retries. */
  readonly clientRequestToken?: string;
}

/** An update with what it changes once it completes. */
export interface UpdateRecordBody {
  readonly update: Update;
  readonly clusterName: string;
  readonly nodegroupName?: string;
  /** The fields the update replaces on its cluster or node group when it completes. */
  readonly patch: Readonly<Record<string, unknown>>;
}

/**
 * The key layout under the shared store. Other parts of Kiln (the Fargate webhook and
 * scheduler) may list and watch these prefixes; the value is an EksRecord whose `resource` is
 * the wire object.
 */
export const eksKeys = {
  root: (region: string) => `/eks/${region}/`,
  cluster: (region: string, name: string) => `/eks/${region}/clusters/${name}`,
  clusters: (region: string) => `/eks/${region}/clusters/`,
  profile: (region: string, cluster: string, name: string) =>
    `/eks/${region}/fargateprofiles/${cluster}/${name}`,
  profiles: (region: string, cluster: string) => `/eks/${region}/fargateprofiles/${cluster}/`,
  nodegroup: (region: string, cluster: string, name: string) =>
    `/eks/${region}/nodegroups/${cluster}/${name}`,
  nodegroups: (region: string, cluster: string) => `/eks/${region}/nodegroups/${cluster}/`,
  update: (region: string, cluster: string, id: string) =>
    `/eks/${region}/updates/${cluster}/${id}`,
  updates: (region: string, cluster: string) => `/eks/${region}/updates/${cluster}/`,
} as const;

/** Reads a record this module wrote. */
export function asRecord<T>(object: KubeObject): EksRecord<T> {
  // SAFETY: every object under /eks/ is written by this module as an EksRecord.
  return object as unknown as EksRecord<T>;
}

export function makeRecord<T>(opts: {
  kind: EksRecord<T>['kind'];
  name: string;
  resource: T;
  pending?: Pending | undefined;
  clientRequestToken?: string | undefined;
}): EksRecord<T> {
  return {
    kind: opts.kind,
    metadata: { name: opts.name },
    resource: opts.resource,
    ...(opts.pending ? { pending: opts.pending } : {}),
    ...(opts.clientRequestToken !== undefined
      ? { clientRequestToken: opts.clientRequestToken }
      : {}),
  };
}

/** The record with a new resource and pending action (`undefined` clears it). */
export function withResource<T>(
  rec: EksRecord<T>,
  resource: T,
  pending: Pending | undefined,
): EksRecord<T> {
  const { pending: _old, ...rest } = rec;
  return { ...rest, resource, ...(pending ? { pending } : {}) };
}

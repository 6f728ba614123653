import type { Store } from '../../store/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import type { AwsCall } from '../types.ts';
import { asRecord, type EksRecord } from './model.ts';
import type { ClusterHost, Ec2View, IamView, NodegroupHost } from './views.ts';

/**
 * `strict` validates as AWS does and runs the lifecycle delays; `lenient` makes clusters and
 * profiles ACTIVE at once and accepts subnets and roles it cannot find.
 */
export type ValidationMode = 'strict' | 'lenient';

/** How long each transition takes, in milliseconds (0 allowed). */
export interface EksDelays {
  readonly clusterCreate: number;
  readonly clusterDelete: number;
  readonly clusterUpdate: number;
  readonly profileCreate: number;
  readonly profileDelete: number;
  readonly nodegroupCreate: number;
  readonly nodegroupDelete: number;
  readonly nodegroupUpdate: number;
  /** How long after a failed transition the reconciler tries again. */
  readonly retry: number;
}

export const defaultDelays: EksDelays = {
  clusterCreate: 5000,
  clusterDelete: 3000,
  clusterUpdate: 3000,
  profileCreate: 3000,
  profileDelete: 2000,
  nodegroupCreate: 5000,
  nodegroupDelete: 3000,
  nodegroupUpdate: 3000,
  retry: 5000,
};

/** The service quotas this service enforces (all adjustable on AWS). */
export interface EksLimits {
  readonly profilesPerCluster: number;
  readonly selectorsPerProfile: number;
  readonly labelsPerSelector: number;
}

export const defaultLimits: EksLimits = {
  profilesPerCluster: 10,
  selectorsPerProfile: 5,
  labelsPerSelector: 5,
};

/** A Fargate profile whose deletion finished: its pods must go. */
export interface ProfileDeletedEvent {
  readonly region: string;
  readonly cluster: string;
  readonly profile: string;
}

export interface EksServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly accountId: string;
  readonly mode?: ValidationMode;
  readonly delays?: Partial<EksDelays>;
  readonly limits?: Partial<EksLimits>;
  readonly iam: IamView;
  readonly ec2: Ec2View;
  readonly clusters: ClusterHost;
  readonly nodegroups?: NodegroupHost;
  /** Default Kubernetes version for CreateCluster without `version`. */
  readonly defaultVersion?: string;
  /** Availability Zones where Fargate is not offered (e.g. `us-east-1e`). */
  readonly unsupportedFargateZones?: readonly string[];
  /**
   * Called when a profile's deletion completes, before it disappears from the store; a throw
   * makes the reconciler retry. Kiln deletes the profile's pods here.
   */
  readonly onProfileDeleted?: (e: ProfileDeletedEvent) => Promise<void>;
  /** Sleeps for the reconciler loop; resolves early when the signal aborts. */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

/** Everything an operation handler needs. */
export interface EksContext {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly accountId: string;
  readonly mode: ValidationMode;
  readonly delays: EksDelays;
  readonly limits: EksLimits;
  readonly iam: IamView;
  readonly ec2: Ec2View;
  readonly clusters: ClusterHost;
  readonly nodegroups: NodegroupHost | undefined;
  readonly defaultVersion: string;
  readonly unsupportedFargateZones: ReadonlySet<string>;
  readonly onProfileDeleted: ((e: ProfileDeletedEvent) => Promise<void>) | undefined;
}

export function makeContext(opts: EksServiceOptions): EksContext {
  return {
    store: opts.store,
    clock: opts.clock,
    ids: opts.ids,
    accountId: opts.accountId,
    mode: opts.mode ?? 'strict',
    delays: { ...defaultDelays, ...opts.delays },
    limits: { ...defaultLimits, ...opts.limits },
    iam: opts.iam,
    ec2: opts.ec2,
    clusters: opts.clusters,
    nodegroups: opts.nodegroups,
    defaultVersion: opts.defaultVersion ?? '1.32',
    unsupportedFargateZones: new Set(opts.unsupportedFargateZones ?? []),
    onProfileDeleted: opts.onProfileDeleted,
  };
}

/** A routed call: the AwsCall plus the decoded path parameters. */
export interface EksRequest {
  readonly call: AwsCall;
  readonly params: Readonly<Record<string, string>>;
}

export function param(req: EksRequest, name: string): string {
  return req.params[name] ?? '';
}

export function getRecord<T>(ctx: EksContext, key: string): EksRecord<T> | undefined {
  const stored = ctx.store.get(key);
  return stored ? asRecord<T>(stored.object) : undefined;
}

export function listRecords<T>(ctx: EksContext, prefix: string): EksRecord<T>[] {
  return ctx.store.list(prefix).items.map((s) => asRecord<T>(s.object));
}

/** Epoch seconds with milliseconds, as EKS timestamps are. */
export function nowSeconds(ctx: EksContext): number {
  return ctx.clock.now() / 1000;
}

export function arnPrefix(ctx: EksContext, region: string): string {
  return `arn:aws:eks:${region}:${ctx.accountId}`;
}

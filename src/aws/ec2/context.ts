import type { Clock, IdSource } from '../../util/index.ts';
import { notFound } from './errors.ts';
import type { Kind, Records } from './model.ts';
import type { Params, Tag } from './params.ts';
import type { Ec2State } from './state.ts';

/** A node-group instance as Kiln's node groups register it for DescribeInstances. */
export interface Ec2Instance {
  readonly instanceId: string;
  readonly instanceType: string;
  readonly privateIpAddress: string;
  readonly privateDnsName: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly state: 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';
  /** Epoch milliseconds. */
  readonly launchTime: number;
  readonly imageId?: string;
  readonly securityGroupIds?: readonly string[];
  readonly tags: readonly Tag[];
}

/**
 * Where DescribeInstances reads instances from: Kiln's node groups. Implementations return
 * the instances of one region, in any order; the call must not block on I/O for long.
 */
export interface InstanceSource {
  listInstances(region: string): Promise<readonly Ec2Instance[]>;
}

/** What every EC2 operation works with. */
export interface Ec2Env {
  readonly state: Ec2State;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly accountId: string;
  readonly instances?: InstanceSource;
}

/** One region of one EC2 service. */
export interface Scope {
  readonly env: Ec2Env;
  readonly region: string;
}

/** One EC2 action: parsed parameters in, the content of `<{Action}Response>` out. */
export type Ec2Handler = (scope: Scope, params: Params) => Promise<Record<string, unknown>>;

/** `vpc-` + 17 lowercase hex characters, as EC2's long ids. */
export function newId(ids: IdSource, prefix: string): string {
  let hex = '';
  for (let i = 0; i < 17; i++) hex += ids.int(16).toString(16);
  return `${prefix}-${hex}`;
}

/** The record, or the kind's `…NotFound` error. */
export function mustGet<K extends Kind>(scope: Scope, kind: K, id: string): Records[K] {
  const record = scope.env.state.get(scope.region, kind, id);
  if (!record) throw notFound(kind, id);
  return record;
}

/** Ids asked for by a Describe call that do not exist fail the call, as EC2 does. */
export function selectByIds<T>(
  all: readonly T[],
  opts: { readonly ids: readonly string[]; readonly idOf: (t: T) => string; readonly kind: string },
): readonly T[] {
  if (opts.ids.length === 0) return all;
  const byId = new Map(all.map((t) => [opts.idOf(t), t]));
  const missing = opts.ids.find((id) => !byId.has(id));
  if (missing !== undefined) throw notFound(opts.kind, missing);
  return all.filter((t) => opts.ids.includes(opts.idOf(t)));
}

/** `tagSet` as EC2 writes it; omitted when empty, as EC2 omits it. */
export function tagSet(tags: readonly Tag[]): { tagSet?: { key: string; value: string }[] } {
  return tags.length === 0 ? {} : { tagSet: tags.map((t) => ({ key: t.key, value: t.value })) };
}

/** Merges tags by key, later ones winning, keeping first-seen order. */
export function mergeTags(current: readonly Tag[], added: readonly Tag[]): Tag[] {
  const map = new Map(current.map((t) => [t.key, t.value]));
  for (const t of added) map.set(t.key, t.value);
  return [...map].map(([key, value]) => ({ key, value }));
}

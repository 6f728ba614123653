import { billedSeconds, fargateCost, PricingError, type PriceCatalogue } from '../pricing/index.ts';
import type { FargatePodUsage, NodeUsage, UsageRecord } from './types.ts';

export type CostGrouping = 'pod' | 'namespace' | 'profile' | 'day';
export const COST_GROUPINGS: readonly CostGrouping[] = ['pod', 'namespace', 'profile', 'day'];

/** Fargate spend of one group (a pod, namespace, profile or UTC day) in one cluster. */
export interface CostRow {
  readonly cluster: string;
  /** `namespace/name` for pods, the namespace, the profile, or the day (`YYYY-MM-DD`). */
  readonly key: string;
  /** How many pods (uids) contributed. */
  readonly pods: number;
  /** Billed seconds (alive seconds, topped up to one minute per pod). */
  readonly seconds: number;
  readonly vcpuHours: number;
  readonly gbHours: number;
  /** USD for the provisioned (`CapacityProvisioned`) size. */
  readonly cost: number;
  /** USD had the pods been billed for exactly what they requested (+256 MB). */
  readonly requestedCost: number;
  /** cost − requestedCost: what rounding up to a Fargate size costs. */
  readonly waste: number;
  /** The pod's record, on rows grouped by pod (one row per pod object, i.e. per uid). */
  readonly pod?: PodDetail;
}

/** What a by-pod row says about its pod: where it ran and at which size it was billed. */
export type PodDetail = Pick<
  FargatePodUsage,
  | 'uid'
  | 'namespace'
  | 'name'
  | 'profile'
  | 'node'
  | 'vcpu'
  | 'memoryGb'
  | 'requestedVcpu'
  | 'requestedGb'
  | 'storageGb'
> & {
  /** When billing started and stopped (ISO 8601); `end` is null while the pod exists. */
  readonly start: string;
  readonly end: string | null;
};

/** Node-group spend: one instance type of one node group (per day when grouped by day). */
export interface NodeCostRow {
  readonly cluster: string;
  /** The day when grouped by day, else ''. */
  readonly key: string;
  readonly nodegroup: string;
  readonly instanceType: string;
  readonly nodes: number;
  readonly seconds: number;
  readonly instanceHours: number;
  readonly cost: number;
}

export interface CostTotals {
  readonly fargate: number;
  readonly requested: number;
  readonly waste: number;
  readonly nodes: number;
  readonly total: number;
}

export interface CostReport {
  readonly currency: 'USD';
  readonly from: string;
  readonly to: string;
  readonly by: CostGrouping;
  readonly fargate: CostRow[];
  readonly nodes: NodeCostRow[];
  readonly totals: CostTotals;
  /** Why some records could not be priced (e.g. a region without prices); they are left out. */
  readonly unpriced: string[];
}

export interface CostReportOptions {
  readonly catalogue: PriceCatalogue;
  readonly fromMs: number;
  /** The end of the window, normally now: open records are billed up to it. */
  readonly toMs: number;
  readonly by: CostGrouping;
}

const DAY_MS = 86_400_000;

/** A share of a record's billed time that falls on one UTC day. */
export interface BilledSegment {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string;
  readonly seconds: number;
}

function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * A record's billed seconds inside [fromMs, toMs), split at UTC midnights. An open record runs
 * to `toMs`. The one-minute minimum is applied to the record's whole life, and its top-up is
 * charged to the segment where the record starts (so none when that lies outside the window).
 */
export function billedSegments(
  r: Pick<UsageRecord, 'startMs' | 'endMs'>,
  window: { fromMs: number; toMs: number },
): BilledSegment[] {
  const end = Math.max(r.startMs, r.endMs ?? window.toMs);
  const alive = (end - r.startMs) / 1000;
  const topUp = billedSeconds(alive) - alive;
  const lo = Math.max(r.startMs, window.fromMs);
  const hi = Math.min(end, window.toMs);
  const out = new Map<string, number>();
  for (let t = lo; t < hi;) {
    const midnight = Math.floor(t / DAY_MS) * DAY_MS + DAY_MS;
    const next = Math.min(hi, midnight);
    const day = dayOf(t);
    out.set(day, (out.get(day) ?? 0) + (next - t) / 1000);
    t = next;
  }
  if (r.startMs >= window.fromMs && r.startMs < window.toMs) {
    const day = dayOf(r.startMs);
    out.set(day, (out.get(day) ?? 0) + topUp);
  }
  return [...out].map(([day, seconds]) => ({ day, seconds }));
}

function groupKey(r: FargatePodUsage, by: CostGrouping, day: string): string {
  switch (by) {
    case 'pod':
      return `${r.namespace}/${r.name}`;
    case 'namespace':
      return r.namespace;
    case 'profile':
      return r.profile;
    case 'day':
      return day;
  }
}

interface PodAcc {
  cluster: string;
  key: string;
  pod: PodDetail | undefined;
  uids: Set<string>;
  seconds: number;
  vcpuHours: number;
  gbHours: number;
  cost: number;
  requestedCost: number;
}

interface NodeAcc {
  cluster: string;
  key: string;
  nodegroup: string;
  instanceType: string;
  uids: Set<string>;
  seconds: number;
  cost: number;
}

function accumulate<T extends { uids: Set<string> }>(
  groups: Map<string, T>,
  id: string,
  fresh: () => T,
): T {
  let acc = groups.get(id);
  if (!acc) {
    acc = fresh();
    groups.set(id, acc);
  }
  return acc;
}

interface Tally {
  readonly opts: CostReportOptions;
  readonly pods: Map<string, PodAcc>;
  readonly nodes: Map<string, NodeAcc>;
  readonly unpriced: Set<string>;
}

function podDetail(r: FargatePodUsage): PodDetail {
  return {
    uid: r.uid,
    namespace: r.namespace,
    name: r.name,
    profile: r.profile,
    node: r.node,
    vcpu: r.vcpu,
    memoryGb: r.memoryGb,
    requestedVcpu: r.requestedVcpu,
    requestedGb: r.requestedGb,
    storageGb: r.storageGb,
    start: new Date(r.startMs).toISOString(),
    end: r.endMs === undefined ? null : new Date(r.endMs).toISOString(),
  };
}

function addPod(t: Tally, r: FargatePodUsage): void {
  const prices = t.opts.catalogue.fargate(r.region);
  const byPod = t.opts.by === 'pod';
  for (const s of billedSegments(r, t.opts)) {
    const key = groupKey(r, t.opts.by, s.day);
    // By pod, a row is one pod object: a pod recreated under its old name is another Fargate
    // pod, on another node, billed separately.
    const id = JSON.stringify(byPod ? [r.cluster, key, r.uid] : [r.cluster, key]);
    const acc = accumulate(t.pods, id, () => ({
      cluster: r.cluster,
      key,
      pod: byPod ? podDetail(r) : undefined,
      uids: new Set<string>(),
      seconds: 0,
      vcpuHours: 0,
      gbHours: 0,
      cost: 0,
      requestedCost: 0,
    }));
    acc.uids.add(r.uid);
    acc.seconds += s.seconds;
    acc.vcpuHours += (r.vcpu * s.seconds) / 3600;
    acc.gbHours += (r.memoryGb * s.seconds) / 3600;
    acc.cost += fargateCost(prices, { ...r, seconds: s.seconds });
    acc.requestedCost += fargateCost(prices, {
      vcpu: r.requestedVcpu,
      memoryGb: r.requestedGb,
      storageGb: r.storageGb,
      seconds: s.seconds,
    });
  }
}

function addNode(t: Tally, r: NodeUsage): void {
  const { hourly } = t.opts.catalogue.ec2(r.region, r.instanceType);
  for (const s of billedSegments(r, t.opts)) {
    const key = t.opts.by === 'day' ? s.day : '';
    const id = JSON.stringify([r.cluster, key, r.nodegroup, r.instanceType]);
    const acc = accumulate(t.nodes, id, () => ({
      cluster: r.cluster,
      key,
      nodegroup: r.nodegroup,
      instanceType: r.instanceType,
      uids: new Set<string>(),
      seconds: 0,
      cost: 0,
    }));
    acc.uids.add(r.uid);
    acc.seconds += s.seconds;
    acc.cost += (hourly * s.seconds) / 3600;
  }
}

const byClusterThenKey = (
  a: { cluster: string; key: string },
  b: { cluster: string; key: string },
): number => a.cluster.localeCompare(b.cluster) || a.key.localeCompare(b.key);

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * Prices usage records over a window: Fargate pods at their provisioned size (and at their
 * requests, for the waste), node-group nodes at their instance type's hourly price, both per
 * second with a one-minute minimum.
 */
export function costReport(records: readonly UsageRecord[], opts: CostReportOptions): CostReport {
  const t: Tally = { opts, pods: new Map(), nodes: new Map(), unpriced: new Set() };
  for (const r of records) {
    try {
      if (r.kind === 'node') addNode(t, r);
      else addPod(t, r);
    } catch (e: unknown) {
      if (!(e instanceof PricingError)) throw e;
      t.unpriced.add(`${r.cluster}: ${e.message}`);
    }
  }
  const fargate = [...t.pods.values()]
    .map(({ uids, pod, ...a }): CostRow => ({
      ...a,
      pods: uids.size,
      waste: a.cost - a.requestedCost,
      ...(pod === undefined ? {} : { pod }),
    }))
    .sort(
      (a, b) => byClusterThenKey(a, b) || (a.pod?.start ?? '').localeCompare(b.pod?.start ?? ''),
    );
  const nodes = [...t.nodes.values()]
    .map(({ uids, ...a }) => ({ ...a, nodes: uids.size, instanceHours: a.seconds / 3600 }))
    .sort(
      (a, b) =>
        byClusterThenKey(a, b) ||
        a.nodegroup.localeCompare(b.nodegroup) ||
        a.instanceType.localeCompare(b.instanceType),
    );
  const fargateTotal = sum(fargate.map((r) => r.cost));
  const requested = sum(fargate.map((r) => r.requestedCost));
  const nodesTotal = sum(nodes.map((r) => r.cost));
  return {
    currency: 'USD',
    from: new Date(opts.fromMs).toISOString(),
    to: new Date(opts.toMs).toISOString(),
    by: opts.by,
    fargate,
    nodes,
    totals: {
      fargate: fargateTotal,
      requested,
      waste: fargateTotal - requested,
      nodes: nodesTotal,
      total: fargateTotal + nodesTotal,
    },
    unpriced: [...t.unpriced].sort(),
  };
}

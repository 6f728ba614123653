import type { Pod } from 'kubernetes-types/core/v1.js';
import { effectiveRequest, fargateNeeds, sizeFargatePod } from '../../fargate/index.ts';
import { fargateCost, type PriceCatalogue } from '../../pricing/index.ts';
import type { Workload } from './manifests.ts';
import { allocatable, EKS_SYSTEM_DAEMONSETS, type NodeRoom, type PodNeed } from './node-shape.ts';
import { packNodes, type PodGroup } from './packing.ts';

/** AWS's monthly convention: 730 hours. */
export const HOURS_PER_MONTH = 730;

const MIB = 1n << 20n;

/** A workload's pod as Fargate would size it. */
export type FargateSizing =
  | {
      fits: true;
      vcpu: number;
      memoryGb: number;
      ephemeralGiB: number;
      /** Memory Fargate sizes against: requests plus its 256 MiB. */
      sizedMemoryMi: number;
      annotation: string;
      monthlyPerPod: number;
    }
  | { fits: false; reason: string };

export interface WorkloadCost {
  workload: Workload;
  /** One pod's effective requests (what the EC2 scheduler packs). */
  requested: PodNeed;
  fargate: FargateSizing;
}

export interface Ec2Option {
  instanceType: string;
  hourly: number;
  /** Undefined when a pod does not fit on an empty node of the type. */
  nodes: number | undefined;
  monthly: number | undefined;
}

export interface CostPoint {
  /** The replica count applied to scalable workloads; undefined = as in the manifests. */
  replicas: number | undefined;
  pods: number;
  /** Undefined when some pod cannot run on Fargate. */
  fargateMonthly: number | undefined;
  ec2: Ec2Option[];
  /** The cheapest EC2 option, if any fits. */
  bestEc2: Ec2Option | undefined;
  cheaper: 'fargate' | 'ec2' | 'none';
  /** How much the cheaper option saves a month. */
  saving: number;
}

export interface CompareInput {
  catalogue: PriceCatalogue;
  region: string;
  instanceTypes: readonly string[];
  workloads: readonly Workload[];
}

/** A prepared comparison: sizes and node room are computed once, then any replica count. */
export interface CostModel {
  costs: WorkloadCost[];
  at(replicas: number | undefined): CostPoint;
}

function podNeed(pod: Pod): PodNeed {
  return {
    milliCpu: Number(effectiveRequest(pod, 'cpu', -3)),
    memoryMi: Number((effectiveRequest(pod, 'memory', 0) + MIB - 1n) / MIB),
  };
}

function fargateSizing(input: CompareInput, pod: Pod): FargateSizing {
  const size = sizeFargatePod(pod);
  if (size instanceof Error) return { fits: false, reason: size.message };
  const hourly = fargateCost(input.catalogue.fargate(input.region), {
    vcpu: size.vcpu,
    memoryGb: size.memoryGb,
    storageGb: size.ephemeralGiB,
    seconds: 3600,
  });
  return {
    fits: true,
    vcpu: size.vcpu,
    memoryGb: size.memoryGb,
    ephemeralGiB: size.ephemeralGiB,
    sizedMemoryMi: Number(fargateNeeds(pod).memoryMiB),
    annotation: size.annotation,
    monthlyPerPod: hourly * HOURS_PER_MONTH,
  };
}

function podsOf(w: Workload, replicas: number | undefined): number {
  return w.scalable && replicas !== undefined ? replicas : w.replicas;
}

/** Node room left after the DaemonSets every node runs (EKS's and the manifests'). */
function roomAfterDaemonSets(room: NodeRoom, daemons: readonly PodNeed[]): NodeRoom {
  return daemons.reduce<NodeRoom>(
    (r, d) => ({
      milliCpu: r.milliCpu - d.milliCpu,
      memoryMi: r.memoryMi - d.memoryMi,
      pods: r.pods - 1,
    }),
    room,
  );
}

function ec2Option(input: CompareInput, type: string, groups: PodGroup[]): Ec2Option {
  const price = input.catalogue.ec2(input.region, type);
  const daemons = [
    ...EKS_SYSTEM_DAEMONSETS.map((d) => podNeed(d.pod)),
    ...input.workloads.filter((w) => w.perNode).map((w) => podNeed(w.pod)),
  ];
  const room = roomAfterDaemonSets(allocatable(type, price), daemons);
  const fits = room.milliCpu >= 0 && room.memoryMi >= 0 && room.pods >= 0;
  const nodes = fits ? packNodes(groups, room) : undefined;
  return {
    instanceType: type,
    hourly: price.hourly,
    nodes,
    monthly: nodes === undefined ? undefined : nodes * price.hourly * HOURS_PER_MONTH,
  };
}

function cheapest(options: Ec2Option[]): Ec2Option | undefined {
  let best: Ec2Option | undefined;
  for (const o of options) {
    if (o.monthly !== undefined && (best?.monthly === undefined || o.monthly < best.monthly)) {
      best = o;
    }
  }
  return best;
}

function verdict(
  fargate: number | undefined,
  ec2: number | undefined,
): Pick<CostPoint, 'cheaper' | 'saving'> {
  if (fargate === undefined && ec2 === undefined) return { cheaper: 'none', saving: 0 };
  if (ec2 === undefined || (fargate !== undefined && fargate <= ec2)) {
    return { cheaper: 'fargate', saving: ec2 === undefined ? 0 : ec2 - (fargate ?? 0) };
  }
  return { cheaper: 'ec2', saving: fargate === undefined ? 0 : fargate - ec2 };
}

/** Sizes every workload and returns a function costing any replica count. */
export function buildCostModel(input: CompareInput): CostModel {
  input.catalogue.fargate(input.region);
  const costs: WorkloadCost[] = input.workloads.map((w) => ({
    workload: w,
    requested: podNeed(w.pod),
    fargate: fargateSizing(input, w.pod),
  }));
  // DaemonSets cannot run on Fargate; on EC2 they are node overhead, not pods to place.
  const placed = costs.filter((c) => !c.workload.perNode);
  return {
    costs,
    at(replicas) {
      const groups = placed.map((c) => ({
        need: c.requested,
        count: podsOf(c.workload, replicas),
      }));
      const fargateMonthly = placed.reduce<number | undefined>(
        (sum, c, i) =>
          sum === undefined || !c.fargate.fits
            ? undefined
            : sum + c.fargate.monthlyPerPod * (groups[i]?.count ?? 0),
        0,
      );
      const ec2 = input.instanceTypes.map((t) => ec2Option(input, t, groups));
      const bestEc2 = cheapest(ec2);
      return {
        replicas,
        pods: groups.reduce((n, g) => n + g.count, 0),
        fargateMonthly,
        ec2,
        bestEc2,
        ...verdict(fargateMonthly, bestEc2?.monthly),
      };
    },
  };
}

/** A replica count from which the cheaper option changes. */
export interface Crossover {
  replicas: number;
  cheaper: 'fargate' | 'ec2';
}

/** Every replica count in 1..max where the cheaper option differs from the count before. */
export function findCrossovers(model: CostModel, max: number): Crossover[] {
  const out: Crossover[] = [];
  let before = model.at(1).cheaper;
  for (let n = 2; n <= max; n++) {
    const now = model.at(n).cheaper;
    if (now !== before && now !== 'none') out.push({ replicas: n, cheaper: now });
    before = now;
  }
  return out;
}

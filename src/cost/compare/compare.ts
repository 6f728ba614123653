import { INSTANCE_SHAPES } from '../../aws/ec2/index.ts';
import type { PriceCatalogue } from '../../pricing/index.ts';
import type { ChartInput } from './chart.ts';
import { CostCompareError, type Workload } from './manifests.ts';
import { buildCostModel, findCrossovers, HOURS_PER_MONTH, type CostModel } from './model.ts';
import { recommend, type CompareReport } from './report.ts';

/** Above this the replica sweep (one costing per count) stops being interactive. */
export const MAX_SWEEP_REPLICAS = 10_000;
/** Sweep range when no replica counts are given. */
const DEFAULT_SWEEP = 100;

export interface CompareOptions {
  catalogue: PriceCatalogue;
  region: string;
  workloads: readonly Workload[];
  /** Node-group instance types to price; default: every type Kiln's node groups offer. */
  instanceTypes?: readonly string[];
  /** Replica counts for scalable workloads; default: as the manifests say. */
  replicas?: readonly number[];
}

export interface Comparison {
  report: CompareReport;
  chart: ChartInput;
}

function notes(workloads: readonly Workload[], model: CostModel): string[] {
  const out = [
    'EC2 nodes run kube-proxy and aws-node on every node; allocatable follows the EKS AMI ' +
      '(kube-reserved, 100Mi eviction threshold) and pods per node are capped by the ENI max-pods table and 110',
    'Not included: the EKS control-plane fee (same for both), EBS volumes, load balancers and data transfer',
  ];
  if (workloads.some((w) => w.perNode)) {
    out.push('DaemonSets do not run on Fargate; on EC2 they are counted on every node');
  }
  for (const c of model.costs) {
    if (!c.fargate.fits)
      out.push(`${c.workload.namespace}/${c.workload.name}: ${c.fargate.reason}`);
  }
  return out;
}

function sweepLimit(replicas: readonly number[] | undefined): number {
  const max =
    replicas === undefined || replicas.length === 0 ? DEFAULT_SWEEP : Math.max(...replicas);
  if (max > MAX_SWEEP_REPLICAS) {
    throw new CostCompareError(
      `--replicas ${max} is above the ${MAX_SWEEP_REPLICAS} this comparison sweeps`,
    );
  }
  return Math.max(max, 2);
}

/** Costs the workloads on Fargate and on EC2 node groups and finds where the cheaper one flips. */
export function compareCosts(o: CompareOptions): Comparison {
  if (!o.workloads.some((w) => !w.perNode)) {
    throw new CostCompareError(
      'the manifests hold no Deployment, StatefulSet, ReplicaSet, Job or Pod to cost',
    );
  }
  const instanceTypes = o.instanceTypes?.length ? o.instanceTypes : Object.keys(INSTANCE_SHAPES);
  const model = buildCostModel({
    catalogue: o.catalogue,
    region: o.region,
    instanceTypes,
    workloads: o.workloads,
  });
  const upTo = sweepLimit(o.replicas);
  const points = o.replicas?.length ? o.replicas.map((n) => model.at(n)) : [model.at(undefined)];
  const scalable = o.workloads.some((w) => w.scalable);
  const crossovers = scalable ? findCrossovers(model, upTo) : [];
  const sweep = scalable ? Array.from({ length: upTo }, (_, i) => model.at(i + 1)) : [];
  const report: CompareReport = {
    region: o.region,
    currency: 'USD',
    hoursPerMonth: HOURS_PER_MONTH,
    prices: {
      fargate: o.catalogue.fargate(o.region).source,
      ec2: Object.fromEntries(instanceTypes.map((t) => [t, o.catalogue.ec2(o.region, t).source])),
    },
    workloads: model.costs,
    points,
    crossovers,
    searchedUpTo: upTo,
    recommendation: recommend(points),
    notes: notes(o.workloads, model),
  };
  const chart: ChartInput = {
    title: `Monthly cost against replicas (${o.region})`,
    ec2Label: `EC2 node group (cheapest of ${instanceTypes.join(', ')})`,
    points: sweep.map((p, i) => ({
      replicas: i + 1,
      fargate: p.fargateMonthly,
      ec2: p.bestEc2?.monthly,
    })),
    crossovers: crossovers.map((c) => c.replicas),
  };
  return { report, chart };
}

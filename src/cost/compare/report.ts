import { kubectlTable } from '../../cli/text-table.ts';
import type { PriceSource } from '../../pricing/index.ts';
import type { CostPoint, Crossover, WorkloadCost } from './model.ts';

/** Everything `kiln cost compare` prints, in the shape `-o json` emits. */
export interface CompareReport {
  region: string;
  currency: 'USD';
  hoursPerMonth: number;
  prices: { fargate: PriceSource; ec2: Record<string, PriceSource> };
  workloads: WorkloadCost[];
  points: CostPoint[];
  crossovers: Crossover[];
  /** The largest replica count searched for crossovers. */
  searchedUpTo: number;
  recommendation: string;
  notes: string[];
}

export function usd(v: number | undefined): string {
  return v === undefined ? 'n/a' : `$${v.toFixed(2)}`;
}

function mem(mi: number): string {
  return mi % 1024 === 0 && mi > 0 ? `${mi / 1024}Gi` : `${mi}Mi`;
}

function workloadRows(costs: readonly WorkloadCost[]): string[][] {
  const header = [
    'WORKLOAD',
    'KIND',
    'REPLICAS',
    'REQUESTS',
    'SIZED ON (+256Mi)',
    'PROVISIONED',
    'FARGATE/POD/MONTH',
  ];
  return [
    header,
    ...costs.map((c) => {
      const w = c.workload;
      const f = c.fargate;
      const requests = `${c.requested.milliCpu}m / ${mem(c.requested.memoryMi)}`;
      return [
        `${w.namespace}/${w.name}`,
        w.kind,
        w.perNode ? 'per node' : String(w.replicas),
        requests,
        f.fits ? `${c.requested.milliCpu}m / ${mem(f.sizedMemoryMi)}` : '-',
        w.perNode ? 'not on Fargate' : f.fits ? f.annotation : 'does not fit',
        f.fits && !w.perNode ? usd(f.monthlyPerPod) : '-',
      ];
    }),
  ];
}

function ec2Text(p: CostPoint): string {
  const b = p.bestEc2;
  return b?.nodes === undefined ? 'does not fit' : `${b.nodes} x ${b.instanceType}`;
}

function verdictText(p: CostPoint): string {
  if (p.cheaper === 'none') return '-';
  const other = p.cheaper === 'fargate' ? p.bestEc2?.monthly : p.fargateMonthly;
  const pct =
    other === undefined || other === 0 ? '' : ` (${Math.round((p.saving / other) * 100)}%)`;
  return `${p.cheaper === 'fargate' ? 'Fargate' : 'EC2'} by ${usd(p.saving)}${pct}`;
}

function pointRows(points: readonly CostPoint[]): string[][] {
  return [
    ['REPLICAS', 'PODS', 'FARGATE/MONTH', 'EC2/MONTH', 'EC2 NODES', 'CHEAPER'],
    ...points.map((p) => [
      p.replicas === undefined ? 'as written' : String(p.replicas),
      String(p.pods),
      usd(p.fargateMonthly),
      usd(p.bestEc2?.monthly),
      ec2Text(p),
      verdictText(p),
    ]),
  ];
}

export function crossoverText(crossovers: readonly Crossover[], upTo: number): string {
  if (crossovers.length === 0) return `Crossover: none between 1 and ${upTo} replicas`;
  const parts = crossovers.map(
    (c) =>
      `${c.cheaper === 'ec2' ? 'EC2 node groups' : 'Fargate'} cheaper from ${c.replicas} replicas`,
  );
  return `Crossover: ${parts.join('; ')}`;
}

/** The report as tables and sentences. */
export function reportTable(r: CompareReport): string {
  return [
    `Region ${r.region}, on-demand USD per month of ${r.hoursPerMonth} h`,
    '',
    kubectlTable(workloadRows(r.workloads)),
    kubectlTable(pointRows(r.points)),
    crossoverText(r.crossovers, r.searchedUpTo),
    `Recommendation: ${r.recommendation}`,
    ...r.notes.map((n) => `Note: ${n}`),
    '',
  ].join('\n');
}

/** One sentence naming the cheaper option at each requested count. */
export function recommend(points: readonly CostPoint[]): string {
  const parts = points.map((p) => {
    const at =
      p.replicas === undefined
        ? 'as written'
        : `at ${p.replicas} replica${p.replicas === 1 ? '' : 's'}`;
    if (p.cheaper === 'none') return `${at}: neither option fits`;
    const what =
      p.cheaper === 'fargate' ? 'Fargate' : `an EC2 node group of ${p.bestEc2?.instanceType ?? ''}`;
    return `${at} use ${what} (saves ${usd(p.saving)}/month)`;
  });
  return parts.join('; ');
}

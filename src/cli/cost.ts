import { existsSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  COST_GROUPINGS,
  costReport,
  meteringDbPath,
  UsageLedger,
  type CostGrouping,
  type CostReport,
  type CostRow,
} from '../metering/index.ts';
import { findPriceOverrideFile, loadPriceCatalogue } from '../pricing/index.ts';
import type { Clock } from '../util/index.ts';
import { kubectlTable } from './text-table.ts';

export interface CostCommandDeps {
  /** The state directory when `--state-dir` is not given (`$KILN_STATE_DIR` or ~/.kiln). */
  readonly stateDir: () => string;
  readonly clock: Clock;
  readonly out: (text: string) => void;
  /** Notes and warnings (no ledger yet, records without prices). */
  readonly err: (text: string) => void;
}

type OutputFormat = 'table' | 'json' | 'csv';

interface CostFlags {
  by: CostGrouping;
  cluster?: string;
  since?: number;
  output: OutputFormat;
  stateDir?: string;
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `--since`: a duration back from now (`90m`, `24h`, `7d`) or a date/time (`2026-01-01`). */
export function parseSince(text: string, nowMs: number): number {
  const m = /^(\d+)([smhd])$/.exec(text);
  if (m?.[1] !== undefined && m[2] !== undefined)
    return nowMs - Number(m[1]) * (DURATION_UNITS[m[2]] ?? 0);
  const at = Date.parse(text);
  if (Number.isNaN(at))
    throw new InvalidArgumentError(
      'use a duration (30m, 24h, 7d) or a date/time (2026-01-01, 2026-01-01T12:00:00Z)',
    );
  return at;
}

function usd(n: number): string {
  return n.toFixed(6);
}

function hours(n: number): string {
  return n.toFixed(4);
}

/** By pod, each row names the pod's profile, Fargate node and provisioned size. */
function podColumns(r: CostReport): { head: string[]; cells: (x: CostRow) => string[] } {
  if (r.by !== 'pod') return { head: [], cells: () => [] };
  return {
    head: ['PROFILE', 'NODE', 'VCPU', 'GB'],
    cells: (x) =>
      x.pod === undefined
        ? ['', '', '', '']
        : [x.pod.profile, x.pod.node, String(x.pod.vcpu), String(x.pod.memoryGb)],
  };
}

function fargateTable(r: CostReport): string {
  if (r.fargate.length === 0) return 'No Fargate usage in this period.\n';
  const pod = podColumns(r);
  const head = ['CLUSTER', r.by.toUpperCase(), ...pod.head, 'PODS', 'BILLED-SECONDS'];
  return kubectlTable([
    [...head, 'VCPU-HOURS', 'GB-HOURS', 'COST', 'WASTE'],
    ...r.fargate.map((x) => [
      x.cluster,
      x.key,
      ...pod.cells(x),
      String(x.pods),
      x.seconds.toFixed(1),
      hours(x.vcpuHours),
      hours(x.gbHours),
      usd(x.cost),
      usd(x.waste),
    ]),
  ]);
}

function nodeTable(r: CostReport): string {
  if (r.nodes.length === 0) return '';
  const day = r.by === 'day';
  const head = ['CLUSTER', ...(day ? ['DAY'] : []), 'NODEGROUP', 'INSTANCE-TYPE', 'NODES'];
  const rows = r.nodes.map((x) => [
    x.cluster,
    ...(day ? [x.key] : []),
    x.nodegroup === '' ? '<none>' : x.nodegroup,
    x.instanceType,
    String(x.nodes),
    hours(x.instanceHours),
    usd(x.cost),
  ]);
  return `\nNode groups:\n${kubectlTable([[...head, 'INSTANCE-HOURS', 'COST'], ...rows])}`;
}

function table(r: CostReport): string {
  const t = r.totals;
  return [
    `Spend from ${r.from} to ${r.to} (${r.currency}), Fargate by ${r.by}:\n`,
    fargateTable(r),
    nodeTable(r),
    `\nFargate:     ${usd(t.fargate)}  (requested ${usd(t.requested)}, waste from rounding up ${usd(t.waste)})\n`,
    `Node groups: ${usd(t.nodes)}\n`,
    `Total:       ${usd(t.total)}\n`,
  ].join('');
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

const POD_CSV_HEADER = [
  'profile',
  'node',
  'vcpu',
  'memory_gb',
  'requested_vcpu',
  'requested_gb',
  'start',
  'end',
];

/** By pod, the pod's own columns after the common ones; none otherwise. */
function podCsvCells(r: CostReport, x: CostRow | undefined): (string | number)[] {
  if (r.by !== 'pod') return [];
  const p = x?.pod;
  if (p === undefined) return POD_CSV_HEADER.map(() => '');
  return [
    p.profile,
    p.node,
    p.vcpu,
    p.memoryGb,
    p.requestedVcpu,
    p.requestedGb,
    p.start,
    p.end ?? '',
  ];
}

/**
 * One CSV table: Fargate groups, node-group rows and a total row, told apart by `section`.
 * By pod, each Fargate row also carries the pod's profile, node, sizes and billing times.
 */
function csv(r: CostReport): string {
  const header = [
    'section',
    'cluster',
    r.by,
    'nodegroup',
    'instance_type',
    'count',
    'billed_seconds',
    'vcpu_hours',
    'gb_hours',
    'instance_hours',
    'cost_usd',
    'requested_cost_usd',
    'waste_usd',
    ...(r.by === 'pod' ? POD_CSV_HEADER : []),
  ];
  const rows: (string | number)[][] = [
    header,
    ...r.fargate.map((x) => [
      'fargate',
      x.cluster,
      x.key,
      '',
      '',
      x.pods,
      x.seconds,
      x.vcpuHours,
      x.gbHours,
      '',
      x.cost,
      x.requestedCost,
      x.waste,
      ...podCsvCells(r, x),
    ]),
    ...r.nodes.map((x) => [
      'nodegroup',
      x.cluster,
      x.key,
      x.nodegroup,
      x.instanceType,
      x.nodes,
      x.seconds,
      '',
      '',
      x.instanceHours,
      x.cost,
      '',
      '',
      ...podCsvCells(r, undefined),
    ]),
  ];
  const t = r.totals;
  rows.push([
    'total',
    ...Array<string>(9).fill(''),
    t.total,
    t.requested,
    t.waste,
    ...podCsvCells(r, undefined),
  ]);
  return rows.map((row) => `${row.map(csvCell).join(',')}\n`).join('');
}

const FORMATS: Readonly<Record<OutputFormat, (r: CostReport) => string>> = {
  table,
  json: (r) => `${JSON.stringify(r, null, 2)}\n`,
  csv,
};

/** Reads the ledger (read-only: the daemon may be writing it) and prices it. */
function buildReport(flags: CostFlags, deps: CostCommandDeps): CostReport {
  const stateDir = flags.stateDir ?? deps.stateDir();
  const path = meteringDbPath(stateDir);
  const now = deps.clock.now();
  const fromMs = flags.since ?? 0;
  const overrideFile = findPriceOverrideFile(stateDir);
  const catalogue = loadPriceCatalogue(overrideFile === undefined ? {} : { overrideFile });
  let records: ReturnType<UsageLedger['between']> = [];
  if (existsSync(path)) {
    const ledger = new UsageLedger({ path, readonly: true });
    try {
      records = ledger.between(
        fromMs,
        now,
        flags.cluster === undefined ? {} : { cluster: flags.cluster },
      );
    } finally {
      ledger.close();
    }
  } else {
    deps.err(`No usage recorded yet (no ${path}): start Kiln with: kiln up\n`);
  }
  // Without --since the report covers all there is: it starts with the first record.
  const from = flags.since ?? records.reduce((min, r) => Math.min(min, r.startMs), now);
  return costReport(records, { catalogue, fromMs: from, toMs: now, by: flags.by });
}

/**
 * `kiln cost`: spend so far from the usage ledger, Fargate pods grouped by pod, namespace,
 * profile or UTC day (with the waste from rounding up to a Fargate size) and node-group
 * instances by type. Returns the command so subcommands (`kiln cost compare`) can be added.
 */
export function addCostCommand(program: Command, deps: CostCommandDeps): Command {
  // Commander hands options after `cost compare` to `cost` unless every command above the
  // subcommand stops reading options at it. The root has no options of its own to lose.
  program.enablePositionalOptions();
  const cost = program
    .command('cost')
    .description('show what the pods and node groups have cost so far')
    // Options after a subcommand's name are the subcommand's (`kiln cost compare -o …`).
    .enablePositionalOptions()
    .addOption(
      new Option('--by <grouping>', 'group Fargate spend by')
        .choices(COST_GROUPINGS)
        .default('namespace'),
    )
    .option('--cluster <name>', 'only this cluster (EKS name)')
    .option(
      '--since <time>',
      'from this time: a duration back (30m, 24h, 7d) or a date/time (default: all)',
      (v) => parseSince(v, deps.clock.now()),
    )
    .addOption(
      new Option('-o, --output <format>', 'output format')
        .choices(['table', 'json', 'csv'])
        .default('table'),
    )
    .option('--state-dir <dir>', 'where Kiln keeps its state (default ~/.kiln, or $KILN_STATE_DIR)')
    .action((flags: CostFlags) => {
      const report = buildReport(flags, deps);
      for (const line of report.unpriced) deps.err(`warning: not priced: ${line}\n`);
      deps.out(FORMATS[flags.output](report));
    });
  return cost;
}

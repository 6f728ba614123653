import { readFileSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { PriceCatalogue } from '../../pricing/index.ts';
import { renderCostChartSvg, renderPng } from './chart.ts';
import { compareCosts } from './compare.ts';
import { CostCompareError, parseWorkloads, type Workload } from './manifests.ts';
import { reportTable } from './report.ts';

export interface CostCompareDeps {
  /** The price catalogue with the state dir's `prices.json`/`prices.yaml` override applied. */
  loadCatalogue: () => PriceCatalogue;
  /** The region used when `--region` is absent (the daemon's configured region). */
  defaultRegion: () => string;
  /** Where output goes; process.stdout unless told. */
  write?: (text: string) => void;
}

interface CompareFlags {
  filename: string[];
  region?: string;
  instanceType?: string[];
  replicas?: number[];
  chart?: string;
  output: string;
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function parseReplicaList(value: string): number[] {
  return value.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 1) {
      throw new InvalidArgumentError(`replica counts are whole numbers of at least 1: ${part}`);
    }
    return n;
  });
}

function readWorkloads(files: readonly string[]): Workload[] {
  return files.flatMap((file) => {
    const text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
    return parseWorkloads(text, file === '-' ? '(stdin)' : file);
  });
}

function writeChart(path: string, svg: string): void {
  if (path.toLowerCase().endsWith('.png')) writeFileSync(path, renderPng(svg));
  else if (path.toLowerCase().endsWith('.svg')) writeFileSync(path, svg);
  else throw new CostCompareError(`--chart ${path}: the file name must end in .svg or .png`);
}

/** Registers `compare` under the given `cost` command. */
export function addCostCompareCommand(cost: Command, deps: CostCompareDeps): void {
  const write = deps.write ?? ((t: string) => process.stdout.write(t));
  cost
    .command('compare')
    .description(
      'Monthly cost of the workloads in manifests on Fargate against EC2 node groups, ' +
        'with the replica count where the cheaper option changes',
    )
    .requiredOption(
      '-f, --filename <file>',
      'manifests (multi-document YAML; - for stdin)',
      collect,
    )
    .option('--region <region>', 'AWS region whose prices apply')
    .option('--instance-type <type...>', 'node-group instance types to price (default: all)')
    .option(
      '--replicas <n,n,...>',
      'replica counts for Deployments, StatefulSets, ReplicaSets, Jobs',
      parseReplicaList,
    )
    .option('--chart <file>', 'write a cost-against-replicas chart (.svg or .png)')
    .option('-o, --output <format>', 'table or json', 'table')
    .action((flags: CompareFlags) => {
      if (flags.output !== 'table' && flags.output !== 'json') {
        throw new CostCompareError(`--output ${flags.output}: use table or json`);
      }
      const { report, chart } = compareCosts({
        catalogue: deps.loadCatalogue(),
        region: flags.region ?? deps.defaultRegion(),
        workloads: readWorkloads(flags.filename),
        ...(flags.instanceType ? { instanceTypes: flags.instanceType } : {}),
        ...(flags.replicas ? { replicas: flags.replicas } : {}),
      });
      if (flags.chart !== undefined) writeChart(flags.chart, renderCostChartSvg(chart));
      write(flags.output === 'json' ? `${JSON.stringify(report, null, 2)}\n` : reportTable(report));
    });
}

export { addCostCompareCommand, parseReplicaList, type CostCompareDeps } from './command.ts';
export {
  compareCosts,
  MAX_SWEEP_REPLICAS,
  type CompareOptions,
  type Comparison,
} from './compare.ts';
export { CostCompareError, parseWorkloads, type Workload } from './manifests.ts';
export { renderCostChartSvg, renderPng, type ChartInput, type ChartPoint } from './chart.ts';
export type { CompareReport } from './report.ts';
export type { CostPoint, Crossover, WorkloadCost } from './model.ts';

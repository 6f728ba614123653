import type { FargatePlatform } from './types.ts';

/** One vCPU size and the memory sizes (GB, i.e. GiB) Fargate offers with it. */
export interface FargateSizeRow {
  readonly vcpu: number;
  readonly memoryGb: readonly number[];
}

function steps(from: number, to: number, step: number): number[] {
  const out: number[] = [];
  for (let gb = from; gb <= to; gb += step) out.push(gb);
  return out;
}

const LEGACY_ROWS: readonly FargateSizeRow[] = [
  { vcpu: 0.25, memoryGb: [0.5, 1, 2] },
  { vcpu: 0.5, memoryGb: steps(1, 4, 1) },
  { vcpu: 1, memoryGb: steps(2, 8, 1) },
  { vcpu: 2, memoryGb: steps(4, 16, 1) },
  { vcpu: 4, memoryGb: steps(8, 30, 1) },
];

/**
 * The vCPU/memory combinations of the EKS user guide, smallest first. The 8 and 16 vCPU rows
 * arrived on 2022-09-19; `legacy` is the table (4 vCPU / 30 GB cap) from before.
 */
export const FARGATE_SIZE_TABLES: Readonly<Record<FargatePlatform, readonly FargateSizeRow[]>> = {
  legacy: LEGACY_ROWS,
  current: [
    ...LEGACY_ROWS,
    { vcpu: 8, memoryGb: steps(16, 60, 4) },
    { vcpu: 16, memoryGb: steps(32, 120, 8) },
  ],
};

/** The rules around the table, as numbers. */
export const FARGATE_SIZING = {
  /** Memory Fargate adds for kubelet, kube-proxy and containerd. */
  systemMemoryMiB: 256,
  /** Ephemeral storage every pod gets. */
  defaultEphemeralGiB: 20,
  /** The largest ephemeral storage a pod can be given (since 2023-08-02). */
  maxEphemeralGiB: 175,
  /** Provisioned storage = requested × 1.1 + 5 GiB, as tenths and GiB. */
  ephemeralOverheadTenths: 11,
  ephemeralOverheadGiB: 5,
} as const;

/** Whether ephemeral-storage requests size the volume; the legacy platform always gives 20 GiB. */
export const FARGATE_LARGE_EPHEMERAL: Readonly<Record<FargatePlatform, boolean>> = {
  legacy: false,
  current: true,
};

import type { FargatePrices } from './types.ts';

/** Fargate includes 20 GB of ephemeral storage in every pod's price. */
export const FARGATE_FREE_STORAGE_GB = 20;

/** AWS bills at least one minute per pod. */
const MINIMUM_BILLED_SECONDS = 60;
const SECONDS_PER_HOUR = 3600;

/** Seconds billed for a pod alive `aliveSeconds`: per second, with a one-minute minimum. */
export function billedSeconds(aliveSeconds: number): number {
  return Math.max(MINIMUM_BILLED_SECONDS, aliveSeconds);
}

export interface FargateUsage {
  vcpu: number;
  memoryGb: number;
  /** Provisioned ephemeral storage; only the part above the free 20 GB is charged. */
  storageGb: number;
  /** Seconds already billed (see billedSeconds); charged as given. */
  seconds: number;
}

/** USD for `usage` at `prices`. */
export function fargateCost(prices: FargatePrices, usage: FargateUsage): number {
  const hours = usage.seconds / SECONDS_PER_HOUR;
  const extraStorageGb = Math.max(0, usage.storageGb - FARGATE_FREE_STORAGE_GB);
  const hourly =
    usage.vcpu * prices.vcpuHour +
    usage.memoryGb * prices.gbHour +
    extraStorageGb * prices.storageGbHour;
  return hourly * hours;
}

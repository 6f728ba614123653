import {
  FARGATE_LARGE_EPHEMERAL,
  FARGATE_SIZE_TABLES,
  FARGATE_SIZING,
  type FargateSizeRow,
} from './sizing-table.ts';
import { effectiveRequest } from './sizing-requests.ts';
import {
  FargateSizingError,
  type FargatePlatform,
  type FargatePod,
  type FargatePodSize,
} from './types.ts';

const MIB = 1n << 20n;
const GIB = 1n << 30n;

/** The pod annotation carrying the size, e.g. `CapacityProvisioned: 0.5vCPU 1GB`. */
export const CAPACITY_PROVISIONED_ANNOTATION = 'CapacityProvisioned';

/** The PodScheduled condition EKS reports for a pod above the largest size. */
export const FARGATE_TOO_LARGE_MESSAGE =
  "Your pod's cpu/memory requirements exceed the max Fargate configuration";
/** Not observed on EKS: worded after the cpu/memory message. */
export const FARGATE_STORAGE_TOO_LARGE_MESSAGE =
  "Your pod's ephemeral-storage requirements exceed the max Fargate configuration";

export interface FargateSizingOptions {
  /** Which size table applies; `current` (16 vCPU / 120 GB) unless told otherwise. */
  platform?: FargatePlatform;
}

/** The pod's needs in the units the table is matched in. */
export interface FargateNeeds {
  milliCpu: bigint;
  /** Effective memory request plus Fargate's system memory. */
  memoryMiB: bigint;
  ephemeralBytes: bigint;
}

function ceilDiv(a: bigint, b: bigint): bigint {
  return (a + b - 1n) / b;
}

export function fargateNeeds(pod: FargatePod): FargateNeeds {
  const memoryBytes = effectiveRequest(pod, 'memory', 0);
  return {
    milliCpu: effectiveRequest(pod, 'cpu', -3),
    memoryMiB: ceilDiv(memoryBytes, MIB) + BigInt(FARGATE_SIZING.systemMemoryMiB),
    ephemeralBytes: effectiveRequest(pod, 'ephemeral-storage', 0),
  };
}

function toMilli(vcpu: number): bigint {
  return BigInt(Math.round(vcpu * 1000));
}

function toMiB(gb: number): bigint {
  return BigInt(Math.round(gb * 1024));
}

/** The smallest vCPU/memory pair covering both needs, or undefined above the table. */
export function pickSize(
  needs: Pick<FargateNeeds, 'milliCpu' | 'memoryMiB'>,
  rows: readonly FargateSizeRow[],
): { vcpu: number; memoryGb: number } | undefined {
  for (const row of rows) {
    if (toMilli(row.vcpu) < needs.milliCpu) continue;
    const memoryGb = row.memoryGb.find((gb) => toMiB(gb) >= needs.memoryMiB);
    if (memoryGb !== undefined) return { vcpu: row.vcpu, memoryGb };
  }
  return undefined;
}

/** Provisioned storage: 20 GiB, or requested × 1.1 + 5 GiB rounded up to whole GiB. */
export function provisionedEphemeralGiB(ephemeralBytes: bigint): number {
  const { ephemeralOverheadTenths, ephemeralOverheadGiB, defaultEphemeralGiB } = FARGATE_SIZING;
  if (ephemeralBytes === 0n) return defaultEphemeralGiB;
  const tenths = ephemeralBytes * BigInt(ephemeralOverheadTenths);
  const sized = ceilDiv(tenths + BigInt(ephemeralOverheadGiB) * 10n * GIB, 10n * GIB);
  return Math.max(defaultEphemeralGiB, Number(sized));
}

/** `CapacityProvisioned` as EKS writes it, e.g. `0.25vCPU 0.5GB`. */
export function capacityProvisionedAnnotation(size: { vcpu: number; memoryGb: number }): string {
  return `${String(size.vcpu)}vCPU ${String(size.memoryGb)}GB`;
}

/**
 * The size a `CapacityProvisioned` value names (`0.5vCPU 1GB` → { vcpu: 0.5, memoryGb: 1 }), the
 * inverse of capacityProvisionedAnnotation; undefined for an absent value or any other text.
 */
export function parseCapacityProvisioned(
  text: string | undefined,
): { vcpu: number; memoryGb: number } | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)vCPU\s+(\d+(?:\.\d+)?)GB\s*$/.exec(text ?? '');
  if (m?.[1] === undefined || m[2] === undefined) return undefined;
  return { vcpu: Number(m[1]), memoryGb: Number(m[2]) };
}

/**
 * The Fargate size of a pod: its effective cpu and memory requests (plus 256 MiB of system
 * memory) rounded up to the smallest supported combination, and its ephemeral storage.
 * Returns a FargateSizingError when no size is large enough.
 */
export function sizeFargatePod(
  pod: FargatePod,
  options: FargateSizingOptions = {},
): FargatePodSize | FargateSizingError {
  const platform = options.platform ?? 'current';
  const needs = fargateNeeds(pod);
  const size = pickSize(needs, FARGATE_SIZE_TABLES[platform]);
  if (size === undefined) {
    return new FargateSizingError(
      'POD_CPU_MEM_EXCEEDS_MAX_FARGATE_SIZE',
      FARGATE_TOO_LARGE_MESSAGE,
    );
  }
  const ephemeralGiB = FARGATE_LARGE_EPHEMERAL[platform]
    ? provisionedEphemeralGiB(needs.ephemeralBytes)
    : FARGATE_SIZING.defaultEphemeralGiB;
  if (ephemeralGiB > FARGATE_SIZING.maxEphemeralGiB) {
    return new FargateSizingError(
      'POD_EPHEMERAL_STORAGE_EXCEEDS_MAX_FARGATE_SIZE',
      FARGATE_STORAGE_TOO_LARGE_MESSAGE,
    );
  }
  return { ...size, ephemeralGiB, annotation: capacityProvisionedAnnotation(size) };
}

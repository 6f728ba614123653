import { KilnError } from '../util/index.ts';
import type { FargateProfile } from './types.ts';

/**
 * The cluster's Fargate profiles with their current status and health. `list` answers from
 * memory (a store's cache): it is called on every admission and scheduling decision.
 */
export interface FargateProfileSource {
  list(): readonly FargateProfile[];
}

/** A profile source over a mutable list, for tests and `lenient` single-cluster setups. */
export class InMemoryProfileSource implements FargateProfileSource {
  #profiles: FargateProfile[];
  constructor(profiles: readonly FargateProfile[] = []) {
    this.#profiles = [...profiles];
  }
  list(): readonly FargateProfile[] {
    return this.#profiles;
  }
  /** Adds the profile, or replaces the one of the same name. */
  put(profile: FargateProfile): void {
    this.#profiles = [
      ...this.#profiles.filter((p) => p.fargateProfileName !== profile.fargateProfileName),
      profile,
    ];
  }
  remove(name: string): void {
    this.#profiles = this.#profiles.filter((p) => p.fargateProfileName !== name);
  }
}

/** One address handed to a Fargate pod: it is the pod IP and its node's InternalIP. */
export interface FargateIpAssignment {
  readonly ip: string;
  readonly subnetId: string;
  /** The subnet's Availability Zone, e.g. `ap-northeast-2a`. */
  readonly zone: string;
}

/**
 * Where Fargate pod IPs come from: the private subnets of a profile. `allocate` spreads
 * successive pods over the given subnets (and so over AZs) and returns undefined when every
 * one of them is full; `release` returns an address and ignores one it never handed out.
 */
export interface FargateIpSource {
  allocate(subnetIds: readonly string[]): FargateIpAssignment | undefined;
  release(ip: string): void;
}

export interface SubnetDefinition {
  readonly id: string;
  /** IPv4 CIDR, /16 to /28, as EC2 allows for a subnet. */
  readonly cidr: string;
  readonly zone: string;
}

export class InvalidSubnetCidrError extends KilnError {
  readonly code = 'KILN_FARGATE_INVALID_SUBNET_CIDR';
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
    return undefined;
  }
  return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

interface SubnetRange {
  readonly def: SubnetDefinition;
  /** First and last usable address: EC2 reserves the first four and the last of a subnet. */
  readonly first: number;
  readonly last: number;
  next: number;
}

function subnetRange(def: SubnetDefinition): SubnetRange {
  const [addr = '', bitsText = ''] = def.cidr.split('/');
  const base = parseIpv4(addr);
  const bits = Number(bitsText);
  if (base === undefined || !Number.isInteger(bits) || bits < 16 || bits > 28) {
    throw new InvalidSubnetCidrError(
      `subnet ${def.id}: invalid CIDR ${JSON.stringify(def.cidr)} (want IPv4 /16 to /28)`,
    );
  }
  const size = 2 ** (32 - bits);
  const network = base - (base % size);
  return { def, first: network + 4, last: network + size - 2, next: network + 4 };
}

/**
 * Hands out addresses from a fixed table of subnets, skipping the five EC2 reserves, round-robin
 * over the requested subnets so pods land in every AZ in turn.
 */
export class SubnetIpSource implements FargateIpSource {
  readonly #subnets = new Map<string, SubnetRange>();
  readonly #used = new Map<number, string>();
  #turn = 0;

  constructor(subnets: readonly SubnetDefinition[]) {
    for (const s of subnets) this.#subnets.set(s.id, subnetRange(s));
  }

  allocate(subnetIds: readonly string[]): FargateIpAssignment | undefined {
    const ranges = subnetIds.flatMap((id) => this.#subnets.get(id) ?? []);
    for (let k = 0; k < ranges.length; k++) {
      const range = ranges[(this.#turn + k) % ranges.length];
      const ip = range === undefined ? undefined : this.#take(range);
      if (range === undefined || ip === undefined) continue;
      this.#turn = (this.#turn + k + 1) % ranges.length;
      return { ip: formatIpv4(ip), subnetId: range.def.id, zone: range.def.zone };
    }
    return undefined;
  }

  #take(range: SubnetRange): number | undefined {
    const span = range.last - range.first + 1;
    for (let k = 0; k < span; k++) {
      const candidate = range.first + ((range.next - range.first + k) % span);
      if (this.#used.has(candidate)) continue;
      this.#used.set(candidate, range.def.id);
      range.next = candidate + 1 > range.last ? range.first : candidate + 1;
      return candidate;
    }
    return undefined;
  }

  release(ip: string): void {
    const n = parseIpv4(ip);
    if (n !== undefined) this.#used.delete(n);
  }
}

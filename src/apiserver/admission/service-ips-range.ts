import type { IdSource } from '../../util/index.ts';
import { KilnError } from '../../util/index.ts';

/** A service CIDR that is not an IPv4 prefix Kiln can allocate from. */
export class ServiceCidrError extends KilnError {
  readonly code = 'KILN_SERVICE_CIDR_INVALID';
}

export function ipv4ToInt(ip: string): number | undefined {
  const parts = ip.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => String(Math.floor(n / 2 ** s) % 256)).join('.');
}

/**
 * A contiguous range of allocatable integers (IPs as numbers, or ports) split as upstream's
 * bitmap allocator splits it: dynamic allocation prefers the upper band so that the lower
 * `offset` values stay free for users who pick theirs.
 */
export interface AllocRange {
  readonly first: number;
  readonly last: number;
  readonly offset: number;
  /** How errors describe the range (`10.100.0.0/16`, `30000-32767`). */
  readonly text: string;
}

/** Usable addresses of an IPv4 CIDR: without the network and broadcast addresses. */
export function cidrRange(cidr: string): AllocRange {
  const [base, bitsText] = cidr.split('/');
  const start = ipv4ToInt(base ?? '');
  const bits = Number(bitsText);
  if (start === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30)
    throw new ServiceCidrError(`invalid IPv4 service CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  const network = start - (start % size);
  const usable = size - 2;
  return {
    first: network + 1,
    last: network + size - 2,
    // ipallocator: min(max(16, size/16), 256) addresses reserved for static allocation.
    offset: Math.min(Math.max(16, Math.floor(usable / 16)), 256),
    text: `${intToIpv4(network)}/${String(bits)}`,
  };
}

export function portRange(first: number, last: number): AllocRange {
  const size = last - first + 1;
  // portallocator: min(max(16, size/32), 128) ports reserved for static allocation.
  return {
    first,
    last,
    offset: Math.min(Math.max(16, Math.floor(size / 32)), 128),
    text: `${String(first)}-${String(last)}`,
  };
}

export function inRange(r: AllocRange, v: number): boolean {
  return v >= r.first && v <= r.last;
}

function scan(
  from: number,
  band: { lo: number; hi: number },
  free: (v: number) => boolean,
): number | undefined {
  const size = band.hi - band.lo + 1;
  for (let k = 0; k < size; k++) {
    const v = band.lo + ((from - band.lo + k) % size);
    if (free(v)) return v;
  }
  return undefined;
}

/** A free value: a random start in the upper band scanning forward, then the lower band. */
export function allocateNext(
  r: AllocRange,
  ids: IdSource,
  free: (v: number) => boolean,
): number | undefined {
  const split = r.first + r.offset;
  const bands =
    split > r.last
      ? [{ lo: r.first, hi: r.last }]
      : [
          { lo: split, hi: r.last },
          { lo: r.first, hi: split - 1 },
        ];
  for (const band of bands) {
    const start = band.lo + ids.int(band.hi - band.lo + 1);
    const v = scan(start, band, free);
    if (v !== undefined) return v;
  }
  return undefined;
}

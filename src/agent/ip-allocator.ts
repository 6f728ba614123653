import { KilnError } from '../util/index.ts';

export class IpRangeExhaustedError extends KilnError {
  readonly code = 'KILN_AGENT_IP_EXHAUSTED';
}

export class InvalidCidrError extends KilnError {
  readonly code = 'KILN_AGENT_INVALID_CIDR';
}

function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    const v = Number(p);
    if (!/^\d{1,3}$/.test(p) || v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

const formatIpv4 = (n: number): string =>
  [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/**
 * Hands out pod IPs from a node's pod CIDR, as host-local IPAM does: the network and gateway
 * (.1) and broadcast addresses are never given out, and released addresses are reused last.
 */
export class IpAllocator {
  readonly cidr: string;
  readonly #first: number;
  readonly #last: number;
  readonly #used = new Set<number>();
  #next: number;

  constructor(cidr: string) {
    const [addr = '', bitsText = ''] = cidr.split('/');
    const base = parseIpv4(addr);
    const bits = Number(bitsText);
    if (base === undefined || !Number.isInteger(bits) || bits < 8 || bits > 30) {
      throw new InvalidCidrError(
        `invalid pod CIDR ${JSON.stringify(cidr)}: want an IPv4 /8 to /30`,
      );
    }
    const size = 2 ** (32 - bits);
    const network = base - (base % size);
    this.cidr = `${formatIpv4(network)}/${bits}`;
    this.#first = network + 2;
    this.#last = network + size - 2;
    this.#next = this.#first;
  }

  allocate(): string {
    const span = this.#last - this.#first + 1;
    for (let k = 0; k < span; k++) {
      const candidate = this.#first + ((this.#next - this.#first + k) % span);
      if (this.#used.has(candidate)) continue;
      this.#used.add(candidate);
      this.#next = candidate + 1 > this.#last ? this.#first : candidate + 1;
      return formatIpv4(candidate);
    }
    throw new IpRangeExhaustedError(`no free pod IP left in ${this.cidr}`);
  }

  release(ip: string): void {
    const n = parseIpv4(ip);
    if (n !== undefined) this.#used.delete(n);
  }
}

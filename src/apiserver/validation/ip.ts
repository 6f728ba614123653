import type { FieldError } from '../../api/index.ts';
import { invalid } from './field.ts';

/**
 * IP parsing as k8s.io/utils/net ParseIPSloppy does it (IPv4 octets may carry leading
 * zeros), plus the IP and CIDR checks validation uses.
 */

/** 16 bytes; IPv4 addresses are stored IPv4-mapped, as Go's net.IP does. */
export type Ip = Uint8Array;

function parseIpv4(s: string): number[] | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function v4Mapped(b: readonly number[]): Ip {
  const ip = new Uint8Array(16);
  ip[10] = 0xff;
  ip[11] = 0xff;
  ip.set(b, 12);
  return ip;
}

function parseHextets(groups: readonly string[]): number[] | undefined {
  const out: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
    out.push(parseInt(g, 16));
  }
  return out;
}

/** Rewrites a trailing dotted IPv4 part of an IPv6 address as two hextets. */
function embeddedV4AsHex(text: string): string | undefined {
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (!tail.includes('.')) return text;
  const v4 = parseIpv4(tail);
  if (v4 === undefined) return undefined;
  const [a = 0, b = 0, c = 0, d = 0] = v4;
  return `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
}

/** Expands a textual IPv6 address (with an optional trailing dotted IPv4) into hextets. */
function ipv6Hextets(s: string): number[] | undefined {
  const text = embeddedV4AsHex(s);
  if (text === undefined) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const split = (h: string): string[] => (h === '' ? [] : h.split(':'));
  const head = parseHextets(split(halves[0] ?? ''));
  const rest = halves.length === 2 ? parseHextets(split(halves[1] ?? '')) : [];
  if (head === undefined || rest === undefined) return undefined;
  const total = head.length + rest.length;
  if (halves.length === 1) return total === 8 ? head : undefined;
  if (total > 7) return undefined;
  return [...head, ...new Array<number>(8 - total).fill(0), ...rest];
}

/** ParseIPSloppy; undefined when the text is not an IP address. */
export function parseIp(s: string): Ip | undefined {
  const v4 = parseIpv4(s);
  if (v4 !== undefined) return v4Mapped(v4);
  if (!s.includes(':')) return undefined;
  const hextets = ipv6Hextets(s);
  if (hextets === undefined) return undefined;
  const ip = new Uint8Array(16);
  hextets.forEach((h, i) => {
    ip[2 * i] = h >> 8;
    ip[2 * i + 1] = h & 0xff;
  });
  return ip;
}

/** net.IP.To4() != nil. */
export function isIpv4(ip: Ip): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

export function isValidIp(field: string, value: string): FieldError[] {
  return parseIp(value) === undefined
    ? [invalid(field, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')]
    : [];
}

export function isValidIpv4Address(field: string, value: string): FieldError[] {
  const ip = parseIp(value);
  return ip === undefined || !isIpv4(ip)
    ? [invalid(field, value, 'must be a valid IPv4 address')]
    : [];
}

export function isValidIpv6Address(field: string, value: string): FieldError[] {
  const ip = parseIp(value);
  return ip === undefined || isIpv4(ip)
    ? [invalid(field, value, 'must be a valid IPv6 address')]
    : [];
}

/** ParseCIDRSloppy succeeds. */
export function isCidr(value: string): boolean {
  const slash = value.indexOf('/');
  if (slash < 0) return false;
  const ip = parseIp(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  if (ip === undefined || !/^[0-9]{1,3}$/.test(bits)) return false;
  return Number(bits) <= (value.slice(0, slash).includes(':') ? 128 : 32);
}

export function isValidCidr(field: string, value: string): FieldError[] {
  return isCidr(value)
    ? []
    : [invalid(field, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

function isUnspecified(ip: Ip): boolean {
  if (isIpv4(ip)) return ip[12] === 0 && ip[13] === 0 && ip[14] === 0 && ip[15] === 0;
  return ip.every((b) => b === 0);
}

function isLoopback(ip: Ip): boolean {
  if (isIpv4(ip)) return ip[12] === 127;
  return ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1;
}

function isLinkLocalUnicast(ip: Ip): boolean {
  if (isIpv4(ip)) return ip[12] === 169 && ip[13] === 254;
  return ip[0] === 0xfe && ((ip[1] ?? 0) & 0xc0) === 0x80;
}

function isLinkLocalMulticast(ip: Ip): boolean {
  if (isIpv4(ip)) return ip[12] === 224 && ip[13] === 0 && ip[14] === 0;
  return ip[0] === 0xff && ((ip[1] ?? 0) & 0x0f) === 0x02;
}

/** ValidateNonSpecialIP: for endpoints, endpoint slices and external IPs. */
export function validateNonSpecialIp(value: string, field: string): FieldError[] {
  const ip = parseIp(value);
  if (ip === undefined) return [invalid(field, value, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  if (isUnspecified(ip)) errs.push(invalid(field, value, `may not be unspecified (${value})`));
  if (isLoopback(ip)) {
    errs.push(invalid(field, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  }
  if (isLinkLocalUnicast(ip)) {
    errs.push(
      invalid(field, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'),
    );
  }
  if (isLinkLocalMulticast(ip)) {
    errs.push(
      invalid(
        field,
        value,
        'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
      ),
    );
  }
  return errs;
}

/** netutils.IsDualStackIPStrings for two addresses: one of each family. */
export function isDualStackPair(a: string, b: string): boolean {
  const ia = parseIp(a);
  const ib = parseIp(b);
  return ia !== undefined && ib !== undefined && isIpv4(ia) !== isIpv4(ib);
}

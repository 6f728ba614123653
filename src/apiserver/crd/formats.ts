import { isIP } from 'node:net';

/**
 * The string formats kube-openapi's default registry checks in custom resources. Formats it does
 * not know (int32, int64, float, double, password…) accept any string, as upstream.
 */

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME =
  /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u;
const EMAIL = /^[^\s@]+@[^\s@]+$/;
const MAC = /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const DURATION = /^(-?\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;

function validDate(v: string): boolean {
  if (!DATE.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(v);
}

function validCidr(v: string): boolean {
  const [ip = '', bits, ...rest] = v.split('/');
  if (bits === undefined || rest.length > 0 || !/^\d+$/.test(bits)) return false;
  const family = isIP(ip);
  const n = Number(bits);
  return family === 4 ? n <= 32 : family === 6 ? n <= 128 : false;
}

const CHECKS: Readonly<Record<string, (v: string) => boolean>> = {
  date: validDate,
  'date-time': (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))),
  datetime: (v) => DATE_TIME.test(v) && !Number.isNaN(Date.parse(v.replace(' ', 'T'))),
  uuid: (v) => UUID.test(v),
  ipv4: (v) => isIP(v) === 4,
  ipv6: (v) => isIP(v) === 6,
  cidr: validCidr,
  hostname: (v) => v.length <= 255 && HOSTNAME.test(v),
  email: (v) => EMAIL.test(v),
  mac: (v) => MAC.test(v),
  byte: (v) => v.length % 4 === 0 && BASE64.test(v),
  duration: (v) => DURATION.test(v),
};

/** Whether `v` fails the named format; unknown formats never fail. */
export function formatError(format: string, v: string): boolean {
  const check = CHECKS[format];
  return check !== undefined && !check(v);
}

import { createHash, createHmac } from 'node:crypto';

/** SigV4's URI encoding: everything but RFC 3986 unreserved characters is %-escaped (upper-case hex). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** The canonical query string: encoded pairs sorted by key, then value. */
export function canonicalQuery(params: readonly (readonly [string, string])[]): string {
  return params
    .map(([k, v]) => [uriEncode(k), uriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak === bk ? cmp(av, bv) : cmp(ak, bk)))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export interface PresignedRequest {
  readonly method: string;
  readonly path: string;
  /** Every query parameter but X-Amz-Signature, decoded. */
  readonly params: readonly (readonly [string, string])[];
  /** The signed headers, lower-case names → values. */
  readonly headers: Readonly<Record<string, string>>;
  readonly secretAccessKey: string;
  /** `YYYYMMDDTHHMMSSZ`. */
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
}

/** The hex SigV4 signature of a presigned (query-authenticated) request with an empty payload. */
export function presignedSignature(r: PresignedRequest): string {
  const names = Object.keys(r.headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${(r.headers[n] ?? '').trim()}\n`).join('');
  const canonicalRequest = [
    r.method,
    r.path,
    canonicalQuery(r.params),
    canonicalHeaders,
    names.join(';'),
    sha256Hex(''),
  ].join('\n');
  const day = r.amzDate.slice(0, 8);
  const scope = `${day}/${r.region}/${r.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', r.amzDate, scope, sha256Hex(canonicalRequest)].join(
    '\n',
  );
  const key = hmac(
    hmac(hmac(hmac(`AWS4${r.secretAccessKey}`, day), r.region), r.service),
    'aws4_request',
  );
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../util/index.ts';
import type { AwsCredentialEntry, AwsCredentials } from './credentials.ts';

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** How far X-Amz-Date may be from the server's clock, as AWS allows. */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000;
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

/** Why a request failed authentication; each service family maps a kind to its own code. */
export type AuthFailureKind =
  | 'missing'
  | 'incomplete'
  | 'unknown-key'
  | 'signature'
  | 'skew'
  | 'token-invalid'
  | 'token-expired';

export class SigV4Failure extends Error {
  readonly kind: AuthFailureKind;
  /** The signing name from the credential scope when it could be read; routes the envelope. */
  readonly service: string | undefined;
  constructor(kind: AuthFailureKind, message: string, service?: string) {
    super(message);
    this.kind = kind;
    this.service = service;
  }
}

/** The parts of an HTTP request that SigV4 covers, exactly as they arrived. */
export interface SignedRequest {
  readonly method: string;
  /** The path as sent, still percent-encoded. */
  readonly rawPath: string;
  /** The query string as sent, without `?`. */
  readonly rawQuery: string;
  /** Header name/value pairs as sent (node's `rawHeaders`, paired). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export interface VerifiedRequest {
  readonly accessKeyId: string;
  readonly credential: AwsCredentialEntry;
  readonly region: string;
  readonly service: string;
}

/** SigV4's URI encoding: all but RFC 3986 unreserved characters are %XX (upper-case hex). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, '%20'));
  } catch {
    return s;
  }
}

/**
 * The canonical URI of a non-S3 service: dot segments and empty segments removed, then the
 * already-encoded path encoded once more, as botocore and @smithy/signature-v4 both do.
 */
export function canonicalPath(rawPath: string): string {
  const segments: string[] = [];
  for (const seg of rawPath.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') segments.pop();
    else segments.push(seg);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** Query pairs decoded, re-encoded with SigV4's encoding and sorted by key, then value. */
export function canonicalQuery(rawQuery: string, omit?: string): string {
  const pairs: [string, string][] = [];
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = safeDecode(eq < 0 ? part : part.slice(0, eq));
    if (key === omit) continue;
    pairs.push([uriEncode(key), uriEncode(eq < 0 ? '' : safeDecode(part.slice(eq + 1)))]);
  }
  pairs.sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Lower-case name → values trimmed, inner whitespace collapsed, repeated headers joined by `,`. */
function headerMap(headers: SignedRequest['headers']): Map<string, string> {
  const out = new Map<string, string>();
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    const v = value.trim().replace(/\s+/g, ' ');
    const prev = out.get(key);
    out.set(key, prev === undefined ? v : `${prev},${v}`);
  }
  return out;
}

export interface CanonicalRequestParts {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: ReadonlyMap<string, string>;
  readonly signedHeaders: readonly string[];
  readonly payloadHash: string;
  /** Presigned requests leave their own signature out of the canonical query. */
  readonly omitQueryParam?: string;
}

export function canonicalRequest(p: CanonicalRequestParts): string {
  const canonicalHeaders = p.signedHeaders
    .map((name) => `${name}:${p.headers.get(name) ?? ''}\n`)
    .join('');
  return [
    p.method,
    canonicalPath(p.rawPath),
    canonicalQuery(p.rawQuery, p.omitQueryParam),
    canonicalHeaders,
    p.signedHeaders.join(';'),
    p.payloadHash,
  ].join('\n');
}

export interface SignatureInput {
  readonly canonicalRequest: string;
  readonly amzDate: string;
  readonly region: string;
  readonly service: string;
  readonly secretAccessKey: string;
}

/** The hex signature over a canonical request. */
export function sign(s: SignatureInput): string {
  const day = s.amzDate.slice(0, 8);
  const scope = `${day}/${s.region}/${s.service}/aws4_request`;
  const stringToSign = [ALGORITHM, s.amzDate, scope, sha256Hex(s.canonicalRequest)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${s.secretAccessKey}`, day), s.region), s.service),
    'aws4_request',
  );
  return createHmac('sha256', key).update(stringToSign, 'utf8').digest('hex');
}

/** The signature parameters, from the Authorization header or the presigned query. */
interface AuthParams {
  readonly credential: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  readonly amzDate: string;
  readonly presigned: boolean;
  readonly expiresSeconds?: number;
  readonly securityToken: string | undefined;
}

function parseAuthorizationHeader(value: string, headers: ReadonlyMap<string, string>): AuthParams {
  const space = value.indexOf(' ');
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new SigV4Failure('incomplete', `Unsupported AWS 'algorithm': '${algorithm}'`);
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const missing = ['Credential', 'Signature', 'SignedHeaders']
    .filter((k) => (fields.get(k) ?? '') === '')
    .map((k) => `Authorization header requires '${k}' parameter. `);
  const amzDate = headers.get('x-amz-date') ?? isoBasic(headers.get('date'));
  if (amzDate === undefined) {
    missing.push(
      "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. ",
    );
  }
  if (missing.length > 0 || amzDate === undefined) {
    throw new SigV4Failure('incomplete', `${missing.join('')}Authorization=${value}`);
  }
  return {
    credential: fields.get('Credential') ?? '',
    signedHeaders: (fields.get('SignedHeaders') ?? '').split(';'),
    signature: fields.get('Signature') ?? '',
    amzDate,
    presigned: false,
    securityToken: headers.get('x-amz-security-token'),
  };
}

function parsePresignedQuery(query: URLSearchParams): AuthParams {
  const required = ['X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Date'];
  const missing = required.filter((k) => (query.get(k) ?? '') === '');
  if (missing.length > 0) {
    throw new SigV4Failure(
      'incomplete',
      missing.map((k) => `AWS query-string parameters must include '${k}'.`).join(' '),
    );
  }
  const expires = query.get('X-Amz-Expires');
  return {
    credential: query.get('X-Amz-Credential') ?? '',
    signedHeaders: (query.get('X-Amz-SignedHeaders') ?? '').split(';'),
    signature: query.get('X-Amz-Signature') ?? '',
    amzDate: query.get('X-Amz-Date') ?? '',
    presigned: true,
    ...(expires === null ? {} : { expiresSeconds: Number(expires) }),
    securityToken: query.get('X-Amz-Security-Token') ?? undefined,
  };
}

/** An RFC 1123 `Date` header as `YYYYMMDDTHHMMSSZ`. */
function isoBasic(date: string | undefined): string | undefined {
  if (date === undefined) return undefined;
  const ms = Date.parse(date);
  return Number.isNaN(ms) ? undefined : formatAmzDate(ms);
}

export function formatAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number);
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, se ?? 0);
}

interface Scope {
  readonly accessKeyId: string;
  readonly day: string;
  readonly region: string;
  readonly service: string;
}

function parseScope(credential: string): Scope {
  const parts = credential.split('/');
  const [accessKeyId = '', day = '', region = '', service = '', terminator = ''] = parts;
  if (parts.length !== 5) {
    throw new SigV4Failure(
      'incomplete',
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  if (terminator !== 'aws4_request') {
    throw new SigV4Failure(
      'signature',
      `Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`,
      service,
    );
  }
  return { accessKeyId, day, region, service };
}

function checkClock(amzDate: string, now: number, service: string): void {
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined) {
    throw new SigV4Failure(
      'incomplete',
      `Date must be in ISO-8601 'basic format'. Got '${amzDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
      service,
    );
  }
  if (signedAt < now - MAX_CLOCK_SKEW_MS) {
    throw new SigV4Failure(
      'skew',
      `Signature expired: ${amzDate} is now earlier than ${formatAmzDate(now - MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} - 15 min.)`,
      service,
    );
  }
  if (signedAt > now + MAX_CLOCK_SKEW_MS) {
    throw new SigV4Failure(
      'skew',
      `Signature not yet current: ${amzDate} is still later than ${formatAmzDate(now + MAX_CLOCK_SKEW_MS)} (${formatAmzDate(now)} + 15 min.)`,
      service,
    );
  }
}

function checkPresignedExpiry(auth: AuthParams, now: number, service: string): void {
  const signedAt = parseAmzDate(auth.amzDate) ?? 0;
  if (auth.expiresSeconds !== undefined && now > signedAt + auth.expiresSeconds * 1000) {
    throw new SigV4Failure('skew', 'Request has expired', service);
  }
}

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function lookupCredential(
  credentials: AwsCredentials,
  auth: AuthParams & { readonly scope: Scope },
  now: number,
): AwsCredentialEntry {
  const { scope } = auth;
  const cred = credentials.lookup(scope.accessKeyId);
  if (!cred) {
    throw new SigV4Failure(
      'unknown-key',
      'The security token included in the request is invalid.',
      scope.service,
    );
  }
  if ((auth.securityToken ?? '') !== (cred.sessionToken ?? '')) {
    throw new SigV4Failure(
      'token-invalid',
      'The security token included in the request is invalid.',
      scope.service,
    );
  }
  if (cred.expiresAt !== undefined && now >= cred.expiresAt) {
    throw new SigV4Failure(
      'token-expired',
      'The security token included in the request is expired',
      scope.service,
    );
  }
  return cred;
}

/**
 * Verifies a SigV4-signed request (Authorization header or presigned query) against the
 * credential store: scope, clock skew (15 minutes), session token and signature. Throws
 * SigV4Failure; the endpoint turns its kind into the service family's error code.
 */
export function verifySigV4(
  req: SignedRequest,
  opts: { readonly credentials: AwsCredentials; readonly clock: Clock },
): VerifiedRequest {
  const headers = headerMap(req.headers);
  const query = new URLSearchParams(req.rawQuery);
  const authorization = headers.get('authorization');
  let auth: AuthParams;
  if (authorization !== undefined) auth = parseAuthorizationHeader(authorization, headers);
  else if (query.has('X-Amz-Algorithm')) auth = parsePresignedQuery(query);
  else throw new SigV4Failure('missing', 'Request is missing Authentication Token');
  const scope = parseScope(auth.credential);
  const now = opts.clock.now();
  if (auth.presigned) checkPresignedExpiry(auth, now, scope.service);
  else checkClock(auth.amzDate, now, scope.service);
  if (scope.day !== auth.amzDate.slice(0, 8)) {
    throw new SigV4Failure(
      'signature',
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.day}' != '${auth.amzDate.slice(0, 8)}', from '${auth.amzDate}'.`,
      scope.service,
    );
  }
  const credential = lookupCredential(opts.credentials, { ...auth, scope }, now);
  const declared = headers.get('x-amz-content-sha256');
  const payloadHash = declared === UNSIGNED_PAYLOAD ? declared : sha256Hex(req.body);
  const expected = sign({
    canonicalRequest: canonicalRequest({
      method: req.method,
      rawPath: req.rawPath,
      rawQuery: req.rawQuery,
      headers,
      signedHeaders: auth.signedHeaders,
      payloadHash,
      ...(auth.presigned ? { omitQueryParam: 'X-Amz-Signature' } : {}),
    }),
    amzDate: auth.amzDate,
    region: scope.region,
    service: scope.service,
    secretAccessKey: credential.secretAccessKey,
  });
  const given = Buffer.from(auth.signature);
  const want = Buffer.from(expected);
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new SigV4Failure('signature', SIGNATURE_MISMATCH, scope.service);
  }
  return {
    accessKeyId: scope.accessKeyId,
    credential,
    region: scope.region,
    service: scope.service,
  };
}

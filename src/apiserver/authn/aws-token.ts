import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../util/index.ts';
import { presignedSignature } from './sigv4.ts';

export const AWS_TOKEN_PREFIX = 'k8s-aws-v1.';
/** aws-iam-authenticator's limit on the token length. */
const MAX_TOKEN_BYTES = 4096;
/** A token is good for 15 minutes after X-Amz-Date (what EKS accepts, whatever X-Amz-Expires says). */
export const AWS_TOKEN_LIFETIME_MS = 15 * 60_000;
const CLUSTER_ID_HEADER = 'x-k8s-aws-id';
const ALLOWED_PARAMS = new Set([
  'action',
  'version',
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-security-token',
  'x-amz-signature',
  'x-amz-signedheaders',
]);
const STS_HOST = /^sts(-fips)?(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/;

/** The IAM principal an access key belongs to, as STS GetCallerIdentity reports it. */
export interface AwsPrincipal {
  /** e.g. `arn:aws:iam::000000000000:user/alice` or `arn:aws:sts::…:assumed-role/Role/session`. */
  readonly arn: string;
  /** GetCallerIdentity's UserId, e.g. `AIDA…` or `AROA…:session`. */
  readonly userId: string;
  readonly accountId: string;
}

export interface AwsCredential {
  readonly secretAccessKey: string;
  /** Temporary credentials carry a session token that the request must present. */
  readonly sessionToken?: string;
  readonly principal: AwsPrincipal;
}

/** Looks up the secret behind an access key id (the AWS endpoint's IAM/STS state). */
export interface AwsCredentialStore {
  lookup(accessKeyId: string): AwsCredential | undefined;
}

/** An in-memory credential store; `test`/`test` is the account's root by default. */
export class InMemoryAwsCredentialStore implements AwsCredentialStore {
  readonly #creds = new Map<string, AwsCredential>();

  constructor(opts: { accountId?: string; seedTestCredentials?: boolean } = {}) {
    const accountId = opts.accountId ?? '000000000000';
    if (opts.seedTestCredentials ?? true) {
      this.add('test', {
        secretAccessKey: 'test',
        principal: { arn: `arn:aws:iam::${accountId}:root`, userId: accountId, accountId },
      });
    }
  }

  add(accessKeyId: string, credential: AwsCredential): void {
    this.#creds.set(accessKeyId, credential);
  }

  remove(accessKeyId: string): void {
    this.#creds.delete(accessKeyId);
  }

  lookup(accessKeyId: string): AwsCredential | undefined {
    return this.#creds.get(accessKeyId);
  }
}

/** Who signed a valid token, with the ARN canonicalised as aws-iam-authenticator does. */
export interface AwsIdentity {
  readonly arn: string;
  readonly canonicalArn: string;
  readonly accountId: string;
  readonly userId: string;
  readonly sessionName: string;
  readonly accessKeyId: string;
}

/** Why a token was refused; the message is safe to log (it never holds the token). */
export class AwsTokenError extends Error {}

/**
 * `arn:aws:sts::<acct>:assumed-role/<role>/<session>` → `arn:aws:iam::<acct>:role/<role>`;
 * IAM users, roles, root and federated users stay as they are.
 */
export function canonicalizeArn(arn: string): string {
  const m = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m) throw new AwsTokenError(`arn '${arn}' is invalid`);
  const [, partition, service, account, resource = ''] = m;
  if (service === 'sts') {
    const role = /^assumed-role\/([^/]+)\/[^/]+$/.exec(resource);
    if (role) return `arn:${partition ?? 'aws'}:iam::${account ?? ''}:role/${role[1] ?? ''}`;
    if (/^federated-user\/.+$/.test(resource)) return arn;
    throw new AwsTokenError(`unrecognized resource ${resource} for service sts`);
  }
  if (resource === 'root' || /^(user|role)\/.+$/.test(resource)) return arn;
  throw new AwsTokenError(`unrecognized resource ${resource} for service iam`);
}

function sessionNameOf(arn: string): string {
  return /:assumed-role\/[^/]+\/([^/]+)$/.exec(arn)?.[1] ?? '';
}

/** Decoded query parameters; refuses unknown and repeated ones (aws-iam-authenticator's rules). */
function parseQuery(search: string): Map<string, { key: string; value: string }> {
  const out = new Map<string, { key: string; value: string }>();
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(eq < 0 ? pair : pair.slice(0, eq));
      value = eq < 0 ? '' : decodeURIComponent(pair.slice(eq + 1));
    } catch {
      throw new AwsTokenError('malformed query');
    }
    const lower = key.toLowerCase();
    if (!ALLOWED_PARAMS.has(lower))
      throw new AwsTokenError(`non-whitelisted query parameter ${JSON.stringify(key)}`);
    if (out.has(lower))
      throw new AwsTokenError('query parameter with multiple values not supported');
    out.set(lower, { key, value });
  }
  return out;
}

function param(q: ReadonlyMap<string, { value: string }>, name: string): string {
  const v = q.get(name)?.value;
  if (v === undefined || v === '') throw new AwsTokenError(`missing ${name}`);
  return v;
}

function parseAmzDate(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new AwsTokenError('X-Amz-Date is malformed');
  const [, y, mo, d, h, mi, se] = m.map(Number);
  return Date.UTC(y ?? 0, (mo ?? 1) - 1, d ?? 0, h ?? 0, mi ?? 0, se ?? 0);
}

function checkEndpoint(url: URL, extraHosts: readonly string[]): void {
  if (extraHosts.includes(url.host)) {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new AwsTokenError('unexpected scheme in pre-signed URL');
    }
  } else if (url.protocol !== 'https:' || !STS_HOST.test(url.hostname) || url.port !== '') {
    throw new AwsTokenError(`unexpected hostname ${JSON.stringify(url.host)} in pre-signed URL`);
  }
  if (url.pathname !== '/') throw new AwsTokenError('unexpected path in pre-signed URL');
  if (url.username !== '' || url.password !== '' || url.hash !== '') {
    throw new AwsTokenError('unexpected URL parts in pre-signed URL');
  }
}

/** Action, version, algorithm, signed headers and expiry as `aws eks get-token` makes them. */
function checkRequestShape(q: ReadonlyMap<string, { value: string }>): void {
  const expect = (name: string, value: string, what: string): void => {
    if (param(q, name) !== value) throw new AwsTokenError(`unexpected ${what} in pre-signed URL`);
  };
  expect('action', 'GetCallerIdentity', 'action parameter');
  expect('version', '2011-06-15', 'version parameter');
  expect('x-amz-algorithm', 'AWS4-HMAC-SHA256', 'signing algorithm');
  const signed = param(q, 'x-amz-signedheaders').split(';');
  if (!signed.includes(CLUSTER_ID_HEADER)) {
    throw new AwsTokenError('client did not sign the x-k8s-aws-id header in the pre-signed URL');
  }
  if (signed.length !== 2 || !signed.includes('host')) {
    throw new AwsTokenError('unsupported signed headers');
  }
  if (!/^\d+$/.test(param(q, 'x-amz-expires'))) {
    throw new AwsTokenError('X-Amz-Expires is malformed');
  }
}

/** `<access key>/<yyyymmdd>/<region>/sts/aws4_request`, dated the day of X-Amz-Date. */
function parseCredentialScope(
  credential: string,
  amzDate: string,
): { accessKeyId: string; region: string } {
  const [accessKeyId = '', day, region = '', service, terminator, ...rest] = credential.split('/');
  const ok =
    rest.length === 0 &&
    accessKeyId !== '' &&
    day === amzDate.slice(0, 8) &&
    region !== '' &&
    service === 'sts' &&
    terminator === 'aws4_request';
  if (!ok) throw new AwsTokenError('X-Amz-Credential is malformed');
  return { accessKeyId, region };
}

export interface AwsTokenVerifierOptions {
  /** The cluster name the token must be signed for (`x-k8s-aws-id`). */
  readonly clusterId: string;
  readonly credentials: AwsCredentialStore;
  readonly clock: Clock;
  /** Hosts besides `sts[.<region>].amazonaws.com` (a local AWS endpoint, `host:port`); http allowed. */
  readonly extraHosts?: readonly string[];
}

/** The presigned URL inside a `k8s-aws-v1.` token. */
function decodeToken(token: string): URL {
  if (token.length > MAX_TOKEN_BYTES) throw new AwsTokenError('token is too large');
  const body = token.slice(AWS_TOKEN_PREFIX.length);
  if (!/^[A-Za-z0-9_-]*$/.test(body))
    throw new AwsTokenError('input token was not properly formatted');
  try {
    return new URL(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    throw new AwsTokenError('input token was not properly formatted');
  }
}

/**
 * Verifies a `k8s-aws-v1.` token offline: the presigned STS GetCallerIdentity URL must target
 * STS, be at most 15 minutes old, sign `host` and `x-k8s-aws-id: <cluster>`, and carry the
 * SigV4 signature that the access key's secret produces. Returns the caller; throws
 * AwsTokenError otherwise.
 */
export class AwsTokenVerifier {
  readonly #opts: AwsTokenVerifierOptions;

  constructor(opts: AwsTokenVerifierOptions) {
    this.#opts = opts;
  }

  verify(token: string): AwsIdentity {
    const url = decodeToken(token);
    checkEndpoint(url, this.#opts.extraHosts ?? []);
    const q = parseQuery(url.search);
    checkRequestShape(q);
    const amzDate = param(q, 'x-amz-date');
    this.#checkDate(amzDate);
    const scope = parseCredentialScope(param(q, 'x-amz-credential'), amzDate);
    const cred = this.#opts.credentials.lookup(scope.accessKeyId);
    if (!cred) {
      throw new AwsTokenError(
        'the security token included in the request is invalid (unknown access key)',
      );
    }
    if ((q.get('x-amz-security-token')?.value ?? '') !== (cred.sessionToken ?? '')) {
      throw new AwsTokenError('the security token included in the request is invalid');
    }
    const expected = presignedSignature({
      method: 'GET',
      path: url.pathname,
      params: [...q.entries()]
        .filter(([k]) => k !== 'x-amz-signature')
        .map(([, p]) => [p.key, p.value] as const),
      headers: { host: url.host, [CLUSTER_ID_HEADER]: this.#opts.clusterId },
      secretAccessKey: cred.secretAccessKey,
      amzDate,
      region: scope.region,
      service: 'sts',
    });
    const given = Buffer.from(param(q, 'x-amz-signature'));
    const want = Buffer.from(expected);
    if (given.length !== want.length || !timingSafeEqual(given, want)) {
      throw new AwsTokenError(
        'the request signature does not match (wrong secret, cluster id or a tampered URL)',
      );
    }
    const p = cred.principal;
    return {
      arn: p.arn,
      canonicalArn: canonicalizeArn(p.arn),
      accountId: p.accountId,
      userId: p.userId,
      sessionName: sessionNameOf(p.arn),
      accessKeyId: scope.accessKeyId,
    };
  }

  #checkDate(amzDate: string): void {
    const signedAt = parseAmzDate(amzDate);
    const now = this.#opts.clock.now();
    if (now - signedAt > AWS_TOKEN_LIFETIME_MS)
      throw new AwsTokenError('X-Amz-Date parameter is expired (15 minute expiration)');
    if (signedAt - now > AWS_TOKEN_LIFETIME_MS)
      throw new AwsTokenError('X-Amz-Date parameter is in the future');
  }
}

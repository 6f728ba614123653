import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { InMemoryAwsCredentialStore } from '../../apiserver/authn/index.ts';
import { ManualClock } from '../../util/index.ts';
import type { AwsCredentials } from './credentials.ts';
import {
  canonicalPath,
  canonicalQuery,
  SigV4Failure,
  verifySigV4,
  type SignedRequest,
} from './sigv4.ts';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5);

interface Draft {
  readonly method?: string;
  readonly path?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly service?: string;
  readonly secret?: string;
  readonly accessKeyId?: string;
  readonly sessionToken?: string;
  readonly at?: number;
}

/** Signs a request with the AWS SDK's own signer and returns it as the endpoint would read it. */
async function signed(d: Draft = {}): Promise<SignedRequest> {
  const signer = new SignatureV4({
    service: d.service ?? 'iam',
    region: 'ap-northeast-2',
    sha256: Sha256,
    credentials: {
      accessKeyId: d.accessKeyId ?? 'test',
      secretAccessKey: d.secret ?? 'test',
      ...(d.sessionToken === undefined ? {} : { sessionToken: d.sessionToken }),
    },
  });
  const body = d.body ?? 'Action=GetCallerIdentity&Version=2011-06-15';
  const req = await signer.sign(
    {
      method: d.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: 4566,
      path: d.path ?? '/',
      query: d.query ?? {},
      headers: {
        host: '127.0.0.1:4566',
        'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
        ...d.headers,
      },
      body,
    },
    { signingDate: new Date(d.at ?? NOW) },
  );
  const rawQuery = new URLSearchParams(d.query ?? {}).toString();
  return {
    method: req.method,
    rawPath: d.path ?? '/',
    rawQuery,
    headers: Object.entries(req.headers),
    body: Buffer.from(body),
  };
}

const credentials: AwsCredentials = new InMemoryAwsCredentialStore();
const clock = new ManualClock(NOW);

function failure(req: SignedRequest, creds: AwsCredentials = credentials): SigV4Failure {
  try {
    verifySigV4(req, { credentials: creds, clock });
  } catch (e: unknown) {
    if (e instanceof SigV4Failure) return e;
    throw e;
  }
  assert.fail('expected the request to be rejected');
}

describe('SigV4 verification against @smithy/signature-v4', () => {
  it('accepts a signed form POST and reports scope and principal', async () => {
    const v = verifySigV4(await signed(), { credentials, clock });
    assert.equal(v.accessKeyId, 'test');
    assert.equal(v.region, 'ap-northeast-2');
    assert.equal(v.service, 'iam');
    assert.equal(v.credential.principal.arn, 'arn:aws:iam::000000000000:root');
  });

  it('accepts encoded paths, sorted queries and x-amz-content-sha256', async () => {
    const req = await signed({
      method: 'GET',
      service: 'eks',
      path: '/clusters/my%20cluster/fargate-profiles',
      query: { nextToken: 'a/b+c=', maxResults: '5' },
      headers: {
        'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      },
      body: '',
    });
    assert.equal(verifySigV4(req, { credentials, clock }).service, 'eks');
  });

  it('rejects a tampered body, a wrong secret and a changed header as signature mismatches', async () => {
    const ok = await signed();
    assert.equal(
      failure({ ...ok, body: Buffer.from('Action=GetCallerIdentity&Version=2011-06-16') }).kind,
      'signature',
    );
    assert.equal(failure(await signed({ secret: 'wrong' })).kind, 'signature');
    const headers = ok.headers.map(([k, v]) =>
      k.toLowerCase() === 'content-type' ? ([k, 'text/plain'] as const) : ([k, v] as const),
    );
    const f = failure({ ...ok, headers });
    assert.equal(f.kind, 'signature');
    assert.match(f.message, /^The request signature we calculated does not match/);
  });

  it('rejects unknown keys, missing and incomplete authorization', async () => {
    assert.equal(failure(await signed({ accessKeyId: 'AKIANOPE' })).kind, 'unknown-key');
    const ok = await signed();
    const noAuth = ok.headers.filter(([k]) => k.toLowerCase() !== 'authorization');
    assert.equal(failure({ ...ok, headers: noAuth }).kind, 'missing');
    const partial: SignedRequest = {
      ...ok,
      headers: [
        ...noAuth,
        [
          'Authorization',
          'AWS4-HMAC-SHA256 Credential=test/20260102/ap-northeast-2/iam/aws4_request',
        ],
      ],
    };
    const f = failure(partial);
    assert.equal(f.kind, 'incomplete');
    assert.match(f.message, /Authorization header requires 'Signature' parameter\./);
  });

  it('rejects requests signed more than 15 minutes away from the clock', async () => {
    const old = failure(await signed({ at: NOW - 16 * 60_000 }));
    assert.equal(old.kind, 'skew');
    assert.equal(
      old.message,
      'Signature expired: 20260102T024805Z is now earlier than 20260102T024905Z (20260102T030405Z - 15 min.)',
    );
    assert.equal(failure(await signed({ at: NOW + 16 * 60_000 })).kind, 'skew');
    verifySigV4(await signed({ at: NOW - 14 * 60_000 }), { credentials, clock });
  });

  it('checks session tokens and their expiry', async () => {
    const temp: AwsCredentials = {
      lookup: (id) =>
        id === 'ASIATEMP'
          ? {
              secretAccessKey: 's',
              sessionToken: 'tok',
              expiresAt: NOW + 1000,
              principal: {
                arn: 'arn:aws:sts::000000000000:assumed-role/R/s',
                userId: 'AROA:s',
                accountId: '000000000000',
              },
            }
          : undefined,
    };
    const good = await signed({ accessKeyId: 'ASIATEMP', secret: 's', sessionToken: 'tok' });
    verifySigV4(good, { credentials: temp, clock });
    assert.equal(
      failure(await signed({ accessKeyId: 'ASIATEMP', secret: 's' }), temp).kind,
      'token-invalid',
    );
    const later = new ManualClock(NOW + 2000);
    assert.throws(
      () => verifySigV4(good, { credentials: temp, clock: later }),
      (e: unknown) => e instanceof SigV4Failure && e.kind === 'token-expired',
    );
  });

  it('accepts presigned query authentication', async () => {
    const signer = new SignatureV4({
      service: 'sts',
      region: 'us-east-1',
      sha256: Sha256,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const req = await signer.presign(
      {
        method: 'GET',
        protocol: 'http:',
        hostname: '127.0.0.1',
        path: '/',
        query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
        headers: { host: '127.0.0.1:4566' },
      },
      { signingDate: new Date(NOW), expiresIn: 60 },
    );
    const rawQuery = Object.entries(req.query ?? {})
      .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
      .join('&');
    const r: SignedRequest = {
      method: 'GET',
      rawPath: '/',
      rawQuery,
      headers: [['Host', '127.0.0.1:4566']],
      body: Buffer.alloc(0),
    };
    assert.equal(verifySigV4(r, { credentials, clock }).service, 'sts');
    const late = new ManualClock(NOW + 120_000);
    assert.throws(
      () => verifySigV4(r, { credentials, clock: late }),
      (e: unknown) => e instanceof SigV4Failure && e.message === 'Request has expired',
    );
  });
});

describe('canonical request pieces', () => {
  it('double-encodes the path and normalises dot segments', () => {
    assert.equal(canonicalPath('/clusters/a%20b/./x/../y'), '/clusters/a%2520b/y');
    assert.equal(canonicalPath('/'), '/');
  });
  it('sorts query pairs by encoded key, then value', () => {
    assert.equal(canonicalQuery('b=2&a=2&a=1&c'), 'a=1&a=2&b=2&c=');
    assert.equal(canonicalQuery('k=a%2Fb%20c'), 'k=a%2Fb%20c');
  });
});

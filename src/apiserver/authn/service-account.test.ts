import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import type { ApiResponse } from '../http-types.ts';
import { parseRequestInfo } from '../request-info.ts';
import { ApiServer } from '../server.ts';
import type { RestOp } from '../rest-context.ts';
import { ServiceAccountTokenAuthenticator } from './service-account-authn.ts';
import { generateSigningKeyPem, TokenIssuer } from './token-issuer.ts';
import { serviceAccountIssuerDiscovery, tokenRequestHandler } from './token-request.ts';
import type { AuthnOutcome } from './types.ts';

async function setup() {
  const clock = new ManualClock();
  const ids = sequentialIds();
  const store = new CachedStore({ persistence: noPersistence });
  const issuer = new TokenIssuer({ signingKeyPem: generateSigningKeyPem(), clock, ids });
  const authn = new ServiceAccountTokenAuthenticator({ issuer, store });
  const put = async (key: string, obj: KubeObject) => store.create(key, obj);
  await put('/serviceaccounts/default/default', {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name: 'default', namespace: 'default', uid: 'sa-uid-1' },
  });
  const check = (token: string): Promise<AuthnOutcome> =>
    Promise.resolve(authn.check({ headers: { authorization: `Bearer ${token}` }, connection: {} }));
  const api = new ApiServer({ store, clock, ids });
  const request = (path: string, body: unknown): Promise<ApiResponse> => {
    const info = parseRequestInfo('POST', path, new URLSearchParams());
    assert.equal(info.kind, 'resource');
    const def = api.registry.lookup(info.group, info.version, info.resource);
    assert.ok(def);
    const op: RestOp = {
      deps: api.deps,
      def,
      info,
      req: {
        method: 'POST',
        path,
        query: new URLSearchParams(),
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(body)),
        user: { username: 'admin', groups: [] },
        signal: new AbortController().signal,
      },
    };
    return tokenRequestHandler(issuer)(op);
  };
  return { clock, store, issuer, check, put, request };
}

function bodyOf(r: ApiResponse): Record<string, unknown> {
  assert.ok('body' in r);
  return JSON.parse(r.body.toString()) as Record<string, unknown>;
}

const SA_TOKEN_PATH = '/api/v1/namespaces/default/serviceaccounts/default/token';

describe('ServiceAccount tokens', () => {
  it('issues through TokenRequest a token that authenticates as the ServiceAccount', async () => {
    const s = await setup();
    const res = await s.request(SA_TOKEN_PATH, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenRequest',
      spec: {},
    });
    assert.equal(res.status, 201);
    const out = bodyOf(res) as {
      status: { token: string; expirationTimestamp: string };
      spec: { expirationSeconds: number; audiences: string[] };
    };
    assert.equal(out.spec.expirationSeconds, 3600);
    assert.deepEqual(out.spec.audiences, ['https://kubernetes.default.svc']);
    assert.equal(out.status.expirationTimestamp, '2026-01-01T01:00:00Z');
    const verdict = await s.check(out.status.token);
    assert.equal(verdict.kind, 'user');
    assert.equal(verdict.user.username, 'system:serviceaccount:default:default');
    assert.equal(verdict.user.uid, 'sa-uid-1');
    assert.deepEqual(verdict.user.groups, [
      'system:serviceaccounts',
      'system:serviceaccounts:default',
    ]);
    assert.match(
      verdict.user.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '',
      /^JTI=/,
    );
    const claims = JSON.parse(
      Buffer.from(out.status.token.split('.')[1] ?? '', 'base64url').toString(),
    ) as Record<string, unknown>;
    assert.equal(claims['sub'], 'system:serviceaccount:default:default');
    assert.equal(claims['iss'], 'https://kubernetes.default.svc');
    assert.deepEqual(claims['kubernetes.io'], {
      namespace: 'default',
      serviceaccount: { name: 'default', uid: 'sa-uid-1' },
    });
  });

  it('rejects short durations, unknown accounts and foreign bound kinds as upstream', async () => {
    const s = await setup();
    await assert.rejects(
      s.request(SA_TOKEN_PATH, { spec: { expirationSeconds: 599 } }),
      (e: Error) =>
        e.message.includes(
          'spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes',
        ),
    );
    await assert.rejects(
      s.request('/api/v1/namespaces/default/serviceaccounts/nobody/token', { spec: {} }),
      /serviceaccounts "nobody" not found/,
    );
    await assert.rejects(
      s.request(SA_TOKEN_PATH, {
        spec: { boundObjectRef: { kind: 'Deployment', apiVersion: 'apps/v1', name: 'x' } },
      }),
      /cannot bind token to object of type apps\/v1, Kind=Deployment/,
    );
  });

  it('binds to a pod: valid while the pod lives, rejected once it is gone', async () => {
    const s = await setup();
    await s.put('/pods/default/web', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', namespace: 'default', uid: 'pod-uid-1' },
      spec: { serviceAccountName: 'default', containers: [] },
    });
    const res = await s.request(SA_TOKEN_PATH, {
      spec: {
        audiences: ['https://kubernetes.default.svc', 'vault'],
        boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web' },
      },
    });
    const token = (bodyOf(res) as { status: { token: string } }).status.token;
    const ok = await s.check(token);
    assert.equal(ok.kind, 'user');
    assert.deepEqual(ok.user.extra?.['authentication.kubernetes.io/pod-name'], ['web']);
    assert.deepEqual(ok.user.extra['authentication.kubernetes.io/pod-uid'], ['pod-uid-1']);
    await s.store.delete('/pods/default/web');
    const gone = await s.check(token);
    assert.equal(gone.kind, 'rejected');
  });

  it('rejects expired, tampered, wrong-audience and replaced-account tokens; skips foreign JWTs', async () => {
    const s = await setup();
    const sa = { name: 'default', uid: 'sa-uid-1' };
    const good = (
      await s.issuer.issue({
        namespace: 'default',
        serviceAccount: sa,
        audiences: ['https://kubernetes.default.svc'],
        expirationSeconds: 600,
      })
    ).token;
    const wrongAud = (
      await s.issuer.issue({
        namespace: 'default',
        serviceAccount: sa,
        audiences: ['vault'],
        expirationSeconds: 600,
      })
    ).token;
    assert.equal((await s.check(good)).kind, 'user');
    assert.equal((await s.check(wrongAud)).kind, 'rejected');
    const [h, p, sig = ''] = good.split('.');
    const flipped = `${h ?? ''}.${p ?? ''}.${sig.startsWith('A') ? 'B' : 'A'}${sig.slice(1)}`;
    assert.equal((await s.check(flipped)).kind, 'rejected');
    const forged = Buffer.from(
      JSON.stringify({ iss: 'https://kubernetes.default.svc', sub: 'x' }),
    ).toString('base64url');
    assert.equal((await s.check(`${h ?? ''}.${forged}.${sig}`)).kind, 'rejected');
    const foreign = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"iss":"https://accounts.example"}').toString('base64url')}.`;
    assert.equal((await s.check(foreign)).kind, 'skip');
    s.clock.advance(600_000 + 59_000);
    assert.equal((await s.check(good)).kind, 'user', 'a minute of leeway after exp');
    s.clock.advance(2_000);
    assert.equal((await s.check(good)).kind, 'rejected');
    const fresh = (
      await s.issuer.issue({
        namespace: 'default',
        serviceAccount: sa,
        audiences: ['https://kubernetes.default.svc'],
        expirationSeconds: 600,
      })
    ).token;
    await s.store.delete('/serviceaccounts/default/default');
    await s.put('/serviceaccounts/default/default', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name: 'default', namespace: 'default', uid: 'sa-uid-2' },
    });
    const replaced = await s.check(fresh);
    assert.equal(replaced.kind, 'rejected');
    assert.match(replaced.reason, /uid/);
  });

  it('authenticates legacy secret-based tokens only while the secret holds them', async () => {
    const s = await setup();
    const token = await s.issuer.issueLegacy({
      namespace: 'default',
      serviceAccount: { name: 'default', uid: 'sa-uid-1' },
      secretName: 'default-token',
    });
    await s.put('/secrets/default/default-token', {
      apiVersion: 'v1',
      kind: 'Secret',
      type: 'kubernetes.io/service-account-token',
      metadata: {
        name: 'default-token',
        namespace: 'default',
        uid: 'sec-1',
        annotations: { 'kubernetes.io/service-account.name': 'default' },
      },
      data: { token: Buffer.from(token).toString('base64') },
    });
    const ok = await s.check(token);
    assert.equal(ok.kind, 'user');
    assert.equal(ok.user.username, 'system:serviceaccount:default:default');
    await s.store.delete('/secrets/default/default-token');
    assert.equal((await s.check(token)).kind, 'rejected');
  });

  it('publishes OIDC discovery and a JWKS whose key id matches the tokens', async () => {
    const s = await setup();
    const disc = await serviceAccountIssuerDiscovery(s.issuer, '/.well-known/openid-configuration');
    assert.ok(disc);
    const d = bodyOf(disc);
    assert.equal(d['issuer'], 'https://kubernetes.default.svc');
    assert.equal(d['jwks_uri'], 'https://kubernetes.default.svc/openid/v1/jwks');
    const jwks = await serviceAccountIssuerDiscovery(s.issuer, '/openid/v1/jwks');
    assert.ok(jwks);
    const keys = bodyOf(jwks)['keys'] as { kid: string; kty: string; alg: string }[];
    assert.equal(keys[0]?.kty, 'EC');
    assert.equal(keys[0].alg, 'ES256');
    const { token } = await s.issuer.issue({
      namespace: 'default',
      serviceAccount: { name: 'default', uid: 'sa-uid-1' },
      audiences: ['x'],
      expirationSeconds: 600,
    });
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as {
      kid: string;
    };
    assert.equal(header.kid, keys[0].kid);
    assert.equal(await serviceAccountIssuerDiscovery(s.issuer, '/other'), undefined);
  });
});

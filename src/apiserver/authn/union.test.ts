import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { StaticTokenAuthenticator } from '../authn.ts';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { AwsIamAuthenticator } from './aws-auth.ts';
import { InMemoryAwsCredentialStore } from './aws-token.ts';
import { ClientCertAuthenticator } from './client-cert.ts';
import { createCa } from '../../daemon/pki.ts';
import { ServiceAccountTokenAuthenticator } from './service-account-authn.ts';
import { generateSigningKeyPem, TokenIssuer } from './token-issuer.ts';
import { fromAuthenticator, UnionAuthenticator } from './union.ts';
import { rejected, SKIP } from './types.ts';

async function fullUnion() {
  const clock = new ManualClock();
  const store = new CachedStore({ persistence: noPersistence });
  const issuer = new TokenIssuer({
    signingKeyPem: generateSigningKeyPem(),
    clock,
    ids: sequentialIds(),
  });
  const ca = await createCa({ commonName: 'kiln-ca', clock });
  const admin = new StaticTokenAuthenticator([
    { token: 'admin-token', user: { username: 'kubernetes-admin', groups: ['system:masters'] } },
  ]);
  return new UnionAuthenticator([
    fromAuthenticator('static', admin),
    new ClientCertAuthenticator({ caPem: ca.cert, clock }),
    new ServiceAccountTokenAuthenticator({ issuer, store }),
    new AwsIamAuthenticator({
      clusterId: 'demo',
      credentials: new InMemoryAwsCredentialStore(),
      clock,
      store,
      admins: [{ arn: 'arn:aws:iam::000000000000:root' }],
    }),
  ]);
}

describe('UnionAuthenticator', () => {
  it('first user wins and gains system:authenticated; a rejection stops the search', async () => {
    const seen: string[] = [];
    const union = new UnionAuthenticator(
      [
        { name: 'a', check: () => SKIP },
        { name: 'b', check: (c) => (c.headers['x'] === 'bad' ? rejected('bad b') : SKIP) },
        { name: 'c', check: () => ({ kind: 'user', user: { username: 'carol', groups: ['g'] } }) },
      ],
      { onRejected: (n, r) => seen.push(`${n}: ${r}`) },
    );
    assert.deepEqual(await union.authenticate({}), {
      username: 'carol',
      groups: ['g', 'system:authenticated'],
    });
    assert.equal(await union.authenticate({ x: 'bad' }), undefined);
    assert.deepEqual(seen, ['b: bad b']);
    const throwing = new UnionAuthenticator([
      {
        name: 't',
        check: () => {
          throw new Error('boom');
        },
      },
    ]);
    assert.equal(await throwing.authenticate({}), undefined);
  });

  it('never throws and never authenticates garbage (fuzz)', async () => {
    const union = await fullUnion();
    assert.equal(
      (await union.authenticate({ authorization: 'Bearer admin-token' }))?.username,
      'kubernetes-admin',
    );
    const token = fc.oneof(
      fc.string(),
      fc.base64String().map((s) => `k8s-aws-v1.${s}`),
      fc
        .string()
        .map(
          (s) =>
            `k8s-aws-v1.${Buffer.from(`https://sts.amazonaws.com/?${s}`).toString('base64url')}`,
        ),
      fc
        .tuple(fc.json(), fc.json(), fc.string())
        .map(([h, p, s]) => [h, p, s].map((x) => Buffer.from(x).toString('base64url')).join('.')),
      fc
        .json()
        .map(
          (p) =>
            `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(p).toString('base64url')}.sig`,
        ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          token.map((t) => `Bearer ${t}`),
          fc.string(),
        ),
        fc.option(fc.uint8Array({ maxLength: 300 }), { nil: undefined }),
        async (authorization, cert) => {
          const user = await union.authenticate(
            { authorization },
            cert ? { peerCertificate: Buffer.from(cert) } : {},
          );
          assert.equal(user, undefined);
        },
      ),
      { numRuns: 300 },
    );
  });
});

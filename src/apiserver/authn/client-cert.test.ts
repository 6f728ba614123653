import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, it } from 'node:test';
import { createCa, issueCertificate } from '../../daemon/pki.ts';
import { ManualClock } from '../../util/index.ts';
import { ClientCertAuthenticator, issueClientCertificate } from './client-cert.ts';

const der = (pem: string): Buffer => new X509Certificate(pem).raw;

describe('ClientCertAuthenticator', () => {
  it('accepts CA-signed client certificates (CN user, O groups) and rejects the rest', async () => {
    const clock = new ManualClock();
    const ca = await createCa({ commonName: 'kiln-ca', clock });
    const other = await createCa({ commonName: 'other-ca', clock });
    const authn = new ClientCertAuthenticator({ caPem: ca.cert, clock });
    const check = (cert: string) =>
      authn.check({ headers: {}, connection: { peerCertificate: der(cert) } });

    const alice = await issueClientCertificate({
      ca,
      user: { username: 'alice', groups: ['dev', 'ops'] },
      clock,
    });
    const ok = check(alice.cert);
    assert.equal(ok.kind, 'user');
    assert.equal(ok.user.username, 'alice');
    assert.deepEqual(ok.user.groups, ['dev', 'ops']);
    assert.match(
      ok.user.extra?.['authentication.kubernetes.io/credential-id']?.[0] ?? '',
      /^X509SHA256=[0-9a-f]{64}$/,
    );
    const foreign = await issueClientCertificate({
      ca: other,
      user: { username: 'mallory' },
      clock,
    });
    assert.equal(check(foreign.cert).kind, 'rejected');
    const serving = await issueCertificate({
      ca,
      commonName: 'kube-apiserver',
      usage: 'server',
      clock,
    });
    const s = check(serving.cert);
    assert.equal(
      s.kind === 'rejected' ? s.reason : s.kind,
      'x509: certificate specifies an incompatible key usage',
    );
    assert.equal(
      authn.check({ headers: {}, connection: { peerCertificate: Buffer.from('junk') } }).kind,
      'rejected',
    );
    assert.equal(authn.check({ headers: {}, connection: {} }).kind, 'skip');
    clock.advance(366 * 86_400_000);
    assert.equal(check(alice.cert).kind, 'rejected');
  });
});

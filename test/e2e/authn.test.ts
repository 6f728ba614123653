import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { issueClientCertificate } from '../../src/apiserver/authn/index.ts';
import { statePaths } from '../../src/daemon/index.ts';
import { systemClock } from '../../src/util/index.ts';
import { startCluster, type TestCluster } from './harness.ts';

/**
 * An ExecCredential plugin that presigns STS GetCallerIdentity as `aws eks get-token` does,
 * written from the SigV4 spec independently of the server's verifier.
 */
const GET_TOKEN_SCRIPT = `
import { createHash, createHmac } from 'node:crypto';
const [cluster, keyId, secret, offsetMs] = process.argv.slice(2);
const at = new Date(Date.now() + Number(offsetMs ?? 0));
const amzDate = at.toISOString().replace(/[-:]/g, '').replace(/\\.\\d{3}/, '');
const day = amzDate.slice(0, 8);
const region = 'us-east-1';
const host = 'sts.' + region + '.amazonaws.com';
const enc = (s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
const params = {
  Action: 'GetCallerIdentity', Version: '2011-06-15', 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
  'X-Amz-Credential': keyId + '/' + day + '/' + region + '/sts/aws4_request', 'X-Amz-Date': amzDate,
  'X-Amz-Expires': '60', 'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
};
const query = Object.keys(params).sort().map((k) => enc(k) + '=' + enc(params[k])).join('&');
const sha = (s) => createHash('sha256').update(s).digest('hex');
const creq = ['GET', '/', query, 'host:' + host + '\\nx-k8s-aws-id:' + cluster + '\\n', 'host;x-k8s-aws-id', sha('')].join('\\n');
const sts = ['AWS4-HMAC-SHA256', amzDate, day + '/' + region + '/sts/aws4_request', sha(creq)].join('\\n');
let k = createHmac('sha256', 'AWS4' + secret).update(day).digest();
for (const p of [region, 'sts', 'aws4_request']) k = createHmac('sha256', k).update(p).digest();
const sig = createHmac('sha256', k).update(sts).digest('hex');
const url = 'https://' + host + '/?' + query + '&X-Amz-Signature=' + sig;
process.stdout.write(JSON.stringify({
  kind: 'ExecCredential', apiVersion: 'client.authentication.k8s.io/v1beta1', spec: {},
  status: { expirationTimestamp: new Date(at.getTime() + 14 * 60000).toISOString(), token: 'k8s-aws-v1.' + Buffer.from(url).toString('base64url') },
}));
`;

const UNAUTHORIZED = 'error: You must be logged in to the server (Unauthorized)';

interface User {
  readonly name: string;
  readonly user: Record<string, unknown>;
}

describe('authentication through kubectl 1.32', () => {
  let c: TestCluster;
  let server: string;
  let caData: string;
  let script: string;

  /** A kubeconfig beside the cluster's own, with one user. */
  const kubeconfigFor = (u: User): string => {
    const path = join(c.stateDir, `kubeconfig-${u.name}`);
    writeFileSync(
      path,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'kiln', cluster: { server, 'certificate-authority-data': caData } }],
        users: [{ name: u.name, user: u.user }],
        contexts: [{ name: 'ctx', context: { cluster: 'kiln', user: u.name } }],
        'current-context': 'ctx',
      }),
      { mode: 0o600 },
    );
    return path;
  };
  const awsToken = (cluster: string, offsetMs = 0): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      execFile(
        process.execPath,
        [script, cluster, 'test', 'test', String(offsetMs)],
        (err, out) => {
          if (err) reject(new Error(err.message));
          else resolve((JSON.parse(out) as { status: { token: string } }).status.token);
        },
      );
    });

  before(async () => {
    c = await startCluster();
    server = c.url;
    caData = Buffer.from(c.caPem).toString('base64');
    script = join(c.stateDir, 'get-token.mjs');
    writeFileSync(script, GET_TOKEN_SCRIPT);
  });
  after(async () => {
    await c.stop();
  });

  it('authenticates a client certificate signed by the Kiln CA', async () => {
    const p = statePaths(c.stateDir);
    const ca = { cert: readFileSync(p.caCert, 'utf8'), key: readFileSync(p.caKey, 'utf8') };
    const cert = await issueClientCertificate({
      ca,
      user: { username: 'cert-admin', groups: ['system:masters'] },
      clock: systemClock,
    });
    const kc = kubeconfigFor({
      name: 'cert',
      user: {
        'client-certificate-data': Buffer.from(cert.cert).toString('base64'),
        'client-key-data': Buffer.from(cert.key).toString('base64'),
      },
    });
    const r = await c.kubectl('1.32', ['--kubeconfig', kc, 'get', 'ns', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /namespace\/kube-system/);
  });

  it('kubectl create token issues a ServiceAccount token that authenticates', async () => {
    const created = await c.kubectl('1.32', ['create', 'token', 'default', '--duration', '15m']);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.equal(token.split('.').length, 3);
    const ok = await c.kubectl('1.32', ['--token', token, 'get', '--raw', '/api']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /"kind":"APIVersions"/);
    const short = await c.kubectl('1.32', ['create', 'token', 'default', '--duration', '5m']);
    assert.notEqual(short.code, 0);
    assert.match(short.stderr, /may not specify a duration less than 10 minutes/);
    const tampered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    const bad = await c.kubectl('1.32', ['--token', tampered, 'get', '--raw', '/api']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, new RegExp(UNAUTHORIZED.replace(/[()]/g, '\\$&')));
  });

  it('accepts k8s-aws-v1 tokens from an exec plugin; rejects tampered, expired and foreign-cluster ones', async () => {
    const kc = kubeconfigFor({
      name: 'aws',
      user: {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1beta1',
          command: process.execPath,
          args: [script, 'kiln', 'test', 'test'],
          interactiveMode: 'Never',
        },
      },
    });
    const ok = await c.kubectl('1.32', ['--kubeconfig', kc, 'get', 'ns', 'default', '-o', 'name']);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout.trim(), 'namespace/default');
    const good = await awsToken('kiln');
    const url = Buffer.from(good.slice('k8s-aws-v1.'.length), 'base64url').toString();
    const tampered = `k8s-aws-v1.${Buffer.from(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=900')).toString('base64url')}`;
    const rejectedTokens = [
      tampered,
      await awsToken('kiln', -16 * 60_000),
      await awsToken('some-other-cluster'),
    ];
    for (const token of rejectedTokens) {
      const r = await c.kubectl('1.32', ['--token', token, 'get', 'ns']);
      assert.notEqual(r.code, 0);
      assert.ok(r.stderr.includes(UNAUTHORIZED), r.stderr);
    }
    const fine = await c.kubectl('1.32', ['--token', good, 'get', '--raw', '/api']);
    assert.equal(fine.code, 0, fine.stderr);
  });

  it('serves the OIDC discovery documents to authenticated clients', async () => {
    const r = await c.kubectl('1.32', ['get', '--raw', '/.well-known/openid-configuration']);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { issuer: string; jwks_uri: string };
    assert.equal(doc.issuer, 'https://kubernetes.default.svc');
    const jwks = await c.kubectl('1.32', ['get', '--raw', '/openid/v1/jwks']);
    assert.equal(jwks.code, 0, jwks.stderr);
    assert.match(jwks.stdout, /"kty":"EC"/);
    // Credentials that fail are refused even on public paths.
    const anon = await c.kubectl('1.32', [
      '--token',
      'k8s-aws-v1.garbage',
      'get',
      '--raw',
      '/version',
    ]);
    assert.notEqual(anon.code, 0);
  });
});

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { parse, stringify } from 'yaml';
import { kubectlBinary, startCluster, type RunResult, type TestCluster } from './harness.ts';

/** The default cluster's EKS name (config.ts), which every token must be signed for. */
const CLUSTER = 'kiln';
const REGION = 'us-east-1';
const ACCOUNT = '000000000000';
const UNAUTHORIZED = 'error: You must be logged in to the server (Unauthorized)';
const TRUST_ACCOUNT_ROOT = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'sts:AssumeRole',
    },
  ],
});

interface TempCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

function run(
  file: string,
  args: readonly string[],
  opts: { env: NodeJS.ProcessEnv; cwd?: string; stdin?: string },
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      { env: opts.env, cwd: opts.cwd, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(opts.stdin ?? '');
  });
}

/** SigV4's query encoding (RFC 3986 unreserved characters stay as they are). */
function enc(s: string): string {
  return encodeURIComponent(s).replace(
    /[!'()*]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * Presigns STS GetCallerIdentity with the AWS SDK's own signer, as `aws eks get-token` does:
 * `x-k8s-aws-id` signed as a header, 60 s expiry, base64url without padding.
 */
async function presignToken(o: {
  creds: TempCredentials;
  cluster: string;
  signingDate?: Date;
}): Promise<string> {
  const signer = new SignatureV4({
    credentials: o.creds,
    region: REGION,
    service: 'sts',
    sha256: Sha256,
  });
  const hostname = `sts.${REGION}.amazonaws.com`;
  const signed = await signer.presign(
    {
      method: 'GET',
      protocol: 'https:',
      hostname,
      path: '/',
      query: { Action: 'GetCallerIdentity', Version: '2011-06-15' },
      headers: { host: hostname, 'x-k8s-aws-id': o.cluster },
    },
    { expiresIn: 60, signingDate: o.signingDate ?? new Date() },
  );
  // The signer only sets single-valued parameters.
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${enc(k)}=${enc(typeof v === 'string' ? v : '')}`)
    .join('&');
  const url = `https://${hostname}/?${query}`;
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}

function decodeToken(token: string): URL {
  assert.ok(token.startsWith('k8s-aws-v1.'), token);
  assert.doesNotMatch(token, /=/, 'base64url without padding');
  return new URL(Buffer.from(token.slice('k8s-aws-v1.'.length), 'base64url').toString());
}

describe('IAM identities and RBAC through the AWS CLI and kubectl 1.32', () => {
  let c: TestCluster;
  let awsUrl: string;
  /** The AWS CLI v1 with the account root's keys, pointed at nothing but its own files. */
  let rootEnv: NodeJS.ProcessEnv;
  let viewer: TempCredentials;
  let stranger: TempCredentials;
  let viewerEnv: NodeJS.ProcessEnv;
  let viewerKubeconfig: string;
  const cacheDir = (): string => join(c.stateDir, 'kube-cache');

  const aws = (args: readonly string[], env: NodeJS.ProcessEnv = rootEnv): Promise<RunResult> =>
    run('aws', args, { env, cwd: c.stateDir });
  /** kubectl 1.32 with the given kubeconfig and environment (the exec plugin inherits it). */
  const kubectlWith = (
    kubeconfig: string,
    env: NodeJS.ProcessEnv,
    args: readonly string[],
    stdin?: string,
  ): Promise<RunResult> =>
    run(kubectlBinary('1.32'), ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir(), ...args], {
      env: { ...env, KUBECONFIG: kubeconfig },
      ...(stdin === undefined ? {} : { stdin }),
    });
  /** kubectl 1.32 with a bearer token and the cluster's CA, and no other credentials. */
  const withToken = (
    token: string,
    args: readonly string[],
    stdin?: string,
  ): Promise<RunResult> => {
    const path = join(c.stateDir, 'kubeconfig-token');
    if (!existsSync(path)) {
      writeFileSync(
        path,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            {
              name: 'kiln',
              cluster: {
                server: c.url,
                'certificate-authority-data': Buffer.from(c.caPem).toString('base64'),
              },
            },
          ],
          users: [{ name: 'nobody', user: {} }],
          contexts: [{ name: 'ctx', context: { cluster: 'kiln', user: 'nobody' } }],
          'current-context': 'ctx',
        }),
        { mode: 0o600 },
      );
    }
    return kubectlWith(path, rootEnv, ['--token', token, ...args], stdin);
  };
  const assumeRole = async (role: string, session: string): Promise<TempCredentials> => {
    const created = await aws([
      '--endpoint-url',
      awsUrl,
      'iam',
      'create-role',
      '--role-name',
      role,
      '--assume-role-policy-document',
      TRUST_ACCOUNT_ROOT,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const assumed = await aws([
      '--endpoint-url',
      awsUrl,
      'sts',
      'assume-role',
      '--role-arn',
      `arn:aws:iam::${ACCOUNT}:role/${role}`,
      '--role-session-name',
      session,
      '--output',
      'json',
    ]);
    assert.equal(assumed.code, 0, assumed.stderr);
    const cr = (
      JSON.parse(assumed.stdout) as {
        Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string };
      }
    ).Credentials;
    assert.match(cr.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    return {
      accessKeyId: cr.AccessKeyId,
      secretAccessKey: cr.SecretAccessKey,
      sessionToken: cr.SessionToken,
    };
  };

  before(async () => {
    c = await startCluster();
    const plane = c.daemon.aws;
    assert.ok(plane, 'the daemon serves the AWS endpoint');
    awsUrl = plane.url;
    const base: NodeJS.ProcessEnv = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: c.stateDir,
      AWS_CONFIG_FILE: join(c.stateDir, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(c.stateDir, 'aws-credentials'),
      AWS_DEFAULT_REGION: REGION,
      AWS_PAGER: '',
    };
    rootEnv = { ...base, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test' };
    [viewer, stranger] = await Promise.all([
      assumeRole('kiln-viewer', 'alice'),
      assumeRole('kiln-stranger', 'mallory'),
    ]);
    viewerEnv = {
      ...base,
      AWS_ACCESS_KEY_ID: viewer.accessKeyId,
      AWS_SECRET_ACCESS_KEY: viewer.secretAccessKey,
      AWS_SESSION_TOKEN: viewer.sessionToken,
    };
    // The cluster admin maps the viewer role and binds its group to `view` in `team`.
    const manifests = [
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'aws-auth', namespace: 'kube-system' },
        data: {
          mapRoles: stringify([
            {
              rolearn: `arn:aws:iam::${ACCOUNT}:role/kiln-viewer`,
              username: 'viewer',
              groups: ['viewers'],
            },
          ]),
        },
      },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team' } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'viewers-view', namespace: 'team' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'viewers' }],
      },
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: 'team' },
        spec: { containers: [{ name: 'web', image: 'nginx' }] },
      },
    ];
    const applied = await c.kubectl('1.32', ['apply', '-f', '-'], {
      stdin: manifests.map((m) => stringify(m)).join('---\n'),
    });
    assert.equal(applied.code, 0, applied.stderr);
    // `aws eks update-kubeconfig` as the viewer, against Kiln's EKS.
    viewerKubeconfig = join(c.stateDir, 'kubeconfig-viewer');
    const updated = await aws(
      [
        '--endpoint-url',
        awsUrl,
        'eks',
        'update-kubeconfig',
        '--name',
        CLUSTER,
        '--kubeconfig',
        viewerKubeconfig,
      ],
      viewerEnv,
    );
    assert.equal(updated.code, 0, updated.stderr);
  });
  after(async () => {
    await c.stop();
  });

  it('aws eks update-kubeconfig writes an exec user that authenticates kubectl as the viewer', async () => {
    const kc = parse(readFileSync(viewerKubeconfig, 'utf8')) as {
      clusters: { cluster: { server: string } }[];
      users: { user: { exec: { command: string; args: string[] } } }[];
    };
    assert.equal(kc.clusters[0]?.cluster.server, c.url);
    const exec = kc.users[0]?.user.exec;
    assert.equal(exec?.command, 'aws');
    assert.deepEqual(exec.args, [
      '--region',
      REGION,
      'eks',
      'get-token',
      '--cluster-name',
      CLUSTER,
      '--output',
      'json',
    ]);
    const pods = await kubectlWith(viewerKubeconfig, viewerEnv, [
      'get',
      'pods',
      '-n',
      'team',
      '-o',
      'name',
    ]);
    assert.equal(pods.code, 0, pods.stderr);
    assert.equal(pods.stdout.trim(), 'pod/web');
    const who = await kubectlWith(viewerKubeconfig, viewerEnv, ['auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    const info = (
      JSON.parse(who.stdout) as {
        status: { userInfo: { username: string; uid: string; groups: string[] } };
      }
    ).status.userInfo;
    assert.equal(info.username, 'viewer');
    assert.deepEqual(info.groups, ['viewers', 'system:authenticated']);
    assert.match(info.uid, /^aws-iam-authenticator:000000000000:AROA[A-Z0-9]+:alice$/);
  });

  it('aws eks get-token signs offline; the SDK-presigned token is accepted too', async () => {
    const got = await aws(['eks', 'get-token', '--cluster-name', CLUSTER], viewerEnv);
    assert.equal(got.code, 0, got.stderr);
    const cred = JSON.parse(got.stdout) as {
      kind: string;
      status: { token: string; expirationTimestamp: string };
    };
    assert.equal(cred.kind, 'ExecCredential');
    const url = decodeToken(cred.status.token);
    assert.equal(url.searchParams.get('X-Amz-Expires'), '60');
    assert.equal(url.searchParams.get('X-Amz-SignedHeaders'), 'host;x-k8s-aws-id');
    assert.equal(url.searchParams.get('X-Amz-Security-Token'), viewer.sessionToken);
    const sdkToken = await presignToken({ creds: viewer, cluster: CLUSTER });
    assert.equal(
      decodeToken(sdkToken).searchParams.get('X-Amz-SignedHeaders'),
      'host;x-k8s-aws-id',
    );
    for (const token of [cred.status.token, sdkToken]) {
      const r = await withToken(token, ['get', 'pods', '-n', 'team', '-o', 'name']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod/web');
    }
  });

  it('the viewer may read but not write: 403 on create, and auth can-i agrees', async () => {
    const token = await presignToken({ creds: viewer, cluster: CLUSTER });
    const deploy = await withToken(token, [
      'create',
      'deployment',
      'x',
      '--image=nginx',
      '-n',
      'team',
    ]);
    assert.equal(deploy.code, 1);
    assert.equal(
      deploy.stderr.trim(),
      'error: failed to create deployment: deployments.apps is forbidden: User "viewer" cannot create resource "deployments" in API group "apps" in the namespace "team"',
    );
    const pod = await withToken(
      token,
      ['create', '-f', '-', '-n', 'team'],
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'sneaky' },
        spec: { containers: [{ name: 'c', image: 'nginx' }] },
      }),
    );
    assert.equal(pod.code, 1);
    assert.equal(
      pod.stderr.trim(),
      'Error from server (Forbidden): error when creating "STDIN": pods is forbidden: User "viewer" cannot create resource "pods" in API group "" in the namespace "team"',
    );
    const canCreate = await withToken(token, ['auth', 'can-i', 'create', 'pods', '-n', 'team']);
    assert.equal(canCreate.code, 1);
    assert.equal(canCreate.stdout.trim(), 'no');
    const canGet = await withToken(token, ['auth', 'can-i', 'get', 'pods', '-n', 'team']);
    assert.equal(canGet.code, 0, canGet.stderr);
    assert.equal(canGet.stdout.trim(), 'yes');
    const elsewhere = await withToken(token, ['get', 'pods', '-n', 'default']);
    assert.equal(elsewhere.code, 1);
    assert.equal(
      elsewhere.stderr.trim(),
      'Error from server (Forbidden): pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "default"',
    );
  });

  it('the admin impersonating the viewer gets the same answers', async () => {
    const as = ['--as', 'viewer', '--as-group', 'viewers', '-n', 'team'];
    const create = await c.kubectl('1.32', ['auth', 'can-i', 'create', 'pods', ...as]);
    assert.equal(create.code, 1);
    assert.equal(create.stdout.trim(), 'no');
    const get = await c.kubectl('1.32', ['auth', 'can-i', 'get', 'pods', ...as]);
    assert.equal(get.code, 0, get.stderr);
    assert.equal(get.stdout.trim(), 'yes');
    const created = await c.kubectl('1.32', ['create', 'deployment', 'x', '--image=nginx', ...as]);
    assert.equal(created.code, 1);
    assert.match(created.stderr, /User "viewer" cannot create resource "deployments"/);
    const list = await c.kubectl('1.32', ['auth', 'can-i', '--list', ...as]);
    assert.equal(list.code, 0, list.stderr);
    // Columns are separated by two or more spaces; the verbs column holds single spaces.
    const rows = list.stdout.split('\n').map((l) => l.trim().split(/\s{2,}/));
    assert.deepEqual(rows[0], ['Resources', 'Non-Resource URLs', 'Resource Names', 'Verbs']);
    const verbsOf = (resource: string): string | undefined =>
      rows.find((r) => r[0] === resource)?.at(-1);
    assert.equal(verbsOf('pods'), '[get list watch]');
    assert.equal(verbsOf('deployments.apps'), '[get list watch]');
    assert.equal(verbsOf('selfsubjectreviews.authentication.k8s.io'), '[create]');
    assert.equal(verbsOf('secrets'), undefined, 'view does not read secrets');
    assert.ok(
      rows.some((r) => r[0] === '[/version]' && r.at(-1) === '[get]'),
      'non-resource URLs of the discovery roles are listed',
    );
  });

  it('tampered, expired and unmapped tokens get 401', async () => {
    const good = await presignToken({ creds: viewer, cluster: CLUSTER });
    const url = decodeToken(good);
    url.searchParams.set('X-Amz-Expires', '900');
    const tampered = `k8s-aws-v1.${Buffer.from(url.toString()).toString('base64url')}`;
    const expired = await presignToken({
      creds: viewer,
      cluster: CLUSTER,
      signingDate: new Date(Date.now() - 20 * 60_000),
    });
    const unmapped = await presignToken({ creds: stranger, cluster: CLUSTER });
    const otherCluster = await presignToken({ creds: viewer, cluster: 'elsewhere' });
    for (const [what, token] of Object.entries({ tampered, expired, unmapped, otherCluster })) {
      const r = await withToken(token, ['get', 'pods', '-n', 'team']);
      assert.equal(r.code, 1, what);
      assert.equal(r.stderr.trim(), UNAUTHORIZED, `${what}: ${r.stderr}`);
    }
  });
});

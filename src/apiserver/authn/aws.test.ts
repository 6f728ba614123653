import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock } from '../../util/index.ts';
import { AwsIamAuthenticator, mapAwsIdentity, parseAwsAuth } from './aws-auth.ts';
import { canonicalizeArn, InMemoryAwsCredentialStore } from './aws-token.ts';
import type { AuthnOutcome } from './types.ts';

/**
 * An independent presigner, written from the SigV4 spec as botocore's presign_url does it for
 * `aws eks get-token` (the production verifier shares no code with it).
 */
function presign(o: {
  accessKeyId: string;
  secret: string;
  region: string;
  cluster: string;
  at: Date;
  host?: string;
  sessionToken?: string;
}): string {
  const host = o.host ?? `sts.${o.region}.amazonaws.com`;
  const amzDate = o.at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const enc = (s: string) =>
    encodeURIComponent(s).replace(
      /[!'()*]/g,
      (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase(),
    );
  const params: Record<string, string> = {
    Action: 'GetCallerIdentity',
    Version: '2011-06-15',
    'X-Amz-Algorithm': 'AWS4-HMAC-SHA256',
    'X-Amz-Credential': `${o.accessKeyId}/${day}/${o.region}/sts/aws4_request`,
    'X-Amz-Date': amzDate,
    'X-Amz-Expires': '60',
    'X-Amz-SignedHeaders': 'host;x-k8s-aws-id',
    ...(o.sessionToken ? { 'X-Amz-Security-Token': o.sessionToken } : {}),
  };
  const query = Object.keys(params)
    .sort()
    .map((k) => `${enc(k)}=${enc(params[k]!)}`)
    .join('&');
  const creq = `GET\n/\n${query}\nhost:${host}\nx-k8s-aws-id:${o.cluster}\n\nhost;x-k8s-aws-id\n${createHash('sha256').update('').digest('hex')}`;
  const sts = `AWS4-HMAC-SHA256\n${amzDate}\n${day}/${o.region}/sts/aws4_request\n${createHash('sha256').update(creq).digest('hex')}`;
  let k: Buffer = createHmac('sha256', `AWS4${o.secret}`).update(day).digest();
  for (const part of [o.region, 'sts', 'aws4_request'])
    k = createHmac('sha256', k).update(part).digest();
  const sig = createHmac('sha256', k).update(sts).digest('hex');
  const url = `https://${host}/?${query}&X-Amz-Signature=${sig}`;
  return `k8s-aws-v1.${Buffer.from(url).toString('base64url')}`;
}

function setup() {
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12, 0, 0));
  const store = new CachedStore({ persistence: noPersistence });
  const credentials = new InMemoryAwsCredentialStore({ accountId: '111122223333' });
  credentials.add('AKIDALICE', {
    secretAccessKey: 'alice-secret',
    principal: {
      arn: 'arn:aws:iam::111122223333:user/alice',
      userId: 'AIDAALICE',
      accountId: '111122223333',
    },
  });
  credentials.add('ASIADEV', {
    secretAccessKey: 'dev-secret',
    sessionToken: 'sess-tok',
    principal: {
      arn: 'arn:aws:sts::111122223333:assumed-role/Dev/bob@example.com',
      userId: 'AROADEV:bob@example.com',
      accountId: '111122223333',
    },
  });
  const authn = new AwsIamAuthenticator({
    clusterId: 'demo',
    credentials,
    clock,
    store,
    admins: [{ arn: 'arn:aws:iam::111122223333:root' }],
  });
  const check = (token: string): AuthnOutcome =>
    authn.check({ headers: { authorization: `Bearer ${token}` }, connection: {} });
  const now = () => new Date(clock.now());
  return { clock, store, check, now };
}

function reason(o: AuthnOutcome): string {
  return o.kind === 'rejected' ? o.reason : `not rejected: ${o.kind}`;
}

describe('k8s-aws-v1 tokens', () => {
  it('maps the account root (cluster creator) to a system:masters admin', () => {
    const s = setup();
    const out = s.check(
      presign({
        accessKeyId: 'test',
        secret: 'test',
        region: 'us-east-1',
        cluster: 'demo',
        at: s.now(),
      }),
    );
    assert.equal(out.kind, 'user');
    assert.equal(out.user.username, 'kubernetes-admin');
    assert.deepEqual(out.user.groups, ['system:masters']);
    assert.equal(out.user.uid, 'aws-iam-authenticator:111122223333:111122223333');
    assert.deepEqual(out.user.extra?.['arn'], ['arn:aws:iam::111122223333:root']);
    assert.deepEqual(out.user.extra['accessKeyId'], ['test']);
  });

  it('rejects wrong cluster, wrong secret, expiry, tampering, other hosts and actions', () => {
    const s = setup();
    const base = { accessKeyId: 'test', secret: 'test', region: 'us-east-1', cluster: 'demo' };
    assert.match(
      reason(s.check(presign({ ...base, cluster: 'other', at: s.now() }))),
      /signature does not match/,
    );
    assert.match(
      reason(s.check(presign({ ...base, secret: 'nope', at: s.now() }))),
      /signature does not match/,
    );
    assert.match(
      reason(s.check(presign({ ...base, accessKeyId: 'AKIDNOBODY', at: s.now() }))),
      /unknown access key/,
    );
    assert.match(
      reason(s.check(presign({ ...base, host: 'evil.example.com', at: s.now() }))),
      /unexpected hostname/,
    );
    const old = presign({ ...base, at: new Date(s.clock.now() - 14 * 60_000) });
    assert.equal(s.check(old).kind, 'user');
    s.clock.advance(2 * 60_000);
    assert.match(reason(s.check(old)), /expired/);
    const good = presign({ ...base, at: s.now() });
    const url = Buffer.from(good.slice('k8s-aws-v1.'.length), 'base64url').toString();
    const retoken = (u: string) => `k8s-aws-v1.${Buffer.from(u).toString('base64url')}`;
    assert.match(
      reason(s.check(retoken(url.replace('Version=2011-06-15', 'Version=2011-06-16')))),
      /version/,
    );
    assert.match(
      reason(s.check(retoken(url.replace('Action=GetCallerIdentity', 'Action=AssumeRole')))),
      /action/,
    );
    assert.match(reason(s.check(retoken(`${url}&Foo=1`))), /non-whitelisted/);
    assert.match(reason(s.check(retoken(`${url}&Action=GetCallerIdentity`))), /multiple values/);
    assert.match(
      reason(s.check(retoken(url.replace('X-Amz-Expires=60', 'X-Amz-Expires=61')))),
      /signature does not match/,
    );
    assert.match(
      reason(s.check(retoken(url.replace('host%3Bx-k8s-aws-id', 'host')))),
      /x-k8s-aws-id/,
    );
    assert.match(reason(s.check('k8s-aws-v1.!!!')), /not properly formatted/);
    assert.equal(s.check('not-aws').kind, 'skip');
  });

  it('maps assumed roles through aws-auth mapRoles (templates) and users through mapUsers', async () => {
    const s = setup();
    const dev = presign({
      accessKeyId: 'ASIADEV',
      secret: 'dev-secret',
      sessionToken: 'sess-tok',
      region: 'eu-west-1',
      cluster: 'demo',
      at: s.now(),
    });
    const alice = presign({
      accessKeyId: 'AKIDALICE',
      secret: 'alice-secret',
      region: 'eu-west-1',
      cluster: 'demo',
      at: s.now(),
    });
    assert.match(reason(s.check(dev)), /not mapped: arn:aws:iam::111122223333:role\/Dev/);
    await s.store.create('/configmaps/kube-system/aws-auth', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-auth', namespace: 'kube-system' },
      data: {
        mapRoles:
          '- rolearn: arn:aws:iam::111122223333:role/dev\n  username: dev:{{SessionName}}\n  groups: [developers, "acct-{{AccountID}}"]\n',
        mapUsers:
          '- userarn: arn:aws:iam::111122223333:user/alice\n  username: alice\n  groups: [viewers]\n',
      },
    });
    const d = s.check(dev);
    assert.equal(d.kind, 'user');
    assert.equal(d.user.username, 'dev:bob-example.com');
    assert.deepEqual(d.user.groups, ['developers', 'acct-111122223333']);
    assert.deepEqual(d.user.extra?.['canonicalArn'], ['arn:aws:iam::111122223333:role/Dev']);
    assert.deepEqual(d.user.extra['sessionName'], ['bob@example.com']);
    assert.deepEqual(d.user.extra['principalId'], ['AROADEV:bob@example.com']);
    const a = s.check(alice);
    assert.equal(a.kind === 'user' ? a.user.username : reason(a), 'alice');
    // A session token other than the credential's is refused.
    const stolen = presign({
      accessKeyId: 'ASIADEV',
      secret: 'dev-secret',
      sessionToken: 'other',
      region: 'eu-west-1',
      cluster: 'demo',
      at: s.now(),
    });
    assert.match(reason(s.check(stolen)), /security token/);
  });

  it('canonicalises ARNs and defaults usernames as EKS access entries do', () => {
    assert.equal(
      canonicalizeArn('arn:aws:sts::123456789012:assumed-role/Admin/me'),
      'arn:aws:iam::123456789012:role/Admin',
    );
    assert.equal(
      canonicalizeArn('arn:aws:iam::123456789012:user/path/to/bob'),
      'arn:aws:iam::123456789012:user/path/to/bob',
    );
    assert.throws(() => canonicalizeArn('arn:aws:s3:::bucket'));
    const m = parseAwsAuth({
      mapRoles: '- rolearn: arn:aws:iam::123456789012:role/Admin\n  groups: [g]\n',
      mapAccounts: '- "999999999999"\n',
    });
    const id = {
      arn: 'arn:aws:sts::123456789012:assumed-role/Admin/me',
      canonicalArn: 'arn:aws:iam::123456789012:role/Admin',
      accountId: '123456789012',
      userId: 'AROA:me',
      sessionName: 'me',
      accessKeyId: 'A',
    };
    assert.deepEqual(mapAwsIdentity(id, m), {
      username: 'arn:aws:sts::123456789012:assumed-role/Admin/me',
      groups: ['g'],
    });
    const other = {
      ...id,
      accountId: '999999999999',
      canonicalArn: 'arn:aws:iam::999999999999:user/x',
      sessionName: '',
    };
    assert.deepEqual(mapAwsIdentity(other, m), {
      username: 'arn:aws:iam::999999999999:user/x',
      groups: [],
    });
    assert.equal(mapAwsIdentity({ ...other, accountId: '1' }, m), undefined);
    const tmpl = parseAwsAuth({
      mapRoles:
        '- rolearn: arn:aws:iam::123456789012:role/Admin\n  username: system:node:{{EC2PrivateDNSName}}\n',
    });
    assert.throws(() => mapAwsIdentity(id, tmpl), /EC2PrivateDNSName/);
    assert.equal(
      mapAwsIdentity(id, tmpl, { ec2PrivateDnsName: () => 'ip-10-0-0-1.ec2.internal' })?.username,
      'system:node:ip-10-0-0-1.ec2.internal',
    );
  });
});

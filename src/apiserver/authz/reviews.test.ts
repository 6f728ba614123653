import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import { StaticTokenAuthenticator } from '../authn.ts';
import { ApiError } from '../errors.ts';
import type { ApiRequest, ApiResponse, UserInfo } from '../http-types.ts';
import { parseRequestInfo } from '../request-info.ts';
import { ApiServer } from '../server.ts';
import { attributesFor } from './attributes.ts';
import { bootstrapRbacObjects } from './bootstrap-policy.ts';
import { impersonate } from './impersonation.ts';
import { clusterAuthorizer } from './index.ts';
import { createReviewHandlers } from './reviews.ts';

const G = 'rbac.authorization.k8s.io';
const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };
const admin: UserInfo = {
  username: 'kiln-admin',
  groups: ['system:masters', 'system:authenticated'],
};

async function fixture() {
  const store = new CachedStore({ persistence: noPersistence });
  const api = new ApiServer({ store, clock: new ManualClock(), ids: sequentialIds() });
  const objs: KubeObject[] = [
    ...bootstrapRbacObjects().map((o) => o.object),
    {
      apiVersion: `${G}/v1`,
      kind: 'RoleBinding',
      metadata: { name: 'alice-view', namespace: 'team' },
      roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' },
      subjects: [{ apiGroup: G, kind: 'User', name: 'alice' }],
    },
    {
      apiVersion: `${G}/v1`,
      kind: 'ClusterRole',
      metadata: { name: 'impersonator' },
      rules: [
        { verbs: ['impersonate'], apiGroups: [''], resources: ['users'], resourceNames: ['bob'] },
        { verbs: ['impersonate'], apiGroups: [''], resources: ['groups'], resourceNames: ['devs'] },
      ],
    },
    {
      apiVersion: `${G}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'alice-impersonates' },
      roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'impersonator' },
      subjects: [{ apiGroup: G, kind: 'User', name: 'alice' }],
    },
  ];
  for (const o of objs) {
    const resource = `${(o.kind ?? '').toLowerCase()}s.${G}`;
    const ns = o.metadata.namespace;
    const name = o.metadata.name ?? '';
    await store.create(ns === undefined ? `/${resource}/${name}` : `/${resource}/${ns}/${name}`, o);
  }
  const ac = new AbortController();
  const authz = clusterAuthorizer(store);
  authz.start(ac.signal);
  const handlers = createReviewHandlers({
    authorizer: authz.authorizer,
    rules: authz.authorizer,
    authenticator: new StaticTokenAuthenticator([{ token: 'good', user: alice }]),
  });
  const call = async (
    user: UserInfo,
    path: string,
    body: unknown,
  ): Promise<{ status: number; body: Record<string, unknown> }> => {
    const req: ApiRequest = {
      method: 'POST',
      path,
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
      user,
      signal: ac.signal,
    };
    const info = parseRequestInfo('POST', path, req.query);
    if (info.kind !== 'resource') throw new Error('unreachable');
    const def = api.registry.lookup(info.group, info.version, info.resource);
    assert.ok(def);
    const handler = handlers[`${def.resource}.${def.group}`];
    assert.ok(handler);
    let res: ApiResponse;
    try {
      res = await handler({ deps: api.deps, def, info, req });
    } catch (e: unknown) {
      if (!(e instanceof ApiError)) throw e;
      return { status: e.status.code, body: { ...e.status } };
    }
    assert.ok('body' in res);
    // SAFETY: review handlers answer JSON objects.
    return { status: res.status, body: JSON.parse(String(res.body)) as Record<string, unknown> };
  };
  return {
    call,
    authorizer: authz.authorizer,
    stop: () => {
      ac.abort();
    },
  };
}

const SSAR = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

describe('review handlers', () => {
  it('SelfSubjectAccessReview answers as kubectl auth can-i expects', async () => {
    const f = await fixture();
    const ask = (user: UserInfo, verb: string, ns: string) =>
      f.call(user, SSAR, {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        metadata: { creationTimestamp: null },
        spec: { resourceAttributes: { namespace: ns, verb, resource: 'pods' } },
      });
    const yes = await ask(alice, 'list', 'team');
    assert.equal(yes.status, 201);
    assert.equal(yes.body['kind'], 'SelfSubjectAccessReview');
    assert.deepEqual(yes.body['status'], {
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "alice-view/team" of ClusterRole "view" to User "alice"',
    });
    assert.deepEqual((await ask(alice, 'create', 'team')).body['status'], { allowed: false });
    assert.deepEqual((await ask(admin, 'delete', 'x')).body['status'], { allowed: true });
    const bad = await f.call(alice, SSAR, { spec: {} });
    assert.equal(bad.status, 422);
    assert.equal(
      bad.body['message'],
      'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
    f.stop();
  });

  it('SubjectAccessReview asks about the user in the spec and needs one', async () => {
    const f = await fixture();
    const path = '/apis/authorization.k8s.io/v1/subjectaccessreviews';
    const r = await f.call(admin, path, {
      spec: {
        user: 'alice',
        resourceAttributes: { namespace: 'team', verb: 'get', resource: 'pods' },
      },
    });
    assert.equal((r.body['status'] as { allowed: boolean }).allowed, true);
    const np = await f.call(admin, path, {
      spec: {
        groups: ['system:authenticated'],
        nonResourceAttributes: { path: '/apis/apps', verb: 'get' },
      },
    });
    assert.equal((np.body['status'] as { allowed: boolean }).allowed, true);
    const bad = await f.call(admin, path, { spec: { resourceAttributes: { verb: 'get' } } });
    assert.equal(bad.status, 422);
    assert.match(
      String(bad.body['message']),
      /spec\.user: Invalid value: "": at least one of user or group/,
    );
    f.stop();
  });

  it('LocalSubjectAccessReview must name its own namespace', async () => {
    const f = await fixture();
    const path = '/apis/authorization.k8s.io/v1/namespaces/team/localsubjectaccessreviews';
    const ok = await f.call(admin, path, {
      spec: {
        user: 'alice',
        resourceAttributes: { namespace: 'team', verb: 'list', resource: 'pods' },
      },
    });
    assert.equal(ok.status, 201);
    assert.equal((ok.body['metadata'] as { namespace: string }).namespace, 'team');
    const wrong = await f.call(admin, path, {
      spec: {
        user: 'alice',
        resourceAttributes: { namespace: 'other', verb: 'list', resource: 'pods' },
      },
    });
    assert.equal(wrong.status, 422);
    assert.match(
      String(wrong.body['message']),
      /spec\.resourceAttributes\.namespace: Invalid value: "other": must match metadata\.namespace/,
    );
    f.stop();
  });

  it('SelfSubjectRulesReview lists the rules kubectl auth can-i --list prints', async () => {
    const f = await fixture();
    const path = '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews';
    const r = await f.call(alice, path, { spec: { namespace: 'team' } });
    const status = r.body['status'] as {
      resourceRules: { verbs: string[]; resources?: string[] }[];
      nonResourceRules: { verbs: string[]; nonResourceURLs?: string[] }[];
      incomplete: boolean;
    };
    assert.equal(status.incomplete, false);
    assert.ok(status.resourceRules.some((x) => x.resources?.includes('selfsubjectaccessreviews')));
    assert.ok(
      status.resourceRules.some((x) => x.resources?.includes('pods') && x.verbs.includes('list')),
    );
    assert.ok(status.nonResourceRules.some((x) => x.nonResourceURLs?.includes('/api/*')));
    const other = await f.call(alice, path, { spec: { namespace: 'elsewhere' } });
    const os = other.body['status'] as { resourceRules: { resources?: string[] }[] };
    assert.ok(!os.resourceRules.some((x) => x.resources?.includes('pods')));
    assert.equal((await f.call(alice, path, { spec: {} })).status, 400);
    f.stop();
  });

  it('SelfSubjectReview and TokenReview report the user', async () => {
    const f = await fixture();
    const who = await f.call(
      { username: 'bob', uid: 'u1', groups: ['devs'], extra: { scopes: ['a'] } },
      '/apis/authentication.k8s.io/v1/selfsubjectreviews',
      {},
    );
    assert.equal(who.status, 201);
    assert.deepEqual(who.body['status'], {
      userInfo: { username: 'bob', uid: 'u1', groups: ['devs'], extra: { scopes: ['a'] } },
    });
    const path = '/apis/authentication.k8s.io/v1/tokenreviews';
    const good = await f.call(admin, path, { spec: { token: 'good' } });
    assert.deepEqual(good.body['status'], {
      authenticated: true,
      user: { username: 'alice', groups: ['system:authenticated'] },
    });
    const bad = await f.call(admin, path, { spec: { token: 'nope' } });
    assert.deepEqual(bad.body['status'], { authenticated: false, user: {} });
    assert.equal((await f.call(admin, path, { spec: {} })).status, 400);
    f.stop();
  });
});

describe('impersonate', () => {
  it('returns the impersonated user when every identity is allowed', async () => {
    const f = await fixture();
    const u = impersonate(
      alice,
      { 'impersonate-user': 'bob', 'impersonate-group': 'devs' },
      f.authorizer,
    );
    assert.deepEqual(u, { username: 'bob', groups: ['devs', 'system:authenticated'] });
    assert.equal(impersonate(alice, {}, f.authorizer), alice);
    const sa = impersonate(
      admin,
      { 'impersonate-user': 'system:serviceaccount:ns1:robot' },
      f.authorizer,
    );
    assert.deepEqual(sa.groups, [
      'system:serviceaccounts',
      'system:serviceaccounts:ns1',
      'system:authenticated',
    ]);
    const extra = impersonate(
      admin,
      {
        'impersonate-user': 'x',
        'impersonate-uid': 'id',
        'impersonate-extra-scopes%2Fa': 'one, two',
      },
      f.authorizer,
    );
    assert.deepEqual(extra, {
      username: 'x',
      uid: 'id',
      groups: ['system:authenticated'],
      extra: { 'scopes/a': ['one', 'two'] },
    });
    f.stop();
  });

  it('throws the Forbidden upstream gives', async () => {
    const f = await fixture();
    assert.throws(
      () => impersonate(alice, { 'impersonate-user': 'carol' }, f.authorizer),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status.code === 403 &&
        e.status.message ===
          'users "carol" is forbidden: User "alice" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    assert.throws(
      () =>
        impersonate(
          alice,
          { 'impersonate-user': 'bob', 'impersonate-group': 'admins' },
          f.authorizer,
        ),
      (e: unknown) =>
        e instanceof ApiError && (e.status.message ?? '').includes('groups "admins" is forbidden'),
    );
    assert.throws(
      () =>
        impersonate(
          alice,
          { 'impersonate-user': 'system:serviceaccount:team:robot' },
          f.authorizer,
        ),
      (e: unknown) =>
        e instanceof ApiError &&
        e.status.message ===
          'serviceaccounts "robot" is forbidden: User "alice" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "team"',
    );
    assert.throws(
      () => impersonate(alice, { 'impersonate-group': 'devs' }, f.authorizer),
      (e: unknown) => e instanceof ApiError && e.status.code === 500,
    );
    f.stop();
  });
});

describe('attributesFor', () => {
  const req = (method: string, path: string, query = ''): ApiRequest => ({
    method,
    path,
    query: new URLSearchParams(query),
    headers: {},
    body: Buffer.alloc(0),
    user: alice,
    signal: new AbortController().signal,
  });
  const attrs = (method: string, path: string, query = '') => {
    const r = req(method, path, query);
    return attributesFor(r, parseRequestInfo(method, path, r.query));
  };

  it('builds resource and non-resource attributes as RequestInfoFactory does', () => {
    const a = attrs('GET', '/apis/apps/v1/namespaces/dev/deployments/web/scale');
    assert.deepEqual(
      [a.verb, a.apiGroup, a.namespace, a.resource, a.subresource, a.name, a.resourceRequest],
      ['get', 'apps', 'dev', 'deployments', 'scale', 'web', true],
    );
    const ns = attrs('GET', '/api/v1/namespaces/dev');
    assert.deepEqual([ns.namespace, ns.name], ['dev', 'dev']);
    const w = attrs(
      'GET',
      '/api/v1/namespaces/dev/pods',
      'watch=true&fieldSelector=metadata.name%3Dp1',
    );
    assert.deepEqual([w.verb, w.name], ['watch', 'p1']);
    const l = attrs('GET', '/api/v1/pods', 'fieldSelector=spec.nodeName%3Dn');
    assert.deepEqual([l.verb, l.name], ['list', '']);
    const p = attrs('POST', '/apis/apps');
    assert.deepEqual([p.verb, p.path, p.resourceRequest], ['post', '/apis/apps', false]);
  });
});

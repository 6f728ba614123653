import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { CachedStore, noPersistence, type Store } from '../../store/index.ts';
import type { UserInfo } from '../http-types.ts';
import { bootstrapRbacObjects } from './bootstrap-policy.ts';
import { forbiddenError } from './forbidden.ts';
import { clusterAuthorizer } from './index.ts';
import type { Attributes } from './types.ts';

const G = 'rbac.authorization.k8s.io';

function keyOf(obj: KubeObject): string {
  const kind = obj.kind ?? '';
  const resource = `${kind.toLowerCase()}s.${G}`;
  const ns = obj.metadata.namespace;
  return ns === undefined
    ? `/${resource}/${obj.metadata.name ?? ''}`
    : `/${resource}/${ns}/${obj.metadata.name ?? ''}`;
}

async function put(store: Store, obj: KubeObject): Promise<void> {
  const key = keyOf(obj);
  if (store.get(key)) await store.update(key, obj);
  else await store.create(key, obj);
}

function setup(objs: readonly KubeObject[] = []) {
  const store = new CachedStore({ persistence: noPersistence });
  const ac = new AbortController();
  const authz = clusterAuthorizer(store);
  return {
    store,
    authz: authz.authorizer,
    async init(): Promise<void> {
      for (const o of objs) await put(store, o);
      authz.start(ac.signal);
    },
    stop: () => {
      ac.abort();
    },
  };
}

const alice: UserInfo = { username: 'alice', groups: ['system:authenticated'] };

function can(
  authz: { authorize(a: Attributes): { decision: string } },
  who: UserInfo,
  req: { verb: string; resource: string; ns?: string; group?: string; sub?: string; name?: string },
): boolean {
  return (
    authz.authorize({
      user: who,
      verb: req.verb,
      resourceRequest: true,
      namespace: req.ns ?? '',
      apiGroup: req.group ?? '',
      apiVersion: 'v1',
      resource: req.resource,
      subresource: req.sub ?? '',
      name: req.name ?? '',
      path: '',
    }).decision === 'allow'
  );
}

const role = (ns: string, name: string, rules: unknown[]): KubeObject => ({
  apiVersion: `${G}/v1`,
  kind: 'Role',
  metadata: { name, namespace: ns },
  rules,
});
const clusterRole = (name: string, rules: unknown[]): KubeObject => ({
  apiVersion: `${G}/v1`,
  kind: 'ClusterRole',
  metadata: { name },
  rules,
});
const binding = (
  ns: string | undefined,
  name: string,
  roleRef: { kind: string; name: string },
  subjects: unknown[],
): KubeObject => ({
  apiVersion: `${G}/v1`,
  kind: ns === undefined ? 'ClusterRoleBinding' : 'RoleBinding',
  metadata: ns === undefined ? { name } : { name, namespace: ns },
  roleRef: { apiGroup: G, ...roleRef },
  subjects,
});
const readPods = { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] };

describe('RbacAuthorizer', () => {
  it('grants through a RoleBinding only in its namespace', async () => {
    const t = setup([
      role('dev', 'reader', [readPods]),
      binding('dev', 'rb', { kind: 'Role', name: 'reader' }, [{ kind: 'User', name: 'alice' }]),
    ]);
    await t.init();
    assert.ok(can(t.authz, alice, { verb: 'list', resource: 'pods', ns: 'dev' }));
    assert.ok(!can(t.authz, alice, { verb: 'list', resource: 'pods', ns: 'prod' }));
    assert.ok(!can(t.authz, alice, { verb: 'list', resource: 'pods' }));
    assert.ok(!can(t.authz, alice, { verb: 'delete', resource: 'pods', ns: 'dev' }));
    const d = t.authz.authorize({
      user: alice,
      verb: 'get',
      resourceRequest: true,
      namespace: 'dev',
      apiGroup: '',
      apiVersion: 'v1',
      resource: 'pods',
      subresource: '',
      name: 'p',
      path: '',
    });
    assert.equal(
      d.reason,
      'RBAC: allowed by RoleBinding "rb/dev" of Role "reader" to User "alice"',
    );
    t.stop();
  });

  it('follows writes incrementally: new bindings grant, deleted ones stop granting', async () => {
    const t = setup([clusterRole('pod-reader', [readPods])]);
    await t.init();
    assert.ok(!can(t.authz, alice, { verb: 'get', resource: 'pods', ns: 'a' }));
    const crb = binding(undefined, 'crb', { kind: 'ClusterRole', name: 'pod-reader' }, [
      { kind: 'Group', name: 'devs' },
    ]);
    await put(t.store, crb);
    assert.ok(!can(t.authz, alice, { verb: 'get', resource: 'pods', ns: 'a' }));
    const devAlice = { ...alice, groups: ['devs'] };
    assert.ok(can(t.authz, devAlice, { verb: 'get', resource: 'pods', ns: 'a' }));
    assert.ok(can(t.authz, devAlice, { verb: 'get', resource: 'pods' }));
    await put(t.store, clusterRole('pod-reader', [{ ...readPods, verbs: ['watch'] }]));
    assert.ok(!can(t.authz, devAlice, { verb: 'get', resource: 'pods' }));
    assert.ok(can(t.authz, devAlice, { verb: 'watch', resource: 'pods' }));
    await t.store.delete(keyOf(crb));
    assert.ok(!can(t.authz, devAlice, { verb: 'watch', resource: 'pods' }));
    t.stop();
  });

  it('binds a ClusterRole into one namespace and matches ServiceAccounts', async () => {
    const t = setup([
      clusterRole('pod-reader', [readPods]),
      binding('dev', 'rb', { kind: 'ClusterRole', name: 'pod-reader' }, [
        { kind: 'ServiceAccount', name: 'builder' },
        { kind: 'ServiceAccount', name: 'other', namespace: 'ci' },
      ]),
      binding(undefined, 'crb-no-ns', { kind: 'ClusterRole', name: 'pod-reader' }, [
        { kind: 'ServiceAccount', name: 'builder' },
      ]),
    ]);
    await t.init();
    const sa = (ns: string, name: string): UserInfo => ({
      username: `system:serviceaccount:${ns}:${name}`,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
    });
    assert.ok(can(t.authz, sa('dev', 'builder'), { verb: 'get', resource: 'pods', ns: 'dev' }));
    assert.ok(!can(t.authz, sa('dev', 'builder'), { verb: 'get', resource: 'pods', ns: 'x' }));
    assert.ok(can(t.authz, sa('ci', 'other'), { verb: 'get', resource: 'pods', ns: 'dev' }));
    assert.ok(!can(t.authz, sa('x', 'builder'), { verb: 'get', resource: 'pods', ns: 'dev' }));
    t.stop();
  });

  it('reports bindings to missing roles in the reason, and the upstream 403 message', async () => {
    const t = setup([
      binding('dev', 'rb', { kind: 'Role', name: 'gone' }, [{ kind: 'User', name: 'alice' }]),
    ]);
    await t.init();
    const attrs: Attributes = {
      user: alice,
      verb: 'list',
      resourceRequest: true,
      namespace: 'dev',
      apiGroup: 'apps',
      apiVersion: 'v1',
      resource: 'deployments',
      subresource: '',
      name: '',
      path: '',
    };
    const d = t.authz.authorize(attrs);
    assert.equal(d.decision, 'no-opinion');
    assert.equal(d.reason, 'RBAC: role.rbac.authorization.k8s.io "gone" not found');
    const err = forbiddenError(attrs, d.reason);
    assert.equal(
      err.status.message,
      'deployments.apps is forbidden: User "alice" cannot list resource "deployments" in API group "apps" in the namespace "dev": RBAC: role.rbac.authorization.k8s.io "gone" not found',
    );
    assert.equal(err.status.code, 403);
    t.stop();
  });
});

describe('bootstrap policy', () => {
  async function withBootstrap() {
    const t = setup(bootstrapRbacObjects().map((o) => o.object));
    await t.init();
    return t;
  }
  const bind = (role: string): KubeObject =>
    binding('team', `${role}-binding`, { kind: 'ClusterRole', name: role }, [
      { kind: 'User', name: 'alice' },
    ]);

  it('system:masters may do anything; anyone authenticated may self-review', async () => {
    const t = await withBootstrap();
    const admin = { username: 'kiln-admin', groups: ['system:masters', 'system:authenticated'] };
    assert.ok(can(t.authz, admin, { verb: 'delete', resource: 'nodes' }));
    assert.ok(
      can(t.authz, alice, {
        verb: 'create',
        resource: 'selfsubjectaccessreviews',
        group: 'authorization.k8s.io',
      }),
    );
    assert.ok(
      can(t.authz, alice, {
        verb: 'create',
        resource: 'selfsubjectreviews',
        group: 'authentication.k8s.io',
      }),
    );
    assert.ok(!can(t.authz, alice, { verb: 'list', resource: 'pods', ns: 'team' }));
    const anon = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    const version = {
      user: anon,
      verb: 'get',
      resourceRequest: false,
      namespace: '',
      apiGroup: '',
      apiVersion: '',
      resource: '',
      subresource: '',
      name: '',
    };
    assert.equal(t.authz.authorize({ ...version, path: '/version' }).decision, 'allow');
    assert.equal(t.authz.authorize({ ...version, path: '/api' }).decision, 'no-opinion');
    t.stop();
  });

  it('view reads but cannot create pods or read secrets', async () => {
    const t = await withBootstrap();
    await put(t.store, bind('view'));
    assert.ok(can(t.authz, alice, { verb: 'list', resource: 'pods', ns: 'team' }));
    assert.ok(
      can(t.authz, alice, { verb: 'get', resource: 'deployments', group: 'apps', ns: 'team' }),
    );
    assert.ok(!can(t.authz, alice, { verb: 'create', resource: 'pods', ns: 'team' }));
    assert.ok(!can(t.authz, alice, { verb: 'get', resource: 'secrets', ns: 'team' }));
    assert.ok(!can(t.authz, alice, { verb: 'list', resource: 'pods', ns: 'other' }));
    t.stop();
  });

  it('edit creates pods and execs, but cannot manage RBAC', async () => {
    const t = await withBootstrap();
    await put(t.store, bind('edit'));
    assert.ok(can(t.authz, alice, { verb: 'create', resource: 'pods', ns: 'team' }));
    assert.ok(can(t.authz, alice, { verb: 'create', resource: 'pods', sub: 'exec', ns: 'team' }));
    assert.ok(can(t.authz, alice, { verb: 'get', resource: 'secrets', ns: 'team' }));
    assert.ok(can(t.authz, alice, { verb: 'list', resource: 'pods', ns: 'team' }));
    assert.ok(
      !can(t.authz, alice, { verb: 'create', resource: 'rolebindings', group: G, ns: 'team' }),
    );
    assert.ok(!can(t.authz, alice, { verb: 'update', resource: 'resourcequotas', ns: 'team' }));
    t.stop();
  });

  it('admin also manages roles, bindings and local access reviews', async () => {
    const t = await withBootstrap();
    await put(t.store, bind('admin'));
    assert.ok(
      can(t.authz, alice, { verb: 'create', resource: 'rolebindings', group: G, ns: 'team' }),
    );
    assert.ok(
      can(t.authz, alice, {
        verb: 'create',
        resource: 'localsubjectaccessreviews',
        group: 'authorization.k8s.io',
        ns: 'team',
      }),
    );
    assert.ok(can(t.authz, alice, { verb: 'delete', resource: 'pods', ns: 'team' }));
    assert.ok(!can(t.authz, alice, { verb: 'delete', resource: 'namespaces', name: 'team' }));
    assert.ok(!can(t.authz, alice, { verb: 'list', resource: 'nodes' }));
    t.stop();
  });

  it('labels and annotates every object as upstream bootstrapping does', () => {
    for (const { object } of bootstrapRbacObjects()) {
      assert.equal(object.metadata.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults');
      assert.equal(
        object.metadata.annotations?.['rbac.authorization.kubernetes.io/autoupdate'],
        'true',
      );
    }
  });
});

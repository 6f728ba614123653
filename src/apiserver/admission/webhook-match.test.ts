import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { builtinResources } from '../resources/builtin.ts';
import { ResourceRegistry } from '../resources/registry.ts';
import type { ResourceDefinition } from '../resources/types.ts';
import { ApiError } from '../errors.ts';
import { parseWebhooks, type WebhookRule } from './webhook-config.ts';
import {
  isExemptResource,
  ruleMatches,
  shouldCallHook,
  type MatchAttributes,
} from './webhook-match.ts';

const registry = new ResourceRegistry(builtinResources);

function def(group: string, version: string, resource: string): ResourceDefinition {
  const d = registry.lookup(group, version, resource);
  if (!d) throw new Error(`no ${resource}`);
  return d;
}

const pods = def('', 'v1', 'pods');
const namespaces = def('', 'v1', 'namespaces');
const nodes = def('', 'v1', 'nodes');
const deployments = def('apps', 'v1', 'deployments');

function attrs(over: Partial<MatchAttributes> = {}): MatchAttributes {
  return {
    operation: 'CREATE',
    def: pods,
    subresource: '',
    namespace: 'default',
    name: 'p',
    object: { metadata: { name: 'p', labels: { app: 'web' } } },
    oldObject: undefined,
    ...over,
  };
}

function rule(over: Partial<WebhookRule> = {}): WebhookRule {
  return {
    operations: ['CREATE'],
    apiGroups: [''],
    apiVersions: ['v1'],
    resources: ['pods'],
    scope: '*',
    ...over,
  };
}

describe('rule matching (rules.Matcher)', () => {
  const cases: [string, WebhookRule, MatchAttributes, boolean][] = [
    ['exact match', rule(), attrs(), true],
    ['other operation', rule(), attrs({ operation: 'UPDATE' }), false],
    ['operation wildcard', rule({ operations: ['*'] }), attrs({ operation: 'DELETE' }), true],
    ['group mismatch', rule({ apiGroups: ['apps'] }), attrs(), false],
    [
      'group wildcard',
      rule({ apiGroups: ['*'], resources: ['*'] }),
      attrs({ def: deployments }),
      true,
    ],
    ['version mismatch', rule({ apiVersions: ['v2'] }), attrs(), false],
    ['subresource not matched by plain resource', rule(), attrs({ subresource: 'status' }), false],
    ['pods/status', rule({ resources: ['pods/status'] }), attrs({ subresource: 'status' }), true],
    [
      'pods/* matches status',
      rule({ resources: ['pods/*'] }),
      attrs({ subresource: 'status' }),
      true,
    ],
    ['pods/* also matches the main resource', rule({ resources: ['pods/*'] }), attrs(), true],
    [
      '*/* matches everything',
      rule({ resources: ['*/*'] }),
      attrs({ subresource: 'status' }),
      true,
    ],
    [
      '* does not match subresources',
      rule({ resources: ['*'] }),
      attrs({ subresource: 'status' }),
      false,
    ],
    ['*/status', rule({ resources: ['*/status'] }), attrs({ subresource: 'status' }), true],
    ['Namespaced scope on pods', rule({ scope: 'Namespaced' }), attrs(), true],
    [
      'Namespaced scope on namespaces',
      rule({ scope: 'Namespaced', resources: ['namespaces'] }),
      attrs({ def: namespaces, namespace: '' }),
      false,
    ],
    [
      'Cluster scope on namespaces',
      rule({ scope: 'Cluster', resources: ['namespaces'] }),
      attrs({ def: namespaces, namespace: '' }),
      true,
    ],
    [
      'Cluster scope on nodes',
      rule({ scope: 'Cluster', resources: ['nodes'] }),
      attrs({ def: nodes, namespace: '' }),
      true,
    ],
    ['Cluster scope on pods', rule({ scope: 'Cluster' }), attrs(), false],
    ['unknown scope', rule({ scope: 'Nowhere' }), attrs(), false],
  ];
  for (const [name, r, a, want] of cases) {
    it(name, () => {
      assert.equal(ruleMatches(r, a), want);
    });
  }
});

function hookWith(extra: Record<string, unknown>): ReturnType<typeof parseWebhooks>[number] {
  const obj: KubeObject = {
    metadata: { name: 'cfg' },
    webhooks: [
      {
        name: 'a.example.com',
        rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }],
        clientConfig: { url: 'https://127.0.0.1/' },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        ...extra,
      },
    ],
  };
  const [h] = parseWebhooks(obj);
  if (!h) throw new Error('no webhook');
  return h;
}

describe('selectors (namespace and object matchers)', async () => {
  const store = new CachedStore({ persistence: noPersistence });
  await store.create('/namespaces/prod', { metadata: { name: 'prod', labels: { env: 'prod' } } });
  await store.create('/namespaces/dev', { metadata: { name: 'dev', labels: { env: 'dev' } } });
  const nsSel = hookWith({ namespaceSelector: { matchLabels: { env: 'prod' } } });
  const objSel = hookWith({
    objectSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
  });

  it('namespaceSelector reads the namespace labels', () => {
    assert.equal(shouldCallHook(store, nsSel, attrs({ namespace: 'prod' })), true);
    assert.equal(shouldCallHook(store, nsSel, attrs({ namespace: 'dev' })), false);
  });
  it('namespaceSelector uses the namespace object itself for namespace writes', () => {
    const ns = attrs({
      def: namespaces,
      namespace: '',
      name: 'new',
      object: { metadata: { name: 'new', labels: { env: 'prod' } } },
    });
    assert.equal(shouldCallHook(store, nsSel, ns), true);
    assert.equal(
      shouldCallHook(store, nsSel, { ...ns, object: { metadata: { name: 'new' } } }),
      false,
    );
  });
  it('namespaceSelector never exempts cluster-scoped resources', () => {
    assert.equal(shouldCallHook(store, nsSel, attrs({ def: nodes, namespace: '' })), true);
  });
  it('a missing namespace is a 404 only when the rules match', () => {
    assert.throws(
      () => shouldCallHook(store, nsSel, attrs({ namespace: 'gone' })),
      (e: unknown) => e instanceof ApiError && e.status.message === 'namespaces "gone" not found',
    );
    const narrow = hookWith({
      namespaceSelector: { matchLabels: { env: 'prod' } },
      rules: [
        { operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] },
      ],
    });
    assert.equal(shouldCallHook(store, narrow, attrs({ namespace: 'gone' })), false);
  });
  it('objectSelector matches the new or the old object', () => {
    assert.equal(shouldCallHook(store, objSel, attrs()), true);
    const unlabeled = { metadata: { name: 'p' } };
    assert.equal(shouldCallHook(store, objSel, attrs({ object: unlabeled })), false);
    assert.equal(
      shouldCallHook(
        store,
        objSel,
        attrs({
          operation: 'DELETE',
          object: undefined,
          oldObject: { metadata: { labels: { app: 'web' } } },
        }),
      ),
      true,
    );
  });
  it('exempts admission configuration resources', () => {
    const m = def('admissionregistration.k8s.io', 'v1', 'mutatingwebhookconfigurations');
    assert.equal(isExemptResource({ def: m }), true);
    assert.equal(isExemptResource({ def: pods }), false);
  });
});

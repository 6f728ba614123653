import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parsePolicyRule, ruleAllows, type PolicyRule } from './rules.ts';
import type { Attributes } from './types.ts';

const user = { username: 'alice', groups: ['system:authenticated'] };

function res(
  verb: string,
  resource: string,
  more: Partial<Omit<Attributes, 'user' | 'verb' | 'resource'>> = {},
): Attributes {
  return {
    user,
    verb,
    resourceRequest: true,
    namespace: 'ns',
    apiGroup: '',
    apiVersion: 'v1',
    resource,
    subresource: '',
    name: '',
    path: '',
    ...more,
  };
}

function path(verb: string, p: string): Attributes {
  return { ...res(verb, ''), resourceRequest: false, namespace: '', path: p };
}

const rule = (r: Partial<PolicyRule>): PolicyRule => parsePolicyRule(r);

describe('ruleAllows', () => {
  const cases: [string, Partial<PolicyRule>, Attributes, boolean][] = [
    [
      'exact verb/group/resource',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      res('get', 'pods'),
      true,
    ],
    [
      'other verb',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      res('list', 'pods'),
      false,
    ],
    ['verb *', { verbs: ['*'], apiGroups: [''], resources: ['pods'] }, res('delete', 'pods'), true],
    [
      'other group',
      { verbs: ['get'], apiGroups: ['apps'], resources: ['pods'] },
      res('get', 'pods'),
      false,
    ],
    [
      'group *',
      { verbs: ['get'], apiGroups: ['*'], resources: ['deployments'] },
      res('get', 'deployments', { apiGroup: 'apps' }),
      true,
    ],
    ['no groups listed', { verbs: ['get'], resources: ['pods'] }, res('get', 'pods'), false],
    [
      'resource *',
      { verbs: ['get'], apiGroups: [''], resources: ['*'] },
      res('get', 'pods', { subresource: 'log' }),
      true,
    ],
    [
      'resource does not cover subresource',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'] },
      res('get', 'pods', { subresource: 'log' }),
      false,
    ],
    [
      'resource/subresource',
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      res('get', 'pods', { subresource: 'log' }),
      true,
    ],
    [
      '*/subresource',
      { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] },
      res('get', 'deployments', { subresource: 'scale' }),
      true,
    ],
    [
      '*/subresource not main',
      { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] },
      res('get', 'deployments'),
      false,
    ],
    [
      '*/other subresource',
      { verbs: ['get'], apiGroups: [''], resources: ['*/scale'] },
      res('get', 'pods', { subresource: 'log' }),
      false,
    ],
    [
      'subresource rule not main',
      { verbs: ['get'], apiGroups: [''], resources: ['pods/log'] },
      res('get', 'pods'),
      false,
    ],
    [
      'resourceNames match',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      res('get', 'pods', { name: 'a' }),
      true,
    ],
    [
      'resourceNames other',
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      res('get', 'pods', { name: 'b' }),
      false,
    ],
    [
      'resourceNames vs list',
      { verbs: ['list'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      res('list', 'pods'),
      false,
    ],
    [
      'nonResourceURL exact',
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      path('get', '/healthz'),
      true,
    ],
    [
      'nonResourceURL other',
      { verbs: ['get'], nonResourceURLs: ['/healthz'] },
      path('get', '/livez'),
      false,
    ],
    [
      'nonResourceURL prefix *',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      path('get', '/apis/apps/v1'),
      true,
    ],
    [
      'nonResourceURL prefix needs slash',
      { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
      path('get', '/apis'),
      false,
    ],
    ['nonResourceURL *', { verbs: ['*'], nonResourceURLs: ['*'] }, path('post', '/anything'), true],
    ['nonResource verb', { verbs: ['get'], nonResourceURLs: ['*'] }, path('post', '/x'), false],
    [
      'resource rule never grants a path',
      { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
      path('get', '/healthz'),
      false,
    ],
    [
      'path rule never grants a resource',
      { verbs: ['*'], nonResourceURLs: ['*'] },
      res('get', 'pods'),
      false,
    ],
  ];
  for (const [name, r, attrs, want] of cases) {
    it(name, () => {
      assert.equal(ruleAllows(attrs, rule(r)), want);
    });
  }
});

const word: fc.Arbitrary<string> = fc.constantFrom(
  'pods/log',
  '*/log',
  'get',
  'list',
  'pods',
  'apps',
  '',
  'log',
  'a',
  'b',
  '/x',
  '/x/y',
);
const words = fc.array(word, { maxLength: 3 });
const arbRule = fc.record({
  verbs: words,
  apiGroups: words,
  resources: words,
  resourceNames: words,
  nonResourceURLs: words,
});
const arbAttrs = fc.record({
  user: fc.constant(user),
  verb: word,
  resourceRequest: fc.boolean(),
  namespace: word,
  apiGroup: word,
  apiVersion: word,
  resource: word,
  subresource: word,
  name: word,
  path: word,
});

describe('ruleAllows properties', () => {
  it('never grants what the rule does not list (outside its wildcards)', () => {
    fc.assert(
      fc.property(arbRule, arbAttrs, (r, a) => {
        if (!ruleAllows(a, parsePolicyRule(r))) return;
        assert.ok(r.verbs.includes(a.verb));
        if (a.resourceRequest) {
          assert.ok(r.apiGroups.includes(a.apiGroup));
          const combined = a.subresource === '' ? a.resource : `${a.resource}/${a.subresource}`;
          const viaWildcard = a.subresource !== '' && r.resources.includes(`*/${a.subresource}`);
          assert.ok(r.resources.includes(combined) || viaWildcard);
          assert.ok(r.resourceNames.length === 0 || r.resourceNames.includes(a.name));
        } else {
          assert.ok(r.nonResourceURLs.includes(a.path));
        }
      }),
    );
  });

  it('never throws on arbitrary JSON as a rule or attributes', () => {
    fc.assert(
      fc.property(fc.jsonValue(), arbAttrs, fc.string(), (raw, a, s) => {
        const attrs = { ...a, verb: s, path: s, resource: s };
        assert.equal(typeof ruleAllows(attrs, parsePolicyRule(raw)), 'boolean');
      }),
    );
  });
});

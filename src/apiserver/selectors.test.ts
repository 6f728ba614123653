import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiError } from './errors.ts';
import {
  formatLabelSelector,
  fromLabelSelectorObject,
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
} from './selectors.ts';

/** Asserts a 400 whose message contains `fragment`, as kube-apiserver answers bad selectors. */
function assertBadRequest(fn: () => unknown, fragment: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ApiError);
    assert.equal(e.status.code, 400);
    assert.ok(e.status.message?.includes(fragment), e.status.message);
    return true;
  });
}

describe('parseLabelSelector', () => {
  it('treats empty and missing selectors as matching everything', () => {
    assert.deepEqual(parseLabelSelector(null), []);
    assert.deepEqual(parseLabelSelector(undefined), []);
    assert.deepEqual(parseLabelSelector('  '), []);
    assert.equal(matchesLabels(parseLabelSelector(''), undefined), true);
  });

  it('parses equality, set-based, existence and comparison terms', () => {
    assert.deepEqual(
      parseLabelSelector(
        'app=web, tier==front,env!=prod,team in (a, b),zone notin (x),ready,!gone',
      ),
      [
        { key: 'app', op: '=', values: ['web'] },
        { key: 'tier', op: '=', values: ['front'] },
        { key: 'env', op: '!=', values: ['prod'] },
        { key: 'team', op: 'in', values: ['a', 'b'] },
        { key: 'zone', op: 'notin', values: ['x'] },
        { key: 'ready', op: 'exists', values: [] },
        { key: 'gone', op: '!', values: [] },
      ],
    );
    assert.deepEqual(parseLabelSelector('n>3,m<-1'), [
      { key: 'n', op: 'gt', values: ['3'] },
      { key: 'm', op: 'lt', values: ['-1'] },
    ]);
    assert.deepEqual(parseLabelSelector('example.com/app=v'), [
      { key: 'example.com/app', op: '=', values: ['v'] },
    ]);
  });

  it('rejects malformed keys, values and comparisons with 400', () => {
    assertBadRequest(() => parseLabelSelector('-bad=x'), 'key: Invalid value: "-bad"');
    assertBadRequest(() => parseLabelSelector('a=-x'), 'Invalid value: "-x"');
    assertBadRequest(() => parseLabelSelector('a in (ok,bad!)'), 'Invalid value: "bad!"');
    assertBadRequest(() => parseLabelSelector('n>x'), 'must be an integer');
    assertBadRequest(() => parseLabelSelector('a b'), "found 'a b', expected: identifier");
  });
});

describe('matchesLabels', () => {
  const labels = { app: 'web', env: 'dev', n: '5' };
  const cases: [string, boolean][] = [
    ['app=web', true],
    ['app=db', false],
    ['env!=prod', true],
    ['env!=dev', false],
    // `!=` holds when the label is absent, as upstream's selector does.
    ['missing!=x', true],
    ['env in (dev,test)', true],
    ['env in (prod)', false],
    ['missing in (x)', false],
    ['env notin (prod)', true],
    ['env notin (dev)', false],
    ['missing notin (x)', true],
    ['app', true],
    ['missing', false],
    ['!missing', true],
    ['!app', false],
    ['n>4', true],
    ['n>5', false],
    ['n<6', true],
    ['n<5', false],
    // A non-integer label value never satisfies a comparison.
    ['app>1', false],
    ['missing<1', false],
    ['app=web,env in (dev),!missing', true],
    ['app=web,env in (prod)', false],
  ];
  for (const [selector, want] of cases) {
    it(`${selector} → ${String(want)}`, () => {
      assert.equal(matchesLabels(parseLabelSelector(selector), labels), want);
    });
  }

  it('treats an object without labels as having none', () => {
    assert.equal(matchesLabels(parseLabelSelector('!app'), undefined), true);
    assert.equal(matchesLabels(parseLabelSelector('app'), undefined), false);
  });
});

describe('fromLabelSelectorObject and formatLabelSelector', () => {
  it('converts matchLabels and matchExpressions and prints them canonically', () => {
    const sel = fromLabelSelectorObject({
      matchLabels: { app: 'web' },
      matchExpressions: [
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'env', operator: 'NotIn', values: ['prod'] },
        { key: 'ready', operator: 'Exists' },
        { key: 'gone', operator: 'DoesNotExist' },
      ],
    });
    assert.ok(sel);
    assert.equal(formatLabelSelector(sel), 'app=web,tier in (a,b),env notin (prod),ready,!gone');
    assert.equal(matchesLabels(sel, { app: 'web', tier: 'a', ready: '' }), true);
    assert.equal(matchesLabels(sel, { app: 'web', tier: 'c', ready: '' }), false);
  });

  it('round-trips a parsed selector through its printed form', () => {
    const text = 'a=1,b!=2,c in (x,y),d notin (z),e,!f,g>3,h<4';
    assert.equal(formatLabelSelector(parseLabelSelector(text)), text);
  });

  it('matches nothing for an unknown operator and is undefined for a non-object', () => {
    const sel = fromLabelSelectorObject({ matchExpressions: [{ key: 'a', operator: 'Gt' }] });
    assert.ok(sel);
    assert.equal(matchesLabels(sel, { a: '1' }), false);
    assert.equal(fromLabelSelectorObject(null), undefined);
  });
});

describe('field selectors', () => {
  const supported = new Set(['metadata.name', 'metadata.namespace', 'status.phase']);

  it('parses =, == and != terms, unescaping values', () => {
    assert.deepEqual(
      parseFieldSelector(
        'metadata.name=a,status.phase!=Running,metadata.namespace==x\\,y',
        supported,
      ),
      [
        { field: 'metadata.name', op: '=', value: 'a' },
        { field: 'status.phase', op: '!=', value: 'Running' },
        { field: 'metadata.namespace', op: '=', value: 'x,y' },
      ],
    );
    assert.deepEqual(parseFieldSelector('', supported), []);
    assert.deepEqual(parseFieldSelector(null, supported), []);
  });

  it('rejects an unsupported field and an unparsable term with 400', () => {
    assertBadRequest(
      () => parseFieldSelector('spec.nodeName=n1', supported),
      'field label not supported: spec.nodeName',
    );
    assertBadRequest(
      () => parseFieldSelector('metadata.name', supported),
      "invalid selector: 'metadata.name'",
    );
  });

  it('matches = and != against the object fields, absent fields reading as empty', () => {
    const fields = { 'metadata.name': 'a', 'status.phase': 'Pending' };
    const match = (s: string): boolean => matchesFields(parseFieldSelector(s, supported), fields);
    assert.equal(match('metadata.name=a'), true);
    assert.equal(match('metadata.name=b'), false);
    assert.equal(match('status.phase!=Running'), true);
    assert.equal(match('status.phase!=Pending'), false);
    assert.equal(match('metadata.namespace='), true);
    assert.equal(match('metadata.namespace!='), false);
    assert.equal(match('metadata.name=a,status.phase!=Pending'), false);
  });
});

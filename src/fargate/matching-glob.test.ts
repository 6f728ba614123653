import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { globMatches } from './matching-glob.ts';

describe('globMatches', () => {
  const cases: [string, string, boolean][] = [
    ['default', 'default', true],
    ['default', 'defaults', false],
    ['prod*', 'prod', true],
    ['prod*', 'production', true],
    ['prod*', 'preprod', false],
    ['*prod', 'preprod', true],
    ['p?od', 'prod', true],
    ['p?od', 'pod', false],
    ['*', '', true],
    ['?', '', false],
    ['a*b*c', 'aXXbYYc', true],
    ['a*b*c', 'aXXbYY', false],
    ['labelname*?', 'labelname', false],
    ['labelname*?', 'labelnameX', true],
    ['*value1', 'myvalue1', true],
    ['a.b', 'aXb', false],
    ['[ab]', 'a', false],
    ['[ab]', '[ab]', true],
    ['**', 'anything', true],
    ['', '', true],
    ['', 'x', false],
  ];
  for (const [pattern, text, want] of cases) {
    it(`${JSON.stringify(pattern)} vs ${JSON.stringify(text)} → ${String(want)}`, () => {
      assert.equal(globMatches(pattern, text), want);
    });
  }

  it('agrees with an anchored regular expression', () => {
    const chars = fc.constantFrom('a', 'b', '*', '?', '.');
    fc.assert(
      fc.property(
        fc.string({ unit: chars, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '.'), maxLength: 8 }),
        (pattern, text) => {
          const source = pattern.replace(/[.]/g, '\\.').replace(/\*/g, '.*').replace(/\?/g, '.');
          assert.equal(globMatches(pattern, text), new RegExp(`^${source}$`, 's').test(text));
        },
      ),
    );
  });
});

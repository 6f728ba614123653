import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameStringMap } from './string-map.ts';

test('sameStringMap compares entries, not order, and treats absent as empty', () => {
  assert.equal(sameStringMap({ a: '1', b: '2' }, { b: '2', a: '1' }), true);
  assert.equal(sameStringMap(undefined, {}), true);
  assert.equal(sameStringMap({ a: '1' }, { a: '2' }), false);
  assert.equal(sameStringMap({ a: '1' }, { a: '1', b: '2' }), false);
  assert.equal(sameStringMap({ a: '' }, { b: '' }), false);
  assert.equal(sameStringMap({ a: '1' }, undefined), false);
});

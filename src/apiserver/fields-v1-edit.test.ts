import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../api/index.ts';
import { encodePath, fromFieldsV1, toFieldsV1 } from './field-set.ts';
import { FieldsV1Editor } from './fields-v1-edit.ts';

function frozen<T>(v: T): T {
  if (typeof v === 'object' && v !== null) {
    for (const c of Object.values(v)) frozen(c);
    Object.freeze(v);
  }
  return v;
}

const tree = (): JsonObject =>
  frozen(
    toFieldsV1(
      new Set(
        [
          ['f:metadata', 'f:labels', 'f:app'],
          ['f:status', 'f:conditions', 'k:{"type":"Ready"}', '.'],
          ['f:status', 'f:conditions', 'k:{"type":"Ready"}', 'f:status'],
          ['f:status', 'f:phase'],
        ].map(encodePath),
      ),
    ),
  );

/** What adding and removing in the set and re-encoding gives. */
function viaSet(root: JsonObject, edit: { add?: string[][]; remove?: string[][] }): JsonObject {
  const set = fromFieldsV1(root);
  for (const p of edit.remove ?? []) set.delete(encodePath(p));
  for (const p of edit.add ?? []) set.add(encodePath(p));
  return toFieldsV1(set);
}

describe('FieldsV1Editor', () => {
  it('adds leaves at their sorted place without changing the (frozen) original', () => {
    const root = tree();
    const before = JSON.stringify(root);
    const e = new FieldsV1Editor(root);
    const add = [
      ['f:status', 'f:hostIP'],
      ['f:metadata', 'f:annotations', 'f:a'],
      ['f:status', 'f:phase'],
    ];
    for (const p of add) e.add(encodePath(p));
    assert.equal(JSON.stringify(e.root), JSON.stringify(viaSet(root, { add })));
    assert.equal(JSON.stringify(root), before);
    // Untouched subtrees are shared, not copied.
    assert.equal(e.root['f:metadata'] === root['f:metadata'], false);
    assert.equal(
      (e.root['f:status'] as JsonObject)['f:conditions'],
      (root['f:status'] as JsonObject)['f:conditions'],
    );
  });

  it('removes leaves and the nodes left empty; a path that is no leaf is left alone', () => {
    const root = tree();
    const e = new FieldsV1Editor(root);
    const remove = [
      ['f:metadata', 'f:labels', 'f:app'],
      ['f:status', 'f:conditions', 'k:{"type":"Ready"}', '.'],
    ];
    for (const p of remove) assert.equal(e.remove(encodePath(p)), true);
    assert.equal(e.remove(encodePath(['f:status'])), false);
    assert.equal(e.remove(encodePath(['f:spec', 'f:nodeName'])), false);
    assert.equal(JSON.stringify(e.root), JSON.stringify(viaSet(root, { remove })));
    assert.equal(e.root['f:metadata'], undefined);
  });

  it('edits the same path twice on its own copies', () => {
    const e = new FieldsV1Editor(tree());
    e.remove(encodePath(['f:status', 'f:phase']));
    e.add(encodePath(['f:status', 'f:phase']));
    e.add(encodePath(['f:status', 'f:podIP']));
    assert.deepEqual(Object.keys(e.root['f:status'] as JsonObject), [
      'f:conditions',
      'f:phase',
      'f:podIP',
    ]);
  });
});

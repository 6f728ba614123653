import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../api/index.ts';
import { goString, goTypeName, goValue } from './go-format.ts';
import { strategicMerge } from './merge.ts';
import type { FieldPatchMeta, StructPatchSchema } from './schema.ts';

/** A recursive test type in the spirit of apimachinery's own MergeItem fixture. */
function itemSchema(): StructPatchSchema {
  const fields: Record<string, FieldPatchMeta> = {};
  const item: StructPatchSchema = { fields };
  Object.assign(fields, {
    items: { patchStrategy: 'merge', patchMergeKey: 'name', type: item },
    ints: { patchStrategy: 'merge' },
    atomic: { type: item },
    pinned: { patchStrategy: 'replace' },
    retained: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', type: item },
  } satisfies Record<string, FieldPatchMeta>);
  return item;
}

const ITEM = itemSchema();

interface Case {
  name: string;
  original: JsonObject;
  patch: JsonObject;
  want: JsonObject;
}

const cases: Case[] = [
  {
    name: 'deletions shift the live list, and new items fill the freed slots of its order',
    // Go deletes by `append(s[:i], s[i+1:]...)` in the live array and appends into it, so
    // `$setElementOrder` compares server-only items against [d, b], not [a, d].
    original: {
      items: [
        { name: 'a', v: 'x' },
        { name: 'd', v: 'y' },
      ],
    },
    patch: {
      '$setElementOrder/items': [{ name: 'b' }, { name: 'c' }],
      items: [{ name: 'b' }, { name: 'c' }, { name: 'a', $patch: 'delete' }],
    },
    want: { items: [{ name: 'd', v: 'y' }, { name: 'b' }, { name: 'c' }] },
  },
  {
    name: 'a server-only item goes before the first patch item that follows it in the live list',
    original: { items: [{ name: 'a' }, { name: 's' }, { name: 'b' }] },
    patch: {
      '$setElementOrder/items': [{ name: 'b' }, { name: 'a' }],
      items: [{ name: 'a', v: 1 }],
    },
    want: { items: [{ name: 's' }, { name: 'b' }, { name: 'a', v: 1 }] },
  },
  {
    name: '$setElementOrder with a primitive set adds and orders',
    original: { ints: [1, 2, 3] },
    patch: { '$setElementOrder/ints': [3, 5, 1], ints: [5], '$deleteFromPrimitiveList/ints': [2] },
    want: { ints: [3, 5, 1] },
  },
  {
    name: 'a merged item merges recursively with its own schema',
    original: { items: [{ name: 'a', items: [{ name: 'x', v: 1 }], atomic: [{ name: 'q' }] }] },
    patch: { items: [{ name: 'a', items: [{ name: 'y' }], atomic: [{ name: 'r' }] }] },
    want: {
      // A new item without $setElementOrder lands before the server-only ones, as upstream.
      items: [{ name: 'a', items: [{ name: 'y' }, { name: 'x', v: 1 }], atomic: [{ name: 'r' }] }],
    },
  },
  {
    name: 'patchStrategy replace takes the patch object whole, without its directives or nulls',
    original: { pinned: { a: 1, b: 2 } },
    patch: { pinned: { c: 3, d: null, $x: 1 } },
    want: { pinned: { c: 3 } },
  },
  {
    name: '$retainKeys ignores nulls and other directives when checking the patch',
    original: { retained: [{ name: 'v', a: 1, b: 2, c: 3 }] },
    patch: {
      retained: [
        {
          name: 'v',
          $retainKeys: ['name', 'a', 'ints'],
          b: null,
          a: 5,
          '$setElementOrder/ints': [],
        },
      ],
    },
    want: { retained: [{ name: 'v', a: 5 }] },
  },
  {
    name: 'a $patch: delete item for a missing key, with a replaced list after it',
    original: { items: [{ name: 'a' }] },
    patch: { items: [{ name: 'zz', $patch: 'delete' }, { $patch: 'replace' }] },
    want: { items: [] },
  },
  {
    name: 'a value in the original with a null is replaced by the patch',
    original: { thing: null, keep: null },
    patch: { thing: { a: 1 } },
    want: { thing: { a: 1 }, keep: null },
  },
  {
    name: 'null list items of a replaced list stay (they decode to zero values)',
    original: { other: ['a'] },
    patch: { other: ['b', null] },
    want: { other: ['b', null] },
  },
  {
    name: 'an own __proto__ key is an ordinary key',
    original: JSON.parse('{"__proto__":{"a":1}}') as JsonObject,
    patch: JSON.parse('{"__proto__":{"b":2}}') as JsonObject,
    want: JSON.parse('{"__proto__":{"a":1,"b":2}}') as JsonObject,
  },
];

void describe('strategicMerge', () => {
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(strategicMerge(c.original, c.patch, ITEM), c.want);
    });
  }

  void it('mixing integers and fractions in a merged set is a type error, as Go decodes int64 and float64', () => {
    assert.throws(() => strategicMerge({ ints: [1] }, { ints: [1.5] }, ITEM), {
      code: 'KILN_PATCH_BAD_TYPE',
      message: 'list element types are not identical: [[1] [1.5]]',
    });
  });
});

void describe('go-format', () => {
  void it('renders values as Go %v does', () => {
    assert.equal(
      goValue({ b: [1, 'x', null], a: { c: true } }),
      'map[a:map[c:true] b:[1 x <nil>]]',
    );
    assert.equal(goValue(0.5), '0.5');
    assert.equal(goValue(1500000), '1500000');
    assert.equal(goValue(1234567.5), '1.2345675e+06');
    assert.equal(goValue(2.5e-7), '2.5e-07');
    assert.equal(goValue(1e21), '1e+21');
  });
  void it('names the Go types JSON decodes to', () => {
    assert.deepEqual(
      [
        goTypeName('s'),
        goTypeName(1),
        goTypeName(1.5),
        goTypeName(true),
        goTypeName(null),
        goTypeName([]),
        goTypeName({}),
      ],
      ['string', 'int64', 'float64', 'bool', '<nil>', '[]interface {}', 'map[string]interface {}'],
    );
  });
  void it('renders %s of non-strings with Go bad-verb markers', () => {
    assert.equal(goString('merge'), 'merge');
    assert.equal(goString(true), '%!s(bool=true)');
    assert.equal(goString(null), '%!s(<nil>)');
  });
});

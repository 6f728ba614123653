import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../api/index.ts';
import { diffFields } from './field-diff.ts';
import { changedFields, decodePath, fieldSetOf } from './field-set.ts';
import { builtinPatchSchema } from './patch/builtin-schemas.ts';
import { UNTAGGED } from './patch/schema.ts';

const schema = builtinPatchSchema({ group: '', version: 'v1', kind: 'Pod' }) ?? UNTAGGED;

/** The definition: every leaf of both versions listed and compared. */
function definition(next: JsonObject, old: JsonObject): { changed: string[]; removed: string[] } {
  const after = fieldSetOf(next, schema);
  const before = fieldSetOf(old, schema);
  const changed = changedFields({ before, after }, { before: old, after: next }, schema);
  return {
    changed: [...changed].sort(),
    removed: [...before].filter((p) => !after.has(p)).sort(),
  };
}

function diff(next: JsonObject, old: JsonObject): { changed: string[]; removed: string[] } {
  const d = diffFields(next, old, schema);
  return { changed: [...d.changed].sort(), removed: [...d.removed].sort() };
}

const pod = (o: JsonObject): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'ns', resourceVersion: '1' },
  ...o,
});

describe('diffFields', () => {
  const cases: [string, JsonObject, JsonObject][] = [
    [
      'a status write: one condition changes, one is added',
      pod({
        status: {
          phase: 'Running',
          conditions: [
            { type: 'Ready', status: 'True' },
            { type: 'PodScheduled', status: 'True' },
          ],
        },
      }),
      pod({ status: { phase: 'Pending', conditions: [{ type: 'Ready', status: 'False' }] } }),
    ],
    [
      'an object becomes empty (a leaf) and a list empties',
      pod({ metadata: { name: 'p', labels: {} }, spec: { containers: [] } }),
      pod({
        metadata: { name: 'p', labels: { a: '1' } },
        spec: { containers: [{ name: 'c', image: 'x' }] },
      }),
    ],
    [
      'keyed items repeat their key (env), so the list is compared leaf by leaf',
      pod({
        spec: {
          containers: [
            {
              name: 'c',
              env: [
                { name: 'A', value: '1' },
                { name: 'A', value: '2' },
              ],
            },
          ],
        },
      }),
      pod({ spec: { containers: [{ name: 'c', env: [{ name: 'A', value: '2' }] }] } }),
    ],
    [
      'a set (finalizers) gains and loses members; unowned metadata is ignored',
      pod({ metadata: { name: 'p', resourceVersion: '9', finalizers: ['a', 'c'] } }),
      pod({ metadata: { name: 'p', resourceVersion: '1', finalizers: ['a', 'b'] } }),
    ],
    [
      'an item without its key makes the list one leaf',
      pod({ spec: { containers: [{ name: 'c' }, { image: 'x' }] } }),
      pod({ spec: { containers: [{ name: 'c' }] } }),
    ],
    [
      'a field turns from a scalar into an object',
      pod({ spec: { nodeSelector: { a: 'b' } } }),
      pod({ spec: { nodeSelector: 'x' } }),
    ],
  ];
  for (const [name, next, old] of cases) {
    it(name, () => {
      const want = definition(next, old);
      assert.deepEqual(diff(next, old), want);
      assert.ok(want.changed.length + want.removed.length > 0, 'the case changes something');
    });
  }

  it('passes over what both versions share by reference', () => {
    const spec = { containers: [{ name: 'c', image: 'x' }] };
    const d = diff(
      pod({ spec, status: { phase: 'Running' } }),
      pod({ spec, status: { phase: 'Pending' } }),
    );
    assert.deepEqual(d, { changed: [['f:status', 'f:phase'].join('\u0000')], removed: [] });
    assert.deepEqual(decodePath(d.changed[0] ?? ''), ['f:status', 'f:phase']);
  });
});

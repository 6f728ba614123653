import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject, KubeObject } from '../api/index.ts';
import { changedFields, fieldSetOf } from './field-set.ts';
import {
  readEntries,
  recordManagedFields,
  schemaFor,
  writeEntries,
  type ManagerRef,
} from './managed-fields.ts';
import { clone } from './object-meta.ts';

/** The plain algorithm (every set read and re-encoded), as the oracle for the lazy one. */
function reference(next: KubeObject, old: KubeObject | undefined, ref: ManagerRef): void {
  const schema = schemaFor(next);
  // SAFETY: KubeObjects are JSON objects.
  const json = (o: KubeObject): JsonObject => o as unknown as JsonObject;
  const after = fieldSetOf(json(next), schema);
  const before = old ? fieldSetOf(json(old), schema) : new Set<string>();
  const changed = old
    ? changedFields({ before, after }, { before: json(old), after: json(next) }, schema)
    : after;
  const removed = [...before].filter((p) => !after.has(p));
  const entries = readEntries(old);
  for (const e of entries) for (const p of [...changed, ...removed]) e.set.delete(p);
  if (changed.size > 0) {
    const mine = entries.find(
      (e) =>
        e.entry.manager === ref.manager &&
        e.entry.operation === ref.operation &&
        (e.entry.subresource ?? '') === ref.subresource,
    );
    if (mine) {
      for (const p of changed) mine.set.add(p);
      mine.entry = { ...mine.entry, time: ref.time };
    } else {
      entries.push({
        entry: {
          manager: ref.manager,
          operation: ref.operation,
          apiVersion: next.apiVersion ?? '',
          time: ref.time,
          ...(ref.subresource === '' ? {} : { subresource: ref.subresource }),
        },
        set: new Set(changed),
      });
    }
  }
  writeEntries(next, entries);
}

const small = fc.constantFrom('a', 'b', 'c');
const scalar = fc.oneof(fc.constantFrom('x', 'y'), fc.integer({ min: 0, max: 2 }), fc.boolean());
const container = fc.record(
  {
    name: small,
    image: fc.constantFrom('nginx', 'redis'),
    resources: fc.record({ requests: fc.dictionary(fc.constantFrom('cpu', 'memory'), scalar) }),
    env: fc.array(fc.record({ name: small, value: scalar }), { maxLength: 3 }),
  },
  { requiredKeys: ['name'] },
);
const condition = fc.record(
  { type: fc.constantFrom('Ready', 'PodScheduled'), status: fc.constantFrom('True', 'False') },
  { requiredKeys: [] },
);
const pod = fc.record(
  {
    labels: fc.dictionary(small, fc.constantFrom('1', '2')),
    finalizers: fc.array(small, { maxLength: 3 }),
    // Pod validation rejects two containers of one name, so the recorder never sees them.
    containers: fc.uniqueArray(container, { maxLength: 3, selector: (c) => c.name }),
    tolerations: fc.array(fc.record({ key: small, operator: fc.constantFrom('Exists') })),
    nodeName: fc.constantFrom('n1', 'n2'),
    phase: fc.constantFrom('Pending', 'Running'),
    conditions: fc.array(condition, { maxLength: 3 }),
  },
  { requiredKeys: [] },
);

function toPod(p: {
  labels?: Record<string, string>;
  finalizers?: string[];
  containers?: object[];
  tolerations?: object[];
  nodeName?: string;
  phase?: string;
  conditions?: object[];
}): KubeObject {
  // SAFETY: the generators only produce JSON values.
  return JSON.parse(
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'ns', labels: p.labels, finalizers: p.finalizers },
      spec: { containers: p.containers, tolerations: p.tolerations, nodeName: p.nodeName },
      status: { phase: p.phase, conditions: p.conditions },
    }),
  ) as KubeObject;
}

const writer = fc.record({
  manager: fc.constantFrom('kubectl', 'kubelet', 'scheduler'),
  subresource: fc.constantFrom('', 'status'),
});

test('recordManagedFields records exactly what the plain algorithm records', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(pod, writer), { minLength: 1, maxLength: 6 }), (writes) => {
      let old: KubeObject | undefined;
      writes.forEach(([p, w], i) => {
        const ref: ManagerRef = { ...w, operation: 'Update', time: `t${String(i)}` };
        const fast = toPod(p);
        const slow = toPod(p);
        // A status write carries the stored spec over by reference, as the status strategy does.
        const carried = w.subresource === 'status' && old !== undefined;
        const before = old && clone(old);
        if (carried) {
          fast['spec'] = before?.['spec'];
          slow['spec'] = clone(before?.['spec']);
        }
        recordManagedFields(fast, before, ref);
        reference(slow, old && clone(old), ref);
        assert.equal(JSON.stringify(fast.metadata), JSON.stringify(slow.metadata));
        old = fast;
      });
    }),
    { numRuns: Number(process.env['FC_RUNS'] ?? 300) },
  );
});

test('an entry the write does not touch is kept as stored, in canonical form or not', () => {
  const old = toPod({ labels: { a: '1' }, phase: 'Pending' });
  recordManagedFields(old, undefined, {
    manager: 'kubectl',
    operation: 'Update',
    time: 't0',
    subresource: '',
  });
  const kept = old.metadata.managedFields?.[0]?.fieldsV1;
  const next = toPod({
    labels: { a: '1' },
    phase: 'Pending',
    conditions: [{ type: 'Ready', status: 'True' }],
  });
  recordManagedFields(next, old, {
    manager: 'kubelet',
    operation: 'Update',
    time: 't1',
    subresource: 'status',
  });
  assert.equal(next.metadata.managedFields?.[0]?.fieldsV1, kept);
  // Keys out of order are re-encoded sorted, as the plain algorithm does.
  const unsorted = clone(old);
  const entry = unsorted.metadata.managedFields?.[0];
  assert.ok(entry);
  entry.fieldsV1 = { 'f:status': { 'f:phase': {} }, 'f:metadata': { 'f:labels': { 'f:a': {} } } };
  const a = toPod({ labels: { a: '1', b: '2' }, phase: 'Pending' });
  const b = toPod({ labels: { a: '1', b: '2' }, phase: 'Pending' });
  recordManagedFields(a, unsorted, ref('x'));
  reference(b, unsorted, ref('x'));
  assert.equal(JSON.stringify(a.metadata), JSON.stringify(b.metadata));
  assert.deepEqual(Object.keys(a.metadata.managedFields?.[0]?.fieldsV1 ?? {}), [
    'f:metadata',
    'f:status',
  ]);
});

function ref(manager: string): ManagerRef {
  return { manager, operation: 'Update', time: 't', subresource: '' };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  hashRevisionData,
  revisionsToPrune,
  templateOfRevision,
  templatePatch,
  type ControllerRevision,
} from './controller-history.ts';

const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [] } };

test('revision data round-trips the template and hashes stably per collision count', () => {
  const data = templatePatch(template);
  assert.deepEqual(templateOfRevision({ metadata: {}, data, revision: 1 }), template);
  const h0 = hashRevisionData(data, 0);
  assert.equal(h0, hashRevisionData(templatePatch(structuredClone(template)), 0));
  assert.notEqual(h0, hashRevisionData(data, 1));
  assert.match(h0, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
});

function rev(name: string, revision: number): ControllerRevision {
  return { metadata: { name }, revision };
}

test('pruning keeps live revisions and the newest up to the limit', () => {
  const old = [rev('r3', 3), rev('r1', 1), rev('r2', 2), rev('r4', 4)];
  const live = new Set(['r1']);
  const names = (rs: ControllerRevision[]): (string | undefined)[] =>
    rs.map((r) => r.metadata.name);
  assert.deepEqual(names(revisionsToPrune(old, { live, limit: 2, countLive: false })), ['r2']);
  assert.deepEqual(names(revisionsToPrune(old, { live, limit: 2, countLive: true })), ['r2', 'r3']);
  assert.deepEqual(revisionsToPrune(old, { live, limit: 10, countLive: true }), []);
});

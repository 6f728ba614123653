import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import {
  CachedStore,
  SqlitePersistence,
  StoreAlreadyExistsError,
  StoreConflictError,
  StoreExpiredError,
  StoreNotFoundError,
  noPersistence,
  type StoreEvent,
} from './index.ts';

const pod = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  ...extra,
});

interface Backend {
  name: string;
  open(historyLimit?: number): {
    store: CachedStore;
    reopen: () => CachedStore;
    cleanup: () => void;
  };
}

const backends: Backend[] = [
  {
    name: 'memory',
    open: (historyLimit) => {
      const store = new CachedStore({
        persistence: noPersistence,
        ...(historyLimit ? { historyLimit } : {}),
      });
      return { store, reopen: () => store, cleanup: () => undefined };
    },
  },
  {
    name: 'sqlite',
    open: (historyLimit) => {
      const dir = mkdtempSync(join(tmpdir(), 'kiln-store-'));
      const make = (): CachedStore =>
        new CachedStore({
          persistence: new SqlitePersistence({ path: join(dir, 'state.db') }),
          ...(historyLimit ? { historyLimit } : {}),
        });
      const store = make();
      return {
        store,
        reopen: () => {
          store.close();
          return make();
        },
        cleanup: () => {
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
];

for (const backend of backends) {
  describe(`store conformance: ${backend.name}`, () => {
    it('creates, reads, updates with CAS and deletes with strictly increasing revisions', async () => {
      const { store, cleanup } = backend.open();
      try {
        const a = await store.create('/pods/default/a', pod('a'));
        assert.equal(a.object.metadata.resourceVersion, String(a.modRevision));
        await assert.rejects(store.create('/pods/default/a', pod('a')), StoreAlreadyExistsError);
        const b = await store.update('/pods/default/a', pod('a', { spec: { x: 1 } }), {
          expectedRevision: a.modRevision,
        });
        assert.ok(b.modRevision > a.modRevision);
        assert.equal(b.createRevision, a.createRevision);
        await assert.rejects(
          store.update('/pods/default/a', pod('a'), { expectedRevision: a.modRevision }),
          StoreConflictError,
        );
        await assert.rejects(store.update('/pods/default/zz', pod('zz')), StoreNotFoundError);
        const d = await store.delete('/pods/default/a');
        assert.ok(d.modRevision > b.modRevision);
        assert.equal(store.get('/pods/default/a'), undefined);
        await assert.rejects(store.delete('/pods/default/a'), StoreNotFoundError);
      } finally {
        cleanup();
      }
    });

    it('lists by prefix in key order', async () => {
      const { store, cleanup } = backend.open();
      try {
        for (const k of ['/pods/b/x', '/pods/a/y', '/pods/a-b/z', '/pods/a/b', '/nodes//n1']) {
          await store.create(k, pod(k));
        }
        assert.deepEqual(
          store.list('/pods/').items.map((o) => o.key),
          ['/pods/a-b/z', '/pods/a/b', '/pods/a/y', '/pods/b/x'],
        );
        assert.deepEqual(
          store.list('/pods/a/').items.map((o) => o.key),
          ['/pods/a/b', '/pods/a/y'],
        );
        assert.equal(store.count('/pods/'), 4);
        assert.equal(store.list('/pods/a/').revision, store.revision());
      } finally {
        cleanup();
      }
    });

    it('replays history to a watch and then streams live events in order', async () => {
      const { store, cleanup } = backend.open();
      try {
        const first = await store.create('/pods/default/a', pod('a'));
        await store.update('/pods/default/a', pod('a', { spec: { n: 2 } }));
        const seen: StoreEvent[] = [];
        const ac = new AbortController();
        store.watch('/pods/', { fromRevision: first.modRevision, signal: ac.signal }, (e) =>
          seen.push(e),
        );
        await store.create('/pods/default/b', pod('b'));
        await store.create('/other/x', pod('x'));
        await store.delete('/pods/default/a');
        ac.abort();
        await store.create('/pods/default/c', pod('c'));
        assert.deepEqual(
          seen.map((e) => [e.type, e.key]),
          [
            ['MODIFIED', '/pods/default/a'],
            ['ADDED', '/pods/default/b'],
            ['DELETED', '/pods/default/a'],
          ],
        );
        const revs = seen.map((e) => e.revision);
        assert.deepEqual(
          revs,
          [...revs].sort((x, y) => x - y),
        );
        assert.equal(seen[2]?.object.metadata.resourceVersion, String(seen[2]?.revision));
      } finally {
        cleanup();
      }
    });

    it('answers a watch from a compacted revision with Expired', async () => {
      const { store, cleanup } = backend.open(10);
      try {
        for (let i = 0; i < 30; i++) await store.create(`/pods/default/p${i}`, pod(`p${i}`));
        assert.ok(store.oldestRevision() > 1);
        assert.throws(() => {
          store.watch(
            '/pods/',
            { fromRevision: 1, signal: new AbortController().signal },
            () => undefined,
          );
        }, StoreExpiredError);
      } finally {
        cleanup();
      }
    });

    it('keeps every current object across compaction and a reopen', async () => {
      const { store, reopen, cleanup } = backend.open(10);
      try {
        for (let i = 0; i < 30; i++) await store.create(`/pods/default/p${i}`, pod(`p${i}`));
        for (let i = 0; i < 30; i += 3) {
          await store.update(`/pods/default/p${i}`, pod(`p${i}`, { spec: { v: i } }));
        }
        for (let i = 1; i < 30; i += 7) await store.delete(`/pods/default/p${i}`);
        assert.ok(store.oldestRevision() > 10, 'compaction ran');
        const before = store.list('/pods/').items.map((o) => [o.key, o.json]);
        const again = reopen();
        assert.deepEqual(
          again.list('/pods/').items.map((o) => [o.key, o.json]),
          before,
        );
        assert.deepEqual(again.get('/pods/default/p3')?.object['spec'], { v: 3 });
        again.close();
      } finally {
        cleanup();
      }
    });

    it('keeps state, revision and watch history across a reopen', async () => {
      const { store, reopen, cleanup } = backend.open();
      try {
        const a = await store.create('/pods/default/a', pod('a'));
        await store.update('/pods/default/a', pod('a', { spec: { n: 2 } }));
        await store.create('/pods/default/b', pod('b'));
        await store.delete('/pods/default/b');
        const rev = store.revision();
        const again = reopen();
        assert.equal(again.revision(), rev);
        assert.deepEqual(again.get('/pods/default/a')?.object['spec'], { n: 2 });
        const seen: string[] = [];
        again.watch(
          '/pods/',
          { fromRevision: a.modRevision, signal: new AbortController().signal },
          (e) => seen.push(`${e.type} ${e.key}`),
        );
        assert.deepEqual(seen, [
          'MODIFIED /pods/default/a',
          'ADDED /pods/default/b',
          'DELETED /pods/default/b',
        ]);
        const next = await again.create('/pods/default/c', pod('c'));
        assert.equal(next.modRevision, rev + 1);
        again.close();
      } finally {
        cleanup();
      }
    });
  });
}

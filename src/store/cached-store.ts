import type { KubeObject } from '../api/index.ts';
import {
  StoreAlreadyExistsError,
  StoreConflictError,
  StoreExpiredError,
  StoreNotFoundError,
} from './errors.ts';
import type { LogRecord, Persistence } from './persistence.ts';
import type {
  ListResult,
  Store,
  StoreEvent,
  StoredObject,
  WatchOptions,
  WriteOptions,
} from './types.ts';

export interface CachedStoreOptions {
  readonly persistence: Persistence;
  /** How many events the watch history keeps; older resourceVersions get 410 Expired. */
  readonly historyLimit?: number;
}

interface Watcher {
  readonly prefix: string;
  readonly onEvent: (e: StoreEvent) => void;
}

interface Bucket {
  readonly entries: Map<string, StoredObject>;
  sorted: StoredObject[] | undefined;
}

/** The index of the first object whose key is >= `key` in a key-sorted array. */
function lowerBound(sorted: readonly StoredObject[], key: string): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const k = sorted[mid]?.key ?? '';
    if (k < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bucketOf(key: string): string {
  return key.slice(0, key.lastIndexOf('/') + 1);
}

/**
 * Freezes a JSON value and everything in it. Parts already frozen are frozen throughout (this
 * function froze them), so objects shared with an earlier stored version are not walked again.
 */
function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null || Object.isFrozen(v)) return v;
  for (const child of Object.values(v)) deepFreeze(child);
  return Object.freeze(v);
}

/** Parses stored JSON into the immutable object the store hands out. */
function thaw(json: string): KubeObject {
  // SAFETY: the store only ever persists objects it serialised from a KubeObject.
  return deepFreeze(JSON.parse(json) as KubeObject);
}

function withResourceVersion(object: KubeObject, revision: number): KubeObject {
  return deepFreeze({
    ...object,
    metadata: { ...object.metadata, resourceVersion: String(revision) },
  });
}

/**
 * The whole keyspace in memory (as kube-apiserver's watch cache), every write made durable
 * through a Persistence before it is acknowledged. Objects are deeply frozen as they are stored,
 * so they can be handed out and shared (watchers in the process) without copies.
 */
export class CachedStore implements Store {
  readonly #persistence: Persistence;
  readonly #historyLimit: number;
  readonly #buckets = new Map<string, Bucket>();
  #sortedBuckets: string[] | undefined;
  readonly #watchers = new Set<Watcher>();
  #history: StoreEvent[] = [];
  #revision = 0;
  #compacted = 0;

  constructor(opts: CachedStoreOptions) {
    this.#persistence = opts.persistence;
    this.#historyLimit = opts.historyLimit ?? 20_000;
    this.#load();
  }

  #load(): void {
    const state = this.#persistence.load();
    for (const e of state.entries) {
      this.#put({
        key: e.key,
        object: thaw(e.json),
        json: e.json,
        createRevision: e.createRevision,
        modRevision: e.modRevision,
      });
    }
    this.#revision = state.revision;
    this.#compacted = state.compactedRevision;
    this.#history = rebuildHistory(state.log);
    if (this.#history.length > this.#historyLimit) this.#trim();
  }

  revision(): number {
    return this.#revision;
  }

  oldestRevision(): number {
    return this.#compacted;
  }

  get(key: string): StoredObject | undefined {
    return this.#buckets.get(bucketOf(key))?.entries.get(key);
  }

  list(prefix: string): ListResult {
    const parts: (readonly StoredObject[])[] = [];
    for (const name of this.#bucketNames()) {
      if (name.startsWith(prefix)) parts.push(this.#sorted(name));
      else if (prefix.startsWith(name))
        parts.push(this.#sorted(name).filter((o) => o.key.startsWith(prefix)));
    }
    // One bucket (a namespace) is served from its sorted view as it is, without a copy.
    const items = parts.length === 1 ? (parts[0] ?? []) : parts.flat();
    return { items, revision: this.#revision };
  }

  count(prefix: string): number {
    let n = 0;
    for (const [name, b] of this.#buckets) {
      if (name.startsWith(prefix)) n += b.entries.size;
      else if (prefix.startsWith(name)) {
        for (const k of b.entries.keys()) if (k.startsWith(prefix)) n++;
      }
    }
    return n;
  }

  create(key: string, object: KubeObject): Promise<StoredObject> {
    if (this.get(key)) return Promise.reject(new StoreAlreadyExistsError(key));
    const revision = this.#revision + 1;
    return Promise.resolve(this.#write({ key, object, revision, createRevision: revision }));
  }

  update(key: string, object: KubeObject, opts: WriteOptions = {}): Promise<StoredObject> {
    const current = this.get(key);
    if (!current) return Promise.reject(new StoreNotFoundError(key));
    if (opts.expectedRevision !== undefined && opts.expectedRevision !== current.modRevision) {
      return Promise.reject(new StoreConflictError(key, opts.expectedRevision));
    }
    const revision = this.#revision + 1;
    return Promise.resolve(
      this.#write({ key, object, revision, createRevision: current.createRevision, prev: current }),
    );
  }

  delete(key: string, opts: WriteOptions = {}): Promise<StoredObject> {
    const current = this.get(key);
    if (!current) return Promise.reject(new StoreNotFoundError(key));
    if (opts.expectedRevision !== undefined && opts.expectedRevision !== current.modRevision) {
      return Promise.reject(new StoreConflictError(key, opts.expectedRevision));
    }
    const revision = this.#revision + 1;
    const object = withResourceVersion(current.object, revision);
    const json = JSON.stringify(object);
    this.#persistence.append({
      revision,
      key,
      json,
      deleted: true,
      createRevision: current.createRevision,
    });
    this.#revision = revision;
    const bucket = this.#buckets.get(bucketOf(key));
    bucket?.entries.delete(key);
    if (bucket?.sorted) {
      const i = lowerBound(bucket.sorted, key);
      if (bucket.sorted[i]?.key === key) bucket.sorted.splice(i, 1);
    }
    this.#emit({ type: 'DELETED', key, object, json, prev: current.object, revision });
    return Promise.resolve({ ...current, object, json, modRevision: revision });
  }

  watch(prefix: string, opts: WatchOptions, onEvent: (e: StoreEvent) => void): void {
    if (opts.signal.aborted) return;
    if (opts.fromRevision < this.#compacted) {
      throw new StoreExpiredError(opts.fromRevision, this.#compacted + 1);
    }
    for (const e of this.#replayFrom(opts.fromRevision)) {
      if (e.key.startsWith(prefix)) onEvent(e);
    }
    const watcher: Watcher = { prefix, onEvent };
    this.#watchers.add(watcher);
    opts.signal.addEventListener('abort', () => this.#watchers.delete(watcher), { once: true });
  }

  close(): void {
    this.#watchers.clear();
    this.#persistence.close();
  }

  #replayFrom(fromRevision: number): StoreEvent[] {
    const h = this.#history;
    // History is sorted by revision: binary search for the first event after fromRevision.
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const e = h[mid];
      if (e !== undefined && e.revision <= fromRevision) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  #write(w: {
    key: string;
    object: KubeObject;
    revision: number;
    createRevision: number;
    prev?: StoredObject;
  }): StoredObject {
    const object = withResourceVersion(w.object, w.revision);
    const json = JSON.stringify(object);
    const record: LogRecord = {
      revision: w.revision,
      key: w.key,
      json,
      deleted: false,
      createRevision: w.createRevision,
    };
    this.#persistence.append(record);
    this.#revision = w.revision;
    const stored: StoredObject = {
      key: w.key,
      object,
      json,
      createRevision: w.createRevision,
      modRevision: w.revision,
    };
    this.#put(stored);
    this.#emit(
      w.prev
        ? { type: 'MODIFIED', key: w.key, object, json, prev: w.prev.object, revision: w.revision }
        : { type: 'ADDED', key: w.key, object, json, revision: w.revision },
    );
    return stored;
  }

  #put(stored: StoredObject): void {
    const name = bucketOf(stored.key);
    let bucket = this.#buckets.get(name);
    if (!bucket) {
      bucket = { entries: new Map(), sorted: undefined };
      this.#buckets.set(name, bucket);
      this.#sortedBuckets = undefined;
    }
    // Keep the sorted view in step (binary search) instead of re-sorting on the next list.
    if (bucket.sorted) {
      const i = lowerBound(bucket.sorted, stored.key);
      if (bucket.sorted[i]?.key === stored.key) bucket.sorted[i] = stored;
      else bucket.sorted.splice(i, 0, stored);
    }
    bucket.entries.set(stored.key, stored);
  }

  #emit(e: StoreEvent): void {
    this.#history.push(e);
    if (this.#history.length > this.#historyLimit + this.#historyLimit / 10) this.#trim();
    for (const w of this.#watchers) if (e.key.startsWith(w.prefix)) w.onEvent(e);
  }

  /** Drops the oldest events beyond the limit, in the log too (compaction). */
  #trim(): void {
    const drop = this.#history.length - this.#historyLimit;
    if (drop <= 0) return;
    const last = this.#history[drop - 1];
    this.#history = this.#history.slice(drop);
    if (last) {
      this.#compacted = last.revision;
      this.#persistence.compact(last.revision);
    }
  }

  #bucketNames(): string[] {
    this.#sortedBuckets ??= [...this.#buckets.keys()].sort();
    return this.#sortedBuckets;
  }

  #sorted(name: string): StoredObject[] {
    const b = this.#buckets.get(name);
    if (!b) return [];
    b.sorted ??= [...b.entries.values()].sort((x, y) =>
      x.key < y.key ? -1 : x.key > y.key ? 1 : 0,
    );
    return b.sorted;
  }
}

/**
 * Rebuilds watch events from the durable log. Each event's `prev` is the previous record of the
 * same key inside the window; for a key's first record in the window it is unknown.
 */
function rebuildHistory(log: readonly LogRecord[]): StoreEvent[] {
  const last = new Map<string, KubeObject>();
  const events: StoreEvent[] = [];
  for (const r of log) {
    const prev = last.get(r.key);
    const object = thaw(r.json);
    const type = r.deleted ? 'DELETED' : r.createRevision === r.revision ? 'ADDED' : 'MODIFIED';
    events.push(
      prev
        ? { type, key: r.key, object, json: r.json, prev, revision: r.revision }
        : { type, key: r.key, object, json: r.json, revision: r.revision },
    );
    if (r.deleted) last.delete(r.key);
    else last.set(r.key, object);
  }
  return events;
}

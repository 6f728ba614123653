import type { KubeObject } from '../api/index.ts';

/**
 * One object as the store holds it. `object` is immutable (CachedStore deeply freezes it): copy
 * before changing it.
 */
export interface StoredObject {
  readonly key: string;
  readonly object: KubeObject;
  /** The object serialised once, reused by every response that carries it. */
  readonly json: string;
  readonly createRevision: number;
  readonly modRevision: number;
}

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: StoreEventType;
  readonly key: string;
  /** The new state; for DELETED the last state with the deletion's revision as resourceVersion. */
  readonly object: KubeObject;
  readonly json: string;
  /** The state before this event (absent for ADDED). Lets filtered watches see objects leave. */
  readonly prev?: KubeObject;
  readonly revision: number;
}

export interface ListResult {
  readonly items: readonly StoredObject[];
  /** The store revision the list is consistent with. */
  readonly revision: number;
}

export interface WatchOptions {
  /** Deliver events with revision > fromRevision. Throws StoreExpiredError if compacted. */
  readonly fromRevision: number;
  readonly signal: AbortSignal;
}

export interface WriteOptions {
  /** Compare-and-swap: fail with StoreConflictError unless the key is at this revision. */
  readonly expectedRevision?: number;
}

/**
 * A versioned key-value store with one global, strictly increasing revision, in the shape of
 * etcd's API, so that etcd can back it later. Keys are `/`-separated paths.
 *
 * Contract:
 * - every successful write gets a new revision; `object.metadata.resourceVersion` is set to it;
 * - a write is acknowledged (the promise resolves) only once it is durable for the backend;
 * - watch callbacks are called in revision order, synchronously after the write commits, before
 *   the writer's promise resolves; they must not throw and must not block;
 * - errors: StoreNotFoundError, StoreAlreadyExistsError, StoreConflictError, StoreExpiredError.
 */
export interface Store {
  /** The revision of the latest write. */
  revision(): number;
  get(key: string): StoredObject | undefined;
  /** Every object whose key starts with `prefix`, sorted by key. The array must not be changed. */
  list(prefix: string): ListResult;
  count(prefix: string): number;
  create(key: string, object: KubeObject): Promise<StoredObject>;
  update(key: string, object: KubeObject, opts?: WriteOptions): Promise<StoredObject>;
  delete(key: string, opts?: WriteOptions): Promise<StoredObject>;
  /**
   * Calls `onEvent` for every change under `prefix` after `fromRevision`, replaying retained
   * history first, until the signal aborts.
   */
  watch(prefix: string, opts: WatchOptions, onEvent: (e: StoreEvent) => void): void;
  /** The oldest revision a watch may start from. */
  oldestRevision(): number;
  close(): void;
}

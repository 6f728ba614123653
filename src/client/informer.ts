import type { KubeObject } from '../api/index.ts';
import { ApiStatusError, type KubeClient } from './client.ts';

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

export interface InformerHandlers {
  /** Called for every change seen, and for each object when a relist changes the picture. */
  onChange?(obj: KubeObject, old: KubeObject | undefined): void;
  onDelete?(obj: KubeObject): void;
}

export interface InformerOptions {
  readonly client: KubeClient;
  /** The collection path, e.g. `/api/v1/pods` or `/apis/apps/v1/namespaces/x/deployments`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly sleep: Sleep;
  readonly handlers: InformerHandlers;
  /**
   * Named index functions (client-go's Indexers): each maps an object to the values it is
   * filed under, so `byIndex` answers without scanning the cache.
   */
  readonly indexers?: Readonly<Record<string, (obj: KubeObject) => readonly string[]>>;
}

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns === undefined || ns === ''
    ? (obj.metadata.name ?? '')
    : `${ns}/${obj.metadata.name ?? ''}`;
}

/**
 * List, then watch, keeping a cache: client-go's reflector + indexer in small. A 410 relists
 * (the diff produces deletes); any other failure retries with backoff. Runs until aborted.
 */
export class Informer {
  readonly #opts: InformerOptions;
  readonly #cache = new Map<string, KubeObject>();
  /** Index name → indexed value → object key → object. */
  readonly #indices = new Map<string, Map<string, Map<string, KubeObject>>>();
  /** The indexers with their indices, resolved once: every event walks them. */
  readonly #indexers: {
    readonly fn: (obj: KubeObject) => readonly string[];
    readonly index: Map<string, Map<string, KubeObject>>;
  }[] = [];
  #synced = false;
  #syncWaiters: (() => void)[] = [];

  constructor(opts: InformerOptions) {
    this.#opts = opts;
    for (const [name, fn] of Object.entries(opts.indexers ?? {})) {
      const index = new Map<string, Map<string, KubeObject>>();
      this.#indices.set(name, index);
      this.#indexers.push({ fn, index });
    }
  }

  get(key: string): KubeObject | undefined {
    return this.#cache.get(key);
  }

  list(): KubeObject[] {
    return [...this.#cache.values()];
  }

  /** The cached objects an index files under `value`; throws for an index never declared. */
  byIndex(name: string, value: string): KubeObject[] {
    const index = this.#indices.get(name);
    if (!index) throw new Error(`informer ${this.#opts.path} has no index ${JSON.stringify(name)}`);
    return [...(index.get(value)?.values() ?? [])];
  }

  #store(key: string, obj: KubeObject, old: KubeObject | undefined): void {
    if (old) this.#unindex(key, old);
    this.#cache.set(key, obj);
    for (const { fn, index } of this.#indexers) {
      for (const value of fn(obj)) {
        let bucket = index.get(value);
        if (!bucket) {
          bucket = new Map();
          index.set(value, bucket);
        }
        bucket.set(key, obj);
      }
    }
  }

  #remove(key: string, obj: KubeObject): void {
    this.#unindex(key, obj);
    this.#cache.delete(key);
  }

  #unindex(key: string, obj: KubeObject): void {
    for (const { fn, index } of this.#indexers) {
      for (const value of fn(obj)) {
        const bucket = index.get(value);
        bucket?.delete(key);
        if (bucket?.size === 0) index.delete(value);
      }
    }
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /**
   * Resolves once the first list has been applied, or once `run` returns without one (stopped
   * before the first list: a controller waiting here then sees its signal aborted and ends).
   */
  waitForSync(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.#loop(signal);
    } finally {
      for (const w of this.#syncWaiters) w();
      this.#syncWaiters = [];
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let backoff = 100;
    // A call, not a property read: TypeScript would keep `signal.aborted` narrowed to false
    // across the awaits below, during which it can flip.
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      try {
        let rv = await this.#relist();
        backoff = 100;
        while (!stopped()) rv = await this.#watch(rv, signal);
      } catch (e: unknown) {
        if (stopped()) return;
        const expired = e instanceof ApiStatusError && e.httpStatus === 410;
        if (!expired) {
          await this.#opts.sleep(backoff, signal);
          backoff = Math.min(backoff * 2, 30_000);
        }
      }
    }
  }

  async #relist(): Promise<string> {
    const list = await this.#opts.client.list(this.#opts.path, { ...this.#opts.query });
    const seen = new Set<string>();
    for (const obj of list.items) {
      const key = objectKey(obj);
      seen.add(key);
      const old = this.#cache.get(key);
      this.#store(key, obj, old);
      if (old?.metadata.resourceVersion !== obj.metadata.resourceVersion)
        this.#opts.handlers.onChange?.(obj, old);
    }
    for (const [key, obj] of this.#cache) {
      if (seen.has(key)) continue;
      this.#remove(key, obj);
      this.#opts.handlers.onDelete?.(obj);
    }
    if (!this.#synced) {
      this.#synced = true;
      for (const w of this.#syncWaiters) w();
      this.#syncWaiters = [];
    }
    return list.metadata.resourceVersion ?? '0';
  }

  async #watch(fromRv: string, signal: AbortSignal): Promise<string> {
    let rv = fromRv;
    await this.#opts.client.watch(
      this.#opts.path,
      { resourceVersion: rv, signal, query: { ...this.#opts.query, timeoutSeconds: '300' } },
      (e) => {
        rv = e.object.metadata.resourceVersion ?? rv;
        if (e.type === 'BOOKMARK') return;
        const key = objectKey(e.object);
        if (e.type === 'DELETED') {
          const cached = this.#cache.get(key);
          // The cached copy is what the indices were built from.
          if (cached) this.#remove(key, cached);
          this.#opts.handlers.onDelete?.(e.object);
          return;
        }
        const old = this.#cache.get(key);
        this.#store(key, e.object, old);
        this.#opts.handlers.onChange?.(e.object, old);
      },
    );
    return rv;
  }
}

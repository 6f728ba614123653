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
  #synced = false;
  #syncWaiters: (() => void)[] = [];

  constructor(opts: InformerOptions) {
    this.#opts = opts;
  }

  get(key: string): KubeObject | undefined {
    return this.#cache.get(key);
  }

  list(): KubeObject[] {
    return [...this.#cache.values()];
  }

  hasSynced(): boolean {
    return this.#synced;
  }

  /** Resolves once the first list has been applied. */
  waitForSync(): Promise<void> {
    if (this.#synced) return Promise.resolve();
    return new Promise((resolve) => this.#syncWaiters.push(resolve));
  }

  async run(signal: AbortSignal): Promise<void> {
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
      this.#cache.set(key, obj);
      if (old?.metadata.resourceVersion !== obj.metadata.resourceVersion)
        this.#opts.handlers.onChange?.(obj, old);
    }
    for (const [key, obj] of this.#cache) {
      if (seen.has(key)) continue;
      this.#cache.delete(key);
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
          this.#cache.delete(key);
          this.#opts.handlers.onDelete?.(e.object);
          return;
        }
        const old = this.#cache.get(key);
        this.#cache.set(key, e.object);
        this.#opts.handlers.onChange?.(e.object, old);
      },
    );
    return rv;
  }
}

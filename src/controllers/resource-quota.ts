import type { JsonObject, KubeObject } from '../api/index.ts';
import { childObject } from '../apiserver/admission/pod-fields.ts';
import { objectUsage, quotaSelects, type QuotaTarget } from '../apiserver/admission/quota-usage.ts';
import {
  addLists,
  listToJson,
  mask,
  parseResourceList,
  quantityOf,
  type ResourceList,
} from '../apiserver/admission/resource-list.ts';
import { isNotFound, realSleep, type KubeClient, type Sleep } from '../client/index.ts';
import type { Store } from '../store/index.ts';
import type { Clock } from '../util/index.ts';

export interface ResourceQuotaControllerOptions {
  readonly store: Store;
  /** Writes quota status through the API (the status subresource). */
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly sleep?: Sleep;
  /** A full recount of every namespace this often (default 5 minutes, as upstream). */
  readonly resyncMs?: number;
}

/** `deployments.apps` → {resource: deployments, group: apps}; `pods` → core. */
function targetOf(keyspace: string): QuotaTarget {
  const dot = keyspace.indexOf('.');
  return dot < 0
    ? { group: '', resource: keyspace }
    : { group: keyspace.slice(dot + 1), resource: keyspace.slice(0, dot) };
}

/** Keys of namespaced objects: `/<keyspace>/<namespace>/<name>`. */
function parseKey(key: string): { keyspace: string; namespace: string } | undefined {
  const parts = key.split('/');
  if (parts.length !== 4) return undefined;
  return { keyspace: parts[1] ?? '', namespace: parts[2] ?? '' };
}

/** What a namespace uses, as each of its quotas counts it. */
export function computeQuotaStatus(
  store: Store,
  quota: KubeObject,
  now: number,
): { hard: JsonObject; used: JsonObject } {
  const ns = quota.metadata.namespace ?? '';
  const hard = parseResourceList(childObject(quota, 'spec')?.['hard']);
  let used: ResourceList = new Map([...hard.keys()].map((k) => [k, quantityOf(0n)]));
  for (const item of store.list('/').items) {
    const k = parseKey(item.key);
    if (k?.namespace !== ns) continue;
    const t = targetOf(k.keyspace);
    if (!quotaSelects(quota, t, item.object)) continue;
    used = addLists(used, mask(objectUsage(t, item.object, now), hard.keys()));
  }
  return { hard: listToJson(hard), used: listToJson(used) };
}

/**
 * kube-controller-manager's resourcequota controller: keeps every ResourceQuota's
 * `status.hard` (a copy of spec.hard) and `status.used` (a recount of the namespace) current.
 * Namespaces are recounted when anything in them changes, and all of them periodically.
 */
export class ResourceQuotaController {
  readonly #opts: ResourceQuotaControllerOptions;
  readonly #dirty = new Set<string>();
  #wake: (() => void) | undefined;

  constructor(opts: ResourceQuotaControllerOptions) {
    this.#opts = opts;
  }

  async run(signal: AbortSignal): Promise<void> {
    const sleep = this.#opts.sleep ?? realSleep;
    const resync = this.#opts.resyncMs ?? 300_000;
    this.#opts.store.watch('/', { fromRevision: this.#opts.store.revision(), signal }, (e) => {
      const k = parseKey(e.key);
      if (!k) return;
      this.#dirty.add(k.namespace);
      this.#wake?.();
    });
    this.#markAll();
    let lastFull = this.#opts.clock.now();
    let tick: Promise<void> | undefined;
    while (!signal.aborted) {
      if (this.#opts.clock.now() - lastFull >= resync) {
        this.#markAll();
        lastFull = this.#opts.clock.now();
      }
      const batch = [...this.#dirty];
      this.#dirty.clear();
      for (const ns of batch) await this.syncNamespace(ns).catch(() => this.#dirty.add(ns));
      if (this.#dirty.size > 0) {
        // A failed write: back off a little before the retry.
        await sleep(200, signal);
        continue;
      }
      // One periodic timer outlives the wake-ups: a write wakes the loop without cancelling
      // it, so a burst of writes costs no timers or abort signals per write.
      tick ??= sleep(Math.min(resync, 10_000), signal).then(() => {
        tick = undefined;
        this.#wake?.();
      });
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
  }

  #markAll(): void {
    for (const item of this.#opts.store.list('/resourcequotas/').items) {
      this.#dirty.add(item.object.metadata.namespace ?? '');
    }
  }

  /** Recounts every quota of a namespace, writing only the ones whose status changed. */
  async syncNamespace(ns: string): Promise<void> {
    for (const item of this.#opts.store.list(`/resourcequotas/${ns}/`).items) {
      const q = item.object;
      const status = computeQuotaStatus(this.#opts.store, q, this.#opts.clock.now());
      const current = childObject(q, 'status') ?? {};
      if (JSON.stringify(current) === JSON.stringify(status)) continue;
      const path = `/api/v1/namespaces/${ns}/resourcequotas/${q.metadata.name ?? ''}/status`;
      try {
        await this.#opts.client.update(path, { ...q, status });
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
      }
    }
  }
}

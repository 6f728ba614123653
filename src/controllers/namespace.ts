import type { KubeObject } from '../api/index.ts';
import {
  collectionPath,
  discoverResources,
  Informer,
  isNotFound,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';

export interface NamespaceControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  /** How soon to look again while content remains. */
  readonly recheckMs?: number;
}

/**
 * Empties terminating namespaces and then finalizes them, as kube-controller-manager's
 * namespace controller: delete every namespaced object, wait until none is left, then remove
 * the `kubernetes` finalizer through `namespaces/<name>/finalize`.
 */
export class NamespaceController {
  readonly #opts: NamespaceControllerOptions;
  #informer: Informer | undefined;

  constructor(opts: NamespaceControllerOptions) {
    this.#opts = opts;
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const enqueue = (ns: KubeObject): void => {
      if (ns.metadata.deletionTimestamp !== undefined) queue.add(ns.metadata.name ?? '');
    };
    const informer = new Informer({
      client: this.#opts.client,
      path: '/api/v1/namespaces',
      sleep: this.#opts.sleep,
      handlers: { onChange: enqueue },
    });
    this.#informer = informer;
    await Promise.all([
      informer.run(signal),
      informer
        .waitForSync()
        .then(() => runWorkers({ queue, workers: 2, reconcile: (k) => this.reconcile(k) })),
    ]);
  }

  async reconcile(name: string): Promise<ReconcileResult> {
    const ns = this.#informer?.get(name);
    if (ns?.metadata.deletionTimestamp === undefined) return undefined;
    const client = this.#opts.client;
    const resources = (await discoverResources(client)).filter(
      (r) => r.namespaced && r.verbs.includes('list') && r.verbs.includes('deletecollection'),
    );
    let remaining = 0;
    for (const r of resources) {
      const path = collectionPath(r, name);
      const list = await client.list(path);
      if (list.items.length === 0) continue;
      await client.transport.request({
        method: 'DELETE',
        path,
        body: JSON.stringify({ propagationPolicy: 'Background' }),
        contentType: 'application/json',
      });
      remaining += (await client.list(path)).items.length;
    }
    if (remaining > 0) return { requeueAfterMs: this.#opts.recheckMs ?? 1000 };
    try {
      const live = await client.get(`/api/v1/namespaces/${name}`);
      const spec = (live['spec'] ?? {}) as { finalizers?: string[] };
      const finalizers = (spec.finalizers ?? []).filter((f) => f !== 'kubernetes');
      await client.update(`/api/v1/namespaces/${name}/finalize`, {
        ...live,
        spec: { ...spec, finalizers },
      });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
    return undefined;
  }
}

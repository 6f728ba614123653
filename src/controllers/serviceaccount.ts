import type { KubeObject } from '../api/index.ts';
import {
  ApiStatusError,
  Informer,
  isAlreadyExists,
  isNotFound,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';

export interface ServiceAccountControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  /** The CA bundle published as ConfigMap `kube-root-ca.crt` in every namespace. */
  readonly rootCaPem?: string;
}

/**
 * Every active namespace gets the `default` ServiceAccount (kube-controller-manager's
 * serviceaccount controller) and the `kube-root-ca.crt` ConfigMap (its root-ca-cert-publisher).
 */
export class ServiceAccountController {
  readonly #opts: ServiceAccountControllerOptions;
  #namespaces: Informer | undefined;

  constructor(opts: ServiceAccountControllerOptions) {
    this.#opts = opts;
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const enqueueNs = (o: KubeObject): void => {
      queue.add(o.metadata.name ?? '');
    };
    const enqueueOwner = (o: KubeObject): void => {
      queue.add(o.metadata.namespace ?? '');
    };
    const namespaces = new Informer({
      client: this.#opts.client,
      path: '/api/v1/namespaces',
      sleep: this.#opts.sleep,
      handlers: { onChange: enqueueNs },
    });
    this.#namespaces = namespaces;
    const accounts = new Informer({
      client: this.#opts.client,
      path: '/api/v1/serviceaccounts',
      query: { fieldSelector: 'metadata.name=default' },
      sleep: this.#opts.sleep,
      handlers: { onDelete: enqueueOwner },
    });
    const configMaps = new Informer({
      client: this.#opts.client,
      path: '/api/v1/configmaps',
      query: { fieldSelector: 'metadata.name=kube-root-ca.crt' },
      sleep: this.#opts.sleep,
      handlers: { onDelete: enqueueOwner },
    });
    await Promise.all([
      namespaces.run(signal),
      accounts.run(signal),
      configMaps.run(signal),
      namespaces
        .waitForSync()
        .then(() => runWorkers({ queue, workers: 1, reconcile: (k) => this.reconcile(k) })),
    ]);
  }

  async #ensure(path: string, object: KubeObject): Promise<void> {
    try {
      await this.#opts.client.create(path, object);
    } catch (e: unknown) {
      // Already there, or the namespace is going away (404, or 403 while terminating).
      const gone = e instanceof ApiStatusError && (e.httpStatus === 403 || e.httpStatus === 404);
      if (!isAlreadyExists(e) && !gone) throw e;
    }
  }

  async reconcile(namespace: string): Promise<ReconcileResult> {
    const ns = this.#namespaces?.get(namespace);
    if (!ns || ns.metadata.deletionTimestamp !== undefined) return undefined;
    const client = this.#opts.client;
    const hasSa = await client.get(`/api/v1/namespaces/${namespace}/serviceaccounts/default`).then(
      () => true,
      (e: unknown) =>
        isNotFound(e) ? false : Promise.reject(e instanceof Error ? e : new Error(String(e))),
    );
    if (!hasSa) {
      await this.#ensure(`/api/v1/namespaces/${namespace}/serviceaccounts`, {
        apiVersion: 'v1',
        kind: 'ServiceAccount',
        metadata: { name: 'default', namespace },
      });
    }
    if (this.#opts.rootCaPem !== undefined) {
      await this.#ensure(`/api/v1/namespaces/${namespace}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'kube-root-ca.crt',
          namespace,
          annotations: {
            'kubernetes.io/description':
              'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters.',
          },
        },
        data: { 'ca.crt': this.#opts.rootCaPem },
      });
    }
    return undefined;
  }
}

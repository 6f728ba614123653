import type { KubeObject } from '../../api/index.ts';
import {
  Informer,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../../client/index.ts';
import { aggregatedRules, aggregationSelectors, rulesEqual } from './aggregation.ts';

const CLUSTER_ROLES = '/apis/rbac.authorization.k8s.io/v1/clusterroles';

export interface ClusterRoleAggregationOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
}

/**
 * kube-controller-manager's clusterrole-aggregation controller: keeps the `rules` of every
 * ClusterRole with an `aggregationRule` equal to the union of the rules of the ClusterRoles its
 * `clusterRoleSelectors` select. Level-triggered: any ClusterRole change re-checks every
 * aggregated role, and a reconcile writes only when the rules differ.
 */
export class ClusterRoleAggregationController {
  readonly #opts: ClusterRoleAggregationOptions;
  #informer: Informer | undefined;

  constructor(opts: ClusterRoleAggregationOptions) {
    this.#opts = opts;
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    // A change to any role can change what an aggregated role selects, so all are re-checked.
    const enqueueAll = (): void => {
      for (const r of this.#informer?.list() ?? []) {
        if (aggregationSelectors(r) !== undefined) queue.add(r.metadata.name ?? '');
      }
    };
    const informer = new Informer({
      client: this.#opts.client,
      path: CLUSTER_ROLES,
      sleep: this.#opts.sleep,
      handlers: { onChange: enqueueAll, onDelete: enqueueAll },
    });
    this.#informer = informer;
    await Promise.all([
      informer.run(signal),
      informer.waitForSync().then(() => {
        enqueueAll();
        return runWorkers({ queue, workers: 1, reconcile: (k) => this.reconcile(k) });
      }),
    ]);
  }

  /** Brings one aggregated role's rules up to date. Conflicts throw, so the queue retries. */
  async reconcile(name: string): Promise<ReconcileResult> {
    const informer = this.#informer;
    const role = informer?.get(name);
    if (!informer || !role || aggregationSelectors(role) === undefined) return undefined;
    const rules = aggregatedRules(role, informer.list());
    if (rulesEqual(role, rules)) return undefined;
    const next: KubeObject = { ...role, rules };
    await this.#opts.client.update(`${CLUSTER_ROLES}/${encodeURIComponent(name)}`, next);
    return undefined;
  }
}

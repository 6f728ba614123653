import type { KubeObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isNotFound,
  objectKey,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import { rfc3339, type Clock } from '../util/index.ts';
import {
  asNode,
  asTaintedPod,
  matchingTolerations,
  minTolerationMs,
  type Taint,
  type TaintedPod,
} from './node-lifecycle-taints.ts';

export interface TaintEvictionControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  /**
   * The longest a pending eviction waits before being checked again; with an injected clock
   * this is how often time is looked at.
   */
  readonly recheckMs?: number;
  readonly workers?: number;
}

function noExecuteTaints(node: KubeObject | undefined): Taint[] {
  if (!node) return [];
  return (asNode(node).spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');
}

const BY_NODE = 'nodeName';

function podNodeIndex(p: KubeObject): string[] {
  const node = asTaintedPod(p).spec?.nodeName;
  return node === undefined || node === '' ? [] : [node];
}

function sameTaints(a: readonly Taint[], b: readonly Taint[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((t, i) => {
    const u = b.at(i);
    return t.key === u?.key && t.value === u.value && t.effect === u.effect;
  });
}

/**
 * kube-controller-manager's taint eviction controller: pods on a node with NoExecute taints
 * they do not tolerate are deleted at once; tolerated for a while, when the shortest
 * tolerationSeconds has passed since the controller first saw them tainted.
 */
export class TaintEvictionController {
  readonly #opts: TaintEvictionControllerOptions;
  readonly #events: EventRecorder;
  /** Pod key → when its eviction was scheduled (the taint manager's CreatedAt). */
  readonly #scheduled = new Map<string, number>();
  #nodes: Informer | undefined;
  #pods: Informer | undefined;

  constructor(opts: TaintEvictionControllerOptions) {
    this.#opts = opts;
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'taint-eviction-controller' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const pods: Informer = new Informer({
      client: this.#opts.client,
      path: '/api/v1/pods',
      sleep: this.#opts.sleep,
      indexers: { [BY_NODE]: podNodeIndex },
      handlers: {
        onChange: (p) => {
          if (asTaintedPod(p).spec?.nodeName !== undefined) queue.add(objectKey(p));
        },
        onDelete: (p) => {
          this.#scheduled.delete(objectKey(p));
        },
      },
    });
    const onNode = (n: KubeObject): void => {
      for (const p of pods.byIndex(BY_NODE, n.metadata.name ?? '')) queue.add(objectKey(p));
    };
    const nodes = new Informer({
      client: this.#opts.client,
      path: '/api/v1/nodes',
      sleep: this.#opts.sleep,
      handlers: {
        // Only a change of NoExecute taints changes what the node's pods are owed.
        onChange: (n, old) => {
          if (old === undefined || !sameTaints(noExecuteTaints(n), noExecuteTaints(old))) onNode(n);
        },
        onDelete: onNode,
      },
    });
    this.#nodes = nodes;
    this.#pods = pods;
    const start = async (): Promise<void> => {
      await Promise.all([nodes.waitForSync(), pods.waitForSync()]);
      await runWorkers({
        queue,
        workers: this.#opts.workers ?? 2,
        reconcile: (k) => this.reconcile(k),
      });
    };
    await Promise.all([nodes.run(signal), pods.run(signal), start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const obj = this.#pods?.get(key);
    const pod = obj ? asTaintedPod(obj) : undefined;
    if (!pod || pod.metadata.deletionTimestamp !== undefined) {
      this.#scheduled.delete(key);
      return undefined;
    }
    const wait = this.#evictionWait(pod);
    if (wait === undefined) return this.#cancel(pod, key);
    const now = this.#opts.clock.now();
    const since = this.#scheduled.get(key) ?? now;
    this.#scheduled.set(key, since);
    const due = since + wait;
    if (due > now)
      return { requeueAfterMs: Math.min(due - now, this.#opts.recheckMs ?? due - now) };
    await this.#evict(pod, key);
    return undefined;
  }

  /**
   * How long the pod may stay: undefined when nothing is to be done (no NoExecute taint, or
   * every one tolerated forever).
   */
  #evictionWait(pod: TaintedPod): number | undefined {
    const node = this.#nodes?.get(pod.spec?.nodeName ?? '');
    const taints = noExecuteTaints(node);
    if (taints.length === 0) return undefined;
    const used = matchingTolerations(taints, pod.spec?.tolerations ?? []);
    const wait = used === undefined ? 0 : minTolerationMs(used);
    return wait < 0 ? undefined : wait;
  }

  async #cancel(pod: TaintedPod, key: string): Promise<ReconcileResult> {
    if (this.#scheduled.delete(key)) {
      await this.#events.record({
        object: pod,
        type: 'Normal',
        reason: 'TaintManagerEviction',
        message: `Cancelling deletion of Pod ${key}`,
      });
    }
    return undefined;
  }

  /** addConditionAndDeletePod: the DisruptionTarget condition, then the delete. */
  async #evict(pod: TaintedPod, key: string): Promise<void> {
    await this.#events.record({
      object: pod,
      type: 'Normal',
      reason: 'TaintManagerEviction',
      message: `Marking for deletion Pod ${key}`,
    });
    const path = `/api/v1/namespaces/${pod.metadata.namespace ?? ''}/pods/${pod.metadata.name ?? ''}`;
    try {
      const has = pod.status?.conditions?.some(
        (c) => c.type === 'DisruptionTarget' && c.status === 'True',
      );
      if (has !== true) {
        await this.#opts.client.patch(
          `${path}/status`,
          {
            status: {
              conditions: [
                {
                  type: 'DisruptionTarget',
                  status: 'True',
                  reason: 'DeletionByTaintManager',
                  message: 'Taint manager: deleting due to NoExecute taint',
                  lastTransitionTime: rfc3339(this.#opts.clock.now()),
                },
              ],
            },
          },
          'strategic',
        );
      }
      await this.#opts.client.delete(path);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
    this.#scheduled.delete(key);
  }
}

import type { KubeObject } from '../api/index.ts';
import {
  Informer,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import type { Clock } from '../util/index.ts';
import type { UsageLedger } from './ledger.ts';
import { fargatePodUsage, nodeUsage, type MeteredCluster } from './usage-of.ts';

export interface MeteringControllerOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly ledger: UsageLedger;
  /** The cluster's EKS name and region, stamped on every record. */
  readonly where: MeteredCluster;
  /** How often open records' `last_seen` is refreshed: what a crash can lose at most. */
  readonly heartbeatMs?: number;
  /** Called when writing the ledger fails (the key is retried with backoff). */
  readonly onError?: (key: string, e: unknown) => void;
}

const UID_INDEX = 'uid';
const byUid = (obj: KubeObject): readonly string[] =>
  obj.metadata.uid === undefined ? [] : [obj.metadata.uid];

type Kind = 'pod' | 'node';

/**
 * Keeps the usage ledger in step with one cluster: a Fargate pod's record opens once its start
 * time is set and closes when the Pod object is gone; a node-group node's opens at its
 * creation and closes when the Node is gone. Level-triggered on uids: each change or delete
 * queues the object's uid, and reconciling compares the cache with the ledger.
 *
 * On start, records left open by a previous run whose object no longer exists are closed at
 * their `last_seen`, which every open record gets refreshed once a `heartbeatMs` (one UPDATE).
 */
export class MeteringController {
  readonly #opts: MeteringControllerOptions;
  readonly #informers: Record<Kind, Informer>;
  #queue: WorkQueue | undefined;

  constructor(opts: MeteringControllerOptions) {
    this.#opts = opts;
    this.#informers = { pod: this.#informer('pod'), node: this.#informer('node') };
  }

  #informer(kind: Kind): Informer {
    return new Informer({
      client: this.#opts.client,
      path: kind === 'pod' ? '/api/v1/pods' : '/api/v1/nodes',
      sleep: this.#opts.sleep,
      indexers: { [UID_INDEX]: byUid },
      handlers: {
        onChange: (obj) => {
          this.#enqueue(kind, obj);
        },
        onDelete: (obj) => {
          this.#enqueue(kind, obj);
        },
      },
    });
  }

  #enqueue(kind: Kind, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    // The informers run only inside run(), after the queue is made.
    if (uid !== undefined) this.#queue?.add(`${kind}/${uid}`);
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    this.#queue = queue;
    const { pod, node } = this.#informers;
    // A call, not a property read: TypeScript keeps `signal.aborted` narrowed across awaits.
    const stopped = (): boolean => signal.aborted;
    const work = async (): Promise<void> => {
      // Informers release waitForSync when they stop, so an abort before the first list ends here.
      await Promise.all([pod.waitForSync(), node.waitForSync()]);
      if (stopped()) return;
      this.recover();
      await Promise.all([
        runWorkers({
          queue,
          workers: 1,
          reconcile: (k) => Promise.resolve(this.reconcile(k)),
          ...(this.#opts.onError ? { onError: this.#opts.onError } : {}),
        }),
        this.#heartbeats(signal),
      ]);
    };
    await Promise.all([pod.run(signal), node.run(signal), work()]);
  }

  async #heartbeats(signal: AbortSignal): Promise<void> {
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      await this.#opts.sleep(this.#opts.heartbeatMs ?? 60_000, signal);
      if (stopped()) return;
      try {
        this.heartbeat();
      } catch (e: unknown) {
        this.#opts.onError?.('heartbeat', e);
      }
    }
  }

  /** Refreshes `last_seen` of the cluster's open records (one UPDATE). */
  heartbeat(): number {
    return this.#opts.ledger.touch(this.#opts.where.cluster, this.#opts.clock.now());
  }

  /**
   * After the caches' first sync: closes, at their last sighting, the open records whose object
   * went away while no controller watched. Returns how many were closed.
   */
  recover(): number {
    const { ledger, where } = this.#opts;
    let closed = 0;
    for (const r of ledger.openRecords(where.cluster)) {
      const kind: Kind = r.kind === 'node' ? 'node' : 'pod';
      if (this.#informers[kind].byIndex(UID_INDEX, r.uid).length > 0) continue;
      if (ledger.stop({ cluster: where.cluster, uid: r.uid }, r.lastSeenMs)) closed += 1;
    }
    return closed;
  }

  /** `pod/<uid>` or `node/<uid>`: opens the record of a billed object, closes a vanished one's. */
  reconcile(key: string): ReconcileResult {
    const slash = key.indexOf('/');
    const kind = key.slice(0, slash);
    const uid = key.slice(slash + 1);
    if (kind !== 'pod' && kind !== 'node') return undefined;
    const { ledger, where, clock } = this.#opts;
    const obj = this.#informers[kind].byIndex(UID_INDEX, uid)[0];
    const now = clock.now();
    if (obj === undefined) {
      ledger.stop({ cluster: where.cluster, uid }, now);
      return undefined;
    }
    const usage = kind === 'pod' ? fargatePodUsage(obj, where) : nodeUsage(obj, where);
    if (usage) ledger.start(usage, now);
    return undefined;
  }
}

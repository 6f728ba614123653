import type { KubeObject, OwnerReference } from '../api/index.ts';
import {
  collectionPath,
  discoverResources,
  Informer,
  isConflict,
  isNotFound,
  runWorkers,
  WorkQueue,
  type DiscoveredResource,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';

export interface GarbageCollectorOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
}

interface Node {
  readonly resource: DiscoveredResource;
  readonly object: KubeObject;
}

function objectPath(r: DiscoveredResource, obj: KubeObject): string {
  return `${collectionPath(r, r.namespaced ? (obj.metadata.namespace ?? '') : '')}/${obj.metadata.name ?? ''}`;
}

/**
 * Deletes objects whose owners are gone (Background), deletes dependents of owners in
 * foreground deletion and then releases them, and orphans dependents of owners deleted with
 * the Orphan policy — kube-controller-manager's garbage collector, level-triggered over
 * informers of every listable resource.
 */
/**
 * Resources the collector does not watch, as upstream's DefaultIgnoredResources: events (under
 * both groups that serve them) come in floods and are left to their TTL.
 */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

export class GarbageCollector {
  readonly #opts: GarbageCollectorOptions;
  readonly #byUid = new Map<string, Node>();
  readonly #dependents = new Map<string, Set<string>>();
  #queue: WorkQueue | undefined;

  constructor(opts: GarbageCollectorOptions) {
    this.#opts = opts;
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    this.#queue = queue;
    const resources = (await discoverResources(this.#opts.client)).filter(
      (r) =>
        r.verbs.includes('list') &&
        r.verbs.includes('watch') &&
        r.verbs.includes('delete') &&
        !IGNORED.has(`${r.group}/${r.resource}`),
    );
    const informers = resources.map(
      (r) =>
        new Informer({
          client: this.#opts.client,
          path: collectionPath(r),
          sleep: this.#opts.sleep,
          handlers: {
            onChange: (obj) => {
              this.#index(r, obj);
            },
            onDelete: (obj) => {
              this.#unindex(obj);
            },
          },
        }),
    );
    await Promise.all([
      ...informers.map((i) => i.run(signal)),
      Promise.all(informers.map((i) => i.waitForSync())).then(() =>
        runWorkers({ queue, workers: 2, reconcile: (uid) => this.reconcile(uid) }),
      ),
    ]);
  }

  #index(r: DiscoveredResource, obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (uid === undefined) return;
    this.#byUid.set(uid, { resource: r, object: obj });
    for (const o of obj.metadata.ownerReferences ?? []) {
      let set = this.#dependents.get(o.uid);
      if (!set) {
        set = new Set();
        this.#dependents.set(o.uid, set);
      }
      set.add(uid);
    }
    const fin = obj.metadata.finalizers ?? [];
    const owned = (obj.metadata.ownerReferences ?? []).length > 0;
    if (
      owned ||
      (obj.metadata.deletionTimestamp !== undefined &&
        (fin.includes('foregroundDeletion') || fin.includes('orphan')))
    ) {
      this.#queue?.add(uid);
    }
  }

  #unindex(obj: KubeObject): void {
    const uid = obj.metadata.uid;
    if (uid === undefined) return;
    this.#byUid.delete(uid);
    for (const o of obj.metadata.ownerReferences ?? []) this.#dependents.get(o.uid)?.delete(uid);
    // Dependents of a deleted owner may now be garbage.
    for (const dep of this.#dependents.get(uid) ?? []) this.#queue?.add(dep);
  }

  async reconcile(uid: string): Promise<ReconcileResult> {
    const node = this.#byUid.get(uid);
    if (!node) return undefined;
    const { object } = node;
    const fin = object.metadata.finalizers ?? [];
    if (object.metadata.deletionTimestamp !== undefined && fin.includes('orphan'))
      return this.#orphanDependents(node);
    if (object.metadata.deletionTimestamp !== undefined && fin.includes('foregroundDeletion'))
      return this.#deleteDependents(node);
    return this.#collectIfOrphaned(node);
  }

  async #ownerExists(dependent: Node, ref: OwnerReference): Promise<boolean> {
    if (this.#byUid.has(ref.uid)) return true;
    // The cache may lag: ask the server, as upstream's GC does before deleting.
    const owner = this.#findResource(ref);
    if (!owner) return false;
    const ns = owner.namespaced ? (dependent.object.metadata.namespace ?? '') : '';
    try {
      const live = await this.#opts.client.get(`${collectionPath(owner, ns)}/${ref.name}`);
      return live.metadata.uid === ref.uid;
    } catch (e: unknown) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  #findResource(ref: OwnerReference): DiscoveredResource | undefined {
    for (const n of this.#byUid.values()) {
      if (n.object.kind === ref.kind && n.object.apiVersion === ref.apiVersion) return n.resource;
    }
    return undefined;
  }

  async #collectIfOrphaned(node: Node): Promise<ReconcileResult> {
    const refs = node.object.metadata.ownerReferences ?? [];
    if (refs.length === 0 || node.object.metadata.deletionTimestamp !== undefined) return undefined;
    const exists = await Promise.all(refs.map((r) => this.#ownerExists(node, r)));
    if (exists.some((e) => e)) {
      const dangling = refs.filter((_, i) => exists[i] !== true);
      if (dangling.length === 0) return undefined;
      await this.#setOwnerRefs(
        node,
        refs.filter((_, i) => exists[i] === true),
      );
      return undefined;
    }
    // An owner being deleted in the foreground waits for its dependents: follow its policy.
    const foreground = refs.some((r) =>
      (this.#byUid.get(r.uid)?.object.metadata.finalizers ?? []).includes('foregroundDeletion'),
    );
    try {
      await this.#opts.client.delete(objectPath(node.resource, node.object), {
        propagationPolicy: foreground ? 'Foreground' : 'Background',
      });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
    return undefined;
  }

  async #setOwnerRefs(node: Node, refs: readonly OwnerReference[]): Promise<void> {
    try {
      await this.#opts.client.patch(objectPath(node.resource, node.object), {
        metadata: {
          ownerReferences: refs.length === 0 ? null : refs,
          resourceVersion: node.object.metadata.resourceVersion,
        },
      });
    } catch (e: unknown) {
      // A conflict retries with the fresh object through the queue; a vanished one is done.
      if (!isNotFound(e) || isConflict(e)) throw e;
    }
  }

  async #removeFinalizer(node: Node, finalizer: string): Promise<void> {
    const rest = (node.object.metadata.finalizers ?? []).filter((f) => f !== finalizer);
    try {
      await this.#opts.client.patch(objectPath(node.resource, node.object), {
        metadata: {
          finalizers: rest.length === 0 ? null : rest,
          resourceVersion: node.object.metadata.resourceVersion,
        },
      });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }

  #dependentsOf(uid: string): Node[] {
    return [...(this.#dependents.get(uid) ?? [])]
      .map((d) => this.#byUid.get(d))
      .filter((n) => n !== undefined);
  }

  async #deleteDependents(owner: Node): Promise<ReconcileResult> {
    const deps = this.#dependentsOf(owner.object.metadata.uid ?? '');
    for (const d of deps) {
      if (d.object.metadata.deletionTimestamp !== undefined) continue;
      try {
        await this.#opts.client.delete(objectPath(d.resource, d.object), {
          propagationPolicy: 'Foreground',
        });
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (deps.length > 0) return { requeueAfterMs: 500 };
    await this.#removeFinalizer(owner, 'foregroundDeletion');
    return undefined;
  }

  async #orphanDependents(owner: Node): Promise<ReconcileResult> {
    const uid = owner.object.metadata.uid ?? '';
    for (const d of this.#dependentsOf(uid)) {
      await this.#setOwnerRefs(
        d,
        (d.object.metadata.ownerReferences ?? []).filter((r) => r.uid !== uid),
      );
    }
    await this.#removeFinalizer(owner, 'orphan');
    return undefined;
  }
}

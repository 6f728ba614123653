import type { KubeObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isNotFound,
  runWorkers,
  WorkQueue,
  type InformerHandlers,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import { toError, type Clock } from '../util/index.ts';
import { claimObjects } from './controller-history-ownership.ts';
import {
  asRevision,
  bumpRevision,
  CONTROLLER_REVISION_HASH_LABEL,
  createRevision,
  deleteRevision,
  maxRevision,
  ownedRevisions,
  revisionPath,
  revisionsToPrune,
  sameData,
  sortRevisions,
  templatePatch,
  type ControllerRevision,
} from './controller-history.ts';
import {
  asNode,
  daemonPodSpec,
  daemonTolerations,
  targetNodeName,
  withNodeNameAffinity,
} from './daemonset-nodes.ts';
import {
  asDaemonSet,
  computeStatus,
  planManage,
  planRollingUpdate,
  templateGeneration,
  TEMPLATE_GENERATION_LABEL,
  type DaemonSet,
  type DaemonSetStatus,
  type Plan,
  type PlanInput,
} from './daemonset-plan.ts';
import { canonicalJson, computeTemplateHash } from './deployment-hash.ts';
import { DaemonExpectations } from './daemonset-expectations.ts';
import {
  asPod,
  clone,
  controllerOf,
  controllerRef,
  isEmptySelector,
  keyOf,
  matchesSelector,
  msUntilAvailable,
  nsOf,
  type Pod,
} from './deployment-objects.ts';

export interface DaemonSetControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly workers?: number;
  /** Most pods created or deleted in one sync (upstream's BurstReplicas, 250). */
  readonly burstReplicas?: number;
}

const APPS = '/apis/apps/v1';
const FAILED_BACKOFF_INITIAL_MS = 1000;
const FAILED_BACKOFF_MAX_MS = 15 * 60 * 1000;

function dsPath(ns: string, name: string): string {
  return `${APPS}/namespaces/${ns}/daemonsets/${name}`;
}

function podPath(pod: KubeObject): string {
  return `/api/v1/namespaces/${nsOf(pod)}/pods/${pod.metadata.name ?? ''}`;
}

/** Node fields that can change where daemon pods should run (shouldIgnoreNodeUpdate). */
function nodeShape(n: KubeObject): string {
  const node = asNode(n);
  return canonicalJson({ labels: node.metadata.labels, spec: node.spec });
}

interface SyncInput extends PlanInput {
  readonly old: readonly ControllerRevision[];
}

interface Backoff {
  delayMs: number;
  until: number;
}

/**
 * Runs one pod of each DaemonSet on every eligible node, as kube-controller-manager's daemonset
 * controller: pods are pinned with a node-name affinity for the default scheduler, templates are
 * versioned as ControllerRevisions, and updates roll with maxUnavailable/maxSurge or wait for
 * deletions (OnDelete).
 */
export class DaemonSetController {
  readonly #opts: DaemonSetControllerOptions;
  readonly #expectations: DaemonExpectations;
  readonly #events: EventRecorder;
  readonly #pods = new Map<string, Map<string, Pod>>();
  readonly #backoff = new Map<string, Backoff>();
  #dsInformer: Informer | undefined;
  #nodeInformer: Informer | undefined;
  #revInformer: Informer | undefined;
  #queue: WorkQueue | undefined;

  constructor(opts: DaemonSetControllerOptions) {
    this.#opts = opts;
    this.#expectations = new DaemonExpectations(opts.clock);
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'daemonset-controller' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    this.#queue = queue;
    const informer = (path: string, handlers: InformerHandlers): Informer =>
      new Informer({ client: this.#opts.client, path, sleep: this.#opts.sleep, handlers });
    const dsInformer = informer(`${APPS}/daemonsets`, {
      onChange: (ds) => {
        queue.add(keyOf(ds));
      },
      onDelete: (ds) => {
        this.#expectations.forget(keyOf(ds));
        queue.add(keyOf(ds));
      },
    });
    this.#dsInformer = dsInformer;
    const nodeInformer = informer('/api/v1/nodes', {
      onChange: (n, old) => {
        if (old === undefined || nodeShape(n) !== nodeShape(old)) this.#enqueueAll();
      },
      onDelete: () => {
        this.#enqueueAll();
      },
    });
    this.#nodeInformer = nodeInformer;
    const revInformer = informer(`${APPS}/controllerrevisions`, {
      onChange: (r) => {
        this.#enqueueOwner(r);
      },
      onDelete: (r) => {
        this.#enqueueOwner(r);
      },
    });
    this.#revInformer = revInformer;
    const podInformer = informer('/api/v1/pods', {
      onChange: (p, old) => {
        this.#podChanged(asPod(p), old === undefined ? undefined : asPod(old));
      },
      onDelete: (p) => {
        this.#podDeleted(asPod(p));
      },
    });
    const all = [dsInformer, nodeInformer, revInformer, podInformer];
    await Promise.all([
      ...all.map((i) => i.run(signal)),
      Promise.all(all.map((i) => i.waitForSync())).then(() =>
        runWorkers({
          queue,
          workers: this.#opts.workers ?? 2,
          reconcile: (k) => this.reconcile(k),
        }),
      ),
    ]);
  }

  #enqueueAll(): void {
    for (const ds of this.#dsInformer?.list() ?? []) this.#queue?.add(keyOf(ds));
  }

  #owner(obj: KubeObject): DaemonSet | undefined {
    const ref = controllerOf(obj);
    if (ref?.kind !== 'DaemonSet') return undefined;
    const ds = this.#dsInformer?.get(`${nsOf(obj)}/${ref.name}`);
    return ds?.metadata.uid === ref.uid ? asDaemonSet(ds) : undefined;
  }

  #enqueueOwner(obj: KubeObject): void {
    const ds = this.#owner(obj);
    if (ds) this.#queue?.add(keyOf(ds));
  }

  #podChanged(pod: Pod, old: Pod | undefined): void {
    let m = this.#pods.get(nsOf(pod));
    if (!m) {
      m = new Map();
      this.#pods.set(nsOf(pod), m);
    }
    m.set(keyOf(pod), pod);
    if (old && controllerOf(old)?.uid !== controllerOf(pod)?.uid) this.#enqueueOwner(old);
    const ds = this.#owner(pod);
    if (ds) {
      this.#observe(ds, pod, old);
      return;
    }
    if (controllerOf(pod) === undefined) this.#enqueueMatching(pod);
  }

  #observe(ds: DaemonSet, pod: Pod, old: Pod | undefined): void {
    if (old === undefined) this.#expectations.creationObserved(keyOf(ds));
    // A terminating pod counts as deleted for expectations, as upstream.
    if (pod.metadata.deletionTimestamp !== undefined)
      this.#expectations.deletionObserved(keyOf(ds), keyOf(pod));
    this.#queue?.add(keyOf(ds));
  }

  #enqueueMatching(pod: Pod): void {
    for (const o of this.#dsInformer?.list() ?? []) {
      const d = asDaemonSet(o);
      if (nsOf(d) === nsOf(pod) && matchesSelector(d.spec.selector, pod.metadata.labels))
        this.#queue?.add(keyOf(d));
    }
  }

  #podDeleted(pod: Pod): void {
    this.#pods.get(nsOf(pod))?.delete(keyOf(pod));
    const ds = this.#owner(pod);
    if (!ds) return;
    this.#expectations.deletionObserved(keyOf(ds), keyOf(pod));
    this.#queue?.add(keyOf(ds));
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.#dsInformer?.get(key);
    if (!cached) {
      this.#expectations.forget(key);
      return undefined;
    }
    const ds = asDaemonSet(clone(cached));
    if (ds.metadata.deletionTimestamp !== undefined || isEmptySelector(ds.spec.selector))
      return undefined;
    const nodes = (this.#nodeInformer?.list() ?? []).map(asNode);
    const { cur, old, collisionCount } = await this.#constructHistory(ds);
    const hash = cur.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
    let byNode = await this.#podsByNode(ds);
    const input = { ds, nodes, hash, now: this.#opts.clock.now() };
    let failure: Error | undefined;
    if (this.#expectations.satisfied(key)) {
      try {
        await this.#update({ ...input, podsByNode: byNode, old });
      } catch (e: unknown) {
        failure = toError(e);
      }
      byNode = await this.#podsByNode(ds);
    }
    const status = computeStatus({ ...input, podsByNode: byNode });
    await this.#writeStatus(ds, { status, collisionCount });
    if (failure) throw failure;
    return this.#requeue(ds, byNode);
  }

  async #update(i: SyncInput): Promise<void> {
    const key = keyOf(i.ds);
    const manage = planManage({ ...i, failedPodMayGo: (n) => this.#failedPodMayGo(i.ds, n) });
    await this.#syncNodes(i.ds, manage, i.hash);
    const type = i.ds.spec.updateStrategy?.type ?? 'RollingUpdate';
    if (this.#expectations.satisfied(key) && type === 'RollingUpdate')
      await this.#syncNodes(i.ds, planRollingUpdate(i), i.hash);
    await this.#cleanupHistory(i.ds, i.old);
  }

  /** Failed-pod backoff per (DaemonSet, node): 1 s doubling to 15 min, as upstream. */
  #failedPodMayGo(ds: DaemonSet, node: string): boolean {
    const k = `${ds.metadata.uid ?? ''}/${node}`;
    const now = this.#opts.clock.now();
    const b = this.#backoff.get(k);
    if (b !== undefined && now < b.until) return false;
    const delayMs =
      b === undefined ? FAILED_BACKOFF_INITIAL_MS : Math.min(b.delayMs * 2, FAILED_BACKOFF_MAX_MS);
    this.#backoff.set(k, { delayMs, until: now + delayMs });
    void this.#events.record({
      object: ds,
      type: 'Warning',
      reason: 'FailedDaemonPod',
      message: `Found failed daemon pod on node ${node}, will try to kill it`,
    });
    return true;
  }

  #requeue(ds: DaemonSet, byNode: ReadonlyMap<string, readonly Pod[]>): ReconcileResult {
    const now = this.#opts.clock.now();
    const minReady = ds.spec.minReadySeconds ?? 0;
    const waits: number[] = [];
    for (const [k, b] of this.#backoff)
      if (k.startsWith(`${ds.metadata.uid ?? ''}/`) && b.until > now) waits.push(b.until - now);
    if (minReady > 0)
      for (const pods of byNode.values())
        for (const p of pods) {
          const w = msUntilAvailable(p, minReady, now);
          if (w !== undefined && w > 0) waits.push(w);
        }
    return waits.length === 0 ? undefined : { requeueAfterMs: Math.min(...waits) };
  }

  async #podsByNode(ds: DaemonSet): Promise<Map<string, Pod[]>> {
    const candidates = [...(this.#pods.get(nsOf(ds))?.values() ?? [])];
    const claimed = await claimObjects(
      {
        client: this.#opts.client,
        owner: ds,
        ownerPath: dsPath(nsOf(ds), ds.metadata.name ?? ''),
        selector: ds.spec.selector,
        pathOf: podPath,
      },
      candidates,
    );
    const byNode = new Map<string, Pod[]>();
    for (const p of claimed) {
      const node = targetNodeName(p);
      if (node === undefined) continue;
      const list = byNode.get(node) ?? [];
      list.push(asPod(p));
      byNode.set(node, list);
    }
    return byNode;
  }

  /** constructHistory: the revision of the current template, and the older ones. */
  async #constructHistory(
    ds: DaemonSet,
  ): Promise<{ cur: ControllerRevision; old: ControllerRevision[]; collisionCount: number }> {
    const claimed = await claimObjects(
      {
        client: this.#opts.client,
        owner: ds,
        ownerPath: dsPath(nsOf(ds), ds.metadata.name ?? ''),
        selector: ds.spec.selector,
        pathOf: revisionPath,
      },
      this.#revInformer?.list().filter((r) => nsOf(r) === nsOf(ds)) ?? [],
    );
    const revs = ownedRevisions(ds, claimed);
    const patch = templatePatch(ds.spec.template);
    const equal = sortRevisions(revs.filter((r) => sameData(r, patch)));
    const others = revs.filter((r) => !sameData(r, patch));
    const next = maxRevision(others) + 1;
    let collisionCount = ds.status?.collisionCount ?? 0;
    let cur = equal.at(-1);
    // Duplicates of the current template are merged into the newest one.
    for (const dup of equal.slice(0, -1)) await deleteRevision(this.#opts.client, dup);
    if (cur === undefined) {
      const made = await createRevision(this.#opts.client, {
        owner: ds,
        nameFor: (c) => {
          const hash = computeTemplateHash(ds.spec.template, c);
          return { name: `${ds.metadata.name ?? ''}-${hash}`, hash };
        },
        labels: ds.spec.template.metadata?.labels ?? {},
        data: patch,
        revision: next,
        collisionCount,
        ...(ds.metadata.annotations === undefined ? {} : { annotations: ds.metadata.annotations }),
      });
      cur = made.revision;
      collisionCount = made.collisionCount;
    } else if (cur.revision < next) {
      cur = await bumpRevision(this.#opts.client, cur, next);
    }
    return { cur: asRevision(cur), old: others, collisionCount };
  }

  /** cleanupHistory: old revisions beyond revisionHistoryLimit that no pod uses any more. */
  async #cleanupHistory(ds: DaemonSet, old: readonly ControllerRevision[]): Promise<void> {
    const limit = ds.spec.revisionHistoryLimit ?? 10;
    if (old.length <= limit) return;
    const live = new Set<string>();
    for (const p of this.#pods.get(nsOf(ds))?.values() ?? []) {
      if (controllerOf(p)?.uid !== ds.metadata.uid) continue;
      const h = p.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL];
      if (h !== undefined) live.add(`${ds.metadata.name ?? ''}-${h}`);
    }
    for (const r of revisionsToPrune(old, { live, limit, countLive: true }))
      await deleteRevision(this.#opts.client, r);
  }

  async #syncNodes(ds: DaemonSet, plan: Plan, hash: string): Promise<void> {
    const burst = this.#opts.burstReplicas ?? 250;
    const creates = plan.create.slice(0, burst);
    const deletes = plan.delete.slice(0, burst);
    if (creates.length === 0 && deletes.length === 0) return;
    const key = keyOf(ds);
    this.#expectations.expect(key, { adds: creates.length, deletes: deletes.map(keyOf) });
    const failures: Error[] = [];
    await this.#createBatches(ds, { nodes: creates, hash, failures });
    const results = await Promise.allSettled(deletes.map((p) => this.#deletePod(ds, p)));
    for (const r of results) if (r.status === 'rejected') failures.push(toError(r.reason));
    const first = failures[0];
    if (first !== undefined) throw first;
  }

  /** Slow start (1, 2, 4…) so a broken template costs one error, not hundreds. */
  async #createBatches(
    ds: DaemonSet,
    a: { nodes: readonly string[]; hash: string; failures: Error[] },
  ): Promise<void> {
    const key = keyOf(ds);
    let done = 0;
    let batch = 1;
    while (done < a.nodes.length && a.failures.length === 0) {
      const slice = a.nodes.slice(done, done + batch);
      done += slice.length;
      const results = await Promise.allSettled(slice.map((n) => this.#createPod(ds, n, a.hash)));
      for (const r of results) if (r.status === 'rejected') a.failures.push(toError(r.reason));
      batch *= 2;
    }
    for (let i = done; i < a.nodes.length; i++) this.#expectations.creationObserved(key);
  }

  async #createPod(ds: DaemonSet, node: string, hash: string): Promise<void> {
    const t = ds.spec.template;
    const meta = t.metadata ?? {};
    const generation = templateGeneration(ds);
    const spec = daemonPodSpec(t);
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name ?? ''}-`,
        namespace: nsOf(ds),
        labels: {
          ...meta.labels,
          [CONTROLLER_REVISION_HASH_LABEL]: hash,
          ...(generation === undefined ? {} : { [TEMPLATE_GENERATION_LABEL]: String(generation) }),
        },
        ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
        ...(meta.finalizers === undefined ? {} : { finalizers: meta.finalizers }),
        ownerReferences: [controllerRef(ds)],
      },
      spec: withNodeNameAffinity({ ...spec, tolerations: daemonTolerations(spec) }, node),
    };
    try {
      const created = await this.#opts.client.create(`/api/v1/namespaces/${nsOf(ds)}/pods`, pod);
      await this.#events.record({
        object: ds,
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created pod: ${created.metadata.name ?? ''}`,
      });
    } catch (e: unknown) {
      this.#expectations.creationObserved(keyOf(ds));
      await this.#events.record({
        object: ds,
        type: 'Warning',
        reason: 'FailedCreate',
        message: `Error creating: ${toError(e).message}`,
      });
      throw e;
    }
  }

  async #deletePod(ds: DaemonSet, pod: Pod): Promise<void> {
    try {
      await this.#opts.client.delete(podPath(pod));
      await this.#events.record({
        object: ds,
        type: 'Normal',
        reason: 'SuccessfulDelete',
        message: `Deleted pod: ${pod.metadata.name ?? ''}`,
      });
    } catch (e: unknown) {
      this.#expectations.deletionObserved(keyOf(ds), keyOf(pod));
      if (isNotFound(e)) return;
      await this.#events.record({
        object: ds,
        type: 'Warning',
        reason: 'FailedDelete',
        message: `Error deleting: ${toError(e).message}`,
      });
      throw e;
    }
  }

  async #writeStatus(
    ds: DaemonSet,
    a: { status: DaemonSetStatus; collisionCount: number },
  ): Promise<void> {
    const next = statusToWrite(ds, a);
    if (canonicalJson(next) === canonicalJson(ds.status ?? {})) return;
    try {
      await this.#opts.client.update(`${dsPath(nsOf(ds), ds.metadata.name ?? '')}/status`, {
        ...ds,
        status: next,
      });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }
}

const OMIT_EMPTY: ReadonlySet<string> = new Set([
  'updatedNumberScheduled',
  'numberAvailable',
  'numberUnavailable',
]);

function statusToWrite(
  ds: DaemonSet,
  a: { status: DaemonSetStatus; collisionCount: number },
): DaemonSetStatus {
  // These are `omitempty` upstream: zero is written as absent.
  // SAFETY: only optional counters are dropped; the required ones are never in OMIT_EMPTY.
  const next = Object.fromEntries(
    Object.entries(a.status).filter(([k, v]) => !(OMIT_EMPTY.has(k) && v === 0)),
  ) as unknown as DaemonSetStatus;
  next.observedGeneration = ds.metadata.generation ?? 0;
  if (a.collisionCount > 0) next.collisionCount = a.collisionCount;
  if (ds.status?.conditions !== undefined) next.conditions = ds.status.conditions;
  return next;
}

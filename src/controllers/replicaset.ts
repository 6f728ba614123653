import type { KubeObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isNotFound,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import { rfc3339, sameStringMap, toError, type Clock } from '../util/index.ts';
import { canonicalJson } from './deployment-hash.ts';
import { Expectations } from './deployment-expectations.ts';
import {
  asPod,
  asReplicaSet,
  clone,
  controllerOf,
  controllerRef,
  isPodActive,
  isPodReady,
  keyOf,
  matchesSelector,
  msUntilAvailable,
  nsOf,
  readyCondition,
  replicasOf,
  type Condition,
  type Pod,
  type ReplicaSet,
  type ReplicaSetStatus,
} from './deployment-objects.ts';
import { podsToDelete } from './deployment-pod-rank.ts';

export interface ReplicaSetControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly workers?: number;
  /** Most pods created or deleted in one sync (upstream's --replicaset burst, 500). */
  readonly burstReplicas?: number;
  /**
   * How long a pod event waits for others of the same ReplicaSet before the set syncs (ms). A
   * sync recounts every pod of the set, so a scale-out of N pods would otherwise cost N² work;
   * by default the wait grows with the set (20 ms, plus 0.1 ms a replica), keeping the work
   * linear; 0 syncs on every event, as upstream does.
   */
  readonly podBatchMs?: number;
}

const RS_PATH = '/apis/apps/v1';

/** The pod index of upstream's controller.AddPodControllerUIDIndexer. */
const CONTROLLER_UID = 'controllerUID';

/** Orphans are filed per namespace, as upstream's OrphanPodIndexKeyForNamespace. */
function orphanKey(ns: string): string {
  return `_ORPHAN_POD/${ns}`;
}

function controllerUidIndex(pod: KubeObject): string[] {
  const ref = controllerOf(pod);
  return [ref === undefined ? orphanKey(nsOf(pod)) : ref.uid];
}

function rsPath(ns: string, name: string): string {
  return `${RS_PATH}/namespaces/${ns}/replicasets/${name}`;
}

/**
 * Keeps the pods of each ReplicaSet at `spec.replicas`, as kube-controller-manager's
 * replicaset controller: claims matching orphans, releases pods that stopped matching, creates
 * from the template in slow-start batches, deletes the cheapest pods first, and writes status.
 */
export class ReplicaSetController {
  readonly #opts: ReplicaSetControllerOptions;
  readonly #expectations: Expectations;
  readonly #events: EventRecorder;
  #rsInformer: Informer | undefined;
  /** Pods indexed by controller uid (orphans by namespace): a sync reads only its own. */
  #podInformer: Informer | undefined;
  #queue: WorkQueue | undefined;

  constructor(opts: ReplicaSetControllerOptions) {
    this.#opts = opts;
    this.#expectations = new Expectations(opts.clock);
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'replicaset-controller' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    this.#queue = queue;
    const rsInformer = new Informer({
      client: this.#opts.client,
      path: `${RS_PATH}/replicasets`,
      sleep: this.#opts.sleep,
      handlers: {
        onChange: (rs, old) => {
          // Its own status writes come back as updates: upstream resyncs on every one, which
          // during a scale-out means a recount per write. They are batched like pod events.
          if (old !== undefined && onlyStatusChanged(old, rs)) this.#podEvent(asReplicaSet(rs));
          else queue.add(keyOf(rs));
        },
        onDelete: (rs) => {
          this.#expectations.forget(keyOf(rs));
          queue.add(keyOf(rs));
        },
      },
    });
    this.#rsInformer = rsInformer;
    const podInformer = new Informer({
      client: this.#opts.client,
      path: '/api/v1/pods',
      sleep: this.#opts.sleep,
      indexers: { [CONTROLLER_UID]: controllerUidIndex },
      handlers: {
        onChange: (pod, old) => {
          this.#podChanged(asPod(pod), old === undefined ? undefined : asPod(old));
        },
        onDelete: (pod) => {
          this.#podDeleted(asPod(pod));
        },
      },
    });
    this.#podInformer = podInformer;
    await Promise.all([
      rsInformer.run(signal),
      podInformer.run(signal),
      Promise.all([rsInformer.waitForSync(), podInformer.waitForSync()]).then(() =>
        runWorkers({
          queue,
          workers: this.#opts.workers ?? 2,
          reconcile: (k) => this.reconcile(k),
        }),
      ),
    ]);
  }

  /** The cached ReplicaSet a controller reference points at, if it is still that object. */
  #owner(pod: Pod): ReplicaSet | undefined {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return undefined;
    const rs = this.#rsInformer?.get(`${nsOf(pod)}/${ref.name}`);
    return rs?.metadata.uid === ref.uid ? asReplicaSet(rs) : undefined;
  }

  #enqueueMatching(pod: Pod): void {
    for (const o of this.#rsInformer?.list() ?? []) {
      const rs = asReplicaSet(o);
      if (nsOf(rs) === nsOf(pod) && matchesSelector(rs.spec.selector, pod.metadata.labels))
        this.#queue?.add(keyOf(rs));
    }
  }

  #podChanged(pod: Pod, old: Pod | undefined): void {
    if (pod.metadata.deletionTimestamp !== undefined) {
      // A terminating pod is as good as gone for counting: upstream observes its deletion now.
      this.#podDeleted(pod);
      return;
    }
    if (old !== undefined && !changesReplicaSetView(old, pod)) return;
    const rs = this.#owner(pod);
    if (old) this.#requeuePreviousOwner(old, pod);
    if (rs) {
      if (old === undefined) this.#expectations.creationObserved(keyOf(rs));
      this.#podEvent(rs);
      return;
    }
    if (controllerOf(pod) === undefined) this.#enqueueMatching(pod);
  }

  #podEvent(rs: ReplicaSet): void {
    const ms = this.#opts.podBatchMs ?? 20 + Math.floor(replicasOf(rs) / 10);
    if (ms === 0) this.#queue?.add(keyOf(rs));
    else this.#queue?.addBatched(keyOf(rs), ms);
  }

  /** A pod released or adopted: its former owner must recount. */
  #requeuePreviousOwner(old: Pod, pod: Pod): void {
    if (controllerOf(old)?.uid === controllerOf(pod)?.uid) return;
    const prev = this.#owner(old);
    if (prev) this.#queue?.add(keyOf(prev));
  }

  #podDeleted(pod: Pod): void {
    const rs = this.#owner(pod);
    if (!rs) return;
    this.#expectations.deletionObserved(keyOf(rs), keyOf(pod));
    this.#podEvent(rs);
  }

  /** Active pods of a namespace filed under `value` (a controller uid or the orphan key). */
  #activeControlledBy(value: string, ns: string): Pod[] {
    const out: Pod[] = [];
    for (const o of this.#podInformer?.byIndex(CONTROLLER_UID, value) ?? []) {
      const p = asPod(o);
      if (nsOf(p) === ns && isPodActive(p)) out.push(p);
    }
    return out;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.#rsInformer?.get(key);
    if (!cached) {
      this.#expectations.forget(key);
      return undefined;
    }
    const rs = asReplicaSet(clone(cached));
    const needsSync = this.#expectations.satisfied(key);
    const pods = await this.#claimPods(rs);
    let failure: Error | undefined;
    if (needsSync && rs.metadata.deletionTimestamp === undefined) {
      try {
        await this.#manageReplicas(rs, pods);
      } catch (e: unknown) {
        failure = toError(e);
      }
    }
    const updated = await this.#updateStatus(rs, this.#status(rs, pods, failure));
    if (failure) throw failure;
    return this.#availabilityRequeue(updated, pods);
  }

  /** Looks again when the next ready pod crosses minReadySeconds. */
  #availabilityRequeue(rs: ReplicaSet, pods: readonly Pod[]): ReconcileResult {
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady === 0) return undefined;
    const now = this.#opts.clock.now();
    const waits = pods
      .map((p) => msUntilAvailable(p, minReady, now))
      .filter((w): w is number => w !== undefined && w > 0);
    return waits.length === 0 ? undefined : { requeueAfterMs: Math.min(...waits) };
  }

  /**
   * As ControllerRefManager.ClaimPods over upstream's controller-uid index: keep our pods
   * that match, release ours that stopped matching, adopt matching orphans.
   */
  async #claimPods(rs: ReplicaSet): Promise<Pod[]> {
    const ns = nsOf(rs);
    const uid = rs.metadata.uid;
    const deleting = rs.metadata.deletionTimestamp !== undefined;
    const claimed: Pod[] = [];
    for (const pod of uid === undefined ? [] : this.#activeControlledBy(uid, ns)) {
      if (matchesSelector(rs.spec.selector, pod.metadata.labels)) claimed.push(pod);
      else if (!deleting) await this.#release(rs, pod);
    }
    if (deleting) return claimed;
    let canAdopt: boolean | undefined;
    for (const pod of this.#activeControlledBy(orphanKey(ns), ns)) {
      if (!matchesSelector(rs.spec.selector, pod.metadata.labels)) continue;
      // As upstream's RecheckDeletionTimestamp: adopt only for an owner that is live now.
      canAdopt ??= await this.#stillLive(rs);
      if (!canAdopt) break;
      const adopted = await this.#adopt(rs, pod);
      if (adopted) claimed.push(adopted);
    }
    return claimed;
  }

  async #stillLive(rs: ReplicaSet): Promise<boolean> {
    try {
      const fresh = await this.#opts.client.get(rsPath(nsOf(rs), rs.metadata.name ?? ''));
      return (
        fresh.metadata.uid === rs.metadata.uid && fresh.metadata.deletionTimestamp === undefined
      );
    } catch (e: unknown) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async #adopt(rs: ReplicaSet, pod: Pod): Promise<Pod | undefined> {
    try {
      const patched = await this.#opts.client.patch(podPath(pod), {
        metadata: {
          ownerReferences: [...(pod.metadata.ownerReferences ?? []), controllerRef(rs)],
          resourceVersion: pod.metadata.resourceVersion,
        },
      });
      return asPod(patched);
    } catch (e: unknown) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  async #release(rs: ReplicaSet, pod: Pod): Promise<void> {
    const rest = (pod.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
    try {
      await this.#opts.client.patch(podPath(pod), {
        metadata: {
          ownerReferences: rest.length === 0 ? null : rest,
          resourceVersion: pod.metadata.resourceVersion,
        },
      });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }

  async #manageReplicas(rs: ReplicaSet, pods: readonly Pod[]): Promise<void> {
    const diff = pods.length - replicasOf(rs);
    const burst = this.#opts.burstReplicas ?? 500;
    if (diff < 0) await this.#createPods(rs, Math.min(-diff, burst));
    else if (diff > 0) await this.#deletePods(rs, pods, Math.min(diff, burst));
  }

  /** Creates in batches of 1, 2, 4… so a failing template costs one error, not hundreds. */
  async #createPods(rs: ReplicaSet, n: number): Promise<void> {
    const key = keyOf(rs);
    this.#expectations.expectCreations(key, n);
    let attempted = 0;
    let batch = 1;
    let failure: Error | undefined;
    while (attempted < n && failure === undefined) {
      const size = Math.min(batch, n - attempted);
      attempted += size;
      const results = await Promise.allSettled(
        Array.from({ length: size }, () => this.#createPod(rs)),
      );
      const rejected = results.find((r) => r.status === 'rejected');
      if (rejected) failure = toError(rejected.reason);
      batch *= 2;
    }
    // Creations never attempted will never be observed.
    for (let i = attempted; i < n; i++) this.#expectations.creationObserved(key);
    if (failure !== undefined) throw failure;
  }

  async #createPod(rs: ReplicaSet): Promise<void> {
    const key = keyOf(rs);
    const t = rs.spec.template;
    const meta = t.metadata ?? {};
    const pod: KubeObject = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name ?? ''}-`,
        namespace: nsOf(rs),
        ...(meta.labels === undefined ? {} : { labels: meta.labels }),
        ...(meta.annotations === undefined ? {} : { annotations: meta.annotations }),
        ...(meta.finalizers === undefined ? {} : { finalizers: meta.finalizers }),
        ownerReferences: [controllerRef(rs)],
      },
      spec: t.spec ?? {},
    };
    try {
      const created = await this.#opts.client.create(`/api/v1/namespaces/${nsOf(rs)}/pods`, pod);
      await this.#events.record({
        object: rs,
        type: 'Normal',
        reason: 'SuccessfulCreate',
        message: `Created pod: ${created.metadata.name ?? ''}`,
      });
    } catch (e: unknown) {
      this.#expectations.creationObserved(key);
      await this.#events.record({
        object: rs,
        type: 'Warning',
        reason: 'FailedCreate',
        message: `Error creating: ${toError(e).message}`,
      });
      throw e;
    }
  }

  async #deletePods(rs: ReplicaSet, pods: readonly Pod[], n: number): Promise<void> {
    const key = keyOf(rs);
    const related = this.#relatedPods(rs);
    const victims = podsToDelete(pods, related, { n, now: this.#opts.clock.now() });
    this.#expectations.expectDeletions(key, victims.map(keyOf));
    const results = await Promise.allSettled(victims.map((p) => this.#deletePod(rs, p)));
    const failed = results.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  async #deletePod(rs: ReplicaSet, pod: Pod): Promise<void> {
    try {
      await this.#opts.client.delete(podPath(pod));
      await this.#events.record({
        object: rs,
        type: 'Normal',
        reason: 'SuccessfulDelete',
        message: `Deleted pod: ${pod.metadata.name ?? ''}`,
      });
    } catch (e: unknown) {
      this.#expectations.deletionObserved(keyOf(rs), keyOf(pod));
      if (isNotFound(e)) return;
      await this.#events.record({
        object: rs,
        type: 'Warning',
        reason: 'FailedDelete',
        message: `Error deleting: ${toError(e).message}`,
      });
      throw e;
    }
  }

  /** Pods of every ReplicaSet sharing this one's controller (a Deployment's other revisions). */
  #relatedPods(rs: ReplicaSet): Pod[] {
    const owner = controllerOf(rs)?.uid;
    const siblings = new Set<string | undefined>([rs.metadata.uid]);
    for (const o of this.#rsInformer?.list() ?? [])
      if (owner !== undefined && nsOf(o) === nsOf(rs) && controllerOf(o)?.uid === owner)
        siblings.add(o.metadata.uid);
    return [...siblings].flatMap((uid) =>
      uid === undefined ? [] : this.#activeControlledBy(uid, nsOf(rs)),
    );
  }

  #status(rs: ReplicaSet, pods: readonly Pod[], failure: Error | undefined): ReplicaSetStatus {
    const now = this.#opts.clock.now();
    const status: ReplicaSetStatus = { replicas: pods.length };
    // The counts are `omitempty` upstream: zero is written as absent.
    const { fully, ready, available } = countPods(rs, pods, now);
    if (fully > 0) status.fullyLabeledReplicas = fully;
    if (ready > 0) status.readyReplicas = ready;
    if (available > 0) status.availableReplicas = available;
    const conditions = this.#conditions(rs, { pods: pods.length, failure, now });
    if (conditions.length > 0) status.conditions = conditions;
    return status;
  }

  /** ReplicaFailure appears with a failed create or delete and goes with the next success. */
  #conditions(
    rs: ReplicaSet,
    a: { pods: number; failure: Error | undefined; now: number },
  ): Condition[] {
    const conditions = (rs.status?.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure');
    if (!a.failure) return conditions;
    const existing = rs.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    conditions.push(
      existing ?? {
        type: 'ReplicaFailure',
        status: 'True',
        lastTransitionTime: rfc3339(a.now),
        reason: a.pods < replicasOf(rs) ? 'FailedCreate' : 'FailedDelete',
        message: a.failure.message,
      },
    );
    return conditions;
  }

  async #updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSet> {
    const generation = rs.metadata.generation ?? 0;
    const same =
      canonicalJson({ ...rs.status, observedGeneration: undefined }) ===
      canonicalJson({ ...status, observedGeneration: undefined });
    if (same && rs.status?.observedGeneration === generation) return rs;
    const next = { ...rs, status: { ...status, observedGeneration: generation } };
    try {
      return asReplicaSet(
        await this.#opts.client.update(`${rsPath(nsOf(rs), rs.metadata.name ?? '')}/status`, next),
      );
    } catch (e: unknown) {
      if (isNotFound(e)) return rs;
      throw e;
    }
  }
}

/** An update that changed a ReplicaSet's status and nothing its sync acts on. */
function onlyStatusChanged(old: KubeObject, rs: KubeObject): boolean {
  return (
    old['spec'] === rs['spec'] &&
    old.metadata.generation === rs.metadata.generation &&
    old.metadata.deletionTimestamp === rs.metadata.deletionTimestamp &&
    controllerOf(old)?.uid === controllerOf(rs)?.uid &&
    sameStringMap(old.metadata.labels, rs.metadata.labels)
  );
}

/**
 * Whether an update changes what a ReplicaSet sync reads of a pod: its labels, controller,
 * activity (phase, deletion) and readiness. Binding, annotations and container states do not,
 * and a scale-out sends several of those per pod; syncing on them would only recount.
 */
function changesReplicaSetView(old: Pod, pod: Pod): boolean {
  return (
    old.status?.phase !== pod.status?.phase ||
    old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp ||
    controllerOf(old)?.uid !== controllerOf(pod)?.uid ||
    !sameReadiness(old, pod) ||
    !sameStringMap(old.metadata.labels, pod.metadata.labels)
  );
}

function sameReadiness(old: Pod, pod: Pod): boolean {
  const before = readyCondition(old);
  const after = readyCondition(pod);
  return (
    before?.status === after?.status && before?.lastTransitionTime === after?.lastTransitionTime
  );
}

/** The status counts, in one pass: this runs on every sync, over every pod the set owns. */
function countPods(
  rs: ReplicaSet,
  pods: readonly Pod[],
  now: number,
): { fully: number; ready: number; available: number } {
  const minReady = rs.spec.minReadySeconds ?? 0;
  const templateSelector = { matchLabels: rs.spec.template.metadata?.labels ?? {} };
  let fully = 0;
  let ready = 0;
  let available = 0;
  for (const p of pods) {
    if (matchesSelector(templateSelector, p.metadata.labels)) fully++;
    if (!isPodReady(p)) continue;
    ready++;
    // A ready pod with no minReadySeconds is available without reading its timestamps.
    if (minReady === 0 || msUntilAvailable(p, minReady, now) === 0) available++;
  }
  return { fully, ready, available };
}

function podPath(pod: Pod): string {
  return `/api/v1/namespaces/${nsOf(pod)}/pods/${pod.metadata.name ?? ''}`;
}

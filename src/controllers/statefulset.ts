import type { KubeObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isAlreadyExists,
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
  bumpRevision,
  createRevision,
  deleteRevision,
  hashRevisionData,
  maxRevision,
  ownedRevisions,
  revisionPath,
  revisionsToPrune,
  sameData,
  sortRevisions,
  templateOfRevision,
  templatePatch,
  type ControllerRevision,
} from './controller-history.ts';
import { canonicalJson } from './deployment-hash.ts';
import {
  asPod,
  clone,
  controllerOf,
  isEmptySelector,
  keyOf,
  matchesSelector,
  msUntilAvailable,
  nsOf,
  type Pod,
  type PodTemplate,
} from './deployment-objects.ts';
import {
  asStatefulSet,
  claimIsStale,
  claimsFor,
  identityLabelsMatch,
  isCreated,
  isFinished,
  isHealthy,
  isMemberOf,
  isRunningAndAvailable,
  isRunningAndReady,
  isTerminating,
  newStatefulSetPod,
  ordinalOf,
  POD_INDEX_LABEL,
  POD_NAME_LABEL,
  replicaCount,
  replicaStatus,
  retentionOwnerRefs,
  revisionOfPod,
  startOrdinal,
  type StatefulSet,
  type StatefulSetStatus,
} from './statefulset-pods.ts';

export interface StatefulSetControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly workers?: number;
}

const APPS = '/apis/apps/v1';

function setPath(set: KubeObject): string {
  return `${APPS}/namespaces/${nsOf(set)}/statefulsets/${set.metadata.name ?? ''}`;
}

function podPath(pod: KubeObject): string {
  return `/api/v1/namespaces/${nsOf(pod)}/pods/${pod.metadata.name ?? ''}`;
}

function claimPath(claim: KubeObject): string {
  return `/api/v1/namespaces/${nsOf(claim)}/persistentvolumeclaims/${claim.metadata.name ?? ''}`;
}

interface Revisions {
  readonly current: ControllerRevision;
  readonly update: ControllerRevision;
  readonly collisionCount: number;
  readonly all: readonly ControllerRevision[];
}

/** One sync's view: the set, its revisions, and the pods by slot. */
interface SyncState {
  readonly set: StatefulSet;
  readonly rev: Revisions;
  /** Pods for ordinals start…start+replicas-1; new ones (not yet created) have no status. */
  readonly replicas: Pod[];
  /** Pods outside the ordinal range, highest ordinal first. */
  readonly condemned: Pod[];
  readonly monotonic: boolean;
  readonly firstUnhealthy: Pod | undefined;
}

type Step = (i: number) => Promise<boolean>;

/**
 * Gives each replica a stable identity and storage, as kube-controller-manager's statefulset
 * controller: pods `<set>-<ordinal>` created in order (OrderedReady) or all at once (Parallel),
 * PVCs from volumeClaimTemplates made before their pod, scale-down from the highest ordinal,
 * and updates in reverse ordinal order down to the partition (RollingUpdate) or on deletion
 * (OnDelete). Templates are versioned as ControllerRevisions.
 */
export class StatefulSetController {
  readonly #opts: StatefulSetControllerOptions;
  readonly #events: EventRecorder;
  readonly #pods = new Map<string, Map<string, Pod>>();
  #setInformer: Informer | undefined;
  #claimInformer: Informer | undefined;
  #revInformer: Informer | undefined;
  #queue: WorkQueue | undefined;

  constructor(opts: StatefulSetControllerOptions) {
    this.#opts = opts;
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'statefulset-controller' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    this.#queue = queue;
    const informer = (path: string, handlers: InformerHandlers): Informer =>
      new Informer({ client: this.#opts.client, path, sleep: this.#opts.sleep, handlers });
    const enqueue = (o: KubeObject): void => {
      queue.add(keyOf(o));
    };
    this.#setInformer = informer(`${APPS}/statefulsets`, { onChange: enqueue, onDelete: enqueue });
    this.#revInformer = informer(`${APPS}/controllerrevisions`, {
      onChange: (r) => {
        this.#enqueueOwner(r);
      },
      onDelete: (r) => {
        this.#enqueueOwner(r);
      },
    });
    this.#claimInformer = informer('/api/v1/persistentvolumeclaims', {});
    const podInformer = informer('/api/v1/pods', {
      onChange: (p, old) => {
        this.#podChanged(asPod(p), old);
      },
      onDelete: (p) => {
        this.#pods.get(nsOf(p))?.delete(keyOf(p));
        this.#enqueueOwner(p);
      },
    });
    const all = [this.#setInformer, this.#revInformer, this.#claimInformer, podInformer];
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

  #owner(obj: KubeObject): StatefulSet | undefined {
    const ref = controllerOf(obj);
    if (ref?.kind !== 'StatefulSet') return undefined;
    const set = this.#setInformer?.get(`${nsOf(obj)}/${ref.name}`);
    return set?.metadata.uid === ref.uid ? asStatefulSet(set) : undefined;
  }

  #enqueueOwner(obj: KubeObject): void {
    const set = this.#owner(obj);
    if (set) this.#queue?.add(keyOf(set));
  }

  #podChanged(pod: Pod, old: KubeObject | undefined): void {
    let m = this.#pods.get(nsOf(pod));
    if (!m) {
      m = new Map();
      this.#pods.set(nsOf(pod), m);
    }
    m.set(keyOf(pod), pod);
    if (old && controllerOf(old)?.uid !== controllerOf(pod)?.uid) this.#enqueueOwner(old);
    if (controllerOf(pod) === undefined) this.#enqueueMatching(pod);
    else this.#enqueueOwner(pod);
  }

  #enqueueMatching(pod: Pod): void {
    for (const o of this.#setInformer?.list() ?? []) {
      const set = asStatefulSet(o);
      if (nsOf(set) === nsOf(pod) && matchesSelector(set.spec.selector, pod.metadata.labels))
        this.#queue?.add(keyOf(set));
    }
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.#setInformer?.get(key);
    if (!cached) return undefined;
    const set = asStatefulSet(clone(cached));
    if (isEmptySelector(set.spec.selector)) return undefined;
    const pods = (await this.#claim(set, [...(this.#pods.get(nsOf(set))?.values() ?? [])])).map(
      asPod,
    );
    const rev = await this.#revisions(set);
    const state = buildState(set, { rev, pods });
    const status = this.#status(state);
    let failure: Error | undefined;
    if (set.metadata.deletionTimestamp === undefined) {
      try {
        await this.#sync(state, status);
      } catch (e: unknown) {
        failure = toError(e);
      }
    }
    completeRollingUpdate(set, status);
    await this.#writeStatus(set, status);
    await this.#truncateHistory(state, pods);
    if (failure) throw failure;
    return this.#requeue(set, pods);
  }

  #claim(set: StatefulSet, objs: readonly KubeObject[]): Promise<KubeObject[]> {
    return claimObjects(
      {
        client: this.#opts.client,
        owner: set,
        ownerPath: setPath(set),
        selector: set.spec.selector,
        filter: (o) => o.kind === 'ControllerRevision' || isMemberOf(set, o),
        pathOf: (o) => (o.kind === 'ControllerRevision' ? revisionPath(o) : podPath(o)),
      },
      objs,
    );
  }

  /** getStatefulSetRevisions: the update revision for the template, and the current one. */
  async #revisions(set: StatefulSet): Promise<Revisions> {
    const mine = (this.#revInformer?.list() ?? []).filter((r) => nsOf(r) === nsOf(set));
    const revs = sortRevisions(ownedRevisions(set, await this.#claim(set, mine)));
    const data = templatePatch(set.spec.template);
    const next = maxRevision(revs) + 1;
    let collisionCount = set.status?.collisionCount ?? 0;
    const equal = revs.filter((r) => sameData(r, data));
    let update = equal.at(-1);
    if (update !== undefined && update !== revs.at(-1))
      update = await bumpRevision(this.#opts.client, update, next);
    if (update === undefined) {
      const made = await createRevision(this.#opts.client, {
        owner: set,
        nameFor: (c) => {
          const hash = hashRevisionData(data, c);
          return { name: `${set.metadata.name ?? ''}-${hash}`, hash };
        },
        labels: set.spec.template.metadata?.labels ?? {},
        data,
        revision: next,
        collisionCount,
      });
      update = made.revision;
      collisionCount = made.collisionCount;
    }
    const current = revs.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount, all: revs };
  }

  #status(s: SyncState): StatefulSetStatus {
    const counts = replicaStatus([...s.replicas, ...s.condemned], {
      minReadySeconds: s.set.spec.minReadySeconds ?? 0,
      now: this.#opts.clock.now(),
      current: s.rev.current.metadata.name ?? '',
      update: s.rev.update.metadata.name ?? '',
    });
    return {
      ...counts,
      observedGeneration: s.set.metadata.generation ?? 0,
      currentRevision: s.rev.current.metadata.name ?? '',
      updateRevision: s.rev.update.metadata.name ?? '',
      collisionCount: s.rev.collisionCount,
    };
  }

  /** updateStatefulSet after the revisions: replicas, condemned, then the rolling update. */
  async #sync(s: SyncState, status: StatefulSetStatus): Promise<void> {
    if (await runForAll(s.replicas.length, (i) => this.#processReplica(s, i), s.monotonic)) return;
    const fixClaims: Step = async (i) => {
      const pod = s.condemned[i];
      if (pod) await this.#fixRetention(s.set, pod);
      return false;
    };
    if (await runForAll(s.condemned.length, fixClaims, s.monotonic)) return;
    if (await runForAll(s.condemned.length, (i) => this.#processCondemned(s, i), s.monotonic))
      return;
    if ((s.set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'OnDelete') return;
    await this.#rollingUpdate(s, status);
  }

  /** Deletes the highest-ordinal pod not at the update revision, one at a time. */
  async #rollingUpdate(s: SyncState, status: StatefulSetStatus): Promise<void> {
    const partition = s.set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
    const update = s.rev.update.metadata.name ?? '';
    for (let target = s.replicas.length - 1; target >= partition; target--) {
      const pod = s.replicas[target];
      if (pod === undefined) continue;
      if (revisionOfPod(pod) !== update && !isTerminating(pod)) {
        await this.#deletePod(s.set, pod);
        status.currentReplicas = Math.max(0, (status.currentReplicas ?? 0) - 1);
        return;
      }
      if (!isHealthy(pod)) return;
    }
  }

  /** processReplica: returns true when a monotonic sync must stop here. */
  async #processReplica(s: SyncState, i: number): Promise<boolean> {
    const pod = s.replicas[i];
    if (pod === undefined) return false;
    if (isFinished(pod)) {
      // Recreated on a later sync, once the finished pod is gone.
      if (!isTerminating(pod)) await this.#deletePod(s.set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      if (this.#claimsStale(s.set, pod)) return true;
      await this.#createPod(s.set, pod);
      return s.monotonic;
    }
    if (pod.status?.phase === 'Pending') await this.#createClaims(s.set, pod);
    if (s.monotonic && !this.#healthyEnough(s.set, pod)) return true;
    await this.#fixRetention(s.set, pod);
    if (!identityLabelsMatch(pod)) await this.#fixIdentity(pod);
    return false;
  }

  #healthyEnough(set: StatefulSet, pod: Pod): boolean {
    if (isTerminating(pod) || !isRunningAndReady(pod)) return false;
    return isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, this.#opts.clock.now());
  }

  /** processCondemned: scale down from the highest ordinal, after predecessors are healthy. */
  async #processCondemned(s: SyncState, i: number): Promise<boolean> {
    const pod = s.condemned[i];
    if (pod === undefined) return false;
    if (isTerminating(pod)) return s.monotonic;
    if (s.monotonic && pod !== s.firstUnhealthy && !this.#healthyEnough(s.set, pod)) return true;
    await this.#deletePod(s.set, pod);
    return s.monotonic;
  }

  #cachedClaim(name: string, ns: string): KubeObject | undefined {
    return this.#claimInformer?.get(`${ns}/${name}`);
  }

  #claimsStale(set: StatefulSet, pod: Pod): boolean {
    return claimsFor(set, ordinalOf(pod)).some((c) => {
      const existing = this.#cachedClaim(c.metadata.name ?? '', nsOf(set));
      return existing !== undefined && claimIsStale(existing, pod);
    });
  }

  /** createPersistentVolumeClaims: the missing claims of a pod, owned per retention policy. */
  async #createClaims(set: StatefulSet, pod: Pod): Promise<void> {
    for (const claim of claimsFor(set, ordinalOf(pod))) {
      const name = claim.metadata.name ?? '';
      if (this.#cachedClaim(name, nsOf(set)) !== undefined) continue;
      const refs = retentionOwnerRefs(claim, { set, pod });
      if (refs !== undefined && refs.length > 0) claim.metadata.ownerReferences = refs;
      const podName = pod.metadata.name ?? '';
      const setName = set.metadata.name ?? '';
      try {
        await this.#opts.client.create(
          `/api/v1/namespaces/${nsOf(set)}/persistentvolumeclaims`,
          claim,
        );
        await this.#event(set, {
          reason: 'SuccessfulCreate',
          message: `create Claim ${name} Pod ${podName} in StatefulSet ${setName} success`,
        });
      } catch (e: unknown) {
        if (isAlreadyExists(e)) continue;
        await this.#event(set, {
          reason: 'FailedCreate',
          message: `create Claim ${name} for Pod ${podName} in StatefulSet ${setName} failed error: ${toError(e).message}`,
        });
        throw e;
      }
    }
  }

  async #createPod(set: StatefulSet, pod: Pod): Promise<void> {
    await this.#createClaims(set, pod);
    try {
      await this.#opts.client.create(`/api/v1/namespaces/${nsOf(set)}/pods`, pod);
    } catch (e: unknown) {
      // A create the cache has not shown yet: the pod is there, the next sync sees it.
      if (isAlreadyExists(e)) return;
      await this.#podEvent(set, { verb: 'create', pod, error: toError(e) });
      throw e;
    }
    await this.#podEvent(set, { verb: 'create', pod });
  }

  async #deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.#opts.client.delete(podPath(pod));
    } catch (e: unknown) {
      if (isNotFound(e)) return;
      await this.#podEvent(set, { verb: 'delete', pod, error: toError(e) });
      throw e;
    }
    await this.#podEvent(set, { verb: 'delete', pod });
  }

  /** updateIdentity for what a pod update may change: the identity labels. */
  async #fixIdentity(pod: Pod): Promise<void> {
    try {
      await this.#opts.client.patch(podPath(pod), {
        metadata: {
          labels: {
            [POD_NAME_LABEL]: pod.metadata.name ?? '',
            [POD_INDEX_LABEL]: String(ordinalOf(pod)),
          },
        },
      });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** ClaimsMatchRetentionPolicy / UpdatePodClaimForRetentionPolicy for one pod. */
  async #fixRetention(set: StatefulSet, pod: Pod): Promise<void> {
    for (const c of claimsFor(set, ordinalOf(pod))) {
      const claim = this.#cachedClaim(c.metadata.name ?? '', nsOf(set));
      if (claim === undefined) continue;
      const refs = retentionOwnerRefs(claim, { set, pod });
      if (refs === undefined) continue;
      try {
        await this.#opts.client.patch(claimPath(claim), {
          metadata: {
            ownerReferences: refs.length === 0 ? null : refs,
            resourceVersion: claim.metadata.resourceVersion,
          },
        });
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /** recordPodEvent's reasons and messages. */
  async #podEvent(
    set: StatefulSet,
    a: { verb: 'create' | 'delete'; pod: Pod; error?: Error },
  ): Promise<void> {
    const title = a.verb === 'create' ? 'Create' : 'Delete';
    const what = `${a.verb} Pod ${a.pod.metadata.name ?? ''} in StatefulSet ${set.metadata.name ?? ''}`;
    await this.#event(
      set,
      a.error === undefined
        ? { reason: `Successful${title}`, message: `${what} successful` }
        : { reason: `Failed${title}`, message: `${what} failed error: ${a.error.message}` },
    );
  }

  async #event(set: StatefulSet, e: { reason: string; message: string }): Promise<void> {
    await this.#events.record({
      object: set,
      type: e.reason.startsWith('Failed') ? 'Warning' : 'Normal',
      reason: e.reason,
      message: e.message,
    });
  }

  async #writeStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    const next = statusToWrite(set, status);
    if (canonicalJson(next) === canonicalJson(set.status ?? {})) return;
    try {
      await this.#opts.client.update(`${setPath(set)}/status`, { ...set, status: next });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** truncateHistory: keep revisionHistoryLimit revisions no pod and no status uses. */
  async #truncateHistory(s: SyncState, pods: readonly Pod[]): Promise<void> {
    const live = new Set<string>([
      s.rev.current.metadata.name ?? '',
      s.rev.update.metadata.name ?? '',
      ...pods.map(revisionOfPod),
    ]);
    const limit = s.set.spec.revisionHistoryLimit ?? 10;
    for (const r of revisionsToPrune(s.rev.all, { live, limit, countLive: false }))
      await deleteRevision(this.#opts.client, r);
  }

  #requeue(set: StatefulSet, pods: readonly Pod[]): ReconcileResult {
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady === 0) return undefined;
    const now = this.#opts.clock.now();
    const waits = pods
      .map((p) => msUntilAvailable(p, minReady, now))
      .filter((w): w is number => w !== undefined && w > 0);
    return waits.length === 0 ? undefined : { requeueAfterMs: Math.min(...waits) };
  }
}

/** runForAll: in order, stopping at the first step that says so; or all at once. */
async function runForAll(n: number, step: Step, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < n; i++) if (await step(i)) return true;
    return false;
  }
  const results = await Promise.allSettled(Array.from({ length: n }, (_, i) => step(i)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw toError(failed.reason);
  return false;
}

/** newVersionedStatefulSetPod: ordinals below the partition keep the current revision. */
function versionedPod(set: StatefulSet, a: { rev: Revisions; ordinal: number }): Pod {
  const current = a.rev.current;
  const strategy = set.spec.updateStrategy;
  const rolling = (strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  const partition = strategy?.rollingUpdate?.partition;
  const below =
    partition === undefined
      ? rolling && a.ordinal < startOrdinal(set) + (set.status?.currentReplicas ?? 0)
      : a.ordinal < startOrdinal(set) + partition;
  const rev = below ? current : a.rev.update;
  const template: PodTemplate = templateOfRevision(rev) ?? set.spec.template;
  return newStatefulSetPod(set, {
    template,
    ordinal: a.ordinal,
    revision: rev.metadata.name ?? '',
  });
}

function buildState(set: StatefulSet, a: { rev: Revisions; pods: readonly Pod[] }): SyncState {
  const start = startOrdinal(set);
  const count = replicaCount(set);
  const replicas: (Pod | undefined)[] = Array.from({ length: count }, () => undefined);
  const condemned: Pod[] = [];
  for (const pod of a.pods) {
    const ord = ordinalOf(pod);
    if (ord >= start && ord < start + count) replicas[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  const filled = replicas.map((p, i) => p ?? versionedPod(set, { rev: a.rev, ordinal: start + i }));
  condemned.sort((x, y) => ordinalOf(y) - ordinalOf(x));
  const firstUnhealthy =
    filled.find((p) => !isHealthy(p)) ?? [...condemned].reverse().find((p) => !isHealthy(p));
  return {
    set,
    rev: a.rev,
    replicas: filled,
    condemned,
    monotonic: set.spec.podManagementPolicy !== 'Parallel',
    firstUnhealthy,
  };
}

/** completeRollingUpdate: once every replica is updated and ready, the update is current. */
function completeRollingUpdate(set: StatefulSet, s: StatefulSetStatus): void {
  const rolling = (set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
  if (rolling && s.updatedReplicas === s.replicas && s.readyReplicas === s.replicas) {
    s.currentReplicas = s.updatedReplicas;
    if (s.updateRevision !== undefined) s.currentRevision = s.updateRevision;
  }
}

const OMIT_EMPTY: ReadonlySet<string> = new Set([
  'readyReplicas',
  'currentReplicas',
  'updatedReplicas',
]);

function statusToWrite(set: StatefulSet, s: StatefulSetStatus): StatefulSetStatus {
  // SAFETY: only optional counters are dropped; `replicas` and `availableReplicas` stay.
  const next = Object.fromEntries(
    Object.entries(s).filter(([k, v]) => !(OMIT_EMPTY.has(k) && v === 0)),
  ) as unknown as StatefulSetStatus;
  if (set.status?.conditions !== undefined) next.conditions = set.status.conditions;
  return next;
}

import type { KubeObject, OwnerReference } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isAlreadyExists,
  isNotFound,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import { toError, type Clock } from '../util/index.ts';
import {
  canonicalJson,
  computeTemplateHash,
  equalIgnoreHash,
  POD_TEMPLATE_HASH_LABEL,
} from './deployment-hash.ts';
import {
  calculateStatus,
  deploymentComplete,
  deploymentProgressing,
  deploymentTimedOut,
  desiredReplicasAnnotation,
  filterActive,
  findActiveOrLatest,
  getCondition,
  hasProgressDeadline,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  maxUnavailable,
  msToDeadline,
  newCondition,
  newRSNewReplicas,
  proportion,
  removeCondition,
  replicasAnnotationsNeedUpdate,
  REVISION,
  revisionOf,
  setCondition,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
  sumActualReplicas,
  sumAvailableReplicas,
  sumSpecReplicas,
} from './deployment-math.ts';
import {
  asDeployment,
  asPod,
  asReplicaSet,
  byCreation,
  clone,
  controllerOf,
  controllerRef,
  isEmptySelector,
  keyOf,
  matchesSelector,
  nsOf,
  replicasOf,
  type Condition,
  type Deployment,
  type DeploymentStatus,
  type ReplicaSet,
} from './deployment-objects.ts';

export interface DeploymentControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly workers?: number;
}

const APPS = '/apis/apps/v1';

/** One sync's view: the deployment and its ReplicaSets, kept current as this sync writes. */
interface Sync {
  readonly d: Deployment;
  rss: ReplicaSet[];
}

interface Split {
  readonly newRS: ReplicaSet | undefined;
  readonly olds: ReplicaSet[];
}

function split(s: Sync): Split {
  const newRS = [...s.rss]
    .sort(byCreation)
    .find((rs) => equalIgnoreHash(rs.spec.template, s.d.spec.template));
  return { newRS, olds: s.rss.filter((rs) => rs !== newRS) };
}

const all = (sp: Split): ReplicaSet[] => (sp.newRS ? [...sp.olds, sp.newRS] : [...sp.olds]);

/**
 * Rolls Deployments out through ReplicaSets, as kube-controller-manager's deployment
 * controller: one ReplicaSet per pod template (named by its hash), RollingUpdate within
 * maxSurge/maxUnavailable or Recreate, proportional scaling, revision history and the
 * Available/Progressing conditions `kubectl rollout status` reads.
 */
export class DeploymentController {
  readonly #opts: DeploymentControllerOptions;
  readonly #events: EventRecorder;
  #deployments: Informer | undefined;
  #replicaSets: Informer | undefined;
  #pods: Informer | undefined;
  #queue: WorkQueue | undefined;

  constructor(opts: DeploymentControllerOptions) {
    this.#opts = opts;
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'deployment-controller' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    this.#queue = queue;
    const informer = (
      path: string,
      h: ConstructorParameters<typeof Informer>[0]['handlers'],
    ): Informer =>
      new Informer({ client: this.#opts.client, path, sleep: this.#opts.sleep, handlers: h });
    const deployments = informer(`${APPS}/deployments`, {
      onChange: (d) => {
        queue.add(keyOf(d));
      },
      onDelete: (d) => {
        queue.add(keyOf(d));
      },
    });
    const replicaSets = informer(`${APPS}/replicasets`, {
      onChange: (rs, old) => {
        if (old) this.#enqueueOwner(old);
        this.#enqueueOwner(rs);
        if (controllerOf(rs) === undefined) this.#enqueueMatching(asReplicaSet(rs));
      },
      onDelete: (rs) => {
        this.#enqueueOwner(rs);
      },
    });
    // Recreate waits for old pods to be gone, so their deletion is news.
    const pods = informer('/api/v1/pods', {
      onDelete: (pod) => {
        const ref = controllerOf(pod);
        const rs = ref && this.#replicaSets?.get(`${nsOf(pod)}/${ref.name}`);
        if (rs?.metadata.uid === ref?.uid && rs) this.#enqueueOwner(rs);
      },
    });
    this.#deployments = deployments;
    this.#replicaSets = replicaSets;
    this.#pods = pods;
    const informers = [deployments, replicaSets, pods];
    await Promise.all([
      ...informers.map((i) => i.run(signal)),
      Promise.all(informers.map((i) => i.waitForSync())).then(() =>
        runWorkers({
          queue,
          workers: this.#opts.workers ?? 2,
          reconcile: (k) => this.reconcile(k),
        }),
      ),
    ]);
  }

  #enqueueOwner(rs: KubeObject): void {
    const ref = controllerOf(rs);
    if (ref?.kind !== 'Deployment') return;
    const d = this.#deployments?.get(`${nsOf(rs)}/${ref.name}`);
    if (d?.metadata.uid === ref.uid) this.#queue?.add(keyOf(d));
  }

  #enqueueMatching(rs: ReplicaSet): void {
    for (const o of this.#deployments?.list() ?? []) {
      const d = asDeployment(o);
      if (nsOf(d) === nsOf(rs) && matchesSelector(d.spec.selector, rs.metadata.labels))
        this.#queue?.add(keyOf(d));
    }
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const cached = this.#deployments?.get(key);
    if (!cached) return undefined;
    const d = asDeployment(clone(cached));
    d.status ??= {};
    if (isEmptySelector(d.spec.selector)) return this.#selectingAll(d);
    const s: Sync = { d, rss: await this.#claimReplicaSets(d) };
    if (d.metadata.deletionTimestamp !== undefined) {
      await this.#syncStatus(s, split(s));
      return undefined;
    }
    await this.#checkPausedConditions(d);
    if (d.spec.paused === true || (await this.#isScalingEvent(s))) return this.#sync(s);
    return isRollingUpdate(d) ? this.#rolloutRolling(s) : this.#rolloutRecreate(s);
  }

  async #selectingAll(d: Deployment): Promise<ReconcileResult> {
    await this.#events.record({
      object: d,
      type: 'Warning',
      reason: 'SelectingAll',
      message: 'This deployment is selecting all pods. A non-empty selector is required.',
    });
    if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
      (d.status ??= {}).observedGeneration = d.metadata.generation ?? 0;
      await this.#writeStatus(d);
    }
    return undefined;
  }

  // ---- ownership -------------------------------------------------------------------------

  /** Claims as ControllerRefManager: keep ours that match, release ours that don't, adopt orphans. */
  async #claimReplicaSets(d: Deployment): Promise<ReplicaSet[]> {
    const out: ReplicaSet[] = [];
    let canAdopt: boolean | undefined;
    for (const o of this.#replicaSets?.list() ?? []) {
      if (nsOf(o) !== nsOf(d)) continue;
      const rs = asReplicaSet(clone(o));
      const action = claimAction(d, rs);
      if (action === 'keep') out.push(rs);
      if (action === 'release') await this.#setOwners(rs, othersThan(d, rs));
      if (action !== 'adopt') continue;
      canAdopt ??= await this.#stillLive(d);
      if (!canAdopt) continue;
      const refs = [...(rs.metadata.ownerReferences ?? []), controllerRef(d)];
      const adopted = await this.#setOwners(rs, refs);
      if (adopted) out.push(adopted);
    }
    return out;
  }

  async #stillLive(d: Deployment): Promise<boolean> {
    try {
      const fresh = await this.#opts.client.get(
        `${APPS}/namespaces/${nsOf(d)}/deployments/${d.metadata.name ?? ''}`,
      );
      return (
        fresh.metadata.uid === d.metadata.uid && fresh.metadata.deletionTimestamp === undefined
      );
    } catch (e: unknown) {
      if (isNotFound(e)) return false;
      throw e;
    }
  }

  async #setOwners(
    rs: ReplicaSet,
    refs: NonNullable<ReplicaSet['metadata']['ownerReferences']>,
  ): Promise<ReplicaSet | undefined> {
    try {
      const patched = await this.#opts.client.patch(rsPath(rs), {
        metadata: {
          ownerReferences: refs.length === 0 ? null : refs,
          resourceVersion: rs.metadata.resourceVersion,
        },
      });
      return asReplicaSet(patched);
    } catch (e: unknown) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  // ---- writes ----------------------------------------------------------------------------

  async #writeStatus(d: Deployment): Promise<void> {
    const res = await this.#opts.client.update(`${dPath(d)}/status`, d);
    // Later writes in this sync build on this one, not on the stale cached version.
    if (res.metadata.resourceVersion !== undefined)
      d.metadata.resourceVersion = res.metadata.resourceVersion;
  }

  async #writeReplicaSet(s: Sync, rs: ReplicaSet): Promise<ReplicaSet> {
    const updated = asReplicaSet(await this.#opts.client.update(rsPath(rs), rs));
    s.rss = s.rss.map((x) => (x.metadata.uid === updated.metadata.uid ? updated : x));
    return updated;
  }

  /** scaleReplicaSet: sets size and replica annotations; a size change is an event. */
  async #scale(s: Sync, rs: ReplicaSet, to: number): Promise<boolean> {
    const desired = replicasOf(s.d);
    const max = desired + maxSurge(s.d);
    const from = replicasOf(rs);
    if (from === to && !replicasAnnotationsNeedUpdate(rs, desired, max)) return false;
    const copy = clone(rs);
    copy.spec.replicas = to;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.#writeReplicaSet(s, copy);
    if (from === to) return false;
    await this.#events.record({
      object: s.d,
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message: `Scaled ${from < to ? 'up' : 'down'} replica set ${updated.metadata.name ?? ''} from ${String(from)} to ${String(to)}`,
    });
    return true;
  }

  /** scaleReplicaSetAndRecordEvent: nothing to do when the size is already right. */
  async #scaleTo(s: Sync, rs: ReplicaSet, to: number): Promise<boolean> {
    return replicasOf(rs) === to ? false : this.#scale(s, rs, to);
  }

  // ---- the new ReplicaSet ------------------------------------------------------------------

  /** getAllReplicaSetsAndSyncRevision: finds (or creates) the new ReplicaSet, syncing revisions. */
  async #syncRevision(s: Sync, create: boolean): Promise<Split> {
    const sp = split(s);
    const revision = maxRevision(sp.olds) + 1;
    if (sp.newRS) await this.#syncExistingNew(s, sp.newRS, revision);
    else if (create) await this.#createNew(s, sp.olds, revision);
    return split(s);
  }

  async #syncExistingNew(s: Sync, existing: ReplicaSet, revision: number): Promise<void> {
    const { d } = s;
    const copy = clone(existing);
    const annotated = setNewReplicaSetAnnotations(d, copy, { revision, exists: true });
    if (annotated || (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
      copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
      await this.#writeReplicaSet(s, copy);
      return;
    }
    let dirty = setRevision(d, copy.metadata.annotations?.[REVISION] ?? '');
    dirty = this.#noteFoundNew(d, copy.metadata.name ?? '') || dirty;
    if (dirty) await this.#writeStatus(d);
  }

  /** A deployment with no Progressing condition yet starts its clock at the found ReplicaSet. */
  #noteFoundNew(d: Deployment, name: string): boolean {
    if (!hasProgressDeadline(d) || !d.status || getCondition(d.status, 'Progressing')) return false;
    setCondition(
      d.status,
      this.#progressing('True', 'FoundNewReplicaSet', `Found new replica set "${name}"`),
    );
    return true;
  }

  #progressing(status: Condition['status'], reason: string, message: string): Condition {
    return newCondition({ type: 'Progressing', status, reason, message }, this.#opts.clock.now());
  }

  #newReplicaSet(d: Deployment, olds: readonly ReplicaSet[], revision: number): ReplicaSet {
    const hash = computeTemplateHash(d.spec.template, d.status?.collisionCount);
    const template = clone(d.spec.template);
    const labels = { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash };
    template.metadata = { ...template.metadata, labels };
    const selector = clone(d.spec.selector);
    selector.matchLabels = { ...selector.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata.name ?? ''}-${hash}`,
        namespace: nsOf(d),
        labels: { ...labels },
        ownerReferences: [controllerRef(d)],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    rs.spec.replicas = newRSNewReplicas(d, [...olds, rs], rs);
    setNewReplicaSetAnnotations(d, rs, { revision, exists: false });
    return rs;
  }

  async #createNew(s: Sync, olds: readonly ReplicaSet[], revision: number): Promise<void> {
    const { d } = s;
    const rs = this.#newReplicaSet(d, olds, revision);
    const name = rs.metadata.name ?? '';
    let created: ReplicaSet;
    let existed = false;
    try {
      created = asReplicaSet(
        await this.#opts.client.create(`${APPS}/namespaces/${nsOf(d)}/replicasets`, rs),
      );
    } catch (e: unknown) {
      if (!isAlreadyExists(e)) return this.#createFailed(d, name, e);
      created = await this.#resolveCollision(d, rs, e);
      existed = true;
    }
    s.rss = [...s.rss.filter((x) => x.metadata.uid !== created.metadata.uid), created];
    const n = replicasOf(created);
    if (!existed && n > 0)
      await this.#events.record({
        object: d,
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        message: `Scaled up replica set ${name} from 0 to ${String(n)}`,
      });
    let dirty = setRevision(d, String(revision));
    if (!existed && hasProgressDeadline(d) && d.status) {
      setCondition(
        d.status,
        this.#progressing('True', 'NewReplicaSetCreated', `Created new replica set "${name}"`),
      );
      dirty = true;
    }
    if (dirty) await this.#writeStatus(d);
  }

  /** A name clash is ours when the existing ReplicaSet is this deployment's, same template. */
  async #resolveCollision(d: Deployment, rs: ReplicaSet, err: unknown): Promise<ReplicaSet> {
    const found = asReplicaSet(await this.#opts.client.get(rsPath(rs)));
    if (
      controllerOf(found)?.uid === d.metadata.uid &&
      equalIgnoreHash(d.spec.template, found.spec.template)
    )
      return found;
    // A hash collision: the next attempt hashes with a bumped collisionCount.
    const status = (d.status ??= {});
    status.collisionCount = (status.collisionCount ?? 0) + 1;
    await this.#writeStatus(d);
    throw err;
  }

  async #createFailed(d: Deployment, name: string, e: unknown): Promise<never> {
    const msg = `Failed to create new replica set "${name}": ${toError(e).message}`;
    if (hasProgressDeadline(d) && d.status) {
      setCondition(d.status, this.#progressing('False', 'ReplicaSetCreateError', msg));
      await this.#writeStatus(d).catch(() => undefined);
    }
    await this.#events.record({
      object: d,
      type: 'Warning',
      reason: 'ReplicaSetCreateError',
      message: msg,
    });
    throw e;
  }

  // ---- strategies ----------------------------------------------------------------------------

  async #rolloutRolling(s: Sync): Promise<ReconcileResult> {
    const sp = await this.#syncRevision(s, true);
    if (sp.newRS && (await this.#reconcileNewRS(s, sp.newRS))) return this.#syncRolloutStatus(s);
    if (await this.#reconcileOldRSs(s)) return this.#syncRolloutStatus(s);
    if (s.d.status && deploymentComplete(s.d, s.d.status)) await this.#cleanup(s);
    return this.#syncRolloutStatus(s);
  }

  async #reconcileNewRS(s: Sync, newRS: ReplicaSet): Promise<boolean> {
    const want = replicasOf(s.d);
    if (replicasOf(newRS) === want) return false;
    if (replicasOf(newRS) > want) return this.#scaleTo(s, newRS, want);
    return this.#scaleTo(s, newRS, newRSNewReplicas(s.d, all(split(s)), newRS));
  }

  async #reconcileOldRSs(s: Sync): Promise<boolean> {
    const sp = split(s);
    if (sumSpecReplicas(sp.olds) === 0) return false;
    const newRS = sp.newRS;
    const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
    const newUnavailable = newRS ? replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
    const maxScaledDown = sumSpecReplicas(all(sp)) - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return false;
    const cleaned = await this.#cleanupUnhealthy(s, maxScaledDown);
    const scaled = await this.#scaleDownOldForRolling(s);
    return cleaned + scaled > 0;
  }

  /** Old pods that are not available go first: removing them costs no availability. */
  async #cleanupUnhealthy(s: Sync, maxCleanup: number): Promise<number> {
    let total = 0;
    for (const rs of filterActive(split(s).olds).sort(byCreation)) {
      if (total >= maxCleanup) break;
      const unhealthy = replicasOf(rs) - (rs.status?.availableReplicas ?? 0);
      if (unhealthy <= 0) continue;
      const n = Math.min(maxCleanup - total, unhealthy);
      await this.#scaleTo(s, rs, replicasOf(rs) - n);
      total += n;
    }
    return total;
  }

  async #scaleDownOldForRolling(s: Sync): Promise<number> {
    const sp = split(s);
    const minAvailable = replicasOf(s.d) - maxUnavailable(s.d);
    const active = filterActive(sp.olds);
    const available = sumAvailableReplicas(sp.newRS ? [...active, sp.newRS] : active);
    if (available <= minAvailable) return 0;
    const budget = available - minAvailable;
    let total = 0;
    for (const rs of active.sort(byCreation)) {
      if (total >= budget) break;
      const n = Math.min(replicasOf(rs), budget - total);
      await this.#scaleTo(s, rs, replicasOf(rs) - n);
      total += n;
    }
    return total;
  }

  async #rolloutRecreate(s: Sync): Promise<ReconcileResult> {
    let sp = await this.#syncRevision(s, false);
    let scaledDown = false;
    for (const rs of filterActive(sp.olds))
      scaledDown = (await this.#scaleTo(s, rs, 0)) || scaledDown;
    if (scaledDown || this.#oldPodsRunning(s, split(s))) return this.#syncRolloutStatus(s);
    if (!sp.newRS) sp = await this.#syncRevision(s, true);
    if (sp.newRS) await this.#scaleTo(s, sp.newRS, replicasOf(s.d));
    if (s.d.status && deploymentComplete(s.d, s.d.status)) await this.#cleanup(s);
    return this.#syncRolloutStatus(s);
  }

  #oldPodsRunning(s: Sync, sp: Split): boolean {
    if (sumActualReplicas(sp.olds) > 0) return true;
    const oldUids = new Set(sp.olds.map((rs) => rs.metadata.uid));
    return (this.#pods?.list() ?? []).some((p) => {
      if (nsOf(p) !== nsOf(s.d) || !oldUids.has(controllerOf(p)?.uid)) return false;
      if (!matchesSelector(s.d.spec.selector, p.metadata.labels)) return false;
      const phase = asPod(p).status?.phase;
      return phase !== 'Failed' && phase !== 'Succeeded';
    });
  }

  // ---- scaling and paused ----------------------------------------------------------------------

  async #isScalingEvent(s: Sync): Promise<boolean> {
    const sp = await this.#syncRevision(s, false);
    return filterActive(all(sp)).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== replicasOf(s.d);
    });
  }

  async #sync(s: Sync): Promise<ReconcileResult> {
    await this.#syncRevision(s, false);
    await this.#scaleAll(s);
    if (s.d.spec.paused === true) await this.#cleanup(s);
    await this.#syncStatus(s, split(s));
    return undefined;
  }

  /** dc.scale: one active ReplicaSet takes the change; otherwise it is shared in proportion. */
  async #scaleAll(s: Sync): Promise<void> {
    const { d } = s;
    const sp = split(s);
    const only = findActiveOrLatest(sp.newRS, sp.olds);
    if (only) {
      await this.#scaleTo(s, only, replicasOf(d));
      return;
    }
    if (isSaturated(d, sp.newRS)) {
      for (const rs of filterActive(sp.olds)) await this.#scaleTo(s, rs, 0);
      return;
    }
    if (isRollingUpdate(d)) await this.#scaleProportionally(s, filterActive(all(sp)));
  }

  async #scaleProportionally(s: Sync, active: ReplicaSet[]): Promise<void> {
    const { d } = s;
    const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
    const toAdd = allowed - sumSpecReplicas(active);
    // Growth goes to the largest (newest on ties) first, shrinking to the largest oldest.
    active.sort(
      (a, b) => replicasOf(b) - replicasOf(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)),
    );
    let added = 0;
    const sizes = active.map((rs) => {
      const p = toAdd === 0 ? 0 : proportion(rs, d, { toAdd, added });
      added += p;
      return replicasOf(rs) + p;
    });
    if (toAdd !== 0 && sizes.length > 0) sizes[0] = Math.max(0, (sizes[0] ?? 0) + toAdd - added);
    for (const [i, rs] of active.entries()) await this.#scale(s, rs, sizes[i] ?? replicasOf(rs));
  }

  async #checkPausedConditions(d: Deployment): Promise<void> {
    const status = d.status;
    if (!status || !hasProgressDeadline(d)) return;
    const cond = getCondition(status, 'Progressing');
    if (cond?.reason === 'ProgressDeadlineExceeded') return;
    const pausedShown = cond?.reason === 'DeploymentPaused';
    const paused = d.spec.paused === true;
    if (paused === pausedShown) return;
    setCondition(
      status,
      paused
        ? this.#progressing('Unknown', 'DeploymentPaused', 'Deployment is paused')
        : this.#progressing('Unknown', 'DeploymentResumed', 'Deployment is resumed'),
    );
    await this.#writeStatus(d);
  }

  /** Deletes the oldest empty ReplicaSets beyond revisionHistoryLimit. */
  async #cleanup(s: Sync): Promise<void> {
    const limit = s.d.spec.revisionHistoryLimit;
    if (limit === undefined) return;
    const cleanable = split(s).olds.filter((rs) => rs.metadata.deletionTimestamp === undefined);
    const excess = cleanable.length - limit;
    if (excess <= 0) return;
    cleanable.sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of cleanable.slice(0, excess)) {
      if (isBusy(rs)) continue;
      try {
        await this.#opts.client.delete(rsPath(rs));
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  // ---- status ------------------------------------------------------------------------------

  async #syncStatus(s: Sync, sp: Split): Promise<void> {
    const status = calculateStatus(all(sp), sp.newRS, { d: s.d, now: this.#opts.clock.now() });
    if (canonicalJson(status) === canonicalJson(s.d.status)) return;
    s.d.status = status;
    await this.#writeStatus(s.d);
  }

  async #syncRolloutStatus(s: Sync): Promise<ReconcileResult> {
    const { d } = s;
    const sp = split(s);
    const now = this.#opts.clock.now();
    const status = calculateStatus(all(sp), sp.newRS, { d, now });
    if (!hasProgressDeadline(d)) removeCondition(status, 'Progressing');
    this.#progress(d, { status, newRS: sp.newRS, now });
    this.#replicaFailure(status, sp);
    if (canonicalJson(status) === canonicalJson(d.status))
      return this.#requeueStuck(d, status, now);
    d.status = status;
    await this.#writeStatus(d);
    return undefined;
  }

  /** The Progressing condition, as syncRolloutStatus moves it. */
  #progress(
    d: Deployment,
    a: { status: DeploymentStatus; newRS: ReplicaSet | undefined; now: number },
  ): void {
    const current = d.status ? getCondition(d.status, 'Progressing') : undefined;
    const complete =
      a.status.replicas === a.status.updatedReplicas &&
      current?.reason === 'NewReplicaSetAvailable';
    if (!hasProgressDeadline(d) || complete) return;
    const next = this.#nextProgress(d, {
      status: a.status,
      subject: subjectOf(d, a.newRS),
      now: a.now,
    });
    if (next?.reason !== 'ReplicaSetUpdated') {
      if (next) setCondition(a.status, next);
      return;
    }
    // Progress refreshes lastUpdateTime even with an unchanged reason: that restarts the deadline.
    if (current?.status === 'True' && current.lastTransitionTime !== undefined)
      next.lastTransitionTime = current.lastTransitionTime;
    removeCondition(a.status, 'Progressing');
    setCondition(a.status, next);
  }

  #nextProgress(
    d: Deployment,
    a: { status: DeploymentStatus; subject: string; now: number },
  ): Condition | undefined {
    if (deploymentComplete(d, a.status))
      return this.#progressing(
        'True',
        'NewReplicaSetAvailable',
        `${a.subject} has successfully progressed.`,
      );
    if (deploymentProgressing(d, a.status))
      return this.#progressing('True', 'ReplicaSetUpdated', `${a.subject} is progressing.`);
    if (deploymentTimedOut(d, a.status, a.now))
      return this.#progressing(
        'False',
        'ProgressDeadlineExceeded',
        `${a.subject} has timed out progressing.`,
      );
    return undefined;
  }

  #replicaFailure(status: DeploymentStatus, sp: Split): void {
    const source = [...(sp.newRS ? [sp.newRS] : []), ...sp.olds];
    const failure = source
      .flatMap((rs) => rs.status?.conditions ?? [])
      .find((c) => c.type === 'ReplicaFailure');
    if (failure)
      setCondition(status, { ...failure, lastUpdateTime: failure.lastTransitionTime ?? '' });
    else removeCondition(status, 'ReplicaFailure');
  }

  /** Looks again when the progress deadline would pass, so a stuck rollout is reported. */
  #requeueStuck(d: Deployment, status: DeploymentStatus, now: number): ReconcileResult {
    const c = getCondition(status, 'Progressing');
    if (!c || deploymentComplete(d, status) || c.reason === 'ProgressDeadlineExceeded')
      return undefined;
    const left = msToDeadline(d, status, now);
    if (left === undefined) return undefined;
    return { requeueAfterMs: left < 1000 ? Math.max(left, 5) : left + 1000 };
  }
}

function othersThan(d: Deployment, rs: ReplicaSet): OwnerReference[] {
  return (rs.metadata.ownerReferences ?? []).filter((r) => r.uid !== d.metadata.uid);
}

function subjectOf(d: Deployment, newRS: ReplicaSet | undefined): string {
  return newRS
    ? `ReplicaSet "${newRS.metadata.name ?? ''}"`
    : `Deployment "${d.metadata.name ?? ''}"`;
}

function claimAction(d: Deployment, rs: ReplicaSet): 'keep' | 'release' | 'adopt' | 'skip' {
  const ref = controllerOf(rs);
  const matches = matchesSelector(d.spec.selector, rs.metadata.labels);
  const deleting = d.metadata.deletionTimestamp !== undefined;
  if (ref !== undefined) {
    if (ref.uid !== d.metadata.uid) return 'skip';
    if (matches) return 'keep';
    return deleting ? 'skip' : 'release';
  }
  if (!matches || deleting || rs.metadata.deletionTimestamp !== undefined) return 'skip';
  return 'adopt';
}

/** A ReplicaSet that still has or may still get pods is history worth keeping. */
function isBusy(rs: ReplicaSet): boolean {
  return (
    (rs.status?.replicas ?? 0) !== 0 ||
    replicasOf(rs) !== 0 ||
    (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)
  );
}

function setRevision(d: Deployment, revision: string): boolean {
  const a = (d.metadata.annotations ??= {});
  if (a[REVISION] === revision) return false;
  a[REVISION] = revision;
  return true;
}

function rsPath(rs: KubeObject): string {
  return `${APPS}/namespaces/${nsOf(rs)}/replicasets/${rs.metadata.name ?? ''}`;
}

function dPath(d: KubeObject): string {
  return `${APPS}/namespaces/${nsOf(d)}/deployments/${d.metadata.name ?? ''}`;
}

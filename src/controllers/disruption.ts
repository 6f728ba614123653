import { isDeepStrictEqual } from 'node:util';
import { isJsonObject, type KubeObject, type OwnerReference } from '../api/index.ts';
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
  controllerOf,
  isPodReady,
  matchesSelector,
  parseTime,
  type LabelSelector,
} from './deployment-objects.ts';

export interface DisruptionControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  readonly workers?: number;
}

/** How long a pod listed in disruptedPods may take to be deleted before it counts again. */
const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

interface PdbStatus {
  currentHealthy?: number;
  desiredHealthy?: number;
  disruptionsAllowed?: number;
  expectedPods?: number;
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  conditions?: MetaCondition[];
}

interface Pdb extends KubeObject {
  spec?: {
    selector?: LabelSelector | null;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
  };
  status?: PdbStatus;
}

// The API server validated the object as a PodDisruptionBudget; its fields are all optional.
const asPdb = (o: KubeObject): Pdb => o;

/** A failure that upstream reports as the DisruptionAllowed condition's SyncFailed message. */
class SyncFailed extends Error {}

/** intstr.GetScaledValueFromIntOrPercent with rounding up. */
export function scaledValue(v: number | string, total: number): number {
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new SyncFailed(`invalid value for IntOrString: invalid value "${v}"`);
  return Math.ceil((Number(m[1]) * total) / 100);
}

interface ControllerScale {
  readonly uid: string;
  readonly replicas: number;
}

const WORKLOAD_PATHS: Readonly<Record<string, string>> = {
  ReplicationController: '/api/v1/namespaces/NS/replicationcontrollers/',
  ReplicaSet: '/apis/apps/v1/namespaces/NS/replicasets/',
  Deployment: '/apis/apps/v1/namespaces/NS/deployments/',
  StatefulSet: '/apis/apps/v1/namespaces/NS/statefulsets/',
};

function replicasOf(o: KubeObject): number {
  const spec = o['spec'];
  const r = isJsonObject(spec) ? spec['replicas'] : undefined;
  return typeof r === 'number' ? r : 1;
}

/**
 * kube-controller-manager's disruption controller: each PodDisruptionBudget's status says how
 * many of its pods are healthy, how many must be, and how many may be disrupted now.
 */
export class DisruptionController {
  readonly #opts: DisruptionControllerOptions;
  readonly #events: EventRecorder;
  #pdbs: Informer | undefined;
  #pods: Informer | undefined;

  constructor(opts: DisruptionControllerOptions) {
    this.#opts = opts;
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'controllermanager' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const pdbs: Informer = new Informer({
      client: this.#opts.client,
      path: '/apis/policy/v1/poddisruptionbudgets',
      sleep: this.#opts.sleep,
      handlers: {
        onChange: (o) => {
          queue.add(objectKey(o));
        },
      },
    });
    const onPod = (pod: KubeObject): void => {
      for (const p of pdbs.list()) {
        if (p.metadata.namespace !== pod.metadata.namespace) continue;
        if (selects(asPdb(p), pod)) queue.add(objectKey(p));
      }
    };
    const pods = new Informer({
      client: this.#opts.client,
      path: '/api/v1/pods',
      sleep: this.#opts.sleep,
      handlers: {
        onChange: (pod, old) => {
          onPod(pod);
          if (old) onPod(old);
        },
        onDelete: onPod,
      },
    });
    this.#pdbs = pdbs;
    this.#pods = pods;
    const start = async (): Promise<void> => {
      await Promise.all([pdbs.waitForSync(), pods.waitForSync()]);
      await runWorkers({
        queue,
        workers: this.#opts.workers ?? 2,
        reconcile: (k) => this.reconcile(k),
      });
    };
    await Promise.all([pdbs.run(signal), pods.run(signal), start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const obj = this.#pdbs?.get(key);
    if (!obj || obj.metadata.deletionTimestamp !== undefined) return undefined;
    const pdb = asPdb(obj);
    try {
      return await this.#sync(pdb);
    } catch (e: unknown) {
      if (isNotFound(e)) return undefined;
      await this.#failSafe(pdb, e instanceof Error ? e.message : String(e));
      throw e;
    }
  }

  async #sync(pdb: Pdb): Promise<ReconcileResult> {
    const pods = (this.#pods?.list() ?? []).filter(
      (p) => p.metadata.namespace === pdb.metadata.namespace && selects(pdb, p),
    );
    if (pods.length === 0)
      await this.#event(pdb, {
        type: 'Normal',
        reason: 'NoPods',
        message: 'No matching pods found',
      });
    const expected = await this.#expected(pdb, pods);
    if (expected.unmanaged.length > 0) {
      await this.#event(pdb, {
        type: 'Warning',
        reason: 'UnmanagedPods',
        message: `Pods selected by this PodDisruptionBudget (selector: ${selectorText(pdb)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      });
    }
    const now = this.#opts.clock.now();
    const { disrupted, recheckAt } = await this.#disruptedPods(pdb, pods, now);
    const healthy = countHealthy(pods, disrupted, now);
    await this.#updateStatus(pdb, {
      currentHealthy: healthy,
      desiredHealthy: expected.desiredHealthy,
      expectedPods: expected.count,
      disruptedPods: disrupted,
    });
    return recheckAt === undefined ? undefined : { requeueAfterMs: Math.max(0, recheckAt - now) };
  }

  #event(
    pdb: Pdb,
    e: { type: 'Normal' | 'Warning'; reason: string; message: string },
  ): Promise<void> {
    return this.#events.record({ object: pdb, ...e });
  }

  /** getExpectedPodCount: the pods there should be and how many of them must stay healthy. */
  async #expected(
    pdb: Pdb,
    pods: readonly KubeObject[],
  ): Promise<{ count: number; desiredHealthy: number; unmanaged: string[] }> {
    const { maxUnavailable, minAvailable } = pdb.spec ?? {};
    if (maxUnavailable !== undefined) {
      const { count, unmanaged } = await this.#expectedScale(pods);
      const desiredHealthy = Math.max(0, count - scaledValue(maxUnavailable, count));
      return { count, desiredHealthy, unmanaged };
    }
    if (typeof minAvailable === 'number')
      return { count: pods.length, desiredHealthy: minAvailable, unmanaged: [] };
    if (minAvailable !== undefined) {
      const { count, unmanaged } = await this.#expectedScale(pods);
      return { count, desiredHealthy: scaledValue(minAvailable, count), unmanaged };
    }
    return { count: 0, desiredHealthy: 0, unmanaged: [] };
  }

  /** getExpectedScale: the summed replicas of the pods' distinct controllers. */
  async #expectedScale(
    pods: readonly KubeObject[],
  ): Promise<{ count: number; unmanaged: string[] }> {
    const scales = new Map<string, number>();
    const seen = new Set<string>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata.name ?? '');
        continue;
      }
      if (seen.has(ref.uid)) continue;
      const found = await this.#findScale(ref, pod.metadata.namespace ?? '');
      if (!found) throw new SyncFailed(`found no controllers for pod "${pod.metadata.name ?? ''}"`);
      seen.add(ref.uid);
      scales.set(found.uid, found.replicas);
    }
    let count = 0;
    for (const r of scales.values()) count += r;
    return { count, unmanaged };
  }

  async #get(path: string): Promise<KubeObject | undefined> {
    try {
      return await this.#opts.client.get(path);
    } catch (e: unknown) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  /** The finders: a ReplicaSet owned by a Deployment counts as the Deployment. */
  async #findScale(ref: OwnerReference, ns: string): Promise<ControllerScale | undefined> {
    const base = WORKLOAD_PATHS[ref.kind]?.replace('NS', ns);
    const obj =
      base === undefined ? await this.#genericOwner(ref, ns) : await this.#get(base + ref.name);
    if (obj?.metadata.uid !== ref.uid) return undefined;
    const parent = ref.kind === 'ReplicaSet' ? controllerOf(obj) : undefined;
    if (parent?.kind === 'Deployment') {
      const dep = await this.#get(`/apis/apps/v1/namespaces/${ns}/deployments/${parent.name}`);
      if (dep?.metadata.uid === parent.uid) return { uid: parent.uid, replicas: replicasOf(dep) };
    }
    return { uid: ref.uid, replicas: replicasOf(obj) };
  }

  /** Any other controller with a scale subresource (getScaleController). */
  async #genericOwner(ref: OwnerReference, ns: string): Promise<KubeObject | undefined> {
    const prefix = ref.apiVersion.includes('/')
      ? `/apis/${ref.apiVersion}`
      : `/api/${ref.apiVersion}`;
    const list = await this.#opts.client.raw<{ resources?: { name: string; kind: string }[] }>(
      prefix,
    );
    const res = list.resources?.find((r) => r.kind === ref.kind && !r.name.includes('/'));
    if (!res) return undefined;
    const scale = await this.#get(`${prefix}/namespaces/${ns}/${res.name}/${ref.name}/scale`);
    if (!scale) return undefined;
    return { ...scale, metadata: { ...scale.metadata, uid: scale.metadata.uid ?? ref.uid } };
  }

  /** buildDisruptedPodMap: entries still within the deletion timeout. */
  async #disruptedPods(
    pdb: Pdb,
    pods: readonly KubeObject[],
    now: number,
  ): Promise<{ disrupted: Record<string, string>; recheckAt: number | undefined }> {
    const listed = pdb.status?.disruptedPods ?? {};
    const disrupted: Record<string, string> = {};
    let recheckAt: number | undefined;
    for (const pod of pods) {
      if (pod.metadata.deletionTimestamp !== undefined) continue;
      const name = pod.metadata.name ?? '';
      const at = parseTime(listed[name]);
      if (at === undefined) continue;
      const deadline = at + DELETION_TIMEOUT_MS;
      if (deadline < now) {
        await this.#events.record({
          object: pod,
          type: 'Warning',
          reason: 'NotDeleted',
          message: `Pod was expected by PDB ${pdb.metadata.namespace ?? ''}/${pdb.metadata.name ?? ''} to be deleted but it wasn't`,
        });
        continue;
      }
      disrupted[name] = listed[name] ?? '';
      recheckAt = recheckAt === undefined ? deadline : Math.min(recheckAt, deadline);
    }
    return { disrupted, recheckAt };
  }

  async #updateStatus(
    pdb: Pdb,
    s: {
      currentHealthy: number;
      desiredHealthy: number;
      expectedPods: number;
      disruptedPods: Record<string, string>;
    },
  ): Promise<void> {
    let allowed = s.currentHealthy - s.desiredHealthy;
    if (s.expectedPods <= 0 || allowed <= 0) allowed = 0;
    const generation = pdb.metadata.generation ?? 0;
    const cur = pdb.status ?? {};
    const condition = allowed > 0 ? 'True' : 'False';
    const want = { ...s, disruptionsAllowed: allowed, observedGeneration: generation };
    const upToDate = statusMatches(cur, want) && conditionCurrent(cur, condition, generation);
    if (upToDate) return;
    const status: PdbStatus & Record<string, unknown> = {
      ...(Object.keys(s.disruptedPods).length > 0 ? { disruptedPods: s.disruptedPods } : {}),
      disruptionsAllowed: allowed,
      currentHealthy: s.currentHealthy,
      desiredHealthy: s.desiredHealthy,
      expectedPods: s.expectedPods,
      observedGeneration: generation,
      conditions: setCondition(cur.conditions, {
        type: 'DisruptionAllowed',
        status: condition,
        reason: allowed > 0 ? 'SufficientPods' : 'InsufficientPods',
        message: '',
        observedGeneration: generation,
        now: this.#opts.clock.now(),
      }),
    };
    await this.#writeStatus(pdb, status);
  }

  async #writeStatus(pdb: Pdb, status: Record<string, unknown>): Promise<void> {
    const ns = pdb.metadata.namespace ?? '';
    await this.#opts.client.update(
      `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/${pdb.metadata.name ?? ''}/status`,
      { ...pdb, status },
    );
  }

  /** failSafe: no disruptions while the status cannot be computed. */
  async #failSafe(pdb: Pdb, message: string): Promise<void> {
    const cur = pdb.status ?? {};
    const status = {
      ...cur,
      disruptionsAllowed: 0,
      conditions: setCondition(cur.conditions, {
        type: 'DisruptionAllowed',
        status: 'False',
        reason: 'SyncFailed',
        message,
        observedGeneration: cur.observedGeneration ?? 0,
        now: this.#opts.clock.now(),
      }),
    };
    try {
      await this.#writeStatus(pdb, status);
    } catch {
      // The original failure is what gets retried; this write is best effort.
    }
  }
}

function statusMatches(cur: PdbStatus, want: Required<Omit<PdbStatus, 'conditions'>>): boolean {
  return (
    cur.currentHealthy === want.currentHealthy &&
    cur.desiredHealthy === want.desiredHealthy &&
    cur.expectedPods === want.expectedPods &&
    cur.disruptionsAllowed === want.disruptionsAllowed &&
    isDeepStrictEqual(cur.disruptedPods ?? {}, want.disruptedPods) &&
    cur.observedGeneration === want.observedGeneration
  );
}

function selects(pdb: Pdb, pod: KubeObject): boolean {
  // policy/v1: an empty selector selects every pod in the namespace; a null one none.
  const sel = pdb.spec?.selector;
  if (sel === null || sel === undefined) return false;
  return matchesSelector(sel, pod.metadata.labels);
}

function selectorText(pdb: Pdb): string {
  const sel = pdb.spec?.selector ?? {};
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}:${v},`);
  return `&LabelSelector{MatchLabels:map[string]string{${parts.join('')}},MatchExpressions:[]LabelSelectorRequirement{},}`;
}

function countHealthy(
  pods: readonly KubeObject[],
  disrupted: Record<string, string>,
  now: number,
): number {
  let n = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp !== undefined) continue;
    const at = parseTime(disrupted[pod.metadata.name ?? '']);
    if (at !== undefined && at + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) n++;
  }
  return n;
}

interface MetaCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
  lastTransitionTime?: string;
}

function conditionCurrent(cur: PdbStatus, status: string, generation: number): boolean {
  const c = cur.conditions?.find((x) => x.type === 'DisruptionAllowed');
  return c?.status === status && c.observedGeneration === generation;
}

/** apimeta.SetStatusCondition: the transition time moves only when the status changes. */
function setCondition(
  conditions: readonly MetaCondition[] | undefined,
  c: Required<Omit<MetaCondition, 'lastTransitionTime'>> & { now: number },
): MetaCondition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((x) => x.type === c.type);
  const prev = list[i];
  const next: MetaCondition = {
    type: c.type,
    status: c.status,
    observedGeneration: c.observedGeneration,
    lastTransitionTime:
      prev?.status === c.status && prev.lastTransitionTime !== undefined
        ? prev.lastTransitionTime
        : rfc3339(c.now),
    reason: c.reason,
    message: c.message,
  };
  if (i < 0) list.push(next);
  else list[i] = next;
  return list;
}

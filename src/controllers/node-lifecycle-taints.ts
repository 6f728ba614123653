import type { KubeObject } from '../api/index.ts';

/** Node and Pod shapes the node lifecycle and taint eviction controllers read. */

export interface Taint {
  key: string;
  value?: string;
  effect: string;
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface NodeCondition {
  type: string;
  status: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface Node extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean };
  status?: { conditions?: NodeCondition[] };
}

export interface TaintedPod extends KubeObject {
  spec?: { nodeName?: string; tolerations?: Toleration[] };
  status?: { conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

// The API server validated these objects; their fields are all read as optional.
export const asNode = (o: KubeObject): Node => o;
export const asTaintedPod = (o: KubeObject): TaintedPod => o;

export const UNREACHABLE = 'node.kubernetes.io/unreachable';
export const NOT_READY = 'node.kubernetes.io/not-ready';
export const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** nodeConditionToTaintKeyStatusMap: which condition status puts which NoSchedule taint on. */
const CONDITION_TAINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Ready: { False: NOT_READY, Unknown: UNREACHABLE },
  MemoryPressure: { True: 'node.kubernetes.io/memory-pressure' },
  DiskPressure: { True: 'node.kubernetes.io/disk-pressure' },
  NetworkUnavailable: { True: 'node.kubernetes.io/network-unavailable' },
  PIDPressure: { True: 'node.kubernetes.io/pid-pressure' },
};

const CONDITION_TAINT_KEYS = new Set(
  Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)),
);

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  return op === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

/** GetMatchingTolerations: undefined when some taint is not tolerated. */
export function matchingTolerations(
  taints: readonly Taint[],
  tolerations: readonly Toleration[],
): Toleration[] | undefined {
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = tolerations.find((x) => toleratesTaint(x, taint));
    if (!t) return undefined;
    used.push(t);
  }
  return used;
}

/**
 * getMinTolerationTime in milliseconds: 0 for no tolerations (evict now), -1 when every used
 * toleration is unbounded (never evict).
 */
export function minTolerationMs(used: readonly Toleration[]): number {
  if (used.length === 0) return 0;
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = min === undefined ? t.tolerationSeconds : Math.min(min, t.tolerationSeconds);
  }
  return min === undefined ? -1 : min * 1000;
}

const sameTaint = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;

/**
 * The node's taints as the node lifecycle controller wants them: NoSchedule taints following
 * the conditions (doNoScheduleTaintingPass) and the NoExecute taint following Ready. Taints
 * kept keep their timeAdded; new ones get `now`.
 */
export function desiredTaints(node: Node, now: string): Taint[] {
  const want = wantedTaints(node);
  // A NoExecute taint is only swapped while Ready is known: upstream leaves it alone otherwise.
  const keepNoExecute = readyCondition(node) === undefined;
  const out = (node.spec?.taints ?? []).filter(
    (t) =>
      !isManaged(t) ||
      want.some((w) => sameTaint(w, t)) ||
      (keepNoExecute && t.effect === 'NoExecute'),
  );
  for (const w of want) if (!out.some((t) => sameTaint(t, w))) out.push({ ...w, timeAdded: now });
  return out;
}

function wantedTaints(node: Node): Taint[] {
  const want: Taint[] = [];
  for (const c of node.status?.conditions ?? []) {
    const key = CONDITION_TAINTS[c.type]?.[c.status];
    if (key !== undefined) want.push({ key, effect: 'NoSchedule' });
  }
  if (node.spec?.unschedulable === true) want.push({ key: UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = readyCondition(node)?.status;
  if (ready === 'False') want.push({ key: NOT_READY, effect: 'NoExecute' });
  if (ready === 'Unknown') want.push({ key: UNREACHABLE, effect: 'NoExecute' });
  return want;
}

/** Taints this controller owns; any other taint on the node is left as it is. */
function isManaged(t: Taint): boolean {
  if (t.effect === 'NoSchedule') return t.key === UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key);
  return t.effect === 'NoExecute' && (t.key === UNREACHABLE || t.key === NOT_READY);
}

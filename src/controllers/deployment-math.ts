import { rfc3339 } from '../util/index.ts';
import {
  byCreation,
  parseTime,
  replicasOf,
  type Condition,
  type Deployment,
  type DeploymentStatus,
  type ReplicaSet,
} from './deployment-objects.ts';

/** Pure arithmetic of the deployment controller (upstream's deploymentutil). */

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';

/** Deployment annotations a ReplicaSet never inherits. */
const SKIPPED_ANNOTATIONS = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

/** intstr.GetScaledValueFromIntOrPercent. */
export function scaledValue(
  v: number | string | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) return Number.parseInt(v, 10) || 0;
  const scaled = (Number.parseInt(v.slice(0, -1), 10) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

/** ResolveFenceposts: surge rounds up, unavailability down, and both zero means one unavailable. */
function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const desired = replicasOf(d);
  const surge = scaledValue(ru.maxSurge ?? '25%', desired, true);
  const unavailable = scaledValue(ru.maxUnavailable ?? '25%', desired, false);
  return { surge, unavailable: surge === 0 && unavailable === 0 ? 1 : unavailable };
}

export function maxSurge(d: Deployment): number {
  return isRollingUpdate(d) ? fenceposts(d).surge : 0;
}

export function maxUnavailable(d: Deployment): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d) || desired === 0) return 0;
  return Math.min(fenceposts(d).unavailable, desired);
}

export const sumSpecReplicas = (rss: readonly ReplicaSet[]): number =>
  rss.reduce((n, rs) => n + replicasOf(rs), 0);
export const sumActualReplicas = (rss: readonly ReplicaSet[]): number =>
  rss.reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
export const sumReadyReplicas = (rss: readonly ReplicaSet[]): number =>
  rss.reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
export const sumAvailableReplicas = (rss: readonly ReplicaSet[]): number =>
  rss.reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);

export const filterActive = (rss: readonly ReplicaSet[]): ReplicaSet[] =>
  rss.filter((rs) => replicasOf(rs) > 0);

/** NewRSNewReplicas: how far the new ReplicaSet may grow now. */
export function newRSNewReplicas(
  d: Deployment,
  all: readonly ReplicaSet[],
  newRS: ReplicaSet,
): number {
  const desired = replicasOf(d);
  if (!isRollingUpdate(d)) return desired;
  const maxTotal = desired + maxSurge(d);
  const current = sumSpecReplicas(all);
  if (current >= maxTotal) return replicasOf(newRS);
  return replicasOf(newRS) + Math.min(maxTotal - current, desired - replicasOf(newRS));
}

export function revisionOf(rs: ReplicaSet): number {
  const n = Number.parseInt(rs.metadata.annotations?.[REVISION] ?? '', 10);
  return Number.isNaN(n) ? 0 : n;
}

export function maxRevision(rss: readonly ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function setAnnotation(
  obj: { metadata: { annotations?: Record<string, string> } },
  kv: [string, string],
): boolean {
  const a = (obj.metadata.annotations ??= {});
  if (a[kv[0]] === kv[1]) return false;
  a[kv[0]] = kv[1];
  return true;
}

export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = setAnnotation(rs, [DESIRED_REPLICAS, String(desired)]);
  const b = setAnnotation(rs, [MAX_REPLICAS, String(max)]);
  return a || b;
}

export function replicasAnnotationsNeedUpdate(
  rs: ReplicaSet,
  desired: number,
  max: number,
): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  const n = Number.parseInt(rs.metadata.annotations?.[DESIRED_REPLICAS] ?? '', 10);
  return Number.isNaN(n) ? undefined : n;
}

/**
 * SetNewReplicaSetAnnotations: copies the deployment's own annotations, raises the revision
 * (keeping the superseded ones in revision-history when a rollback revives an old
 * ReplicaSet), and on a new ReplicaSet records the replica annotations. Mutates `rs`.
 */
export function setNewReplicaSetAnnotations(
  d: Deployment,
  rs: ReplicaSet,
  opts: { revision: number; exists: boolean },
): boolean {
  let changed = copyAnnotations(d, rs);
  changed = raiseRevision(rs, opts.revision) || changed;
  if (!opts.exists)
    changed = setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d)) || changed;
  return changed;
}

function copyAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {}))
    if (!SKIPPED_ANNOTATIONS.has(k)) changed = setAnnotation(rs, [k, v]) || changed;
  return changed;
}

function raiseRevision(rs: ReplicaSet, revision: number): boolean {
  const old = rs.metadata.annotations?.[REVISION];
  const oldN = old === undefined ? 0 : Number.parseInt(old, 10);
  if (Number.isNaN(oldN) || oldN >= revision) return false;
  setAnnotation(rs, [REVISION, String(revision)]);
  if (old !== undefined) {
    const history = rs.metadata.annotations?.[REVISION_HISTORY] ?? '';
    setAnnotation(rs, [REVISION_HISTORY, history === '' ? old : `${history},${old}`]);
  }
  return true;
}

export function getCondition(s: DeploymentStatus, type: string): Condition | undefined {
  return s.conditions?.find((c) => c.type === type);
}

export function removeCondition(s: DeploymentStatus, type: string): void {
  const rest = (s.conditions ?? []).filter((c) => c.type !== type);
  if (rest.length > 0) s.conditions = rest;
  else delete s.conditions;
}

export function newCondition(
  c: Pick<Condition, 'type' | 'status' | 'reason' | 'message'>,
  now: number,
): Condition {
  const t = rfc3339(now);
  return {
    type: c.type,
    status: c.status,
    lastUpdateTime: t,
    lastTransitionTime: t,
    ...pickReason(c),
  };
}

function pickReason(
  c: Pick<Condition, 'reason' | 'message'>,
): Pick<Condition, 'reason' | 'message'> {
  return {
    ...(c.reason === undefined ? {} : { reason: c.reason }),
    ...(c.message === undefined ? {} : { message: c.message }),
  };
}

/** SetDeploymentCondition: same status and reason is no change; same status keeps its transition time. */
export function setCondition(s: DeploymentStatus, c: Condition): void {
  const cur = getCondition(s, c.type);
  if (cur?.status === c.status && cur.reason === c.reason) return;
  const next = { ...c };
  if (cur?.status === c.status && cur.lastTransitionTime !== undefined)
    next.lastTransitionTime = cur.lastTransitionTime;
  s.conditions = [...(s.conditions ?? []).filter((x) => x.type !== c.type), next];
}

/** calculateStatus: counts from the ReplicaSets, and the Available condition. */
export function calculateStatus(
  all: readonly ReplicaSet[],
  newRS: ReplicaSet | undefined,
  opts: { d: Deployment; now: number },
): DeploymentStatus {
  const { d } = opts;
  const available = sumAvailableReplicas(all);
  const unavailable = Math.max(0, sumSpecReplicas(all) - available);
  const counts: [keyof DeploymentStatus, number][] = [
    ['replicas', sumActualReplicas(all)],
    ['updatedReplicas', newRS ? sumActualReplicas([newRS]) : 0],
    ['readyReplicas', sumReadyReplicas(all)],
    ['availableReplicas', available],
    ['unavailableReplicas', unavailable],
  ];
  const status: DeploymentStatus = { observedGeneration: d.metadata.generation ?? 0 };
  // Every count is `omitempty` upstream.
  for (const [k, v] of counts) if (v > 0) Object.assign(status, { [k]: v });
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  const ok = available >= replicasOf(d) - maxUnavailable(d);
  setCondition(
    status,
    newCondition(
      ok
        ? {
            type: 'Available',
            status: 'True',
            reason: 'MinimumReplicasAvailable',
            message: 'Deployment has minimum availability.',
          }
        : {
            type: 'Available',
            status: 'False',
            reason: 'MinimumReplicasUnavailable',
            message: 'Deployment does not have minimum availability.',
          },
      opts.now,
    ),
  );
  return status;
}

export function hasProgressDeadline(d: Deployment): boolean {
  const s = d.spec.progressDeadlineSeconds;
  return s !== undefined && s !== 2147483647;
}

export function deploymentComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (
    (s.updatedReplicas ?? 0) === want &&
    (s.replicas ?? 0) === want &&
    (s.availableReplicas ?? 0) === want &&
    (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0)
  );
}

export function deploymentProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = counts(d.status ?? {});
  const now = counts(s);
  return (
    now.updated > old.updated ||
    now.total - now.updated < old.total - old.updated ||
    now.ready > old.ready ||
    now.available > old.available
  );
}

function counts(s: DeploymentStatus): {
  total: number;
  updated: number;
  ready: number;
  available: number;
} {
  return {
    total: s.replicas ?? 0,
    updated: s.updatedReplicas ?? 0,
    ready: s.readyReplicas ?? 0,
    available: s.availableReplicas ?? 0,
  };
}

/** Milliseconds left before the Progressing condition's deadline (negative once passed). */
export function msToDeadline(d: Deployment, s: DeploymentStatus, now: number): number | undefined {
  const c = getCondition(s, 'Progressing');
  const from = parseTime(c?.lastUpdateTime);
  if (!hasProgressDeadline(d) || from === undefined) return undefined;
  return from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - now;
}

export function deploymentTimedOut(d: Deployment, s: DeploymentStatus, now: number): boolean {
  const c = getCondition(s, 'Progressing');
  if (!hasProgressDeadline(d) || !c) return false;
  if (c.reason === 'NewReplicaSetAvailable') return false;
  if (c.reason === 'ProgressDeadlineExceeded') return true;
  const left = msToDeadline(d, s, now);
  return left !== undefined && left < 0;
}

/** FindActiveOrLatest: the one ReplicaSet with pods, or the newest when none has any. */
export function findActiveOrLatest(
  newRS: ReplicaSet | undefined,
  olds: readonly ReplicaSet[],
): ReplicaSet | undefined {
  if (!newRS && olds.length === 0) return undefined;
  const sorted = [...olds].sort(byCreation).reverse();
  const active = filterActive(newRS ? [...sorted, newRS] : sorted);
  if (active.length === 0) return newRS ?? sorted[0];
  return active.length === 1 ? active[0] : undefined;
}

export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = replicasOf(d);
  return (
    replicasOf(rs) === want &&
    desiredReplicasAnnotation(rs) === want &&
    (rs.status?.availableReplicas ?? 0) === want
  );
}

/** GetProportion: this ReplicaSet's share of a proportional scale, capped by what is left. */
export function proportion(
  rs: ReplicaSet,
  d: Deployment,
  opts: { toAdd: number; added: number },
): number {
  if (replicasOf(rs) === 0 || opts.toAdd === 0 || opts.toAdd === opts.added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = opts.toAdd - opts.added;
  return opts.toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const maxNow = replicasOf(d) + maxSurge(d);
  const n = Number.parseInt(rs.metadata.annotations?.[MAX_REPLICAS] ?? '', 10);
  const before = Number.isNaN(n) ? (d.status?.replicas ?? 0) : n;
  if (before === 0) return 0;
  const exact = (replicasOf(rs) * maxNow) / before;
  // Go's math.Round: halves away from zero.
  return Math.sign(exact) * Math.round(Math.abs(exact)) - replicasOf(rs);
}

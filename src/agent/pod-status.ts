import type { ContainerStatus } from '../runtime/index.ts';
import { rfc3339 } from '../util/index.ts';
import { qosClass } from './pod-model.ts';
import type { ContainerRecord, PodRecord } from './pod-record.ts';

type Json = Record<string, unknown>;

const CONTAINER_ID = (runtime: string, id: string): string => `${runtime}://${id}`;

function terminated(s: ContainerStatus, runtime: string): Json {
  return {
    terminated: {
      exitCode: s.exitCode ?? 0,
      reason: s.reason ?? (s.exitCode === 0 ? 'Completed' : 'Error'),
      startedAt: s.startedAt === undefined ? null : rfc3339(s.startedAt),
      finishedAt: s.finishedAt === undefined ? null : rfc3339(s.finishedAt),
      containerID: CONTAINER_ID(runtime, s.id),
    },
  };
}

const isRunning = (c: ContainerRecord): boolean => c.current?.state === 'running';
const hasExited = (c: ContainerRecord): boolean => c.current?.state === 'exited';

function current(cur: ContainerStatus | undefined, runtime: string): Json | undefined {
  if (cur?.state === 'running') {
    return { running: { startedAt: rfc3339(cur.startedAt ?? cur.createdAt) } };
  }
  return cur?.state === 'exited' ? terminated(cur, runtime) : undefined;
}

/** The state the kubelet shows: waiting while a (re)start is pending, else the runtime's. */
function states(
  c: ContainerRecord,
  a: { runtime: string; initializing: boolean },
): { state: Json; lastState: Json } {
  const last = c.previous === undefined ? {} : terminated(c.previous, a.runtime);
  const cur = c.current;
  if (c.waiting !== undefined) {
    const lastState = cur?.state === 'exited' ? terminated(cur, a.runtime) : last;
    const { reason, message } = c.waiting;
    return {
      state: { waiting: { reason, ...(message === undefined ? {} : { message }) } },
      lastState,
    };
  }
  const state = current(cur, a.runtime);
  if (state !== undefined) return { state, lastState: last };
  const reason = a.initializing && !c.init ? 'PodInitializing' : 'ContainerCreating';
  return { state: { waiting: { reason } }, lastState: last };
}

function containerStatus(c: ContainerRecord, a: { runtime: string; initializing: boolean }): Json {
  const { state, lastState } = states(c, a);
  return {
    name: c.spec.name,
    state,
    lastState,
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.spec.image,
    imageID: c.imageId,
    ...(c.id === undefined ? {} : { containerID: CONTAINER_ID(a.runtime, c.id) }),
    started: isRunning(c) && c.started,
  };
}

/** Whether every init container has done its part: exited 0, or (sidecars) started. */
export function initialized(rec: PodRecord): boolean {
  return rec.containers
    .filter((c) => c.init)
    .every((c) =>
      c.sidecar
        ? isRunning(c) && c.started
        : hasExited(c) && c.current?.exitCode === 0 && c.waiting === undefined,
    );
}

type Tally = Record<'running' | 'waiting' | 'stopped' | 'succeeded', number>;

/** Counts regular containers as getPhase does: a waiting one that ran before counts as stopped. */
function tally(rec: PodRecord): Tally {
  const t: Tally = { running: 0, waiting: 0, stopped: 0, succeeded: 0 };
  for (const c of rec.containers.filter((x) => !x.init)) {
    const pending = c.waiting !== undefined;
    if (isRunning(c) && !pending) t.running++;
    else if (hasExited(c) || c.previous !== undefined) {
      t.stopped++;
      if (hasExited(c) && !pending && c.current?.exitCode === 0) t.succeeded++;
    } else t.waiting++;
  }
  return t;
}

/**
 * The pod's phase as the kubelet's getPhase decides it. A terminating pod whose containers
 * all stopped ends Succeeded or Failed whatever its restart policy.
 */
export function podPhase(rec: PodRecord, terminating: boolean): string {
  if (rec.initFailed) return 'Failed';
  if (!initialized(rec)) return 'Pending';
  const t = tally(rec);
  if (t.waiting > 0) return 'Pending';
  if (t.running > 0) return 'Running';
  if (t.stopped === 0) return 'Pending';
  const policy = terminating ? 'Never' : rec.spec.restartPolicy;
  if (policy === 'Always') return 'Running';
  if (t.succeeded === t.stopped) return 'Succeeded';
  return policy === 'OnFailure' ? 'Running' : 'Failed';
}

function condition(
  rec: PodRecord,
  a: { type: string; ok: boolean; now: number; reason?: string; message?: string },
): Json {
  const status = a.ok ? 'True' : 'False';
  const seen = rec.transitions.get(a.type);
  const at = seen?.status === status ? seen.at : a.now;
  rec.transitions.set(a.type, { status, at });
  return {
    type: a.type,
    status,
    lastProbeTime: null,
    lastTransitionTime: rfc3339(at),
    ...(a.reason === undefined ? {} : { reason: a.reason }),
    ...(a.message === undefined ? {} : { message: a.message }),
  };
}

function conditions(rec: PodRecord, a: { now: number; phase: string }): Json[] {
  const init = initialized(rec) || a.phase === 'Succeeded';
  // Kubelet's sidecars count as initialized once started; plain init containers once exited 0.
  const regular = rec.containers.filter((c) => !c.init);
  const notReady = regular.filter((c) => !c.ready).map((c) => c.spec.name);
  const pendingInit = rec.containers
    .filter(
      (c) => c.init && !(hasExited(c) && c.current?.exitCode === 0) && !(c.sidecar && c.started),
    )
    .map((c) => c.spec.name);
  const completed = a.phase === 'Succeeded' || a.phase === 'Failed';
  const readyWhy = completed
    ? { reason: 'PodCompleted' }
    : {
        reason: 'ContainersNotReady',
        message: `containers with unready status: [${notReady.join(' ')}]`,
      };
  const ready = notReady.length === 0 && !completed;
  const c = (
    type: string,
    ok: boolean,
    why: { reason: string; message?: string } = { reason: '' },
  ): Json => condition(rec, { type, ok, now: a.now, ...(ok || why.reason === '' ? {} : why) });
  return [
    c('PodReadyToStartContainers', rec.sandbox !== undefined),
    c('Initialized', init, {
      reason: 'ContainersNotInitialized',
      message: `containers with incomplete status: [${pendingInit.join(' ')}]`,
    }),
    c('Ready', ready, readyWhy),
    c('ContainersReady', ready, readyWhy),
    c('PodScheduled', true),
  ];
}

/** The pod status the kubelet would write now. */
export function buildPodStatus(
  rec: PodRecord,
  a: { now: number; hostIp: string; runtime: string; terminating: boolean },
): Json {
  const phase = podPhase(rec, a.terminating);
  const initializing = !initialized(rec);
  const opts = { runtime: a.runtime, initializing };
  const ip = rec.sandbox?.ip;
  const init = rec.containers.filter((c) => c.init);
  return {
    phase,
    conditions: conditions(rec, { now: a.now, phase }),
    hostIP: a.hostIp,
    hostIPs: [{ ip: a.hostIp }],
    ...(ip === undefined ? {} : { podIP: ip, podIPs: [{ ip }] }),
    startTime: rfc3339(rec.startTime),
    ...(init.length === 0
      ? {}
      : { initContainerStatuses: init.map((c) => containerStatus(c, opts)) }),
    containerStatuses: rec.containers
      .filter((c) => !c.init)
      .map((c) => containerStatus(c, { ...opts, initializing })),
    qosClass: qosClass(rec.spec),
  };
}

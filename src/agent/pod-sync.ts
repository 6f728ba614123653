import { isJsonObject } from '../api/index.ts';
import type { EventRecorder } from '../client/index.ts';
import {
  hasExec,
  hasProbes,
  isRuntimeError,
  type ContainerRuntime,
  type ProbeKind,
  type PulledImage,
} from '../runtime/index.ts';
import { toError, type Clock } from '../util/index.ts';
import { formatGoDuration } from './go-duration.ts';
import { fieldPath, podDescription, type ContainerRecord, type PodRecord } from './pod-record.ts';
import { initialized } from './pod-status.ts';

/** The kubelet's container restart back-off: 10 s doubling to 5 min, reset after 10 min of calm. */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

export interface PodSyncDeps {
  readonly runtime: ContainerRuntime;
  readonly clock: Clock;
  /** The node's kubelet event recorder; undefined once the node is no longer hosted. */
  readonly recorder: (node: string) => EventRecorder | undefined;
  /** Asks for another sync of the pod (after an operation in flight finished). */
  readonly enqueue: (key: string) => void;
  /** The pod's IP on the node: the node's own address for a host-network pod. */
  readonly allocateIp: (node: string, hostNetwork: boolean) => string;
}

type EventType = 'Normal' | 'Warning';

const PROBE_TITLE: Readonly<Record<ProbeKind, string>> = {
  startup: 'Startup',
  readiness: 'Readiness',
  liveness: 'Liveness',
};

/** Moves the back-off on as the kubelet's flowcontrol.Backoff.Next does. */
function nextBackoff(
  b: { ms: number; lastUpdate: number } | undefined,
  at: number,
): { ms: number; lastUpdate: number } {
  if (b === undefined || at - b.lastUpdate > 2 * BACKOFF_MAX_MS)
    return { ms: BACKOFF_INITIAL_MS, lastUpdate: at };
  return { ms: Math.min(b.ms * 2, BACKOFF_MAX_MS), lastUpdate: at };
}

/**
 * Drives one pod towards its spec through the runtime, as the kubelet's SyncPod: sandbox, init
 * containers in order (sidecars stay up), then containers, restarts with back-off, probes.
 * Long operations (pulls, starts, stops) run in the background and re-enqueue the pod, so a
 * sync never waits for them.
 */
export class PodSync {
  readonly #d: PodSyncDeps;

  constructor(deps: PodSyncDeps) {
    this.#d = deps;
  }

  #now(): number {
    return this.#d.clock.now();
  }

  #event(
    rec: PodRecord,
    e: { c?: ContainerRecord; type: EventType; reason: string; message: string },
  ): void {
    // A pod still finishing on a node just removed has no kubelet left to report it.
    void this.#d.recorder(rec.node)?.record({
      object: { apiVersion: 'v1', kind: 'Pod', ...rec.pod },
      type: e.type,
      reason: e.reason,
      message: e.message,
      ...(e.c === undefined ? {} : { fieldPath: fieldPath(e.c) }),
    });
  }

  /** One pass; returns when the pod next needs a look (ms from now), if it does. */
  async sync(rec: PodRecord): Promise<number | undefined> {
    if (rec.sandbox === undefined) {
      const spec = rec.pod['spec'];
      const hostNetwork = isJsonObject(spec) && spec['hostNetwork'] === true;
      const ip = this.#d.allocateIp(rec.node, hostNetwork);
      rec.sandbox = await this.#d.runtime.createSandbox({
        podUid: rec.uid,
        namespace: rec.pod.metadata.namespace ?? '',
        name: rec.pod.metadata.name ?? '',
        annotations: rec.pod.metadata.annotations ?? {},
        ip,
      });
    }
    await this.refresh(rec);
    const wake: number[] = [];
    if (this.#syncInit(rec, wake)) {
      for (const c of rec.containers.filter((x) => !x.init)) this.#syncContainer(rec, c, wake);
    }
    await this.#probeAll(rec, wake);
    const next = Math.min(...wake);
    return Number.isFinite(next) ? Math.max(0, next - this.#now()) : undefined;
  }

  /** Reads the runtime's view of every container the pod has. */
  async refresh(rec: PodRecord): Promise<void> {
    for (const c of rec.containers) {
      if (c.id === undefined || c.busy) continue;
      try {
        c.current = await this.#d.runtime.containerStatus(c.id);
      } catch (e: unknown) {
        if (!isRuntimeError(e, 'NotFound')) throw e;
        c.id = undefined;
        c.current = undefined;
      }
      if (c.current?.state !== 'running') {
        c.ready = false;
        c.started = false;
      }
    }
  }

  /** Runs init containers one at a time; true once all have done their part. */
  #syncInit(rec: PodRecord, wake: number[]): boolean {
    for (const c of rec.containers.filter((x) => x.init)) {
      if (!(c.sidecar ? this.#syncSidecar(rec, c, wake) : this.#syncInitOne(rec, c, wake))) {
        return false;
      }
    }
    return initialized(rec);
  }

  /** A native sidecar: kept running; the next init container waits until it has started. */
  #syncSidecar(rec: PodRecord, c: ContainerRecord, wake: number[]): boolean {
    this.#syncContainer(rec, c, wake);
    return c.current?.state === 'running' && c.started;
  }

  /** A plain init container: true once it exited 0; a failure restarts it unless Never. */
  #syncInitOne(rec: PodRecord, c: ContainerRecord, wake: number[]): boolean {
    const s = c.current;
    if (s?.state === 'exited' && s.exitCode === 0) return true;
    if (s?.state !== 'exited') {
      if (!c.busy && c.id === undefined) this.#launchOrWait(rec, c, wake);
      return false;
    }
    if (rec.spec.restartPolicy === 'Never') rec.initFailed = true;
    else this.#restart(rec, c, wake);
    return false;
  }

  #syncContainer(rec: PodRecord, c: ContainerRecord, wake: number[]): void {
    if (c.busy) return;
    const s = c.current;
    if (s === undefined) {
      this.#launchOrWait(rec, c, wake);
      return;
    }
    if (s.state !== 'exited') return;
    const policy = c.sidecar ? 'Always' : rec.spec.restartPolicy;
    if (policy === 'Always' || (policy === 'OnFailure' && s.exitCode !== 0))
      this.#restart(rec, c, wake);
  }

  /** Restarts an exited container, or waits out its back-off (CrashLoopBackOff). */
  #restart(rec: PodRecord, c: ContainerRecord, wake: number[]): void {
    const finishedAt = c.current?.finishedAt ?? this.#now();
    if (c.backoff !== undefined && this.#now() - finishedAt < c.backoff.ms) {
      if (c.waiting?.reason !== 'CrashLoopBackOff') {
        this.#event(rec, {
          c,
          type: 'Warning',
          reason: 'BackOff',
          message: `Back-off restarting failed container ${c.spec.name} in pod ${podDescription(rec)}`,
        });
      }
      c.waiting = {
        reason: 'CrashLoopBackOff',
        message: `back-off ${formatGoDuration(c.backoff.ms)} restarting failed container=${c.spec.name} pod=${podDescription(rec)}`,
      };
      wake.push(finishedAt + c.backoff.ms);
      return;
    }
    c.backoff = nextBackoff(c.backoff, finishedAt);
    c.waiting = undefined;
    const older = c.previousId;
    if (older !== undefined) void this.#d.runtime.removeContainer(older).catch(() => undefined);
    c.previousId = c.id;
    c.previous = c.current;
    c.id = undefined;
    c.current = undefined;
    c.restartCount++;
    this.#launch(rec, c);
  }

  #launchOrWait(rec: PodRecord, c: ContainerRecord, wake: number[]): void {
    const b = c.imageBackoff;
    if (b !== undefined && this.#now() < b.until) {
      if (c.waiting?.reason !== 'ImagePullBackOff') {
        this.#event(rec, {
          c,
          type: 'Normal',
          reason: 'BackOff',
          message: `Back-off pulling image "${c.spec.image}"`,
        });
        this.#event(rec, {
          c,
          type: 'Warning',
          reason: 'Failed',
          message: 'Error: ImagePullBackOff',
        });
      }
      c.waiting = {
        reason: 'ImagePullBackOff',
        message: `Back-off pulling image "${c.spec.image}": ${c.waiting?.message ?? ''}`.replace(
          /: $/,
          '',
        ),
      };
      wake.push(b.until);
      return;
    }
    this.#launch(rec, c);
  }

  #launch(rec: PodRecord, c: ContainerRecord): void {
    c.busy = true;
    void this.#pullCreateStart(rec, c)
      .catch((e: unknown) => {
        this.#failed(rec, c, e);
      })
      .finally(() => {
        c.busy = false;
        this.#d.enqueue(rec.key);
      });
  }

  #failed(rec: PodRecord, c: ContainerRecord, e: unknown): void {
    const err = toError(e);
    if (isRuntimeError(e, 'ImagePull')) {
      this.#event(rec, {
        c,
        type: 'Warning',
        reason: 'Failed',
        message: `Failed to pull image "${c.spec.image}": ${err.message}`,
      });
      this.#event(rec, { c, type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' });
      const at = this.#now();
      const b = nextBackoff(c.imageBackoff, at);
      c.imageBackoff = { ...b, until: at + b.ms };
      c.waiting = { reason: 'ErrImagePull', message: err.message };
      return;
    }
    this.#event(rec, { c, type: 'Warning', reason: 'Failed', message: `Error: ${err.message}` });
    c.waiting = { reason: 'CreateContainerError', message: err.message };
  }

  async #pullCreateStart(rec: PodRecord, c: ContainerRecord): Promise<void> {
    const image = await this.#ensureImage(rec, c);
    c.imageId = image.imageId;
    c.imageBackoff = undefined;
    c.waiting = undefined;
    const rt = this.#d.runtime;
    const id = await rt.createContainer({
      sandboxId: rec.sandbox?.id ?? '',
      name: c.spec.name,
      image: c.spec.image,
      command: c.spec.command,
      args: c.spec.args,
      env: c.spec.env,
      attempt: c.restartCount,
    });
    c.id = id;
    c.current = await rt.containerStatus(id);
    this.#event(rec, {
      c,
      type: 'Normal',
      reason: 'Created',
      message: `Created container: ${c.spec.name}`,
    });
    await rt.startContainer(id);
    c.current = await rt.containerStatus(id);
    this.#event(rec, {
      c,
      type: 'Normal',
      reason: 'Started',
      message: `Started container ${c.spec.name}`,
    });
    c.failures = { startup: 0, readiness: 0, liveness: 0 };
    c.nextProbe = {};
  }

  async #ensureImage(rec: PodRecord, c: ContainerRecord): Promise<PulledImage> {
    const image = c.spec.image;
    const ctx = { node: rec.node, annotations: rec.pod.metadata.annotations ?? {} };
    const present = await this.#d.runtime.imageStatus(image, ctx);
    if (present !== undefined && c.spec.imagePullPolicy !== 'Always') {
      this.#event(rec, {
        c,
        type: 'Normal',
        reason: 'Pulled',
        message: `Container image "${image}" already present on machine`,
      });
      return present;
    }
    if (present === undefined && c.spec.imagePullPolicy === 'Never') {
      throw new Error(`Container image "${image}" is not present with pull policy of Never`);
    }
    this.#event(rec, { c, type: 'Normal', reason: 'Pulling', message: `Pulling image "${image}"` });
    const t0 = this.#now();
    const pulled = await this.#d.runtime.pullImage(image, ctx);
    const waited = formatGoDuration(this.#now() - t0);
    this.#event(rec, {
      c,
      type: 'Normal',
      reason: 'Pulled',
      message: `Successfully pulled image "${image}" in ${formatGoDuration(pulled.pullMs)} (${waited} including waiting). Image size: ${pulled.sizeBytes} bytes.`,
    });
    return pulled;
  }

  async #probeAll(rec: PodRecord, wake: number[]): Promise<void> {
    for (const c of rec.containers) {
      if (c.busy || c.id === undefined || c.current?.state !== 'running') continue;
      for (const kind of ['startup', 'liveness', 'readiness'] as const) {
        if ((kind === 'startup') === c.started) continue;
        await this.#probe(rec, c, { kind, wake });
      }
    }
  }

  /** The probe's time, if it is due now; otherwise notes when it will be. */
  #probeDue(c: ContainerRecord, a: { kind: ProbeKind; wake: number[] }): boolean {
    const spec = c.spec.probes[a.kind];
    if (spec === undefined) return false;
    const now = this.#now();
    const due = c.nextProbe[a.kind] ?? (c.current?.startedAt ?? now) + spec.initialDelayMs;
    const next = now < due ? due : now + spec.periodMs;
    a.wake.push(next);
    if (now < due) return false;
    c.nextProbe[a.kind] = next;
    return true;
  }

  async #probe(
    rec: PodRecord,
    c: ContainerRecord,
    a: { kind: ProbeKind; wake: number[] },
  ): Promise<void> {
    const spec = c.spec.probes[a.kind];
    const rt = this.#d.runtime;
    if (spec === undefined || !hasProbes(rt)) {
      // Without a probe (or a runtime that can answer it) the kubelet assumes success.
      if (a.kind === 'startup') c.started = true;
      if (a.kind === 'readiness') c.ready = !c.init || c.sidecar;
      return;
    }
    if (!this.#probeDue(c, a)) return;
    const result = await rt.probe(c.id ?? '', a.kind);
    if (result.success) {
      c.failures[a.kind] = 0;
      if (a.kind === 'startup') c.started = true;
      if (a.kind === 'readiness') c.ready = true;
      return;
    }
    this.#probeFailed(rec, c, {
      kind: a.kind,
      message: result.message,
      threshold: spec.failureThreshold,
    });
  }

  /** Counts a failure; at the threshold readiness turns false, liveness and startup kill. */
  #probeFailed(
    rec: PodRecord,
    c: ContainerRecord,
    a: { kind: ProbeKind; message: string; threshold: number },
  ): void {
    c.failures[a.kind]++;
    this.#event(rec, {
      c,
      type: 'Warning',
      reason: 'Unhealthy',
      message: `${PROBE_TITLE[a.kind]} probe failed: ${a.message}`,
    });
    if (c.failures[a.kind] < a.threshold) return;
    if (a.kind === 'readiness') {
      c.ready = false;
      return;
    }
    this.#event(rec, {
      c,
      type: 'Normal',
      reason: 'Killing',
      message: `Container ${c.spec.name} failed ${a.kind} probe, will be restarted`,
    });
    this.#stopInBackground(rec, c, rec.spec.terminationGracePeriodSeconds * 1000);
  }

  #stopInBackground(rec: PodRecord, c: ContainerRecord, graceMs: number): void {
    const id = c.id;
    if (id === undefined) return;
    c.busy = true;
    void this.#d.runtime
      .stopContainer(id, graceMs)
      .catch(() => undefined)
      .finally(() => {
        c.busy = false;
        this.#d.enqueue(rec.key);
      });
  }

  /** Stops every container as a pod deletion does: preStop, SIGTERM, the grace period, SIGKILL. */
  async stopAll(rec: PodRecord, graceMs: number): Promise<void> {
    const running = (list: ContainerRecord[]): ContainerRecord[] =>
      list.filter((c) => c.id !== undefined && c.current?.state !== 'exited');
    const regular = running(rec.containers.filter((c) => !c.init));
    await Promise.all(regular.map((c) => this.#stopOne(rec, c, graceMs)));
    // Sidecars stop after the main containers, in reverse order, as upstream does.
    for (const c of running(rec.containers.filter((x) => x.init)).reverse())
      await this.#stopOne(rec, c, graceMs);
  }

  async #stopOne(rec: PodRecord, c: ContainerRecord, graceMs: number): Promise<void> {
    const id = c.id;
    if (id === undefined) return;
    const rt = this.#d.runtime;
    const t0 = this.#now();
    if (c.spec.preStopExec !== undefined && hasExec(rt)) {
      try {
        await rt.exec(id, c.spec.preStopExec);
      } catch (e: unknown) {
        this.#event(rec, {
          c,
          type: 'Warning',
          reason: 'FailedPreStopHook',
          message: `PreStopHook failed: ${toError(e).message}`,
        });
      }
    }
    this.#event(rec, {
      c,
      type: 'Normal',
      reason: 'Killing',
      message: `Stopping container ${c.spec.name}`,
    });
    await rt.stopContainer(id, Math.max(0, graceMs - (this.#now() - t0)));
    c.current = await rt.containerStatus(id);
    c.ready = false;
    c.started = false;
    c.waiting = undefined;
  }
}

import { createHash } from 'node:crypto';
import { toError } from '../../util/index.ts';
import { RuntimeError } from '../errors.ts';
import type { Cancel, Scheduler } from '../scheduler.ts';
import type {
  ContainerChange,
  ContainerConfig,
  ContainerRuntime,
  ContainerStats,
  ContainerStatus,
  ExecCapability,
  ExecResult,
  ByteDuplex,
  LogOptions,
  LogsCapability,
  PortForwardCapability,
  ProbeCapability,
  ProcessIO,
  StreamingCapability,
  ProbeKind,
  ProbeResult,
  PullContext,
  PulledImage,
  SandboxConfig,
  SandboxInfo,
  StatsCapability,
} from '../types.ts';
import { resolveBehaviour, resolvePull, type Behaviour } from './behaviour.ts';
import { simulateExec } from './exec.ts';
import { connectionRefused, httpBody, runInteractive, serveHttp } from './streams.ts';

export interface SimRuntimeOptions {
  /** Every simulated delay runs on this; one host timer serves all pods. */
  readonly scheduler: Scheduler;
}

interface SimSandbox {
  readonly id: string;
  readonly ip: string;
  readonly config: SandboxConfig;
  readonly containers: Set<string>;
}

interface SimContainer {
  readonly id: string;
  readonly sandbox: SimSandbox;
  readonly config: ContainerConfig;
  readonly behaviour: Behaviour;
  readonly imageId: string;
  readonly createdAt: number;
  state: 'created' | 'running' | 'exited';
  startedAt?: number;
  finishedAt?: number;
  exitCode?: number;
  reason?: string;
  cancelExit?: Cancel;
  /** Woken on every change of this container (log followers, stoppers). */
  waiters: (() => void)[];
}

interface LogLine {
  readonly at: number;
  readonly text: string;
}

/** Docker Hub's canonical form: `nginx` → `docker.io/library/nginx`, tag or digest dropped. */
function repository(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const name = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const first = name.split('/')[0] ?? '';
  if (!name.includes('/')) return `docker.io/library/${name}`;
  return first.includes('.') || first.includes(':') || first === 'localhost'
    ? name
    : `docker.io/${name}`;
}

/** Runs `fn` and turns its result or throw into a promise, for synchronous work behind async APIs. */
function attempt<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (e: unknown) {
    return Promise.reject(toError(e));
  }
}

/** Reads the state afresh: awaits in between may have changed what a narrowed read says. */
const stateOf = (c: SimContainer): ContainerStatus['state'] => c.state;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/** RFC 3339 with nanoseconds, as container runtimes stamp log lines. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/** A cap on generated tick lines, so a long-lived container's log stays cheap to read. */
const MAX_TICK_LINES = 10_000;

/**
 * The simulated runtime: no processes, only data. Each container's life (pull time, start
 * delay, exit time and code, readiness, logs, exec answers) comes from `behaviour.ts`.
 */
export class SimRuntime
  implements
    ContainerRuntime,
    LogsCapability,
    ExecCapability,
    StatsCapability,
    ProbeCapability,
    StreamingCapability,
    PortForwardCapability
{
  readonly name = 'sim';
  readonly version = 'sim://0.1.0';
  readonly #scheduler: Scheduler;
  readonly #images = new Map<string, Map<string, PulledImage>>();
  readonly #sandboxes = new Map<string, SimSandbox>();
  readonly #containers = new Map<string, SimContainer>();
  readonly #listeners = new Set<(c: ContainerChange) => void>();
  #seq = 0;

  constructor(opts: SimRuntimeOptions) {
    this.#scheduler = opts.scheduler;
  }

  #now(): number {
    return this.#scheduler.clock.now();
  }

  #delay(ms: number): Promise<void> {
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve) => this.#scheduler.after(ms, resolve));
  }

  #image(ref: string, b: Behaviour, pullMs: number): PulledImage {
    const repo = repository(ref);
    return { ref, imageId: `${repo}@sha256:${sha256(repo)}`, sizeBytes: b.sizeBytes, pullMs };
  }

  imageStatus(ref: string, ctx: PullContext): Promise<PulledImage | undefined> {
    const found = this.#images.get(ctx.node)?.get(ref);
    return Promise.resolve(found === undefined ? undefined : { ...found, pullMs: 0 });
  }

  async pullImage(ref: string, ctx: PullContext): Promise<PulledImage> {
    const b = resolvePull(ref, ctx.annotations);
    await this.#delay(b.pullMs);
    if (b.pullFailure !== undefined) {
      throw new RuntimeError(
        'ImagePull',
        `failed to pull and unpack image "${repository(ref)}": ${b.pullFailure}`,
      );
    }
    const image = this.#image(ref, b, b.pullMs);
    let store = this.#images.get(ctx.node);
    if (!store) {
      store = new Map<string, PulledImage>();
      this.#images.set(ctx.node, store);
    }
    store.set(ref, image);
    return image;
  }

  createSandbox(config: SandboxConfig): Promise<SandboxInfo> {
    const n = ++this.#seq;
    const id = sha256(`sandbox/${n}`);
    const ip = config.ip ?? `10.88.${(n >> 8) & 255}.${n & 255}`;
    this.#sandboxes.set(id, { id, ip, config, containers: new Set() });
    return Promise.resolve({ id, ip });
  }

  async removeSandbox(sandboxId: string): Promise<void> {
    const sb = this.#sandboxes.get(sandboxId);
    if (!sb) return;
    for (const id of sb.containers) {
      await this.stopContainer(id, 0);
      await this.removeContainer(id);
    }
    this.#sandboxes.delete(sandboxId);
  }

  createContainer(config: ContainerConfig): Promise<string> {
    const sb = this.#sandboxes.get(config.sandboxId);
    if (!sb) return Promise.reject(notFound('sandbox', config.sandboxId));
    const behaviour = resolveBehaviour({
      image: config.image,
      container: config.name,
      command: [...config.command, ...config.args],
      annotations: sb.config.annotations,
    });
    const id = sha256(`container/${++this.#seq}`);
    this.#containers.set(id, {
      id,
      sandbox: sb,
      config,
      behaviour,
      imageId: this.#image(config.image, behaviour, 0).imageId,
      createdAt: this.#now(),
      state: 'created',
      waiters: [],
    });
    sb.containers.add(id);
    return Promise.resolve(id);
  }

  #get(id: string): SimContainer {
    const c = this.#containers.get(id);
    if (!c) throw notFound('container', id);
    return c;
  }

  async startContainer(containerId: string): Promise<void> {
    const c = this.#get(containerId);
    if (c.state !== 'created') {
      throw new RuntimeError('InvalidState', `container ${containerId} is ${c.state}, not created`);
    }
    await this.#delay(c.behaviour.startMs);
    // A stop or removal during the start delay wins.
    if (stateOf(c) !== 'created') return;
    c.state = 'running';
    c.startedAt = this.#now();
    const after = c.behaviour.exitAfterMs;
    if (after !== undefined) {
      c.cancelExit = this.#scheduler.after(after, () => {
        this.#exit(c, c.behaviour.exitCode);
      });
    }
    this.#changed(c);
  }

  #exit(c: SimContainer, code: number): void {
    if (c.state === 'exited') return;
    c.cancelExit?.();
    c.state = 'exited';
    c.finishedAt = this.#now();
    c.exitCode = code;
    c.reason = code === 0 ? 'Completed' : 'Error';
    this.#changed(c);
  }

  #changed(c: SimContainer): void {
    for (const w of c.waiters.splice(0)) w();
    const change = { sandboxId: c.sandbox.id, containerId: c.id, state: c.state };
    for (const l of this.#listeners) l(change);
  }

  #nextChange(c: SimContainer): Promise<void> {
    return new Promise((resolve) => c.waiters.push(resolve));
  }

  async stopContainer(containerId: string, graceMs: number): Promise<void> {
    const c = this.#get(containerId);
    if (c.state === 'exited') return;
    if (c.state === 'created') {
      this.#exit(c, 0);
      c.reason = 'ContainerCannotRun';
      return;
    }
    if (!c.behaviour.ignoresSigterm) {
      this.#exit(c, 0);
      return;
    }
    // SIGTERM is ignored: the container still may exit by itself before SIGKILL.
    const kill = this.#scheduler.after(graceMs, () => {
      this.#exit(c, 137);
    });
    while (stateOf(c) !== 'exited') await this.#nextChange(c);
    kill();
  }

  removeContainer(containerId: string): Promise<void> {
    const c = this.#containers.get(containerId);
    if (!c) return Promise.resolve();
    if (c.state === 'running') {
      return Promise.reject(
        new RuntimeError('InvalidState', `container ${containerId} is running; stop it first`),
      );
    }
    c.cancelExit?.();
    c.sandbox.containers.delete(containerId);
    this.#containers.delete(containerId);
    return Promise.resolve();
  }

  containerStatus(containerId: string): Promise<ContainerStatus> {
    return attempt(() => {
      const c = this.#get(containerId);
      return {
        id: c.id,
        sandboxId: c.sandbox.id,
        name: c.config.name,
        state: c.state,
        imageId: c.imageId,
        attempt: c.config.attempt,
        createdAt: c.createdAt,
        ...(c.startedAt === undefined ? {} : { startedAt: c.startedAt }),
        ...(c.finishedAt === undefined ? {} : { finishedAt: c.finishedAt }),
        ...(c.exitCode === undefined ? {} : { exitCode: c.exitCode }),
        ...(c.reason === undefined ? {} : { reason: c.reason }),
      };
    });
  }

  watch(listener: (change: ContainerChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #lines(c: SimContainer): LogLine[] {
    if (c.startedAt === undefined) return [];
    const start = c.startedAt;
    const out: LogLine[] = c.behaviour.startLines.map((text) => ({ at: start, text }));
    const tick = c.behaviour.tickMs;
    if (tick !== undefined && tick > 0) {
      const end = c.finishedAt ?? this.#now();
      const count = Math.floor((end - start) / tick);
      for (let k = Math.max(1, count - MAX_TICK_LINES + 1); k <= count; k++) {
        out.push({ at: start + k * tick, text: `${c.config.name}: tick ${k}` });
      }
    }
    return out;
  }

  async readLogs(
    containerId: string,
    opts: LogOptions,
    onLine: (line: string) => boolean | undefined,
  ): Promise<void> {
    const c = this.#get(containerId);
    const format = (l: LogLine): string =>
      `${opts.timestamps ? `${rfc3339Nano(l.at)} ` : ''}${l.text}\n`;
    let lines = this.#lines(c).filter((l) => opts.sinceMs === undefined || l.at >= opts.sinceMs);
    if (opts.tailLines !== undefined)
      lines = lines.slice(Math.max(0, lines.length - opts.tailLines));
    for (const l of lines) onLine(format(l));
    if (!opts.follow) return;
    let sent = this.#lines(c).length;
    while (!opts.signal.aborted && stateOf(c) !== 'exited' && this.#containers.has(c.id)) {
      await this.#waitForLine(c, opts.signal);
      const all = this.#lines(c);
      for (const l of all.slice(sent)) onLine(format(l));
      sent = all.length;
    }
  }

  /** Resolves at the next tick line, a state change, or abort: whichever is first. */
  #waitForLine(c: SimContainer, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      let cancel: Cancel = () => undefined;
      const done = (): void => {
        cancel();
        signal.removeEventListener('abort', done);
        resolve();
      };
      const tick = c.behaviour.tickMs;
      if (tick !== undefined && tick > 0 && c.startedAt !== undefined) {
        const elapsed = this.#now() - c.startedAt;
        cancel = this.#scheduler.after(tick - (elapsed % tick), done);
      }
      c.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  exec(containerId: string, command: readonly string[]): Promise<ExecResult> {
    return attempt(() => {
      const c = this.#get(containerId);
      if (c.state !== 'running') {
        throw new RuntimeError('InvalidState', `container ${containerId} is not running`);
      }
      return simulateExec(command, {
        hostname: c.sandbox.config.name,
        env: c.config.env,
        extra: c.behaviour.exec,
        now: this.#now(),
      });
    });
  }

  #running(containerId: string): SimContainer {
    const c = this.#get(containerId);
    if (c.state !== 'running') {
      throw new RuntimeError('InvalidState', `container ${containerId} is not running`);
    }
    return c;
  }

  async execStream(
    containerId: string,
    command: readonly string[],
    io: ProcessIO,
  ): Promise<number> {
    const c = this.#running(containerId);
    return runInteractive(
      command,
      {
        hostname: c.sandbox.config.name,
        env: c.config.env,
        extra: c.behaviour.exec,
        now: this.#now(),
        execId: sha256(`exec/${String(++this.#seq)}`),
      },
      io,
    );
  }

  /** Streams what the container writes from now on, until it exits or the client leaves. */
  async attach(containerId: string, io: ProcessIO): Promise<void> {
    this.#running(containerId);
    const out = io.stdout ?? io.stderr;
    await this.readLogs(
      containerId,
      { tailLines: 0, timestamps: false, follow: true, signal: io.signal },
      (line) => {
        out?.(Buffer.from(io.tty ? line.replace(/\n$/, '\r\n') : line));
        return true;
      },
    );
  }

  async portForward(sandboxId: string, port: number, conn: ByteDuplex): Promise<void> {
    const sb = this.#sandboxes.get(sandboxId);
    if (!sb) throw notFound('sandbox', sandboxId);
    const body = httpBody(sb.config.annotations, port);
    if (body === undefined) throw connectionRefused(sandboxId, port);
    await serveHttp(body, conn);
  }

  stats(containerId: string): Promise<ContainerStats> {
    return attempt(() => {
      const c = this.#get(containerId);
      const running = c.state === 'running';
      return {
        timestamp: this.#now(),
        cpuNanoCores: running ? c.behaviour.cpuNanoCores : 0,
        memoryWorkingSetBytes: running ? c.behaviour.memoryBytes : 0,
      };
    });
  }

  probe(containerId: string, kind: ProbeKind): Promise<ProbeResult> {
    return attempt(() => this.#probe(this.#get(containerId), kind));
  }

  #probe(c: SimContainer, kind: ProbeKind): ProbeResult {
    if (c.state !== 'running' || c.startedAt === undefined) {
      return { success: false, message: 'container is not running' };
    }
    const up = this.#now() - c.startedAt;
    const b = c.behaviour;
    if (kind === 'liveness' && b.livenessFailAfterMs !== undefined && up >= b.livenessFailAfterMs) {
      return { success: false, message: 'HTTP probe failed with statuscode: 500' };
    }
    if (kind === 'readiness' && (b.neverReady || up < b.readyAfterMs)) {
      return { success: false, message: 'HTTP probe failed with statuscode: 503' };
    }
    return { success: true, message: '' };
  }
}

function notFound(what: string, id: string): RuntimeError {
  return new RuntimeError('NotFound', `${what} ${JSON.stringify(id)} not found`);
}

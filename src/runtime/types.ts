/**
 * The runtime interface: what the node agent needs from whatever runs containers (the sim, a
 * process sandbox, a microVM). The contract, which the conformance suite checks:
 *
 * - Every method is async and may block only for as long as its own work takes: `pullImage`
 *   until the image is present, `stopContainer` until the container has exited (at most its
 *   grace period plus the runtime's kill time). None waits for a container to finish by itself.
 * - Creation returns new ids; removal and stopping are idempotent (removing what is already gone
 *   succeeds, stopping an exited container returns at once). `pullImage` is idempotent.
 * - Expected failures throw `RuntimeError` (src/runtime/errors.ts) with a kind: `NotFound`,
 *   `ImagePull`, `InvalidState`, `Unsupported`. Anything else is a bug in the runtime.
 * - State changes a caller did not cause (a container exiting on its own) are announced through
 *   `watch`, so callers need no polling; statuses are then read with `containerStatus`.
 * - Times are milliseconds on the runtime's injected clock.
 */
export interface ContainerRuntime {
  /** A short name, used as the scheme of container ids (`sim://…`). */
  readonly name: string;
  /** The runtime's version string, as Node `nodeInfo.containerRuntimeVersion` shows it. */
  readonly version: string;

  /** Makes the image present. Idempotent; a second pull of a present image is fast. */
  pullImage(ref: string, ctx: PullContext): Promise<PulledImage>;
  /** The image if it is present on the context's host, without pulling. Never throws NotFound. */
  imageStatus(ref: string, ctx: PullContext): Promise<PulledImage | undefined>;
  /** Creates the pod's sandbox (network namespace and IP). */
  createSandbox(config: SandboxConfig): Promise<SandboxInfo>;
  /** Stops and removes the sandbox and every container in it. Idempotent. */
  removeSandbox(sandboxId: string): Promise<void>;
  /** Creates (does not start) a container in a sandbox; returns its id. */
  createContainer(config: ContainerConfig): Promise<string>;
  /** Starts a created container. `InvalidState` unless it is `created`. */
  startContainer(containerId: string): Promise<void>;
  /**
   * Asks the container to stop and waits until it has exited, killing it after `graceMs`.
   * Idempotent: an exited container returns at once.
   */
  stopContainer(containerId: string, graceMs: number): Promise<void>;
  /** Forgets an exited container (and its logs). Idempotent. */
  removeContainer(containerId: string): Promise<void>;
  /** The container's current status; `NotFound` if unknown. */
  containerStatus(containerId: string): Promise<ContainerStatus>;
  /**
   * Calls `listener` whenever a container changes state on its own (starts running, exits).
   * Returns the function that unsubscribes.
   */
  watch(listener: (change: ContainerChange) => void): () => void;
}

export interface PullContext {
  /** The host (node) the image is for: each host has its own image store. */
  readonly node: string;
  /** Pod annotations: runtimes driven by data (the sim) read their instructions here. */
  readonly annotations: Readonly<Record<string, string>>;
}

export interface PulledImage {
  readonly ref: string;
  /** A resolved, digest-qualified reference (`docker.io/library/nginx@sha256:…`). */
  readonly imageId: string;
  readonly sizeBytes: number;
  /** How long the pull took, 0 when the image was already present. */
  readonly pullMs: number;
}

export interface SandboxConfig {
  readonly podUid: string;
  readonly namespace: string;
  readonly name: string;
  readonly annotations: Readonly<Record<string, string>>;
  /** The address the host's IPAM chose; a runtime with its own networking may ignore it. */
  readonly ip?: string;
}

export interface SandboxInfo {
  readonly id: string;
  readonly ip: string;
}

export interface ContainerConfig {
  readonly sandboxId: string;
  readonly name: string;
  /** The image as the pod spec names it. */
  readonly image: string;
  readonly command: readonly string[];
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** How many times this container has been restarted before (the CRI's attempt). */
  readonly attempt: number;
}

export type ContainerState = 'created' | 'running' | 'exited';

export interface ContainerStatus {
  readonly id: string;
  readonly sandboxId: string;
  readonly name: string;
  readonly state: ContainerState;
  readonly imageId: string;
  readonly attempt: number;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly exitCode?: number;
  /** Why it exited, as the kubelet reports it: `Completed`, `Error`, `OOMKilled`. */
  readonly reason?: string;
}

export interface ContainerChange {
  readonly sandboxId: string;
  readonly containerId: string;
  readonly state: ContainerState;
}

export interface LogOptions {
  /** Only the last N lines. */
  readonly tailLines?: number;
  /** Only lines written at or after this time (ms). */
  readonly sinceMs?: number;
  /** Prefix each line with its RFC 3339 (nanosecond) time and a space. */
  readonly timestamps: boolean;
  /** Keep streaming new lines until the container exits or the signal aborts. */
  readonly follow: boolean;
  readonly signal: AbortSignal;
}

/** Container logs. `onLine` gets each line with its newline; returning false is backpressure. */
export interface LogsCapability {
  readLogs(
    containerId: string,
    opts: LogOptions,
    onLine: (line: string) => boolean | undefined,
  ): Promise<void>;
}

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command in a running container. Commands the runtime cannot run are `Unsupported`. */
export interface ExecCapability {
  exec(containerId: string, command: readonly string[]): Promise<ExecResult>;
}

export interface ContainerStats {
  readonly timestamp: number;
  readonly cpuNanoCores: number;
  readonly memoryWorkingSetBytes: number;
}

export interface StatsCapability {
  stats(containerId: string): Promise<ContainerStats>;
}

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ProbeResult {
  readonly success: boolean;
  /** Why it failed, as the kubelet's Unhealthy event quotes it. */
  readonly message: string;
}

/** Answers probes itself (the sim knows from its data); without it the agent cannot probe. */
export interface ProbeCapability {
  probe(containerId: string, kind: ProbeKind): Promise<ProbeResult>;
}

const hasMethod = (rt: object, name: string): boolean =>
  // SAFETY: only reads one property to test whether it is a function.
  typeof (rt as Record<string, unknown>)[name] === 'function';

export function hasLogs<T extends object>(rt: T): rt is T & LogsCapability {
  return hasMethod(rt, 'readLogs');
}
export function hasExec<T extends object>(rt: T): rt is T & ExecCapability {
  return hasMethod(rt, 'exec');
}
export function hasStats<T extends object>(rt: T): rt is T & StatsCapability {
  return hasMethod(rt, 'stats');
}
export function hasProbes<T extends object>(rt: T): rt is T & ProbeCapability {
  return hasMethod(rt, 'probe');
}

/** A terminal's size in character cells, as the resize channel carries it. */
export interface TerminalSize {
  readonly width: number;
  readonly height: number;
}

/**
 * The streams of an interactive process (exec or attach). Absent streams were not requested.
 * `stdin` ends when the client closes it; the runtime stops reading when `signal` aborts (the
 * client went away).
 */
export interface ProcessIO {
  readonly stdin?: AsyncIterable<Buffer>;
  readonly stdout?: (chunk: Buffer) => void;
  readonly stderr?: (chunk: Buffer) => void;
  readonly tty: boolean;
  /** Terminal sizes from the client, in order; only with `tty`. */
  readonly resizes?: AsyncIterable<TerminalSize>;
  readonly signal: AbortSignal;
}

/**
 * Interactive exec and attach (the CRI's Exec/Attach streaming calls). `execStream` resolves with
 * the exit code; a program that cannot start rejects with `RuntimeError` `NotFound` carrying the
 * runtime's own message. `attach` resolves when the container exits or the signal aborts.
 */
export interface StreamingCapability {
  execStream(containerId: string, command: readonly string[], io: ProcessIO): Promise<number>;
  attach(containerId: string, io: ProcessIO): Promise<void>;
}

/** One forwarded TCP connection: bytes from the client, and where the pod's answer goes. */
export interface ByteDuplex {
  readonly input: AsyncIterable<Buffer>;
  write(chunk: Buffer): void;
  readonly signal: AbortSignal;
}

/**
 * Port-forward into a sandbox's network namespace (the CRI's PortForward). Resolves when the
 * connection is done; a refused connection rejects with `RuntimeError` `InvalidState` whose
 * message is the runtime's.
 */
export interface PortForwardCapability {
  portForward(sandboxId: string, port: number, conn: ByteDuplex): Promise<void>;
}

export function hasStreaming<T extends object>(rt: T): rt is T & StreamingCapability {
  return hasMethod(rt, 'execStream') && hasMethod(rt, 'attach');
}
export function hasPortForward<T extends object>(rt: T): rt is T & PortForwardCapability {
  return hasMethod(rt, 'portForward');
}

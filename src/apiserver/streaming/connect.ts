import type { KubeObject } from '../../api/index.ts';
import type { ProcessIO, TerminalSize } from '../../runtime/index.ts';
import { toError } from '../../util/index.ts';
import { errors } from '../errors.ts';
import type { ApiRequest, ApiResponse, StreamConn, UpgradeResponse } from '../http-types.ts';
import { keyFor, qualifiedKind, type RestOp } from '../rest-context.ts';
import { AsyncQueue } from './async-queue.ts';
import {
  decodeFrame,
  encodeFrame,
  ERROR,
  outcomePayload,
  REMOTE_COMMAND_PROTOCOLS,
  RESIZE,
  ResizeDecoder,
  STDERR,
  STDIN,
  STDOUT,
  type ChannelMessage,
  type CommandOutcome,
} from './channel.ts';
import {
  parseAttachOptions,
  parseExecOptions,
  requireHost,
  type AttachOptions,
} from './options.ts';
import { servePortForward, PORT_FORWARD_PROTOCOLS } from './port-forward.ts';
import { StreamRefused, type PodStreamSource, type ProcessRun } from './source.ts';

/** Whether the client asked to switch protocols (WebSocket, or SPDY from older clients). */
export function isUpgradeRequest(req: ApiRequest): boolean {
  const connection = (req.headers['connection'] ?? '').toLowerCase();
  return (
    connection.split(',').some((t) => t.trim() === 'upgrade') &&
    req.headers['upgrade'] !== undefined
  );
}

function loadPod(op: RestOp): KubeObject {
  const stored = op.deps.store.get(keyFor(op));
  if (!stored) throw errors.notFound(qualifiedKind(op.def), op.info.name);
  return stored.object;
}

/** The source for the pod's node, or kube-apiserver's errors for a pod it cannot reach. */
function sourceFor(pod: KubeObject, source: PodStreamSource | undefined): PodStreamSource {
  const node = requireHost(pod);
  if (!source?.servesNode(node)) {
    throw errors.internal(`no node agent serves node "${node}"`);
  }
  return source;
}

/** Relays the kubelet's plain-text refusal, as kube-apiserver's proxy does. */
async function refusable(open: () => Promise<UpgradeResponse>): Promise<ApiResponse> {
  try {
    return await open();
  } catch (e: unknown) {
    if (!(e instanceof StreamRefused)) throw e;
    return {
      status: e.httpStatus,
      headers: { 'Content-Type': 'text/plain; charset=utf-8' },
      body: e.message,
    };
  }
}

function upgradeTo(
  protocols: readonly string[],
  run: (conn: StreamConn) => Promise<void>,
): UpgradeResponse {
  return {
    status: 101,
    headers: {},
    upgrade: { protocols, run },
    stream: () => Promise.reject(new Error('this transport cannot switch protocols')),
  };
}

/** GET/POST pods/exec: checks the request, then runs the command over the upgraded connection. */
export function podExec(op: RestOp, source: PodStreamSource | undefined): Promise<ApiResponse> {
  const pod = loadPod(op);
  const opts = parseExecOptions(pod, op.req.query);
  const src = sourceFor(pod, source);
  if (!isUpgradeRequest(op.req)) throw errors.badRequest('Upgrade request required');
  return refusable(async () => {
    const run = await src.openExec(pod, opts);
    return upgradeTo(REMOTE_COMMAND_PROTOCOLS, (conn) => serveProcess(conn, opts, run));
  });
}

/** GET/POST pods/attach. */
export function podAttach(op: RestOp, source: PodStreamSource | undefined): Promise<ApiResponse> {
  const pod = loadPod(op);
  const opts = parseAttachOptions(pod, op.req.query);
  const src = sourceFor(pod, source);
  if (!isUpgradeRequest(op.req)) throw errors.badRequest('Upgrade request required');
  return refusable(async () => {
    const run = await src.openAttach(pod, opts);
    return upgradeTo(REMOTE_COMMAND_PROTOCOLS, (conn) => serveProcess(conn, opts, run));
  });
}

/** GET/POST pods/portforward: SPDY tunnelled over WebSocket, as kubectl 1.31+ speaks it. */
export function podPortForward(
  op: RestOp,
  source: PodStreamSource | undefined,
): Promise<ApiResponse> {
  const pod = loadPod(op);
  const src = sourceFor(pod, source);
  if (!isUpgradeRequest(op.req)) throw errors.badRequest('Upgrade request required');
  return refusable(async () => {
    const dial = await src.openPortForward(pod);
    return upgradeTo(PORT_FORWARD_PROTOCOLS, (conn) => servePortForward(conn, dial));
  });
}

interface Inputs {
  readonly stdin: AsyncQueue<Buffer> | undefined;
  readonly resizes: AsyncQueue<TerminalSize> | undefined;
  readonly sizes: ResizeDecoder;
}

/** Routes one client message: stdin data, stdin's v5 CLOSE, or terminal sizes. */
function route(m: ChannelMessage | undefined, inputs: Inputs): void {
  if (m === undefined) return;
  if (m.kind === 'close') {
    if (m.channel === STDIN) inputs.stdin?.end();
    return;
  }
  if (m.channel === STDIN && m.data.length > 0) inputs.stdin?.push(m.data);
  if (m.channel !== RESIZE) return;
  for (const s of inputs.sizes.push(m.data)) inputs.resizes?.push(s);
}

/** Reads the client's messages until the connection ends, then ends the inputs. */
async function demultiplex(conn: StreamConn, inputs: Inputs): Promise<void> {
  try {
    for await (const message of conn.messages) route(decodeFrame(message, conn.protocol), inputs);
  } finally {
    inputs.stdin?.end();
    inputs.resizes?.end();
  }
}

/**
 * One exec or attach session: the kubelet's empty "connected" frame on the lowest writable
 * channel, the streams, then the outcome on the error channel and a normal close.
 */
async function serveProcess(conn: StreamConn, opts: AttachOptions, run: ProcessRun): Promise<void> {
  let first = ERROR;
  if (opts.stdout) first = STDOUT;
  else if (opts.stderr) first = STDERR;
  conn.send(encodeFrame(first));
  const stdin = opts.stdin ? new AsyncQueue<Buffer>() : undefined;
  const resizes = opts.tty ? new AsyncQueue<TerminalSize>() : undefined;
  const reading = demultiplex(conn, { stdin, resizes, sizes: new ResizeDecoder() });
  const out =
    (channel: number) =>
    (chunk: Buffer): void => {
      if (chunk.length > 0 && !conn.signal.aborted) conn.send(encodeFrame(channel, chunk));
    };
  const io: ProcessIO = {
    tty: opts.tty,
    signal: conn.signal,
    ...(stdin ? { stdin } : {}),
    ...(resizes ? { resizes } : {}),
    ...(opts.stdout ? { stdout: out(STDOUT) } : {}),
    ...(opts.stderr ? { stderr: out(STDERR) } : {}),
  };
  let outcome: CommandOutcome;
  try {
    outcome = await run(io);
  } catch (e: unknown) {
    outcome = { kind: 'error', message: toError(e).message };
  }
  if (!conn.signal.aborted) {
    const payload = outcomePayload(outcome, conn.protocol);
    if (payload) conn.send(encodeFrame(ERROR, payload));
    conn.close();
  }
  await reading;
}

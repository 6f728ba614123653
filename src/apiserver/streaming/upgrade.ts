import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { ANONYMOUS, connectionCredentials, isPublicPath, presentsCredentials } from '../authn.ts';
import { ApiError, errors } from '../errors.ts';
import {
  isUpgrade,
  type ApiResponse,
  type StreamConn,
  type UpgradeResponse,
  type UserInfo,
} from '../http-types.ts';
import type { Router } from '../http-adapter.ts';
import { AsyncQueue } from './async-queue.ts';

type Headers = Record<string, string | undefined>;

function headersOf(req: IncomingMessage): Headers {
  const out: Headers = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

/** Writes a whole HTTP/1.1 response on a socket that was never handed to node:http's writer. */
function writeRaw(socket: Duplex, response: ApiResponse): void {
  if (socket.destroyed) return;
  const lines = [`HTTP/1.1 ${String(response.status)} ${STATUS_CODES[response.status] ?? ''}`];
  for (const [k, v] of Object.entries(response.headers)) {
    for (const value of typeof v === 'string' ? [v] : v) lines.push(`${k}: ${value}`);
  }
  const body = 'body' in response ? Buffer.from(response.body) : Buffer.alloc(0);
  lines.push(`Content-Length: ${String(body.length)}`, 'Connection: close', '', '');
  socket.end(Buffer.concat([Buffer.from(lines.join('\r\n')), body]));
}

function writeError(socket: Duplex, err: ApiError): void {
  writeRaw(socket, {
    status: err.status.code,
    headers: { 'Content-Type': 'application/json', ...err.headers },
    body: JSON.stringify(err.status),
  });
}

/** The first protocol the client offers that the handler speaks (gorilla/websocket's choice). */
export function chooseProtocol(
  offered: readonly string[],
  supported: readonly string[],
): string | undefined {
  return offered.find((p) => supported.includes(p));
}

function offeredProtocols(headers: Headers): string[] {
  return (headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

/** The WebSocket as a StreamConn: binary messages in, binary messages out. */
function streamConn(ws: WebSocket): StreamConn {
  const messages = new AsyncQueue<Buffer>();
  const ac = new AbortController();
  ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
    if (Buffer.isBuffer(data)) messages.push(data);
    else if (Array.isArray(data)) messages.push(Buffer.concat(data));
    else messages.push(Buffer.from(data));
  });
  ws.on('close', () => {
    messages.end();
    ac.abort();
  });
  ws.on('error', () => {
    ws.terminate();
  });
  return {
    protocol: ws.protocol,
    messages,
    send: (data) => {
      if (ws.readyState === ws.OPEN) ws.send(data, { binary: true });
    },
    close: () => {
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
    signal: ac.signal,
  };
}

async function authenticate(
  route: NonNullable<ReturnType<Router>>,
  req: IncomingMessage,
  headers: Headers,
): Promise<UserInfo | undefined> {
  const connection = connectionCredentials(req.socket);
  const user = await route.authenticator.authenticate(headers, connection);
  if (user) return user;
  const method = req.method ?? 'GET';
  if (!isPublicPath(method, route.path) || presentsCredentials(headers, connection)) {
    return undefined;
  }
  return ANONYMOUS;
}

interface PendingUpgrade {
  readonly req: IncomingMessage;
  readonly socket: Duplex;
  readonly head: Buffer;
}

/** Completes the WebSocket handshake speaking `protocol` and hands over the socket. */
type Accept = (u: PendingUpgrade, protocol: string, onOpen: (ws: WebSocket) => void) => void;

function complete(accept: Accept, upgrade: PendingUpgrade, response: UpgradeResponse): void {
  const { req, socket } = upgrade;
  const headers = headersOf(req);
  if ((headers['upgrade'] ?? '').toLowerCase() !== 'websocket') {
    writeError(
      socket,
      errors.badRequest(
        `unable to upgrade: this server speaks ${response.upgrade.protocols.join(', ')} over WebSocket, not ${headers['upgrade'] ?? ''}`,
      ),
    );
    return;
  }
  const offered = offeredProtocols(headers);
  const protocol = chooseProtocol(offered, response.upgrade.protocols);
  if (protocol === undefined) {
    writeError(
      socket,
      errors.badRequest(
        `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${response.upgrade.protocols.join(' ')}]`,
      ),
    );
    return;
  }
  accept(upgrade, protocol, (ws) => {
    void response.upgrade.run(streamConn(ws)).catch(() => {
      ws.terminate();
    });
  });
}

async function serveUpgrade(
  router: Router,
  accept: Accept,
  upgrade: PendingUpgrade,
): Promise<void> {
  const { req, socket } = upgrade;
  const url = new URL(req.url ?? '/', 'https://localhost');
  const route = router(url.pathname);
  if (!route) {
    writeError(socket, errors.notFoundPath());
    return;
  }
  const headers = headersOf(req);
  const user = await authenticate(route, req, headers);
  if (!user) {
    writeError(socket, errors.unauthorized());
    return;
  }
  const ac = new AbortController();
  socket.once('close', () => {
    ac.abort();
  });
  const response = await route.handler.handle({
    method: req.method ?? 'GET',
    path: route.path,
    query: url.searchParams,
    headers,
    body: Buffer.alloc(0),
    user,
    signal: ac.signal,
  });
  if (isUpgrade(response)) {
    complete(accept, upgrade, response);
    return;
  }
  if ('body' in response) {
    writeRaw(socket, response);
    return;
  }
  // A streamed answer to a request that also asked to upgrade (e.g. a watch): collect it.
  const chunks: string[] = [];
  await response.stream({ write: (c) => chunks.push(c) > 0, signal: ac.signal });
  writeRaw(socket, { status: response.status, headers: response.headers, body: chunks.join('') });
}

/**
 * The node:http(s) `'upgrade'` listener: routes and authenticates exactly as requests are, asks
 * the cluster, and either writes its (error) response on the socket or completes the WebSocket
 * handshake with the subprotocol negotiated from the client's list and runs the session.
 */
export function upgradeListener(
  router: Router,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const chosen = new WeakMap<IncomingMessage, string>();
  const wss = new WebSocketServer({
    noServer: true,
    // The subprotocol was chosen before the handshake; ws echoes that one.
    handleProtocols: (_offered, req) => chosen.get(req) ?? false,
  });
  const accept: Accept = (u, protocol, onOpen) => {
    chosen.set(u.req, protocol);
    // ws rejects offers that are not RFC 7230 tokens, but kubectl's `SPDY/3.1+portforward.k8s.io`
    // has a '/': the choice is already made, so ws only sees a token and echoes our choice.
    u.req.headers['sec-websocket-protocol'] = 'negotiated';
    wss.handleUpgrade(u.req, u.socket, u.head, onOpen);
  };
  return (req, socket, head) => {
    socket.on('error', () => {
      socket.destroy();
    });
    void serveUpgrade(router, accept, { req, socket, head }).catch((e: unknown) => {
      writeError(socket, e instanceof ApiError ? e : errors.internal(String(e)));
    });
  };
}

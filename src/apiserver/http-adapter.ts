import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  ANONYMOUS,
  connectionCredentials,
  isPublicPath,
  presentsCredentials,
  type Authenticator,
} from './authn.ts';
import { MAX_BODY_BYTES } from './content.ts';
import { ApiError, errors } from './errors.ts';
import type { ApiRequest, ApiResponse, UserInfo } from './http-types.ts';

/** Something that serves ApiRequests (one cluster's ApiServer). */
export interface RequestHandler {
  handle: (req: ApiRequest) => Promise<ApiResponse>;
}

export interface Route {
  readonly handler: RequestHandler;
  /** The path below the route's prefix. */
  readonly path: string;
  readonly authenticator: Authenticator;
}

export type Router = (path: string) => Route | undefined;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        reject(errors.tooLarge());
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

function sendStatus(res: ServerResponse, err: ApiError): void {
  res.writeHead(err.status.code, { 'Content-Type': 'application/json', ...err.headers });
  res.end(JSON.stringify(err.status));
}

async function send(
  res: ServerResponse,
  response: ApiResponse,
  signal: AbortSignal,
): Promise<void> {
  if ('body' in response) {
    res.writeHead(response.status, response.headers as Record<string, string | string[]>);
    res.end(response.body);
    return;
  }
  res.writeHead(response.status, response.headers as Record<string, string | string[]>);
  res.flushHeaders();
  try {
    await response.stream({ write: (chunk) => res.write(chunk), signal });
  } finally {
    res.end();
  }
}

/**
 * The node:http(s) request listener: routes by path prefix, authenticates, reads the body
 * (at most 3 MiB), hands an ApiRequest to the cluster and writes or streams the answer.
 */
export function requestListener(
  router: Router,
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void serve(router, req, res).catch((e: unknown) => {
      if (!res.headersSent)
        sendStatus(res, errors.internal(e instanceof Error ? e.message : String(e)));
      else res.destroy();
    });
  };
}

async function serve(router: Router, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://localhost');
  const route = router(url.pathname);
  if (!route) {
    sendStatus(res, errors.notFoundPath());
    return;
  }
  const headers = headersOf(req);
  const method = req.method ?? 'GET';
  const connection = connectionCredentials(req.socket);
  let user: UserInfo | undefined = await route.authenticator.authenticate(headers, connection);
  if (!user) {
    if (!isPublicPath(method, route.path) || presentsCredentials(headers, connection)) {
      req.resume();
      sendStatus(res, errors.unauthorized());
      return;
    }
    user = ANONYMOUS;
  }
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (e: unknown) {
    sendStatus(
      res,
      e instanceof ApiError ? e : errors.badRequest('could not read the request body'),
    );
    return;
  }
  const ac = new AbortController();
  // Abort only when the client leaves early: an abort after a finished response would build a
  // DOMException (with its stack) for nothing on every request.
  res.on('close', () => {
    if (!res.writableFinished) ac.abort();
  });
  const response = await route.handler.handle({
    method,
    path: route.path,
    query: url.searchParams,
    headers,
    body,
    user,
    signal: ac.signal,
  });
  await send(res, response, ac.signal);
}

export { upgradeListener } from './streaming/upgrade.ts';

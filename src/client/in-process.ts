import type { KubeObject } from '../api/index.ts';
import type { ApiRequest, ApiResponse, UserInfo } from '../apiserver/http-types.ts';
import type { ClientRequest, ClientResponse, Transport, WatchSink } from './transport.ts';

/** Anything that answers ApiRequests: the embedded ApiServer. */
export interface InProcessHandler {
  handle(req: ApiRequest): Promise<ApiResponse>;
}

const EMPTY = Buffer.alloc(0);

/** Writes the controllers make are typed: checking them for unknown fields is wasted work. */
const WRITES = new Set(['POST', 'PUT', 'PATCH']);

function toApiRequest(r: ClientRequest, user: UserInfo, signal: AbortSignal): ApiRequest {
  const query = new URLSearchParams(r.query ?? {});
  if (WRITES.has(r.method) && !query.has('fieldValidation')) query.set('fieldValidation', 'Ignore');
  return {
    method: r.method,
    path: r.path,
    query,
    headers: {
      ...(r.contentType === undefined ? {} : { 'content-type': r.contentType }),
      accept: r.accept ?? 'application/json',
      'user-agent': 'kiln-controller-manager',
    },
    body: r.body === undefined ? EMPTY : Buffer.from(r.body),
    ...(r.json === undefined ? {} : { value: r.json }),
    user,
    signal,
  };
}

function deepFreeze<T>(v: T): T {
  if (typeof v !== 'object' || v === null) return v;
  for (const child of Object.values(v)) deepFreeze(child);
  return Object.freeze(v);
}

/** Plain requests are never cancelled: one signal that never aborts serves them all. */
const NEVER = new AbortController().signal;

/** Calls the embedded API server directly: the same protocol, no sockets. */
export class InProcessTransport implements Transport {
  readonly #handler: InProcessHandler;
  readonly #user: UserInfo;
  /**
   * The last watch event object decoded. The store calls every watcher synchronously for one
   * change, so they all ask for the same JSON in a row and share one decoded object.
   */
  #lastDecoded: { readonly json: string; readonly object: KubeObject } | undefined;
  constructor(handler: InProcessHandler, user: UserInfo) {
    this.#handler = handler;
    this.#user = user;
  }

  async request(r: ClientRequest): Promise<ClientResponse> {
    // Yield to the event loop as real I/O would: a controller that writes on every event must
    // not starve timers, sockets and every other controller of the process.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const res = await this.#handler.handle(toApiRequest(r, this.#user, NEVER));
    if ('body' in res)
      return {
        status: res.status,
        body: typeof res.body === 'string' ? res.body : res.body.toString('utf8'),
        ...(res.object === undefined ? {} : { object: res.object }),
      };
    const lines: string[] = [];
    const ac = new AbortController();
    await res.stream({ write: (c) => lines.push(c) > 0, signal: ac.signal });
    return { status: res.status, body: lines.join('') };
  }

  stream(r: ClientRequest, onLine: (line: string) => void, signal: AbortSignal): Promise<number> {
    return this.watch(r, { line: onLine }, signal);
  }

  async watch(
    r: ClientRequest,
    sink: Pick<WatchSink, 'line'> & Partial<WatchSink>,
    signal: AbortSignal,
  ): Promise<number> {
    const res = await this.#handler.handle(toApiRequest(r, this.#user, signal));
    if ('body' in res) {
      sink.line(typeof res.body === 'string' ? res.body : res.body.toString('utf8'));
      return res.status;
    }
    const onEvent = sink.event;
    await res.stream({
      write: (chunk) => {
        for (const l of chunk.split('\n')) if (l !== '') sink.line(l);
        return true;
      },
      ...(onEvent === undefined
        ? {}
        : {
            writeEvent: (type: string, json: string, object?: KubeObject) => {
              onEvent(type, object ?? this.#decode(json));
              return true;
            },
          }),
      signal,
    });
    return res.status;
  }

  #decode(json: string): KubeObject {
    const last = this.#lastDecoded;
    if (last?.json === json) return last.object;
    // SAFETY: the API server streams KubeObject JSON in watch events.
    const object = deepFreeze(JSON.parse(json) as KubeObject);
    this.#lastDecoded = { json, object };
    return object;
  }
}

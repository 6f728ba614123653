import type { KubeObject, Status } from '../api/index.ts';
import { KilnError } from '../util/index.ts';
import type { ClientRequest, Transport, WatchSink } from './transport.ts';

/** A non-2xx answer from the API server, with its Status. */
export class ApiStatusError extends KilnError {
  readonly code = 'KILN_CLIENT_STATUS';
  readonly httpStatus: number;
  readonly status: Partial<Status>;
  constructor(httpStatus: number, status: Partial<Status>) {
    super(status.message ?? `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.status = status;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

export function isNotFound(e: unknown): boolean {
  return e instanceof ApiStatusError && e.httpStatus === 404;
}
export function isConflict(e: unknown): boolean {
  return e instanceof ApiStatusError && e.httpStatus === 409;
}
export function isAlreadyExists(e: unknown): boolean {
  return e instanceof ApiStatusError && e.reason === 'AlreadyExists';
}

export interface ObjectList {
  readonly metadata: { resourceVersion?: string; continue?: string };
  readonly items: KubeObject[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: KubeObject;
}

function parseStatus(body: string): Partial<Status> {
  try {
    // SAFETY: only read as an optional-field Status.
    return JSON.parse(body) as Partial<Status>;
  } catch {
    return { message: body };
  }
}

/** A small REST client over a Transport, speaking only the Kubernetes API. */
export class KubeClient {
  readonly transport: Transport;
  constructor(transport: Transport) {
    this.transport = transport;
  }

  async #call<T>(r: ClientRequest): Promise<T> {
    const res = await this.transport.request(r);
    if (res.status < 200 || res.status > 299)
      throw new ApiStatusError(res.status, parseStatus(res.body));
    // SAFETY: the API server answers JSON of the requested type on success; `object` is that
    // JSON already decoded.
    return (res.object ?? JSON.parse(res.body)) as T;
  }

  get(path: string): Promise<KubeObject> {
    return this.#call({ method: 'GET', path });
  }

  list(path: string, query: Readonly<Record<string, string>> = {}): Promise<ObjectList> {
    return this.#call({ method: 'GET', path, query });
  }

  create(
    path: string,
    obj: KubeObject,
    query: Readonly<Record<string, string>> = {},
  ): Promise<KubeObject> {
    return this.#call({
      method: 'POST',
      path,
      query,
      json: obj,
      contentType: 'application/json',
    });
  }

  update(path: string, obj: KubeObject): Promise<KubeObject> {
    return this.#call({
      method: 'PUT',
      path,
      json: obj,
      contentType: 'application/json',
    });
  }

  patch(
    path: string,
    body: unknown,
    type: 'merge' | 'json' | 'strategic' = 'merge',
  ): Promise<KubeObject> {
    const contentType = {
      merge: 'application/merge-patch+json',
      json: 'application/json-patch+json',
      strategic: 'application/strategic-merge-patch+json',
    }[type];
    return this.#call({ method: 'PATCH', path, json: body, contentType });
  }

  delete(
    path: string,
    opts: { propagationPolicy?: string; gracePeriodSeconds?: number } = {},
  ): Promise<unknown> {
    return this.#call({
      method: 'DELETE',
      path,
      json: opts,
      contentType: 'application/json',
    });
  }

  /** A raw JSON GET for discovery documents. */
  raw<T>(path: string): Promise<T> {
    return this.#call({ method: 'GET', path });
  }

  /**
   * Watches `path` from `resourceVersion`; resolves when the stream ends. Non-200 answers and
   * ERROR events reject with ApiStatusError (410 Expired means: relist).
   */
  async watch(
    path: string,
    opts: {
      resourceVersion: string;
      signal: AbortSignal;
      query?: Readonly<Record<string, string>>;
    },
    onEvent: (e: WatchEvent) => void,
  ): Promise<void> {
    let failure: ApiStatusError | undefined;
    const deliver = (parsed: Partial<WatchEvent> & Partial<Status>): void => {
      if (parsed.type === 'ERROR') {
        // SAFETY: an ERROR event carries a Status.
        const s = parsed.object as unknown as Partial<Status>;
        failure = new ApiStatusError(s.code ?? 500, s);
        return;
      }
      if (parsed.type !== undefined && parsed.object !== undefined)
        onEvent({ type: parsed.type, object: parsed.object });
      else if (parsed.kind === 'Status') failure = new ApiStatusError(parsed.code ?? 500, parsed);
    };
    const onLine = (line: string): void => {
      // SAFETY: watch lines are WatchEvent JSON; a Status when the request failed.
      if (!failure) deliver(JSON.parse(line) as Partial<WatchEvent> & Partial<Status>);
    };
    const sink: WatchSink = {
      line: onLine,
      event: (type, object) => {
        // SAFETY: the server only hands over events of the WatchEventType kinds.
        if (!failure) deliver({ type: type as WatchEventType, object });
      },
    };
    const request: ClientRequest = {
      method: 'GET',
      path,
      query: {
        ...opts.query,
        watch: 'true',
        resourceVersion: opts.resourceVersion,
        allowWatchBookmarks: 'true',
      },
    };
    const status =
      this.transport.watch === undefined
        ? await this.transport.stream(request, onLine, opts.signal)
        : await this.transport.watch(request, sink, opts.signal);
    if (failure) throw failure;
    if (status !== 200) throw new ApiStatusError(status, {});
  }
}

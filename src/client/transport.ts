import type { KubeObject } from '../api/index.ts';

export interface ClientRequest {
  readonly method: string;
  /** Absolute API path, e.g. `/api/v1/namespaces/x/pods`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: string;
  /**
   * The body as a JSON value instead of text (with a JSON content type): a transport that sends
   * bytes serialises it; one in the same process may hand it over as it is.
   */
  readonly json?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
}

export interface ClientResponse {
  readonly status: number;
  readonly body: string;
  /**
   * What `body` decodes to, when the transport has it without decoding (the embedded API
   * server's stored object): shared and deeply frozen, like informer cache entries.
   */
  readonly object?: KubeObject;
}

/** Where a watch stream goes: raw lines, or events the server handed over already decoded. */
export interface WatchSink {
  line(line: string): void;
  /**
   * A watch event whose object was decoded once for every in-process watcher of the same change:
   * it is shared and deeply frozen (informer caches must not be mutated, as in client-go).
   */
  event(type: string, object: KubeObject): void;
}

/**
 * How a client reaches an API server: in process (the embedded server) or over HTTPS (a real
 * cluster). Controllers only ever see this, so they run against either.
 */
export interface Transport {
  request(r: ClientRequest): Promise<ClientResponse>;
  /**
   * Opens a streaming GET (a watch) and calls `onLine` for every newline-delimited chunk until
   * the stream ends or the signal aborts. Resolves with the HTTP status; a non-200 status
   * comes with its body as one line.
   */
  stream(r: ClientRequest, onLine: (line: string) => void, signal: AbortSignal): Promise<number>;
  /**
   * Optional: `stream` for a watch, where events may also arrive decoded (`sink.event`) instead
   * of as lines, so that one change is decoded once however many watchers share the process.
   */
  watch?(r: ClientRequest, sink: WatchSink, signal: AbortSignal): Promise<number>;
}

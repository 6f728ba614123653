import type { KubeObject } from '../api/index.ts';

/** Who is making a request, after authentication. */
export interface UserInfo {
  readonly username: string;
  readonly uid?: string;
  readonly groups: readonly string[];
  readonly extra?: Readonly<Record<string, readonly string[]>>;
}

/** A request as the API server core sees it: transport-independent, so tests inject it. */
export interface ApiRequest {
  readonly method: string;
  /** The path below the cluster's prefix, e.g. `/api/v1/pods`. */
  readonly path: string;
  readonly query: URLSearchParams;
  /** Lower-case header names. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: Buffer;
  /**
   * The body as a value, from a caller in the same process, instead of `body`'s bytes: the
   * server decodes a copy of it (see content.ts), so the caller's value is never changed.
   */
  readonly value?: unknown;
  readonly user: UserInfo;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
}

/** Where a streaming response writes. `write` returns false when the client is slow. */
export interface ResponseSink {
  write(chunk: string): boolean;
  /**
   * Optional, for sinks in the same process: a JSON watch event given as its type and its
   * object's JSON (shared by every watcher of the change), instead of the serialised line
   * `{"type":…,"object":…}` that `write` would get; with `object` too when it is the stored,
   * deeply frozen object that JSON encodes. Lets watchers in the process share one object.
   */
  writeEvent?(type: string, objectJson: string, object?: KubeObject): boolean;
  readonly signal: AbortSignal;
}

export interface BufferedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string | Buffer;
  /**
   * The stored, deeply frozen object `body` encodes, when the response is one: callers in the
   * same process take it instead of decoding `body` again.
   */
  readonly object?: KubeObject;
}

export interface StreamingResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** Writes until done or until the sink's signal aborts. */
  readonly stream: (sink: ResponseSink) => Promise<void>;
}

/**
 * A message-oriented connection after a protocol upgrade (a WebSocket). Each message is one
 * binary frame; `messages` ends when the peer closes.
 */
export interface StreamConn {
  /** The subprotocol agreed in the handshake. */
  readonly protocol: string;
  readonly messages: AsyncIterable<Buffer>;
  send(data: Buffer): void;
  /** Closes normally (1000) after what was sent is flushed. */
  close(): void;
  /** Aborts when the connection is gone, whoever closed it. */
  readonly signal: AbortSignal;
}

/** What a connect subresource (exec, attach, portforward) does once the connection is upgraded. */
export interface StreamUpgrade {
  /** The WebSocket subprotocols it speaks, in the server's order of preference. */
  readonly protocols: readonly string[];
  run(conn: StreamConn): Promise<void>;
}

/**
 * Answers an upgrade request (status 101): the transport completes the WebSocket handshake and
 * hands the connection to `upgrade.run`. It is a StreamingResponse so that transports without
 * upgrades still type-check; its `stream` rejects, as such a transport has no connection to give.
 */
export interface UpgradeResponse extends StreamingResponse {
  readonly status: 101;
  readonly upgrade: StreamUpgrade;
}

export type ApiResponse = BufferedResponse | StreamingResponse | UpgradeResponse;

export function isUpgrade(res: ApiResponse): res is UpgradeResponse {
  return 'upgrade' in res;
}

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): BufferedResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

/** A JSON response of a stored object and the serialisation the store made of it. */
export function storedObjectResponse(
  status: number,
  stored: { readonly object: KubeObject; readonly json: string },
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): BufferedResponse {
  return { ...jsonResponse(status, stored.json, headers), object: stored.object };
}

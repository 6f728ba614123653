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
  readonly user: UserInfo;
  /** Aborts when the client goes away. */
  readonly signal: AbortSignal;
}

/** Where a streaming response writes. `write` returns false when the client is slow. */
export interface ResponseSink {
  write(chunk: string): boolean;
  readonly signal: AbortSignal;
}

export interface BufferedResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string | Buffer;
}

export interface StreamingResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** Writes until done or until the sink's signal aborts. */
  readonly stream: (sink: ResponseSink) => Promise<void>;
}

export type ApiResponse = BufferedResponse | StreamingResponse;

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

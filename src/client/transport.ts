export interface ClientRequest {
  readonly method: string;
  /** Absolute API path, e.g. `/api/v1/namespaces/x/pods`. */
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly contentType?: string;
  readonly accept?: string;
}

export interface ClientResponse {
  readonly status: number;
  readonly body: string;
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
}

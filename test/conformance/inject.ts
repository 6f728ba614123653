import { ApiServer, type ApiResponse } from '../../src/apiserver/index.ts';
import { CachedStore, noPersistence } from '../../src/store/index.ts';
import { ManualClock, sequentialIds } from '../../src/util/index.ts';

export interface InjectRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: Buffer | string;
  readonly contentType?: string;
  readonly accept?: string;
}

export interface Injected {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
  json<T>(): T;
}

export type Inject = (r: InjectRequest) => Promise<Injected>;

const ADMIN = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

async function bodyOf(res: ApiResponse): Promise<string> {
  if ('body' in res) return typeof res.body === 'string' ? res.body : res.body.toString('utf8');
  // A stream (a watch): collect what it writes at once, then hang up as a client would.
  const ac = new AbortController();
  const chunks: string[] = [];
  const done = res.stream({ write: (c) => chunks.push(c) > 0, signal: ac.signal });
  await new Promise((resolve) => setTimeout(resolve, 20));
  ac.abort();
  await done;
  return chunks.join('');
}

/** An in-memory API server with the system namespaces, driven by in-process requests. */
export async function newServer(): Promise<{
  server: ApiServer;
  clock: ManualClock;
  inject: Inject;
}> {
  const clock = new ManualClock();
  const store = new CachedStore({ persistence: noPersistence });
  const server = new ApiServer({ store, clock, ids: sequentialIds() });
  const inject: Inject = async (r) => {
    const url = new URL(r.path, 'https://x');
    const res = await server.handle({
      method: r.method,
      path: url.pathname,
      query: url.searchParams,
      headers: {
        ...(r.contentType === undefined ? {} : { 'content-type': r.contentType }),
        ...(r.accept === undefined ? {} : { accept: r.accept }),
      },
      body: typeof r.body === 'string' ? Buffer.from(r.body) : (r.body ?? Buffer.alloc(0)),
      user: ADMIN,
      signal: new AbortController().signal,
    });
    const body = await bodyOf(res);
    return {
      status: res.status,
      headers: res.headers,
      body,
      json: <T>(): T => JSON.parse(body) as T,
    };
  };
  for (const name of ['default', 'kube-system']) {
    await inject({
      method: 'POST',
      path: '/api/v1/namespaces',
      body: JSON.stringify({ metadata: { name } }),
      contentType: 'application/json',
    });
  }
  return { server, clock, inject };
}

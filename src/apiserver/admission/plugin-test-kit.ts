import type { KubeObject } from '../../api/index.ts';
import { ApiStatusError, InProcessTransport, KubeClient } from '../../client/index.ts';
import { CachedStore, noPersistence, type Store } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import type { ApiResponse } from '../http-types.ts';
import { ApiServer } from '../server.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { AdmissionChain, type AdmissionPlugin } from './types.ts';

export const ADMIN = { username: 'admin', groups: ['system:masters'] };

export interface PluginHarness {
  readonly store: Store;
  readonly clock: ManualClock;
  readonly api: ApiServer;
  readonly client: KubeClient;
  /** A raw request, for what the client hides (Warning headers). */
  send(method: string, path: string, body?: unknown): Promise<ApiResponse>;
}

/** An in-process API server whose admission chain is NamespaceLifecycle plus `plugins`. */
export async function pluginHarness(
  plugins: (store: Store, clock: ManualClock) => AdmissionPlugin[],
  namespaces: readonly string[] = ['default'],
): Promise<PluginHarness> {
  const store = new CachedStore({ persistence: noPersistence });
  const clock = new ManualClock();
  const ids = sequentialIds();
  const admission = new AdmissionChain([namespaceLifecycle(store), ...plugins(store, clock)]);
  const api = new ApiServer({ store, clock, ids, admission });
  const client = new KubeClient(new InProcessTransport(api, ADMIN));
  for (const name of namespaces) {
    await client.create('/api/v1/namespaces', { metadata: { name } });
    await client.create(`/api/v1/namespaces/${name}/serviceaccounts`, {
      metadata: { name: 'default' },
    });
  }
  const send = (method: string, path: string, body?: unknown): Promise<ApiResponse> =>
    api.handle({
      method,
      path,
      query: new URLSearchParams(),
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body === undefined ? '' : JSON.stringify(body)),
      user: ADMIN,
      signal: new AbortController().signal,
    });
  return { store, clock, api, client, send };
}

export function pod(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}

/** The API error a promise rejects with. */
export async function rejection(p: Promise<unknown>): Promise<ApiStatusError> {
  try {
    await p;
  } catch (e: unknown) {
    if (e instanceof ApiStatusError) return e;
    throw e;
  }
  throw new Error('expected a rejection');
}

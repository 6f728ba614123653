import type { JsonObject } from '../../api/index.ts';
import { CachedStore, noPersistence } from '../../store/index.ts';
import { ManualClock, sequentialIds } from '../../util/index.ts';
import type { ApiResponse } from '../http-types.ts';
import { ApiServer } from '../server.ts';

/** An in-memory API server driven by in-process requests, for the CRD tests. */

export interface Reply {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: JsonObject;
}

export interface Call {
  readonly method?: string;
  readonly path: string;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
}

const ADMIN = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

function text(res: ApiResponse): string {
  if (!('body' in res)) throw new Error('unexpected streaming response');
  return typeof res.body === 'string' ? res.body : res.body.toString('utf8');
}

export interface Kit {
  readonly server: ApiServer;
  readonly store: CachedStore;
  readonly clock: ManualClock;
  call(c: Call): Promise<Reply>;
}

export async function newKit(): Promise<Kit> {
  const clock = new ManualClock();
  const store = new CachedStore({ persistence: noPersistence });
  const server = new ApiServer({ store, clock, ids: sequentialIds() });
  const call = async (c: Call): Promise<Reply> => {
    const url = new URL(c.path, 'https://x');
    const res = await server.handle({
      method: c.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: {
        ...(c.body === undefined ? {} : { 'content-type': c.contentType ?? 'application/json' }),
        ...(c.accept === undefined ? {} : { accept: c.accept }),
      },
      body: Buffer.from(c.body === undefined ? '' : JSON.stringify(c.body)),
      user: ADMIN,
      signal: new AbortController().signal,
    });
    const raw = text(res);
    // SAFETY: every non-streaming API response body is a JSON object.
    const body = (raw === '' ? {} : JSON.parse(raw)) as JsonObject;
    return { status: res.status, headers: res.headers, body };
  };
  await call({
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: 'default' } },
  });
  return { server, store, clock, call };
}

/** A CronTab-like CRD with two versions, printer columns, status and scale subresources. */
export function widgetCrd(): JsonObject {
  const schema = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        required: ['size'],
        properties: {
          size: { type: 'string', enum: ['small', 'large'], description: 'How big the widget is.' },
          replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
          color: { type: 'string', pattern: '^[a-z]+$', maxLength: 8 },
          port: { 'x-kubernetes-int-or-string': true },
          tags: { type: 'array', minItems: 1, items: { type: 'string' } },
          extra: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        },
      },
      status: {
        type: 'object',
        properties: { replicas: { type: 'integer' }, phase: { type: 'string' } },
      },
    },
  };
  const version = (name: string, storage: boolean): JsonObject => ({
    name,
    served: true,
    storage,
    schema: { openAPIV3Schema: schema },
    subresources: {
      status: {},
      scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
    },
    additionalPrinterColumns: [
      { name: 'Size', type: 'string', jsonPath: '.spec.size' },
      { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas' },
      { name: 'Phase', type: 'string', jsonPath: '.status.phase', priority: 1 },
    ],
  });
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.example.com' },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: {
        plural: 'widgets',
        singular: 'widget',
        kind: 'Widget',
        shortNames: ['wd'],
        categories: ['all'],
      },
      versions: [version('v1', true), version('v1beta1', false)],
    },
  };
}

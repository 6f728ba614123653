import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/index.ts';
import { ApiServer, type PodLogOptions, type PodLogSource } from '../../src/apiserver/index.ts';
import { CachedStore, noPersistence } from '../../src/store/index.ts';
import { ManualClock, sequentialIds } from '../../src/util/index.ts';

/** A log source as a node agent would be: it serves one node and echoes what it was asked. */
class RecordingLogs implements PodLogSource {
  readonly seen: PodLogOptions[] = [];
  servesNode(node: string): boolean {
    return node === 'node-1';
  }
  async streamLogs(
    pod: KubeObject,
    opts: PodLogOptions,
    sink: { write(c: string): boolean; signal: AbortSignal },
  ): Promise<void> {
    this.seen.push(opts);
    sink.write(`log of ${pod.metadata.name ?? ''}/${opts.container}\n`);
    if (opts.follow) {
      await new Promise<void>((resolve) => {
        sink.signal.addEventListener(
          'abort',
          () => {
            resolve();
          },
          { once: true },
        );
      });
    }
  }
}

async function setup(): Promise<{
  server: ApiServer;
  logs: RecordingLogs;
  get: (path: string) => Promise<{ status: number; body: string }>;
}> {
  const logs = new RecordingLogs();
  const server = new ApiServer({
    store: new CachedStore({ persistence: noPersistence }),
    clock: new ManualClock(),
    ids: sequentialIds(),
    logs,
  });
  const user = { username: 'admin', groups: ['system:masters'] };
  const call = async (
    method: string,
    path: string,
    body = '',
  ): Promise<{ status: number; body: string }> => {
    const url = new URL(path, 'https://x');
    const ac = new AbortController();
    const res = await server.handle({
      method,
      path: url.pathname,
      query: url.searchParams,
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(body),
      user,
      signal: ac.signal,
    });
    if ('body' in res) return { status: res.status, body: String(res.body) };
    const chunks: string[] = [];
    const done = res.stream({ write: (c) => chunks.push(c) > 0, signal: ac.signal });
    await new Promise((r) => setTimeout(r, 10));
    ac.abort();
    await done;
    return { status: res.status, body: chunks.join('') };
  };
  await call('POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'default' } }));
  const pod = (name: string, node: string, containers: string[]): string =>
    JSON.stringify({
      metadata: { name },
      spec: {
        ...(node === '' ? {} : { nodeName: node }),
        containers: containers.map((c) => ({ name: c, image: 'x' })),
      },
    });
  await call('POST', '/api/v1/namespaces/default/pods', pod('one', 'node-1', ['app']));
  await call('POST', '/api/v1/namespaces/default/pods', pod('two', 'node-1', ['app', 'sidecar']));
  await call('POST', '/api/v1/namespaces/default/pods', pod('pending', '', ['app']));
  await call('POST', '/api/v1/namespaces/default/pods', pod('elsewhere', 'node-9', ['app']));
  return { server, logs, get: (path) => call('GET', path) };
}

describe('pods/log', () => {
  it('streams the only container, passing the options through', async () => {
    const { logs, get } = await setup();
    const r = await get(
      '/api/v1/namespaces/default/pods/one/log?follow=true&tailLines=5&timestamps=true&sinceSeconds=10',
    );
    assert.equal(r.status, 200);
    assert.equal(r.body, 'log of one/app\n');
    assert.deepEqual(logs.seen[0], {
      container: 'app',
      follow: true,
      previous: false,
      timestamps: true,
      sinceSeconds: 10,
      tailLines: 5,
    });
  });

  it('asks for a container when there are several, as upstream', async () => {
    const { get } = await setup();
    const r = await get('/api/v1/namespaces/default/pods/two/log');
    assert.equal(r.status, 400);
    assert.match(
      r.body,
      /a container name must be specified for pod two, choose one of: \[app sidecar\]/,
    );
    assert.equal(
      (await get('/api/v1/namespaces/default/pods/two/log?container=sidecar')).body,
      'log of two/sidecar\n',
    );
    assert.match(
      (await get('/api/v1/namespaces/default/pods/two/log?container=nope')).body,
      /container nope is not valid for pod two/,
    );
  });

  it('rejects bad options, answers empty for unscheduled pods and errors without a node agent', async () => {
    const { get } = await setup();
    assert.equal((await get('/api/v1/namespaces/default/pods/one/log?tailLines=-1')).status, 422);
    assert.equal(
      (
        await get(
          '/api/v1/namespaces/default/pods/one/log?sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z',
        )
      ).status,
      400,
    );
    assert.deepEqual(await get('/api/v1/namespaces/default/pods/pending/log'), {
      status: 200,
      body: '',
    });
    const none = await get('/api/v1/namespaces/default/pods/elsewhere/log');
    assert.equal(none.status, 500);
    assert.match(none.body, /no node agent serves node \\"node-9\\"/);
    assert.equal((await get('/api/v1/namespaces/default/pods/missing/log')).status, 404);
  });
});

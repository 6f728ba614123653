// Drives the real kubectl against the generated documents, served by a tiny HTTP server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { buildOpenApiBundle } from './index.ts';
import type { OpenApiBundle, ServedResource } from './index.ts';

const run = promisify(execFile);

/** `kubectl.1.33` ships beside the gcloud version dispatcher that `kubectl` on PATH resolves to. */
function findKubectl(): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    const candidate = join(dir, 'kubectl');
    if (!existsSync(candidate)) continue;
    const versioned = join(dirname(realpathSync(candidate)), 'kubectl.1.33');
    if (existsSync(versioned)) return versioned;
  }
  return undefined;
}

const SERVED: ServedResource[] = [
  {
    group: '',
    version: 'v1',
    resource: 'pods',
    kind: 'Pod',
    namespaced: true,
    subresources: ['status', 'log'],
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    namespaced: true,
    subresources: ['status', 'scale'],
  },
];

function discovery(path: string): unknown {
  if (path === '/api')
    return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const version = { groupVersion: 'apps/v1', version: 'v1' };
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [{ name: 'apps', versions: [version], preferredVersion: version }],
    };
  }
  const lists: Record<string, { groupVersion: string; resources: unknown[] }> = {
    '/api/v1': {
      groupVersion: 'v1',
      resources: [
        { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get'] },
      ],
    },
    '/apis/apps/v1': {
      groupVersion: 'apps/v1',
      resources: [
        {
          name: 'deployments',
          singularName: 'deployment',
          namespaced: true,
          kind: 'Deployment',
          verbs: ['get'],
        },
      ],
    },
  };
  const list = lists[path];
  return list && { kind: 'APIResourceList', apiVersion: 'v1', ...list };
}

/** Accepts any create by echoing the body back, as a server that persisted it would. */
function respondToCreate(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(201, { 'content-type': 'application/json' }).end(Buffer.concat(chunks));
  });
}

function respond(bundle: OpenApiBundle, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'POST') {
    respondToCreate(req, res);
    return;
  }
  const body = openApiBody(bundle, url.pathname) ?? jsonBody(discovery(url.pathname));
  if (body === undefined) {
    res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' }).end(body);
}

function openApiBody(bundle: OpenApiBundle, path: string): string | undefined {
  if (path === '/openapi/v3') return JSON.stringify(bundle.root);
  const prefix = '/openapi/v3/';
  return path.startsWith(prefix)
    ? bundle.documents.get(path.slice(prefix.length))?.body
    : undefined;
}

function jsonBody(value: unknown): string | undefined {
  return value === undefined ? undefined : JSON.stringify(value);
}

void test('kubectl explain prints field docs and create -f validates server-side', async (t) => {
  const kubectl = findKubectl();
  if (kubectl === undefined) {
    t.skip('kubectl.1.33 is not installed');
    return;
  }
  const bundle = buildOpenApiBundle(SERVED, { pathPrefix: '' });
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(`${req.method ?? ''} ${req.url ?? ''}`);
    respond(bundle, req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = mkdtempSync(join(tmpdir(), 'kiln-explain-'));
  try {
    const { port } = server.address() as AddressInfo; // SAFETY: listening on TCP gives an AddressInfo
    const kubeconfig = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
        users: [{ name: 'u', user: {} }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'x',
      }),
    );
    const kube = (...args: string[]) =>
      run(kubectl, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), ...args], {
        timeout: 15_000,
      });

    const { stdout } = await kube('explain', 'pod.spec.containers');
    assert.match(stdout, /^KIND:\s+Pod$/m);
    assert.match(stdout, /^FIELD:\s+containers <\[\]Container>$/m);
    assert.match(stdout, /^FIELDS:$/m);
    assert.match(stdout, /^ {2}image\s+<string>$/m);
    assert.match(stdout, /Container image name\. More info:/);
    assert.match(stdout, /^ {2}name\s+<string> -required-$/m);

    const deployment = await kube('explain', 'deployments.spec.strategy.rollingUpdate.maxSurge');
    assert.match(deployment.stdout, /^GROUP:\s+apps$/m);
    assert.match(
      deployment.stdout,
      /maximum number of pods that can be scheduled above the desired/,
    );

    // With the PATCH operations advertising fieldValidation, `create -f` skips client-side
    // validation and asks the server to validate strictly (it fails outright without OpenAPI).
    const manifest = join(dir, 'pod.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', namespace: 'default' },
        spec: { containers: [{ name: 'nginx', image: 'nginx' }] },
      }),
    );
    const created = await kube('create', '-f', manifest);
    assert.match(created.stdout, /^pod\/web created$/m);
    const post = requests.find((r) => r.startsWith('POST '));
    assert.ok(post, `a POST was sent: ${requests.join(', ')}`);
    assert.match(post, /^POST \/api\/v1\/namespaces\/default\/pods\?.*fieldValidation=Strict/);
  } finally {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  }
});

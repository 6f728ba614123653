/**
 * Captures the request bodies real kubectl binaries send, for the protobuf decoder's fixtures.
 *
 *   node --import tsx src/apiserver/codec/testdata/capture.ts
 *
 * A recording HTTP server on 127.0.0.1 answers discovery minimally and every write with 201.
 * For each command it keeps the body kubectl 1.33 and 1.32 send (protobuf: `<name>.<v>.pb`)
 * and the one kubectl 1.31 sends for the same command (JSON, before protobuf bodies existed:
 * `<name>.json`, reformatted by Prettier with key order kept), which is the independent oracle
 * the decoder's output is checked against.
 */
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { format, resolveConfig } from 'prettier';

export const TESTDATA = dirname(fileURLToPath(import.meta.url));

/**
 * The versioned kubectl binary (`kubectl.1.33`) next to the `kubectl` on PATH, which on these
 * machines is gcloud's version dispatcher; undefined when there is none.
 */
export function findKubectl(version: string, path = process.env['PATH'] ?? ''): string | undefined {
  for (const dir of path.split(':')) {
    const candidate = join(dir, 'kubectl');
    if (dir === '' || !existsSync(candidate)) continue;
    const versioned = join(dirname(realpathSync(candidate)), `kubectl.${version}`);
    return existsSync(versioned) ? versioned : undefined;
  }
  return undefined;
}

/** The kubectl commands whose bodies are fixtures, by fixture name. */
export const COMMANDS: Readonly<Record<string, readonly string[]>> = {
  namespace: ['create', 'namespace', 'x'],
  deployment: ['create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80'],
  configmap: ['create', 'configmap', 'c', '--from-literal=a=b'],
  secret: ['create', 'secret', 'generic', 's', '--from-literal=k=v'],
  service: ['create', 'service', 'clusterip', 'web', '--tcp=80:8080'],
  job: ['create', 'job', 'j', '--image=busybox', '--', 'echo', 'hi'],
  cronjob: ['create', 'cronjob', 'cj', '--image=busybox', '--schedule=*/5 * * * *', '--', 'date'],
  quota: ['create', 'quota', 'q', '--hard=cpu=1500m,memory=1Gi,pods=10'],
  role: ['create', 'role', 'r', '--verb=get,list', '--resource=pods'],
  rolebinding: ['create', 'rolebinding', 'rb', '--role=r', '--user=alice', '--group=devs'],
  priorityclass: ['create', 'priorityclass', 'high', '--value=1000', '--description=important'],
  pdb: ['create', 'poddisruptionbudget', 'pdb', '--selector=app=web', '--min-available=50%'],
  ingress: ['create', 'ingress', 'ing', '--rule=foo.com/bar=svc:8080'],
  token: ['create', 'token', 'sa', '--duration=1h'],
  'can-i': ['auth', 'can-i', 'get', 'pods'],
  // drain's DELETE of each pod; its Eviction POST (the default) is JSON even in 1.33.
  'delete-options': ['drain', 'n1', '--disable-eviction', '--grace-period=5', '--force'],
};

export interface Recorded {
  method: string;
  url: string;
  contentType: string;
  body: Buffer;
}

interface Resource {
  name: string;
  kind: string;
  namespaced: boolean;
  /** For subresources served in another group (drain only evicts when it is given). */
  groupVersion?: string;
}

const RESOURCES: Readonly<Record<string, readonly Resource[]>> = {
  v1: [
    { name: 'namespaces', kind: 'Namespace', namespaced: false },
    { name: 'nodes', kind: 'Node', namespaced: false },
    { name: 'configmaps', kind: 'ConfigMap', namespaced: true },
    { name: 'secrets', kind: 'Secret', namespaced: true },
    { name: 'services', kind: 'Service', namespaced: true },
    { name: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
    {
      name: 'serviceaccounts/token',
      kind: 'TokenRequest',
      namespaced: true,
      groupVersion: 'authentication.k8s.io/v1',
    },
    { name: 'pods', kind: 'Pod', namespaced: true },
    { name: 'pods/eviction', kind: 'Eviction', namespaced: true, groupVersion: 'policy/v1' },
    { name: 'resourcequotas', kind: 'ResourceQuota', namespaced: true },
  ],
  'apps/v1': [{ name: 'deployments', kind: 'Deployment', namespaced: true }],
  'batch/v1': [
    { name: 'jobs', kind: 'Job', namespaced: true },
    { name: 'cronjobs', kind: 'CronJob', namespaced: true },
  ],
  'policy/v1': [{ name: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', namespaced: true }],
  'networking.k8s.io/v1': [{ name: 'ingresses', kind: 'Ingress', namespaced: true }],
  'scheduling.k8s.io/v1': [{ name: 'priorityclasses', kind: 'PriorityClass', namespaced: false }],
  'rbac.authorization.k8s.io/v1': [
    { name: 'roles', kind: 'Role', namespaced: true },
    { name: 'rolebindings', kind: 'RoleBinding', namespaced: true },
  ],
  'authorization.k8s.io/v1': [
    { name: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', namespaced: false },
  ],
  'authentication.k8s.io/v1': [{ name: 'tokenreviews', kind: 'TokenReview', namespaced: false }],
};

const NODE = { kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1', uid: 'node-uid' } };
/** What `kubectl drain n1` reads: the node and the one (unmanaged) pod on it. */
const OBJECTS: Readonly<Record<string, object>> = {
  '/api/v1/nodes/n1': NODE,
  '/api/v1/pods': {
    kind: 'PodList',
    apiVersion: 'v1',
    metadata: { resourceVersion: '1' },
    items: [
      {
        metadata: { name: 'p', namespace: 'default', uid: 'pod-uid' },
        spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
        status: { phase: 'Running' },
      },
    ],
  },
};

function discovery(path: string, host: string): object | undefined {
  const object = OBJECTS[path];
  if (object !== undefined) return object;
  if (path === '/version') {
    return { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' };
  }
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: host }],
    };
  }
  if (path === '/apis') {
    const groups = Object.keys(RESOURCES)
      .filter((gv) => gv.includes('/'))
      .map((gv) => {
        const [name = '', version = ''] = gv.split('/');
        const v = { groupVersion: gv, version };
        return { name, versions: [v], preferredVersion: v };
      });
    return { kind: 'APIGroupList', apiVersion: 'v1', groups };
  }
  const gv = path === '/api/v1' ? 'v1' : path.replace(/^\/apis\//, '');
  const resources = RESOURCES[gv];
  if (resources === undefined) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: resources.map((r) => ({
      ...(r.groupVersion === undefined
        ? {}
        : { group: r.groupVersion.split('/')[0], version: r.groupVersion.split('/')[1] }),
      name: r.name,
      singularName: r.name.includes('/') ? '' : r.kind.toLowerCase(),
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.name.includes('/')
        ? ['create']
        : ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  };
}

/** `/apis/apps/v1/namespaces/ns/deployments[/name[/sub]]` → its parts. */
function parseWritePath(path: string): {
  gv: string;
  namespace: string;
  resource: string;
  name: string;
} {
  const parts = path.split('/').filter((p) => p !== '');
  const gv = parts[0] === 'api' ? parts.slice(1, 2) : parts.slice(1, 3);
  let rest = parts.slice(1 + gv.length);
  let namespace = '';
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1] ?? '';
    rest = rest.slice(2);
  }
  const [resource = '', name = 'x', subresource] = rest;
  return {
    gv: gv.join('/'),
    namespace,
    resource: subresource === undefined ? resource : `${resource}/${subresource}`,
    name,
  };
}

/** A plausible answer to a write: enough for kubectl to print `<kind>/<name> created`. */
function created(path: string): object {
  const { gv, namespace, resource, name } = parseWritePath(path);
  const served = RESOURCES[gv]?.find((r) => r.name === resource);
  const kind = served?.kind ?? 'Unknown';
  const object = {
    kind,
    apiVersion: served?.groupVersion ?? gv,
    metadata: { name, namespace, uid: '00000000-0000-4000-8000-000000000001' },
  };
  if (kind === 'TokenRequest')
    return { ...object, status: { token: 't', expirationTimestamp: '2030-01-01T00:00:00Z' } };
  if (kind === 'SelfSubjectAccessReview') return { ...object, status: { allowed: true } };
  return object;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

function answer(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function run(kubectl: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(kubectl, [...args], { env, timeout: 20_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`${kubectl} ${args.join(' ')}: ${stderr}`, { cause: error }));
    });
  });
}

/** Runs each command against a fresh recording server; returns the write bodies by command. */
export async function captureBodies(
  kubectl: string,
  commands: Readonly<Record<string, readonly string[]>>,
): Promise<Map<string, Recorded>> {
  const log: Recorded[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      const method = req.method ?? 'GET';
      const url = req.url ?? '/';
      const path = url.split('?')[0] ?? '/';
      if (method === 'GET') {
        const doc = discovery(path, req.headers.host ?? '');
        if (doc === undefined)
          answer(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404 });
        else answer(res, 200, doc);
        return;
      }
      log.push({ method, url, contentType: req.headers['content-type'] ?? '', body });
      if (method === 'PATCH') answer(res, 200, NODE);
      else answer(res, 201, created(path));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const dir = await mkdtemp(join(tmpdir(), 'kiln-capture-'));
  try {
    const { port } = server.address() as AddressInfo; // SAFETY: a TCP listen yields an AddressInfo.
    const kubeconfig = join(dir, 'config');
    await writeFile(
      kubeconfig,
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters: [{name: c, cluster: {server: "http://127.0.0.1:' + String(port) + '"}}]',
        'users: [{name: u, user: {token: t}}]',
        'contexts: [{name: k, context: {cluster: c, user: u, namespace: default}}]',
        'current-context: k',
        '',
      ].join('\n'),
    );
    const env = { PATH: process.env['PATH'] ?? '', HOME: dir, KUBECONFIG: kubeconfig };
    const bodies = new Map<string, Recorded>();
    for (const [name, args] of Object.entries(commands)) {
      const before = log.length;
      await run(kubectl, [`--cache-dir=${join(dir, 'cache')}`, ...args], env);
      // The request under test; drain's cordon PATCH before it is always JSON.
      const write = log.slice(before).find((r) => r.body.length > 0 && r.method !== 'PATCH');
      if (write !== undefined) bodies.set(name, write);
    }
    return bodies;
  } finally {
    server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function requireKubectl(version: string): string {
  const kubectl = findKubectl(version);
  if (kubectl === undefined) throw new Error(`no kubectl.${version} beside the kubectl on PATH`);
  return kubectl;
}

async function main(): Promise<void> {
  for (const version of ['1.33', '1.32']) {
    const bodies = await captureBodies(requireKubectl(version), COMMANDS);
    for (const [name, r] of bodies) {
      if (r.contentType !== 'application/vnd.kubernetes.protobuf') {
        throw new Error(`kubectl ${version} ${name} sent ${r.contentType}, not protobuf`);
      }
      await writeFile(join(TESTDATA, `${name}.${version}.pb`), r.body);
    }
  }
  const oracle = await captureBodies(requireKubectl('1.31'), COMMANDS);
  for (const [name, r] of oracle) {
    if (!r.contentType.startsWith('application/json'))
      throw new Error(`kubectl 1.31 ${name}: ${r.contentType}`);
    // Stored as the repository formats JSON; key order, which the test checks, is kept.
    const file = join(TESTDATA, `${name}.json`);
    const options = (await resolveConfig(file)) ?? {};
    await writeFile(file, await format(r.body.toString('utf8'), { ...options, filepath: file }));
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}

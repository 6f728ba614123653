import { isJsonObject, type KubeObject } from '../../api/index.ts';
import { errors } from '../errors.ts';

/** PodAttachOptions, from the query. */
export interface AttachOptions {
  readonly container: string;
  readonly stdin: boolean;
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tty: boolean;
}

/** PodExecOptions, from the query (`command` repeats, one argv word each). */
export interface ExecOptions extends AttachOptions {
  readonly command: readonly string[];
}

function containerNames(pod: KubeObject, field: string): string[] {
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
  const list = spec[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((c) => (isJsonObject(c) && typeof c['name'] === 'string' ? [c['name']] : []));
}

/** Go's strconv.ParseBool, which query parameters of connect options go through. */
function parseBool(q: URLSearchParams, name: string, fallback: boolean): boolean {
  const raw = q.get(name);
  if (raw === null) return fallback;
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False', ''].includes(raw)) return false;
  throw errors.badRequest(`strconv.ParseBool: parsing ${JSON.stringify(raw)}: invalid syntax`);
}

/** The container a connect request means: named, or the only one (kube-apiserver's streamLocation). */
export function chooseStreamContainer(pod: KubeObject, requested: string | null): string {
  const name = pod.metadata.name ?? '';
  const containers = containerNames(pod, 'containers');
  const init = containerNames(pod, 'initContainers');
  const ephemeral = containerNames(pod, 'ephemeralContainers');
  if (requested === null || requested === '') {
    const only = containers.length === 1 ? containers[0] : undefined;
    if (only !== undefined) return only;
    if (containers.length === 0) {
      throw errors.badRequest(`a container name must be specified for pod ${name}`);
    }
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    if (init.length > 0) msg += ` or one of the init containers: [${init.join(' ')}]`;
    throw errors.badRequest(msg);
  }
  if (![...containers, ...init, ...ephemeral].includes(requested)) {
    throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

/** The node a connect request goes to; an unscheduled pod has none (kube-apiserver's error). */
export function requireHost(pod: KubeObject): string {
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
  const node = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
  if (node === '') {
    throw errors.badRequest(`pod ${pod.metadata.name ?? ''} does not have a host assigned`);
  }
  return node;
}

export function parseAttachOptions(pod: KubeObject, q: URLSearchParams): AttachOptions {
  const tty = parseBool(q, 'tty', false);
  const opts = {
    container: chooseStreamContainer(pod, q.get('container')),
    stdin: parseBool(q, 'stdin', false),
    stdout: parseBool(q, 'stdout', true),
    // With a terminal there is one output stream (the kubelet drops stderr).
    stderr: parseBool(q, 'stderr', true) && !tty,
    tty,
  };
  if (!opts.stdin && !opts.stdout && !opts.stderr) {
    throw errors.badRequest('you must specify at least 1 of stdin, stdout, stderr');
  }
  return opts;
}

export function parseExecOptions(pod: KubeObject, q: URLSearchParams): ExecOptions {
  const command = q.getAll('command');
  if (command.length === 0) {
    throw errors.badRequest('you must specify at least one command for the container');
  }
  return { ...parseAttachOptions(pod, q), command };
}

/** The `ports` of PodPortForwardOptions: each 1–65535 (the kubelet's checks and messages). */
export function parsePorts(q: URLSearchParams): number[] {
  return q
    .getAll('ports')
    .flatMap((p) => p.split(','))
    .filter((p) => p !== '')
    .map((raw) => {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        throw errors.badRequest(`unable to parse "${raw}" as a port: invalid port`);
      }
      return n;
    });
}

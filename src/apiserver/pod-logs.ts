import { isJsonObject, type KubeObject } from '../api/index.ts';
import { errors } from './errors.ts';
import type { ApiResponse, ResponseSink } from './http-types.ts';
import { keyFor, qualifiedKind, type RestOp } from './rest-context.ts';

/** The query of `pods/log`, parsed and checked (PodLogOptions). */
export interface PodLogOptions {
  readonly container: string;
  readonly follow: boolean;
  readonly previous: boolean;
  readonly timestamps: boolean;
  readonly sinceSeconds?: number;
  readonly sinceTime?: string;
  readonly tailLines?: number;
  readonly limitBytes?: number;
}

/**
 * Where container logs come from: the node agent that runs the pod. Implementations stream
 * text to the sink until done, or — with `follow` — until the container stops or the signal
 * aborts. They throw an ApiError (e.g. BadRequest "container … is waiting to start") when there
 * is no log to show.
 */
export interface PodLogSource {
  /** Whether this source serves pods on the node. */
  servesNode(nodeName: string): boolean;
  streamLogs(pod: KubeObject, opts: PodLogOptions, sink: ResponseSink): Promise<void>;
}

function containerNames(pod: KubeObject, field: string): string[] {
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
  const list = spec[field];
  if (!Array.isArray(list)) return [];
  return list.flatMap((c) => (isJsonObject(c) && typeof c['name'] === 'string' ? [c['name']] : []));
}

function positiveInt(q: URLSearchParams, name: string, min: number): number | undefined {
  const raw = q.get(name);
  if (raw === null) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) {
    throw errors.invalid({ group: '', resource: 'podlogoptions', kind: 'PodLogOptions' }, '', [
      {
        type: 'FieldValueInvalid',
        field: name,
        message: `${name}: Invalid value: ${raw}: must be greater than ${min === 0 ? 'or equal to 0' : 'or equal to 1'}`,
      },
    ]);
  }
  return n;
}

/** The container a log request means: named, or the only one (upstream's rules and messages). */
function chooseContainer(pod: KubeObject, requested: string | null): string {
  const name = pod.metadata.name ?? '';
  const containers = containerNames(pod, 'containers');
  const init = containerNames(pod, 'initContainers');
  const ephemeral = containerNames(pod, 'ephemeralContainers');
  if (requested === null || requested === '') {
    if (containers.length === 1 && containers[0] !== undefined) return containers[0];
    let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
    if (init.length > 0) msg += ` or one of the init containers: [${init.join(' ')}]`;
    if (ephemeral.length > 0)
      msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
    throw errors.badRequest(msg);
  }
  if (![...containers, ...init, ...ephemeral].includes(requested)) {
    throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
  }
  return requested;
}

export function parseLogOptions(pod: KubeObject, q: URLSearchParams): PodLogOptions {
  const sinceSeconds = positiveInt(q, 'sinceSeconds', 1);
  const sinceTime = q.get('sinceTime') ?? undefined;
  if (sinceSeconds !== undefined && sinceTime !== undefined) {
    throw errors.badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  }
  if (sinceTime !== undefined && Number.isNaN(Date.parse(sinceTime))) {
    throw errors.badRequest(`sinceTime: Invalid value: "${sinceTime}": must be an RFC3339 time`);
  }
  const tailLines = positiveInt(q, 'tailLines', 0);
  const limitBytes = positiveInt(q, 'limitBytes', 1);
  return {
    container: chooseContainer(pod, q.get('container')),
    follow: q.get('follow') === 'true',
    previous: q.get('previous') === 'true',
    timestamps: q.get('timestamps') === 'true',
    ...(sinceSeconds === undefined ? {} : { sinceSeconds }),
    ...(sinceTime === undefined ? {} : { sinceTime }),
    ...(tailLines === undefined ? {} : { tailLines }),
    ...(limitBytes === undefined ? {} : { limitBytes }),
  };
}

const TEXT = { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' } as const;

/** GET pods/log: resolves the container and streams from the node agent's log source. */
export function podLog(op: RestOp, source: PodLogSource | undefined): ApiResponse {
  const stored = op.deps.store.get(keyFor(op));
  if (!stored) throw errors.notFound(qualifiedKind(op.def), op.info.name);
  const pod = stored.object;
  const opts = parseLogOptions(pod, op.req.query);
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
  const node = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
  // An unscheduled pod has no log yet: upstream answers an empty body.
  if (node === '') return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: '' };
  if (!source?.servesNode(node)) {
    throw errors.internal(
      `no node agent serves node "${node}", so the logs of pod ${pod.metadata.namespace ?? ''}/${op.info.name} cannot be read`,
    );
  }
  return { status: 200, headers: TEXT, stream: (sink) => source.streamLogs(pod, opts, sink) };
}

/**
 * Log sources registered after the API server exists (node agents start later): the first one
 * serving a pod's node answers.
 */
export class LogSources implements PodLogSource {
  readonly #sources: PodLogSource[] = [];
  add(source: PodLogSource): void {
    this.#sources.push(source);
  }
  servesNode(nodeName: string): boolean {
    return this.#sources.some((s) => s.servesNode(nodeName));
  }
  streamLogs(pod: KubeObject, opts: PodLogOptions, sink: ResponseSink): Promise<void> {
    const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
    const node = typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '';
    const source = this.#sources.find((s) => s.servesNode(node));
    if (!source) return Promise.reject(errors.internal(`no node agent serves node "${node}"`));
    return source.streamLogs(pod, opts, sink);
  }
}

import { isJsonObject, type JsonObject, type KubeObject } from '../api/index.ts';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ProbeSpec {
  readonly initialDelayMs: number;
  readonly periodMs: number;
  readonly failureThreshold: number;
  readonly successThreshold: number;
}

/** The parts of a container spec the agent acts on, parsed once from the pod's JSON. */
export interface ContainerSpec {
  readonly name: string;
  readonly image: string;
  readonly command: string[];
  readonly args: string[];
  readonly env: Record<string, string>;
  readonly imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** `Always` on an init container makes it a native sidecar. */
  readonly restartPolicy: string | undefined;
  readonly probes: Partial<Record<ProbeKind, ProbeSpec>>;
  readonly preStopExec: string[] | undefined;
  readonly requests: Record<string, string>;
  readonly limits: Record<string, string>;
}

export interface PodSpecModel {
  readonly nodeName: string;
  readonly restartPolicy: 'Always' | 'OnFailure' | 'Never';
  readonly terminationGracePeriodSeconds: number;
  readonly initContainers: ContainerSpec[];
  readonly containers: ContainerSpec[];
}

const obj = (v: unknown): JsonObject => (isJsonObject(v) ? v : {});
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
const num = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);

function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(obj(v))) {
    if (typeof x === 'string' || typeof x === 'number') out[k] = String(x);
  }
  return out;
}

function parseProbe(v: unknown): ProbeSpec | undefined {
  if (!isJsonObject(v)) return undefined;
  return {
    initialDelayMs: num(v['initialDelaySeconds'], 0) * 1000,
    periodMs: num(v['periodSeconds'], 10) * 1000,
    failureThreshold: num(v['failureThreshold'], 3),
    successThreshold: num(v['successThreshold'], 1),
  };
}

function env(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!Array.isArray(v)) return out;
  for (const e of v) {
    if (isJsonObject(e) && typeof e['name'] === 'string' && typeof e['value'] === 'string') {
      out[e['name']] = e['value'];
    }
  }
  return out;
}

/** Upstream's default: `Always` for `:latest` or untagged images, else `IfNotPresent`. */
function pullPolicy(image: string, v: unknown): ContainerSpec['imagePullPolicy'] {
  if (v === 'Always' || v === 'IfNotPresent' || v === 'Never') return v;
  const name = image.split('@')[0] ?? image;
  const tag =
    name.lastIndexOf(':') > name.lastIndexOf('/') ? name.slice(name.lastIndexOf(':') + 1) : '';
  return image.includes('@') || (tag !== '' && tag !== 'latest') ? 'IfNotPresent' : 'Always';
}

function parseContainer(v: unknown): ContainerSpec {
  const c = obj(v);
  const image = typeof c['image'] === 'string' ? c['image'] : '';
  const resources = obj(c['resources']);
  const probes: Partial<Record<ProbeKind, ProbeSpec>> = {};
  for (const kind of ['startup', 'readiness', 'liveness'] as const) {
    const p = parseProbe(c[`${kind}Probe`]);
    if (p) probes[kind] = p;
  }
  const preStop = obj(obj(obj(c['lifecycle'])['preStop'])['exec']);
  return {
    name: typeof c['name'] === 'string' ? c['name'] : '',
    image,
    command: strings(c['command']),
    args: strings(c['args']),
    env: env(c['env']),
    imagePullPolicy: pullPolicy(image, c['imagePullPolicy']),
    restartPolicy: typeof c['restartPolicy'] === 'string' ? c['restartPolicy'] : undefined,
    probes,
    preStopExec: Array.isArray(preStop['command']) ? strings(preStop['command']) : undefined,
    requests: stringMap(resources['requests']),
    limits: stringMap(resources['limits']),
  };
}

export function parsePodSpec(pod: KubeObject): PodSpecModel {
  const spec = obj(pod['spec']);
  const rp = spec['restartPolicy'];
  const list = (v: unknown): ContainerSpec[] => (Array.isArray(v) ? v.map(parseContainer) : []);
  return {
    nodeName: typeof spec['nodeName'] === 'string' ? spec['nodeName'] : '',
    restartPolicy: rp === 'OnFailure' || rp === 'Never' ? rp : 'Always',
    terminationGracePeriodSeconds: num(spec['terminationGracePeriodSeconds'], 30),
    initContainers: list(spec['initContainers']),
    containers: list(spec['containers']),
  };
}

const isZero = (q: string | undefined): boolean =>
  q === undefined || /^0+(\.0+)?[a-zA-Z]*$/.test(q);

/** The pod's QoS class, as upstream's GetPodQOS computes it from cpu and memory. */
export function qosClass(spec: PodSpecModel): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const all = [...spec.initContainers, ...spec.containers];
  const compute = ['cpu', 'memory'];
  const anySet = all.some((c) =>
    compute.some((r) => !isZero(c.requests[r]) || !isZero(c.limits[r])),
  );
  if (!anySet) return 'BestEffort';
  const guaranteed = all.every((c) =>
    compute.every((r) => {
      const limit = c.limits[r];
      const request = c.requests[r] ?? limit;
      return !isZero(limit) && request === limit;
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

import type { JsonObject, KubeObject } from '../../api/index.ts';
import { tryParseQuantity, type Quantity } from '../validation/quantity.ts';
import { childObject, objectsIn, stringAt } from './pod-fields.ts';
import { podResources } from './pod-resources.ts';
import { addLists, quantityOf, type ResourceList } from './resource-list.ts';

/** Names every quota tracks by their legacy, unprefixed name too. */
const LEGACY_COUNTS: Readonly<Record<string, string>> = {
  configmaps: 'configmaps',
  secrets: 'secrets',
  resourcequotas: 'resourcequotas',
  replicationcontrollers: 'replicationcontrollers',
  services: 'services',
  persistentvolumeclaims: 'persistentvolumeclaims',
};

const ONE = (): Quantity => quantityOf(1n);

export interface QuotaTarget {
  readonly group: string;
  readonly resource: string;
}

/** Pods that ended (or whose grace period passed) no longer hold compute resources. */
function podHoldsResources(pod: KubeObject, now: number): boolean {
  const phase = stringAt(childObject(pod, 'status'), 'phase');
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const ts = pod.metadata.deletionTimestamp;
  const grace = pod.metadata.deletionGracePeriodSeconds;
  if (ts !== undefined && grace !== undefined) return Date.parse(ts) + grace * 1000 >= now;
  return true;
}

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage'];

function podUsage(pod: KubeObject, now: number): ResourceList {
  const out: ResourceList = new Map();
  if (!podHoldsResources(pod, now)) return out;
  out.set('pods', ONE());
  const spec = childObject(pod, 'spec') ?? {};
  const requests = podResources(spec, 'requests');
  const limits = podResources(spec, 'limits');
  for (const name of COMPUTE) {
    const req = requests.get(name);
    const lim = limits.get(name);
    if (req) {
      out.set(name, req);
      out.set(`requests.${name}`, req);
    }
    if (lim) out.set(`limits.${name}`, lim);
  }
  for (const [name, q] of requests) {
    if (name.startsWith('hugepages-')) {
      out.set(name, q);
      out.set(`requests.${name}`, q);
    } else if (name.includes('/') && !name.startsWith('kubernetes.io/')) {
      out.set(`requests.${name}`, q);
    }
  }
  return out;
}

function serviceUsage(svc: KubeObject): ResourceList {
  const spec = childObject(svc, 'spec') ?? {};
  const type = stringAt(spec, 'type') ?? 'ClusterIP';
  const out: ResourceList = new Map([
    ['services.loadbalancers', quantityOf(type === 'LoadBalancer' ? 1n : 0n)],
    ['services.nodeports', quantityOf(0n)],
  ]);
  if (type === 'NodePort' || type === 'LoadBalancer') {
    const ports = objectsIn(spec, 'ports').length;
    out.set('services.nodeports', quantityOf(BigInt(ports)));
  }
  return out;
}

function claimUsage(pvc: KubeObject): ResourceList {
  const spec: JsonObject = childObject(pvc, 'spec') ?? {};
  const storage = childObject(childObject(spec, 'resources'), 'requests')?.['storage'];
  const cls = stringAt(spec, 'storageClassName');
  const out: ResourceList = new Map();
  if (cls !== undefined)
    out.set(`${cls}.storageclass.storage.k8s.io/persistentvolumeclaims`, ONE());
  const parsed = typeof storage === 'string' ? parseOne(storage) : undefined;
  if (!parsed) return out;
  out.set('requests.storage', parsed);
  if (cls !== undefined) out.set(`${cls}.storageclass.storage.k8s.io/requests.storage`, parsed);
  return out;
}

function parseOne(text: string): Quantity | undefined {
  const q = tryParseQuantity(text);
  return typeof q === 'string' ? undefined : q;
}

/** What one object counts against quotas (upstream's evaluators' Usage). */
export function objectUsage(t: QuotaTarget, obj: KubeObject, now: number): ResourceList {
  const out: ResourceList = new Map();
  out.set(t.group === '' ? `count/${t.resource}` : `count/${t.resource}.${t.group}`, ONE());
  if (t.group !== '') return out;
  const legacy = LEGACY_COUNTS[t.resource];
  if (legacy !== undefined) out.set(legacy, ONE());
  const extra =
    t.resource === 'pods'
      ? podUsage(obj, now)
      : t.resource === 'services'
        ? serviceUsage(obj)
        : t.resource === 'persistentvolumeclaims'
          ? claimUsage(obj)
          : new Map<string, Quantity>();
  return addLists(out, extra);
}

function isBestEffort(spec: JsonObject): boolean {
  return [...objectsIn(spec, 'containers'), ...objectsIn(spec, 'initContainers')].every((c) => {
    const r = childObject(c, 'resources');
    const req = childObject(r, 'requests') ?? {};
    const lim = childObject(r, 'limits') ?? {};
    return Object.keys(req).length === 0 && Object.keys(lim).length === 0;
  });
}

function selectorMatches(req: JsonObject, spec: JsonObject): boolean {
  const values = Array.isArray(req['values']) ? req['values'] : [];
  const op = stringAt(req, 'operator');
  const scope = stringAt(req, 'scopeName') ?? '';
  if (scope !== 'PriorityClass') return scopeMatches(scope, spec);
  const cls = stringAt(spec, 'priorityClassName') ?? '';
  switch (op) {
    case 'In':
      return values.includes(cls);
    case 'NotIn':
      return !values.includes(cls);
    case 'Exists':
      return cls !== '';
    case 'DoesNotExist':
      return cls === '';
    default:
      return false;
  }
}

function scopeMatches(scope: string, spec: JsonObject): boolean {
  const terminating = typeof spec['activeDeadlineSeconds'] === 'number';
  switch (scope) {
    case 'Terminating':
      return terminating;
    case 'NotTerminating':
      return !terminating;
    case 'BestEffort':
      return isBestEffort(spec);
    case 'NotBestEffort':
      return !isBestEffort(spec);
    default:
      return false;
  }
}

/** Whether a quota's scopes select the object; scoped quotas only ever select pods. */
export function quotaSelects(quota: KubeObject, t: QuotaTarget, obj: KubeObject): boolean {
  const qspec = childObject(quota, 'spec') ?? {};
  const scopes = Array.isArray(qspec['scopes']) ? qspec['scopes'] : [];
  const selector = objectsIn(childObject(qspec, 'scopeSelector'), 'matchExpressions');
  if (scopes.length === 0 && selector.length === 0) return true;
  if (t.group !== '' || t.resource !== 'pods') return false;
  const spec = childObject(obj, 'spec') ?? {};
  return (
    scopes.every((s) => typeof s === 'string' && scopeMatches(s, spec)) &&
    selector.every((r) => selectorMatches(r, spec))
  );
}

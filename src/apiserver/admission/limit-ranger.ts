import type { JsonObject, KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { errors } from '../errors.ts';
import { formatQuantity, quantityToNumber, type Quantity } from '../validation/quantity.ts';
import { childObject, containersOf, objectsIn, specOf, stringAt } from './pod-fields.ts';
import { containerResources, podResources } from './pod-resources.ts';
import { listToJson, parseResourceList, type ResourceList } from './resource-list.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

const ANNOTATION = 'kubernetes.io/limit-ranger';

interface LimitItem {
  readonly type: string;
  readonly min: ResourceList;
  readonly max: ResourceList;
  readonly default: ResourceList;
  readonly defaultRequest: ResourceList;
  readonly maxLimitRequestRatio: ResourceList;
}

/** An item with the API defaults of LimitRangeItem: default ← max, defaultRequest ← default, min. */
function limitItem(raw: JsonObject): LimitItem {
  const type = stringAt(raw, 'type') ?? '';
  const min = parseResourceList(raw['min']);
  const max = parseResourceList(raw['max']);
  const def = parseResourceList(raw['default']);
  const defReq = parseResourceList(raw['defaultRequest']);
  if (type === 'Container') {
    for (const [k, q] of max) if (!def.has(k)) def.set(k, q);
    for (const [k, q] of def) if (!defReq.has(k)) defReq.set(k, q);
    for (const [k, q] of min) if (!defReq.has(k)) defReq.set(k, q);
  }
  return {
    type,
    min,
    max,
    default: def,
    defaultRequest: defReq,
    maxLimitRequestRatio: parseResourceList(raw['maxLimitRequestRatio']),
  };
}

function limitItems(store: Store, namespace: string): LimitItem[] {
  return store
    .list(`/limitranges/${namespace}/`)
    .items.flatMap(({ object }) => objectsIn(childObject(object, 'spec'), 'limits').map(limitItem));
}

const sortedKeys = (l: ResourceList): string[] => [...l.keys()].sort();
const show = (q: Quantity): string => formatQuantity(q);

/** Sets the defaults of `source` that `current` lacks; returns the names it set. */
function fillMissing(
  current: JsonObject,
  items: readonly LimitItem[],
  source: 'default' | 'defaultRequest',
): string[] {
  const set: string[] = [];
  for (const item of items) {
    if (item.type !== 'Container') continue;
    for (const [k, q] of item[source]) {
      if (k in current || set.includes(k)) continue;
      current[k] = listToJson(new Map([[k, q]]))[k] ?? show(q);
      set.push(k);
    }
  }
  return set.sort();
}

/** Fills the missing requests/limits of one container; returns what it set, as upstream notes it. */
function mergeDefaults(c: JsonObject, items: readonly LimitItem[], prefix: string): string[] {
  const resources = childObject(c, 'resources') ?? {};
  const notes: string[] = [];
  for (const [field, source, what] of [
    ['requests', 'defaultRequest', 'request'],
    ['limits', 'default', 'limit'],
  ] as const) {
    const current = childObject(resources, field) ?? {};
    const set = fillMissing(current, items, source);
    if (set.length === 0) continue;
    resources[field] = current;
    notes.push(`${set.join(', ')} ${what} for ${prefix} ${stringAt(c, 'name') ?? ''}`);
  }
  if (notes.length > 0) c['resources'] = resources;
  return notes;
}

function admitPod(pod: KubeObject, items: readonly LimitItem[]): void {
  const spec = specOf(pod);
  const notes: string[] = [];
  for (const { kind, container } of containersOf(spec, ['containers', 'initContainers'])) {
    notes.push(
      ...mergeDefaults(container, items, kind === 'containers' ? 'container' : 'init container'),
    );
  }
  if (notes.length === 0) return;
  pod.metadata.annotations = {
    ...pod.metadata.annotations,
    [ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}`,
  };
}

interface Observed {
  readonly type: string;
  readonly requests: ResourceList;
  readonly limits: ResourceList;
}

function minViolation(o: Observed, k: string, enforced: Quantity): string | undefined {
  const req = o.requests.get(k);
  const lim = o.limits.get(k);
  const head = `minimum ${k} usage per ${o.type} is ${show(enforced)}`;
  if (!req) return `${head}.  No request is specified`;
  if (quantityToNumber(req) < quantityToNumber(enforced))
    return `${head}, but request is ${show(req)}`;
  if (lim && quantityToNumber(lim) < quantityToNumber(enforced))
    return `${head}, but limit is ${show(lim)}`;
  return undefined;
}

function maxViolation(o: Observed, k: string, enforced: Quantity): string | undefined {
  const req = o.requests.get(k);
  const lim = o.limits.get(k);
  const head = `maximum ${k} usage per ${o.type} is ${show(enforced)}`;
  if (!lim) return `${head}.  No limit is specified`;
  if (quantityToNumber(lim) > quantityToNumber(enforced))
    return `${head}, but limit is ${show(lim)}`;
  if (req && quantityToNumber(req) > quantityToNumber(enforced))
    return `${head}, but request is ${show(req)}`;
  return undefined;
}

function ratioViolation(o: Observed, k: string, enforced: Quantity): string | undefined {
  const req = o.requests.get(k);
  const lim = o.limits.get(k);
  const head = `${k} max limit to request ratio per ${o.type} is ${show(enforced)}`;
  const r = req ? quantityToNumber(req) : 0;
  const l = lim ? quantityToNumber(lim) : 0;
  if (r === 0) return `${head}, but no request is specified or request is 0`;
  if (l === 0) return `${head}, but no limit is specified or limit is 0`;
  const ratio = l / r;
  // Go prints the observed ratio with %f.
  return ratio > quantityToNumber(enforced)
    ? `${head}, but provided ratio is ${ratio.toFixed(6)}`
    : undefined;
}

function violations(o: Observed, item: LimitItem): string[] {
  const out: string[] = [];
  const checks = [
    [item.min, minViolation],
    [item.max, maxViolation],
    [item.maxLimitRequestRatio, ratioViolation],
  ] as const;
  for (const [list, check] of checks) {
    for (const k of sortedKeys(list)) {
      const q = list.get(k);
      const v = q ? check(o, k, q) : undefined;
      if (v !== undefined) out.push(v);
    }
  }
  return out;
}

function podViolations(pod: KubeObject, item: LimitItem): string[] {
  const spec = childObject(pod, 'spec') ?? {};
  if (item.type === 'Pod') {
    return violations(
      {
        type: 'Pod',
        requests: podResources(spec, 'requests'),
        limits: podResources(spec, 'limits'),
      },
      item,
    );
  }
  if (item.type !== 'Container') return [];
  return containersOf(spec, ['containers', 'initContainers']).flatMap(({ container }) =>
    violations(
      {
        type: 'Container',
        requests: containerResources(container, 'requests'),
        limits: containerResources(container, 'limits'),
      },
      item,
    ),
  );
}

/** PVCs: min against the request, max against the request (limits are not user input). */
function claimViolations(pvc: KubeObject, item: LimitItem): string[] {
  if (item.type !== 'PersistentVolumeClaim') return [];
  const requests = parseResourceList(
    childObject(childObject(pvc, 'spec'), 'resources')?.['requests'],
  );
  const o: Observed = { type: 'PersistentVolumeClaim', requests, limits: new Map() };
  const out: string[] = [];
  for (const k of sortedKeys(item.min)) {
    const q = item.min.get(k);
    const v = q ? minViolation(o, k, q) : undefined;
    if (v !== undefined) out.push(v);
  }
  for (const k of sortedKeys(item.max)) {
    const q = item.max.get(k);
    const req = requests.get(k);
    if (!q) continue;
    const head = `maximum ${k} usage per PersistentVolumeClaim is ${show(q)}`;
    if (!req) out.push(`${head}.  No request is specified`);
    else if (quantityToNumber(req) > quantityToNumber(q))
      out.push(`${head}, but request is ${show(req)}`);
  }
  return out;
}

function target(a: AdmissionAttributes): 'pods' | 'persistentvolumeclaims' | undefined {
  if (a.def.group !== '' || a.subresource !== '' || !a.object) return undefined;
  if (a.oldObject?.metadata.deletionTimestamp !== undefined) return undefined;
  // Pod containers are immutable, so only their creation is checked.
  if (a.def.resource === 'pods') return a.operation === 'CREATE' ? 'pods' : undefined;
  if (a.def.resource === 'persistentvolumeclaims')
    return a.operation === 'CREATE' || a.operation === 'UPDATE'
      ? 'persistentvolumeclaims'
      : undefined;
  return undefined;
}

/**
 * LimitRanger: applies the LimitRanges of the namespace — container defaults on pods, then
 * min, max and maxLimitRequestRatio on containers, pods and claims.
 */
export function limitRanger(store: Store): AdmissionPlugin {
  return {
    name: 'LimitRanger',
    admit(a) {
      if (target(a) !== 'pods' || !a.object) return;
      const items = limitItems(store, a.namespace);
      if (items.length > 0) admitPod(a.object, items);
    },
    validate(a) {
      const kind = target(a);
      if (!kind || !a.object) return;
      const obj = a.object;
      const found = limitItems(store, a.namespace).flatMap((item) =>
        kind === 'pods' ? podViolations(obj, item) : claimViolations(obj, item),
      );
      if (found.length === 0) return;
      throw errors.forbidden(
        { group: a.def.group, resource: a.def.resource },
        a.name,
        found.length === 1 ? (found[0] ?? '') : `[${found.join(', ')}]`,
      );
    },
  };
}

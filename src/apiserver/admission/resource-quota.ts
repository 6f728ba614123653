import type { KubeObject } from '../../api/index.ts';
import { StoreConflictError, type Store } from '../../store/index.ts';
import type { Clock } from '../../util/index.ts';
import { errors } from '../errors.ts';
import { compareQuantities } from '../validation/quantity.ts';
import { childObject, containersOf, stringAt } from './pod-fields.ts';
import { containerResources } from './pod-resources.ts';
import { objectUsage, quotaSelects, type QuotaTarget } from './quota-usage.ts';
import {
  addLists,
  listToJson,
  mask,
  parseResourceList,
  prettyList,
  subtractNonNegative,
  type ResourceList,
} from './resource-list.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

/** Quotaing these makes every container state them explicitly (a historical rule upstream keeps). */
const MUST_SPECIFY = new Set([
  'cpu',
  'memory',
  'requests.cpu',
  'requests.memory',
  'limits.cpu',
  'limits.memory',
]);

/** Objects whose usage can change on update; counts only change on create. */
const UPDATABLE = new Set(['services', 'persistentvolumeclaims']);

function containerMissing(spec: KubeObject, required: ReadonlySet<string>): string | undefined {
  const missing = new Map<string, string[]>();
  for (const { container } of containersOf(childObject(spec, 'spec') ?? {}, [
    'containers',
    'initContainers',
  ])) {
    const has = new Set<string>();
    for (const [field, prefix] of [
      ['requests', 'requests.'],
      ['limits', 'limits.'],
    ] as const) {
      for (const k of containerResources(container, field).keys()) {
        has.add(`${prefix}${k}`);
        if (field === 'requests') has.add(k);
      }
    }
    for (const r of required) {
      if (has.has(r)) continue;
      missing.set(r, [...(missing.get(r) ?? []), stringAt(container, 'name') ?? '']);
    }
  }
  if (missing.size === 0) return undefined;
  const parts = [...missing.keys()]
    .sort()
    .map((r) => `${r} for: ${[...new Set(missing.get(r))].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

/** Pods must state every compute resource a quota constrains. */
function checkConstraints(
  a: AdmissionAttributes,
  quota: string,
  restricted: readonly string[],
): void {
  if (a.def.group !== '' || a.def.resource !== 'pods' || a.operation !== 'CREATE' || !a.object)
    return;
  const why = containerMissing(a.object, new Set(restricted.filter((k) => MUST_SPECIFY.has(k))));
  if (why !== undefined) throw forbidden(a, `failed quota: ${quota}: ${why}`);
}

interface Plan {
  readonly quota: KubeObject;
  readonly revision: number;
  readonly used: ResourceList;
}

function forbidden(a: AdmissionAttributes, why: string): Error {
  return errors.forbidden({ group: a.def.group, resource: a.def.resource }, a.name, why);
}

/** Usage the request adds: all of a new object, or what an update grows by. */
function delta(a: AdmissionAttributes, t: QuotaTarget, now: number): ResourceList | undefined {
  if (!a.object) return undefined;
  const next = objectUsage(t, a.object, now);
  if (a.operation === 'CREATE') return next;
  if (a.operation !== 'UPDATE' || !a.oldObject || !UPDATABLE.has(t.resource) || t.group !== '')
    return undefined;
  return subtractNonNegative(next, objectUsage(t, a.oldObject, now));
}

function checkQuota(
  a: AdmissionAttributes,
  stored: { quota: KubeObject; revision: number },
  d: ResourceList,
): Plan | undefined {
  const { quota } = stored;
  const name = quota.metadata.name ?? '';
  const status = childObject(quota, 'status');
  const specHard = parseResourceList(childObject(quota, 'spec')?.['hard']);
  const hard = parseResourceList(status?.['hard']);
  const used = parseResourceList(status?.['used']);
  const restricted = [...specHard.keys()].filter((k) => d.has(k) || MUST_SPECIFY.has(k));
  if (restricted.length === 0) return undefined;
  const unknown = restricted.filter((k) => !used.has(k) || !hard.has(k)).sort();
  if (unknown.length > 0) {
    throw forbidden(a, `status unknown for quota: ${name}, resources: ${unknown.join(',')}`);
  }
  checkConstraints(a, name, restricted);
  const requested = mask(d, hard.keys());
  if (requested.size === 0) return undefined;
  const next = addLists(used, requested);
  const exceeded = [...requested.keys()].filter((k) => {
    const n = next.get(k);
    const h = hard.get(k);
    return n !== undefined && h !== undefined && compareQuantities(n, h) > 0;
  });
  if (exceeded.length > 0) {
    throw forbidden(
      a,
      `exceeded quota: ${name}, requested: ${prettyList(mask(requested, exceeded))}, used: ${prettyList(mask(used, exceeded))}, limited: ${prettyList(mask(hard, exceeded))}`,
    );
  }
  return { quota, revision: stored.revision, used: next };
}

export interface ResourceQuotaAdmissionOptions {
  readonly store: Store;
  readonly clock: Clock;
}

/**
 * ResourceQuota: a request that would take a namespace's usage past a quota's hard limits is
 * refused; an admitted one is charged to the quota's status at once, so that concurrent
 * requests cannot overshoot before the quota controller recounts.
 */
export function resourceQuotaAdmission(opts: ResourceQuotaAdmissionOptions): AdmissionPlugin {
  const { store } = opts;
  const plan = (a: AdmissionAttributes, t: QuotaTarget, d: ResourceList): Plan[] => {
    const plans: Plan[] = [];
    for (const s of store.list(`/resourcequotas/${a.namespace}/`).items) {
      if (!a.object || !quotaSelects(s.object, t, a.object)) continue;
      const p = checkQuota(a, { quota: s.object, revision: s.modRevision }, d);
      if (p) plans.push(p);
    }
    return plans;
  };
  return {
    name: 'ResourceQuota',
    async validate(a) {
      if (!a.def.namespaced || a.subresource !== '' || a.namespace === '') return;
      const t: QuotaTarget = { group: a.def.group, resource: a.def.resource };
      const d = delta(a, t, opts.clock.now());
      if (!d) return;
      // A charge that loses a race with another re-checks against the quota it lost to.
      for (let attempt = 0; attempt < 5; attempt++) {
        const plans = plan(a, t, d);
        if (a.dryRun || (await charge(store, plans))) return;
      }
      throw errors.tooManyRequests('too many concurrent quota updates; please try again', {
        retryAfterSeconds: 1,
      });
    },
  };
}

/** Writes the new usage of every quota; false when one of them changed meanwhile. */
async function charge(store: Store, plans: readonly Plan[]): Promise<boolean> {
  for (const p of plans) {
    const status = childObject(p.quota, 'status') ?? {};
    const updated: KubeObject = {
      ...p.quota,
      metadata: { ...p.quota.metadata },
      status: { ...status, used: { ...childObject(status, 'used'), ...listToJson(p.used) } },
    };
    const key = `/resourcequotas/${p.quota.metadata.namespace ?? ''}/${p.quota.metadata.name ?? ''}`;
    try {
      await store.update(key, updated, { expectedRevision: p.revision });
    } catch (e: unknown) {
      if (e instanceof StoreConflictError) return false;
      throw e;
    }
  }
  return true;
}

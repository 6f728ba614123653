import type { Container, Pod } from 'kubernetes-types/core/v1.js';
import { quantityMilli, quantityValue } from './quantity.ts';

/** Resource amounts by name; cpu is in millicores, everything else in whole units. */
export type Resources = Map<string, number>;

export const CPU = 'cpu';
export const MEMORY = 'memory';
export const EPHEMERAL_STORAGE = 'ephemeral-storage';

/** The scheduler's defaults for containers without requests (schedutil.DefaultMilliCPURequest…). */
const DEFAULT_MILLI_CPU = 100;
const DEFAULT_MEMORY = 200 * 1024 * 1024;

function isExtendedResourceName(name: string): boolean {
  if (!name.includes('/') || name.includes('kubernetes.io/')) return false;
  return !name.startsWith('requests.');
}

/** schedutil.IsScalarResourceName: extended resources, hugepages and attachable volumes. */
export function isScalarResourceName(name: string): boolean {
  return (
    isExtendedResourceName(name) ||
    name.startsWith('hugepages-') ||
    name.startsWith('attachable-volumes-')
  );
}

function isTracked(name: string): boolean {
  return (
    name === CPU || name === MEMORY || name === EPHEMERAL_STORAGE || isScalarResourceName(name)
  );
}

/** Parses a ResourceList, keeping only what the scheduler accounts for. */
export function parseResourceList(list: Readonly<Record<string, unknown>> | undefined): Resources {
  const out: Resources = new Map();
  for (const [name, q] of Object.entries(list ?? {})) {
    if (!isTracked(name)) continue;
    out.set(name, name === CPU ? quantityMilli(q) : quantityValue(q));
  }
  return out;
}

export function addInto(target: Resources, add: Resources, sign = 1): void {
  for (const [k, v] of add) target.set(k, (target.get(k) ?? 0) + sign * v);
}

function maxInto(target: Resources, other: Resources): void {
  for (const [k, v] of other) target.set(k, Math.max(target.get(k) ?? 0, v));
}

function containerRequests(c: Container, nonZero: boolean): Resources {
  const r = parseResourceList(c.resources?.requests);
  if (nonZero) {
    if (!r.has(CPU)) r.set(CPU, DEFAULT_MILLI_CPU);
    if (!r.has(MEMORY)) r.set(MEMORY, DEFAULT_MEMORY);
  }
  return r;
}

/**
 * The pod's effective requests as resourcehelper.PodRequests computes them: app containers and
 * sidecars (restartable init containers) add up; each regular init container runs alongside the
 * sidecars started before it, and the pod needs the larger of the two phases; overhead on top.
 * With `nonZero`, containers without cpu/memory requests count the scheduler's defaults.
 */
export function podRequests(pod: Pod, nonZero = false): Resources {
  const spec = pod.spec;
  const reqs: Resources = new Map();
  for (const c of spec?.containers ?? []) addInto(reqs, containerRequests(c, nonZero));
  const sidecars: Resources = new Map();
  const initPeak: Resources = new Map();
  for (const c of spec?.initContainers ?? []) {
    const r = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addInto(reqs, r);
      addInto(sidecars, r);
      maxInto(initPeak, sidecars);
    } else {
      addInto(r, sidecars);
      maxInto(initPeak, r);
    }
  }
  maxInto(reqs, initPeak);
  addInto(reqs, parseResourceList(spec?.overhead));
  return reqs;
}

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/index.ts';

/** The pure part of the EndpointSlice reconciler: which slices to create, update and delete. */

export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface SliceEndpoint {
  addresses: string[];
  conditions: { ready: boolean; serving: boolean; terminating: boolean };
  hostname?: string;
  targetRef: Record<string, unknown>;
  nodeName?: string;
  zone?: string;
}

export type SlicePort = Record<string, unknown>;

export interface Slice extends KubeObject {
  addressType?: string;
  endpoints?: SliceEndpoint[] | null;
  ports?: SlicePort[] | null;
}

// The API server validated the object as an EndpointSlice; its fields are read as optional.
export const asSlice = (o: KubeObject): Slice => o;

/** Desired endpoints grouped by the ports they serve. */
export interface PortGroup {
  readonly ports: SlicePort[];
  readonly endpoints: SliceEndpoint[];
}

export interface SlicePlan {
  /** New slices: their ports and endpoints (no metadata yet). */
  readonly create: PortGroup[];
  /** Existing slices with their new endpoints (and possibly stale labels). */
  readonly update: { slice: Slice; endpoints: SliceEndpoint[] }[];
  readonly delete: Slice[];
}

export const portsKey = (ports: readonly SlicePort[] | null | undefined): string =>
  JSON.stringify(
    [...(ports ?? [])].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
  );

export const endpointKey = (e: SliceEndpoint): string =>
  `${String(e.targetRef['uid'])}/${e.addresses.join(',')}`;

function isPlaceholder(s: Slice): boolean {
  return (s.endpoints ?? []).length === 0 && (s.ports ?? []).length === 0;
}

/**
 * reconcileByPortMapping in small: existing slices keep the endpoints still wanted (updated in
 * place), empty ones go, and the rest fill updated slices with room before new ones of at
 * most 100. With nothing wanted, one placeholder slice stays, as upstream keeps.
 */
export function planSlices(
  groups: readonly PortGroup[],
  existing: readonly Slice[],
  labelsOk: (s: Slice) => boolean,
): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const byKey = new Map(groups.map((g) => [portsKey(g.ports), g]));
  const placeholders = existing.filter(isPlaceholder);
  for (const s of existing) {
    if (isPlaceholder(s)) continue;
    if (s.addressType !== 'IPv4' || !byKey.has(portsKey(s.ports))) plan.delete.push(s);
  }
  for (const [key, g] of byKey) {
    const slices = existing.filter(
      (s) => !isPlaceholder(s) && s.addressType === 'IPv4' && portsKey(s.ports) === key,
    );
    planGroup(plan, { group: g, slices, labelsOk });
  }
  const wanted = groups.some((g) => g.endpoints.length > 0);
  if (wanted) plan.delete.push(...placeholders);
  else if (placeholders.length === 0) plan.create.push({ ports: [], endpoints: [] });
  else plan.delete.push(...placeholders.slice(1));
  return plan;
}

/** The slice's endpoints still wanted (in their wanted form), taken out of `desired`. */
function keepWanted(
  s: Slice,
  desired: Map<string, SliceEndpoint>,
): { kept: SliceEndpoint[]; changed: boolean } {
  const kept: SliceEndpoint[] = [];
  let changed = false;
  for (const ep of s.endpoints ?? []) {
    const k = endpointKey(ep);
    const want = desired.get(k);
    if (!want) {
      changed = true;
      continue;
    }
    if (!isDeepStrictEqual(want, ep)) changed = true;
    kept.push(want);
    desired.delete(k);
  }
  return { kept, changed };
}

function planGroup(
  plan: SlicePlan,
  a: { group: PortGroup; slices: Slice[]; labelsOk: (s: Slice) => boolean },
): void {
  const desired = new Map(a.group.endpoints.map((e) => [endpointKey(e), e]));
  const updates: { slice: Slice; endpoints: SliceEndpoint[] }[] = [];
  for (const s of a.slices) {
    const { kept, changed } = keepWanted(s, desired);
    if (kept.length === 0) plan.delete.push(s);
    else if (changed || !a.labelsOk(s)) updates.push({ slice: s, endpoints: kept });
  }
  const rest = [...desired.values()];
  // Fullest first, as upstream packs.
  updates.sort((x, y) => y.endpoints.length - x.endpoints.length);
  for (const u of updates) {
    while (rest.length > 0 && u.endpoints.length < MAX_ENDPOINTS_PER_SLICE) {
      const next = rest.shift();
      if (next) u.endpoints.push(next);
    }
  }
  plan.update.push(...updates);
  for (let i = 0; i < rest.length; i += MAX_ENDPOINTS_PER_SLICE) {
    plan.create.push({
      ports: a.group.ports,
      endpoints: rest.slice(i, i + MAX_ENDPOINTS_PER_SLICE),
    });
  }
}

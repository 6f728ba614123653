import type { JsonObject, KubeObject } from '../api/index.ts';
import { isAlreadyExists, isNotFound, type KubeClient } from '../client/index.ts';
import { canonicalJson, safeEncodeString } from './deployment-hash.ts';
import { controllerOf, controllerRef, nsOf, type PodTemplate } from './deployment-objects.ts';
import { cloneJson } from '../util/index.ts';

/** The label that names a ControllerRevision's hash, and the pod's revision for sts/ds. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';

export interface ControllerRevision extends KubeObject {
  data?: JsonObject;
  revision: number;
}

// SAFETY: the API server validated the object as a ControllerRevision (`revision` is defaulted).
export const asRevision = (o: KubeObject): ControllerRevision => o as ControllerRevision;

/** Go's hash/fnv New32 (FNV-1, not FNV-1a), which history.HashControllerRevision uses. */
function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= b;
  }
  return h >>> 0;
}

/**
 * history.HashControllerRevision: FNV-1 over the data's JSON (Go marshals maps with sorted
 * keys, so canonical JSON is the same bytes) and the collision count in decimal.
 */
export function hashRevisionData(data: JsonObject, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(canonicalJson(data)));
  if (collisionCount !== undefined) h = fnv32(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/**
 * The patch both controllers store as a revision's data (getPatch upstream): the pod template,
 * marked to replace the whole template when applied.
 */
export function templatePatch(template: PodTemplate): JsonObject {
  // SAFETY: a PodTemplate is plain JSON read from the API.
  const t = cloneJson(template) as JsonObject;
  return { spec: { template: { ...t, $patch: 'replace' } } };
}

/** The template a revision's data restores (ApplyRevision for a template-only patch). */
export function templateOfRevision(rev: ControllerRevision): PodTemplate | undefined {
  const spec = rev.data?.['spec'];
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) return undefined;
  const t = spec['template'];
  if (typeof t !== 'object' || t === null || Array.isArray(t)) return undefined;
  const copy = cloneJson(t);
  delete copy['$patch'];
  // The data was written from a PodTemplate by templatePatch.
  return copy;
}

export function sameData(rev: ControllerRevision, data: JsonObject): boolean {
  return canonicalJson(rev.data ?? {}) === canonicalJson(data);
}

/** history.SortControllerRevisions: by revision, then creation, then name. */
export function sortRevisions(revs: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
}

export function maxRevision(revs: readonly ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision), 0);
}

export function revisionsPath(ns: string): string {
  return `/apis/apps/v1/namespaces/${ns}/controllerrevisions`;
}

export function revisionPath(rev: KubeObject): string {
  return `${revisionsPath(nsOf(rev))}/${rev.metadata.name ?? ''}`;
}

/** Revisions the owner controls, from a ControllerRevision informer's cache. */
export function ownedRevisions(
  owner: KubeObject,
  all: readonly KubeObject[],
): ControllerRevision[] {
  return all
    .filter((r) => nsOf(r) === nsOf(owner) && controllerOf(r)?.uid === owner.metadata.uid)
    .map(asRevision);
}

export interface NewRevision {
  readonly owner: KubeObject;
  /** The revision name for a collision count (the hash differs per count). */
  readonly nameFor: (collisionCount: number) => { name: string; hash: string };
  readonly labels: Readonly<Record<string, string>>;
  readonly data: JsonObject;
  readonly revision: number;
  readonly collisionCount: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * Creates a revision as history.CreateControllerRevision: a name taken by different data is a
 * hash collision, so the collision count goes up and the name is tried again. Returns the
 * revision (an existing one with equal data is reused) and the count that produced it.
 */
export async function createRevision(
  client: KubeClient,
  r: NewRevision,
): Promise<{ revision: ControllerRevision; collisionCount: number }> {
  let collisionCount = r.collisionCount;
  for (let attempt = 0; attempt < 100; attempt++) {
    const { name, hash } = r.nameFor(collisionCount);
    const body: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name,
        namespace: nsOf(r.owner),
        labels: { ...r.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash },
        ...(r.annotations === undefined ? {} : { annotations: { ...r.annotations } }),
        ownerReferences: [controllerRef(r.owner)],
      },
      data: r.data,
      revision: r.revision,
    };
    try {
      const created = await client.create(revisionsPath(nsOf(r.owner)), body);
      return { revision: asRevision(created), collisionCount };
    } catch (e: unknown) {
      if (!isAlreadyExists(e)) throw e;
      const existing = asRevision(await client.get(`${revisionsPath(nsOf(r.owner))}/${name}`));
      if (controllerOf(existing)?.uid === r.owner.metadata.uid && sameData(existing, r.data))
        return { revision: existing, collisionCount };
      collisionCount++;
    }
  }
  throw new Error(`no free ControllerRevision name for ${r.owner.metadata.name ?? ''}`);
}

/** Moves an existing revision to the head of the history (a rollback to an older template). */
export async function bumpRevision(
  client: KubeClient,
  rev: ControllerRevision,
  revision: number,
): Promise<ControllerRevision> {
  if (rev.revision === revision) return rev;
  return asRevision(
    await client.patch(revisionPath(rev), {
      revision,
      metadata: { resourceVersion: rev.metadata.resourceVersion },
    }),
  );
}

export async function deleteRevision(client: KubeClient, rev: ControllerRevision): Promise<void> {
  try {
    await client.delete(revisionPath(rev));
  } catch (e: unknown) {
    if (!isNotFound(e)) throw e;
  }
}

/**
 * The revisions to delete so that at most `limit` old ones remain; revisions in `live` (still
 * used by pods, or current) are never deleted, oldest go first. The DaemonSet controller counts
 * live revisions towards the limit (`countLive`), the StatefulSet controller does not.
 */
export function revisionsToPrune(
  old: readonly ControllerRevision[],
  keep: { live: ReadonlySet<string>; limit: number; countLive: boolean },
): ControllerRevision[] {
  const candidates = sortRevisions(old).filter((r) => !keep.live.has(r.metadata.name ?? ''));
  const excess = (keep.countLive ? old.length : candidates.length) - keep.limit;
  return excess > 0 ? candidates.slice(0, excess) : [];
}

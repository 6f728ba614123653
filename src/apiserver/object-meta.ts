import { isDeepStrictEqual } from 'node:util';
import type { KubeObject, ObjectMeta } from '../api/index.ts';
import { cloneJson, randomSuffix, rfc3339, type IdSource } from '../util/index.ts';
import type { ResourceDefinition } from './resources/types.ts';

/** A deep copy, so request handling never changes what the store holds. */
export const clone = cloneJson;

/** Fields only the server sets on create, as rest.BeforeCreate / FillObjectMetaSystemFields. */
export function prepareForCreate(
  def: ResourceDefinition,
  obj: KubeObject,
  env: { now: number; ids: IdSource },
): void {
  const m = obj.metadata;
  if (
    (m.name === undefined || m.name === '') &&
    m.generateName !== undefined &&
    m.generateName !== ''
  ) {
    m.name = `${m.generateName}${randomSuffix(env.ids)}`;
  }
  m.uid = env.ids.uuid();
  m.creationTimestamp = rfc3339(env.now);
  delete m.resourceVersion;
  delete m.deletionTimestamp;
  delete m.deletionGracePeriodSeconds;
  delete (m as Record<string, unknown>)['selfLink'];
  if (def.tracksGeneration) m.generation = 1;
  else delete m.generation;
  if (!def.namespaced) delete m.namespace;
  def.prepareForCreate?.(obj);
}

/** The parts of an object outside metadata and status: a change here bumps generation. */
function specPart(obj: KubeObject): Record<string, unknown> {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return rest;
}

/** Metadata only the server writes: the stored value wins over whatever the client sent. */
function carryServerMeta(m: ObjectMeta, o: ObjectMeta): void {
  if (o.uid !== undefined) m.uid = o.uid;
  if (o.creationTimestamp !== undefined) m.creationTimestamp = o.creationTimestamp;
  if (o.deletionTimestamp === undefined) delete m.deletionTimestamp;
  else m.deletionTimestamp = o.deletionTimestamp;
  if (o.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
  else m.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  if (o.generateName === undefined) delete m.generateName;
  else m.generateName = o.generateName;
}

/** Generation moves only when the spec part changes, and only for types that track it. */
function carryGeneration(def: ResourceDefinition, next: KubeObject, old: KubeObject): void {
  const m = next.metadata;
  const o = old.metadata;
  if (def.tracksGeneration) {
    const gen = o.generation ?? 1;
    m.generation = isDeepStrictEqual(specPart(next), specPart(old)) ? gen : gen + 1;
  } else if (o.generation === undefined) delete m.generation;
  else m.generation = o.generation;
}

/**
 * Carries server-owned fields from the old object to the new one on update, as
 * rest.BeforeUpdate and the strategies' PrepareForUpdate do.
 */
export function prepareForUpdate(def: ResourceDefinition, next: KubeObject, old: KubeObject): void {
  carryServerMeta(next.metadata, old.metadata);
  if (def.namespaced && old.metadata.namespace !== undefined)
    next.metadata.namespace = old.metadata.namespace;
  // With a status subresource, the main resource cannot change status.
  if (def.statusSubresource) {
    if (old['status'] === undefined) delete next['status'];
    else next['status'] = old['status'];
  }
  carryGeneration(def, next, old);
}

/** For writes through `/status`: only status changes; everything else stays as it was. */
export function prepareForStatusUpdate(next: KubeObject, old: KubeObject): KubeObject {
  // The stored object is frozen and the status strategy keeps everything but status and these
  // metadata fields, so the rest is carried over by reference, not copied.
  const out: KubeObject = { ...old, metadata: clone(old.metadata) };
  if (next['status'] === undefined) delete out['status'];
  else out['status'] = next['status'];
  // Labels and annotations may change through status, as upstream allows for most types.
  if (next.metadata.labels !== undefined) out.metadata.labels = next.metadata.labels;
  if (next.metadata.annotations !== undefined) out.metadata.annotations = next.metadata.annotations;
  if (next.metadata.resourceVersion !== undefined)
    out.metadata.resourceVersion = next.metadata.resourceVersion;
  return out;
}

export function storageKey(keyspace: string, namespace: string, name: string): string {
  return namespace === '' ? `/${keyspace}/${name}` : `/${keyspace}/${namespace}/${name}`;
}

export function storagePrefix(keyspace: string, namespace: string): string {
  return namespace === '' ? `/${keyspace}/` : `/${keyspace}/${namespace}/`;
}

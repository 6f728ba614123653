import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';

/** Any JSON-like object: a JsonObject or a KubeObject. */
type Fields = Readonly<Record<string, unknown>>;
import type { AdmissionAttributes } from './types.ts';

/** The pod proper (not a subresource such as status or binding) on a create or update. */
export function isPodWrite(a: AdmissionAttributes): boolean {
  return (
    a.def.group === '' &&
    a.def.resource === 'pods' &&
    a.subresource === '' &&
    (a.operation === 'CREATE' || a.operation === 'UPDATE') &&
    a.object !== undefined
  );
}

/** `obj.spec`, created empty when absent so plugins can fill it in. */
export function specOf(obj: KubeObject): JsonObject {
  const spec = obj['spec'];
  if (isJsonObject(spec)) return spec;
  const fresh: JsonObject = {};
  obj['spec'] = fresh;
  return fresh;
}

/** The objects of an array field, skipping anything else. */
export function objectsIn(parent: Fields | undefined, field: string): JsonObject[] {
  const v = parent?.[field];
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

export function childObject(parent: Fields | undefined, field: string): JsonObject | undefined {
  const v = parent?.[field];
  return isJsonObject(v) ? v : undefined;
}

export function stringAt(parent: Fields | undefined, field: string): string | undefined {
  const v = parent?.[field];
  return typeof v === 'string' ? v : undefined;
}

export type ContainerKind = 'containers' | 'initContainers' | 'ephemeralContainers';

export interface ContainerRef {
  readonly kind: ContainerKind;
  readonly container: JsonObject;
}

/** Every container of a pod spec, init containers first, as upstream's VisitContainers. */
export function containersOf(
  spec: JsonObject,
  kinds: readonly ContainerKind[] = ['initContainers', 'containers', 'ephemeralContainers'],
): ContainerRef[] {
  return kinds.flatMap((kind) => objectsIn(spec, kind).map((container) => ({ kind, container })));
}

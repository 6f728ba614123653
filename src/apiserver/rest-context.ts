import type { KubeObject } from '../api/index.ts';
import type { Store } from '../store/index.ts';
import type { Clock, IdSource } from '../util/index.ts';
import type { AdmissionChain } from './admission/index.ts';
import type { QualifiedKind } from './errors.ts';
import type { ApiRequest } from './http-types.ts';
import type { ResourceRequestInfo } from './request-info.ts';
import type { ResourceRegistry } from './resources/registry.ts';
import type { ResourceDefinition } from './resources/types.ts';
import type { PodLogSource } from './pod-logs.ts';
import type { PodStreamSource } from './streaming/source.ts';
import { storageKey, storagePrefix } from './object-meta.ts';

/** What the REST handlers of one cluster share. */
export interface RestDeps {
  readonly store: Store;
  readonly registry: ResourceRegistry;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly admission: AdmissionChain;
  /** Container logs for `pods/log`; the node agent provides it. */
  readonly logs?: PodLogSource;
  /** exec, attach and port-forward for `pods/*`; the node agent provides it. */
  readonly streams?: PodStreamSource;
}

/** One resource request, resolved. */
export interface RestOp {
  readonly deps: RestDeps;
  readonly def: ResourceDefinition;
  readonly info: ResourceRequestInfo;
  readonly req: ApiRequest;
}

export function qualifiedKind(def: ResourceDefinition): QualifiedKind & { kind: string } {
  return { group: def.group, resource: def.resource, kind: def.kind };
}

export function keyFor(op: RestOp, name = op.info.name): string {
  return storageKey(
    op.deps.registry.storageKeyspace(op.def),
    op.def.namespaced ? op.info.namespace : '',
    name,
  );
}

export function prefixFor(op: RestOp): string {
  return storagePrefix(
    op.deps.registry.storageKeyspace(op.def),
    op.def.namespaced ? op.info.namespace : '',
  );
}

/** The object as this endpoint serves it (converted, with its apiVersion and kind). */
export function toExternal(def: ResourceDefinition, obj: KubeObject): KubeObject {
  const out = def.conversion ? def.conversion.fromStorage(obj) : obj;
  const apiVersion = def.group === '' ? def.version : `${def.group}/${def.version}`;
  if (out.apiVersion === apiVersion && out.kind === def.kind) return out;
  return { ...out, apiVersion, kind: def.kind };
}

export function toInternal(def: ResourceDefinition, obj: KubeObject): KubeObject {
  return def.conversion ? def.conversion.toStorage(obj) : obj;
}

export function isDryRun(req: ApiRequest): boolean {
  return req.query.getAll('dryRun').includes('All');
}

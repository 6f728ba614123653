import type { KubeObject } from '../../api/index.ts';

/** Where the scale subresource reads and writes replicas (autoscaling/v1 Scale). */
export interface ScaleSpec {
  readonly specReplicasPath: readonly string[];
  readonly statusReplicasPath: readonly string[];
  readonly labelSelectorPath: readonly string[];
}

/**
 * Everything the generic REST machinery needs to serve one resource. Adding a resource means
 * adding one of these (data), never a branch in shared code.
 */
export interface ResourceDefinition {
  readonly group: string;
  readonly version: string;
  /** Plural, lower case: `pods`. */
  readonly resource: string;
  readonly kind: string;
  readonly listKind: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  readonly categories: readonly string[];
  readonly verbs: readonly string[];
  /** Subresources served, e.g. `status`, `scale`, `binding`, `log`. */
  readonly subresources: readonly string[];
  readonly nameRule: 'subdomain' | 'label' | 'path-segment';
  /** Whether spec changes bump metadata.generation. */
  readonly tracksGeneration: boolean;
  /** Whether `status` is only written through the status subresource. */
  readonly statusSubresource: boolean;
  readonly scale?: ScaleSpec;
  /** Field-selector fields beyond metadata.name and metadata.namespace. */
  readonly selectableFields?: (obj: KubeObject) => Readonly<Record<string, string>>;
  /** Whether PUT may create a missing object. */
  readonly allowCreateOnUpdate: boolean;
  /** Extra storage-time behaviour (status reset on create, etc.). */
  readonly prepareForCreate?: (obj: KubeObject) => void;
  /**
   * Strategy-specific carry-over on update, after the generic one: `subresource` is '' for the
   * main resource. Mutates `next`.
   */
  readonly prepareForUpdate?: (next: KubeObject, old: KubeObject, subresource: string) => void;
  /** The key-space name in the store; defaults to `resource` or `resource.group`. */
  readonly storageResource?: string;
  /** For a resource stored in another version's shape (events.k8s.io/v1 over core/v1 events). */
  readonly conversion?: Conversion;
}

/** Converts between a served version and the stored shape. Both directions return new objects. */
export interface Conversion {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

export function groupResource(def: Pick<ResourceDefinition, 'group' | 'resource'>): string {
  return def.group === '' ? def.resource : `${def.resource}.${def.group}`;
}

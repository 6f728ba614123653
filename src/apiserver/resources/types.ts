import type { FieldError, JsonObject, KubeObject } from '../../api/index.ts';
import type { StructPatchSchema } from '../patch/schema.ts';
import type { TablePrinter } from '../table/types.ts';

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
  /** For a custom resource version served from a CustomResourceDefinition. */
  readonly custom?: CustomResourceSupport;
}

/**
 * The schema-driven behaviour of one custom resource version (apiextensions.k8s.io CRDs), which
 * replaces the per-type validators, defaulters and printers of built-in resources.
 */
export interface CustomResourceSupport {
  /** The CustomResourceDefinition's name, `<plural>.<group>`. */
  readonly crd: string;
  /** OpenAPI v3 component schemas for the kind and its list, tagged with their GVKs. */
  readonly openapiSchemas: Readonly<Record<string, JsonObject>>;
  /** The Table printer from `additionalPrinterColumns`. */
  readonly printer: TablePrinter;
  /** Server-side apply merge keys from `x-kubernetes-list-type` / `-list-map-keys`. */
  readonly patchSchema: StructPatchSchema;
  /** The fields of a request body the schema does not declare (`spec.foo`); never changes it. */
  readonly unknownFields: (obj: JsonObject) => string[];
  /** Prunes undeclared fields and applies schema defaults, in place. */
  readonly normalize: (obj: KubeObject) => void;
  /** ObjectMeta and schema errors; `old` is the stored object on update. */
  readonly validate: (obj: KubeObject, old?: KubeObject) => FieldError[];
}

/** Converts between a served version and the stored shape. Both directions return new objects. */
export interface Conversion {
  toStorage(obj: KubeObject): KubeObject;
  fromStorage(obj: KubeObject): KubeObject;
}

export function groupResource(def: Pick<ResourceDefinition, 'group' | 'resource'>): string {
  return def.group === '' ? def.resource : `${def.resource}.${def.group}`;
}

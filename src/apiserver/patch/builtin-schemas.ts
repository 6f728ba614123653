import type { GroupVersionKind } from '../../api/index.ts';
import type { FieldPatchMeta, StructPatchSchema } from './schema.ts';

/*
 * Strategic merge patch tables for the built-in kinds, transcribed from the Go struct tags of
 * k8s.io/api v0.33 (core/v1, apps/v1, batch/v1, policy/v1, autoscaling/v2,
 * admissionregistration/v1) and k8s.io/apimachinery v0.33 (meta/v1 ObjectMeta). A struct
 * appears here only when it has a tagged field or leads to one; every other field follows the
 * default (objects merge, lists are replaced).
 *
 * Lists that are deliberately absent because upstream has no patchStrategy tag on them, so
 * they are replaced: Node spec.taints, tolerations, container args/command/envFrom,
 * readinessGates, Endpoints subsets, EndpointSlice endpoints/ports, Ingress rules/tls,
 * StatefulSet volumeClaimTemplates, ResourceRequirements claims, LabelSelector
 * matchExpressions, container resizePolicy.
 */

const struct = (fields: Record<string, FieldPatchMeta>): StructPatchSchema => ({ fields });

/** `patchStrategy:"merge" patchMergeKey:"<key>"`. */
const mergeBy = (patchMergeKey: string, type?: StructPatchSchema): FieldPatchMeta =>
  type
    ? { patchStrategy: 'merge', patchMergeKey, type }
    : { patchStrategy: 'merge', patchMergeKey };

/** `patchStrategy:"merge"` on a list of strings: a set. */
const MERGE_SET: FieldPatchMeta = { patchStrategy: 'merge' };

/** `patchStrategy:"merge" patchMergeKey:"type"`, the tag of every status `conditions` list. */
const CONDITIONS: FieldPatchMeta = mergeBy('type');

// meta/v1

export const ObjectMeta = struct({
  ownerReferences: mergeBy('uid'),
  finalizers: MERGE_SET,
});

const META: FieldPatchMeta = { type: ObjectMeta };

/** A top-level kind: `metadata` plus its own fields. */
const kind = (fields: Record<string, FieldPatchMeta> = {}): StructPatchSchema =>
  struct({ metadata: META, ...fields });

/** A struct whose only tagged field is `conditions`. */
const STATUS_WITH_CONDITIONS: FieldPatchMeta = { type: struct({ conditions: CONDITIONS }) };

// core/v1: containers and volumes

/** Container, and EphemeralContainer through its inline EphemeralContainerCommon. */
const Container = struct({
  ports: mergeBy('containerPort'),
  env: mergeBy('name'),
  volumeMounts: mergeBy('mountPath'),
  volumeDevices: mergeBy('devicePath'),
});

const PersistentVolumeClaimTemplate = struct({ metadata: META });

/** Volume, with the fields of its inline VolumeSource. */
const Volume = struct({
  ephemeral: { type: struct({ volumeClaimTemplate: { type: PersistentVolumeClaimTemplate } }) },
});

export const PodSpec = struct({
  volumes: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name', type: Volume },
  initContainers: mergeBy('name', Container),
  containers: mergeBy('name', Container),
  ephemeralContainers: mergeBy('name', Container),
  imagePullSecrets: mergeBy('name'),
  hostAliases: mergeBy('ip'),
  topologySpreadConstraints: mergeBy('topologyKey'),
  schedulingGates: mergeBy('name'),
  resourceClaims: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
});

const ContainerStatus = struct({
  volumeMounts: mergeBy('mountPath'),
  allocatedResourcesStatus: mergeBy('name'),
});

/** `[]ContainerStatus` carries no patchStrategy tag: the list is replaced as a whole. */
const CONTAINER_STATUSES: FieldPatchMeta = { type: ContainerStatus };

const PodStatus = struct({
  conditions: CONDITIONS,
  hostIPs: mergeBy('ip'),
  podIPs: mergeBy('ip'),
  initContainerStatuses: CONTAINER_STATUSES,
  containerStatuses: CONTAINER_STATUSES,
  ephemeralContainerStatuses: CONTAINER_STATUSES,
  resourceClaimStatuses: { patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
});

export const PodTemplateSpec = struct({ metadata: META, spec: { type: PodSpec } });

const TEMPLATE: FieldPatchMeta = { type: PodTemplateSpec };

// core/v1 kinds

const Pod = kind({ spec: { type: PodSpec }, status: { type: PodStatus } });
const PodTemplate = kind({ template: TEMPLATE });
const ReplicationController = kind({
  spec: { type: struct({ template: TEMPLATE }) },
  status: STATUS_WITH_CONDITIONS,
});
const Service = kind({
  spec: { type: struct({ ports: mergeBy('port') }) },
  status: STATUS_WITH_CONDITIONS,
});
const Node = kind({
  spec: { type: struct({ podCIDRs: MERGE_SET }) },
  status: { type: struct({ conditions: CONDITIONS, addresses: mergeBy('type') }) },
});
const Namespace = kind({ status: STATUS_WITH_CONDITIONS });
const ServiceAccount = kind({ secrets: mergeBy('name') });
const PersistentVolumeClaim = kind({ status: STATUS_WITH_CONDITIONS });

// apps/v1

const Deployment = kind({
  spec: { type: struct({ template: TEMPLATE, strategy: { patchStrategy: 'retainKeys' } }) },
  status: STATUS_WITH_CONDITIONS,
});
const WORKLOAD_SPEC: FieldPatchMeta = { type: struct({ template: TEMPLATE }) };
const ReplicaSet = kind({ spec: WORKLOAD_SPEC, status: STATUS_WITH_CONDITIONS });
const DaemonSet = kind({ spec: WORKLOAD_SPEC, status: STATUS_WITH_CONDITIONS });
const StatefulSet = kind({ spec: WORKLOAD_SPEC, status: STATUS_WITH_CONDITIONS });

// batch/v1

const JobSpec = struct({ template: TEMPLATE });
const Job = kind({ spec: { type: JobSpec }, status: STATUS_WITH_CONDITIONS });
const CronJob = kind({
  spec: {
    type: struct({ jobTemplate: { type: struct({ metadata: META, spec: { type: JobSpec } }) } }),
  },
});

// policy/v1

const PodDisruptionBudget = kind({
  spec: { type: struct({ selector: { patchStrategy: 'replace' } }) },
  status: STATUS_WITH_CONDITIONS,
});

// admissionregistration/v1

const Webhook = struct({ matchConditions: mergeBy('name') });
const WebhookConfiguration = kind({ webhooks: mergeBy('name', Webhook) });
const ValidatingAdmissionPolicy = kind({
  spec: { type: struct({ matchConditions: mergeBy('name'), variables: mergeBy('name') }) },
});

/** Kinds whose only tagged fields are those of ObjectMeta. */
const METADATA_ONLY = kind();

interface GroupVersionTable {
  readonly group: string;
  readonly version: string;
  readonly kinds: Readonly<Record<string, StructPatchSchema>>;
}

/** Every built-in group-version-kind that accepts a strategic merge patch. */
const BUILTIN_KINDS: readonly GroupVersionTable[] = [
  {
    group: '',
    version: 'v1',
    kinds: {
      Pod,
      PodTemplate,
      ReplicationController,
      Service,
      Node,
      Namespace,
      ServiceAccount,
      PersistentVolumeClaim,
      PersistentVolume: METADATA_ONLY,
      ConfigMap: METADATA_ONLY,
      Secret: METADATA_ONLY,
      Endpoints: METADATA_ONLY,
      Event: METADATA_ONLY,
      LimitRange: METADATA_ONLY,
      ResourceQuota: METADATA_ONLY,
    },
  },
  {
    group: 'apps',
    version: 'v1',
    kinds: { Deployment, ReplicaSet, DaemonSet, StatefulSet, ControllerRevision: METADATA_ONLY },
  },
  { group: 'batch', version: 'v1', kinds: { Job, CronJob } },
  { group: 'policy', version: 'v1', kinds: { PodDisruptionBudget } },
  {
    group: 'autoscaling',
    version: 'v1',
    kinds: { Scale: METADATA_ONLY, HorizontalPodAutoscaler: METADATA_ONLY },
  },
  {
    group: 'autoscaling',
    version: 'v2',
    kinds: { HorizontalPodAutoscaler: kind({ status: STATUS_WITH_CONDITIONS }) },
  },
  { group: 'coordination.k8s.io', version: 'v1', kinds: { Lease: METADATA_ONLY } },
  { group: 'scheduling.k8s.io', version: 'v1', kinds: { PriorityClass: METADATA_ONLY } },
  { group: 'discovery.k8s.io', version: 'v1', kinds: { EndpointSlice: METADATA_ONLY } },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    kinds: { Ingress: METADATA_ONLY, IngressClass: METADATA_ONLY, NetworkPolicy: METADATA_ONLY },
  },
  { group: 'node.k8s.io', version: 'v1', kinds: { RuntimeClass: METADATA_ONLY } },
  { group: 'events.k8s.io', version: 'v1', kinds: { Event: METADATA_ONLY } },
  {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    kinds: {
      Role: METADATA_ONLY,
      ClusterRole: METADATA_ONLY,
      RoleBinding: METADATA_ONLY,
      ClusterRoleBinding: METADATA_ONLY,
    },
  },
  {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    kinds: {
      MutatingWebhookConfiguration: WebhookConfiguration,
      ValidatingWebhookConfiguration: WebhookConfiguration,
      ValidatingAdmissionPolicy,
      ValidatingAdmissionPolicyBinding: METADATA_ONLY,
    },
  },
  { group: 'storage.k8s.io', version: 'v1', kinds: { StorageClass: METADATA_ONLY } },
];

const gvkKey = (group: string, version: string, kindName: string): string =>
  `${group}/${version}/${kindName}`;

const SCHEMAS: ReadonlyMap<string, StructPatchSchema> = new Map(
  BUILTIN_KINDS.flatMap((gv) =>
    Object.entries(gv.kinds).map(
      ([k, schema]) => [gvkKey(gv.group, gv.version, k), schema] as const,
    ),
  ),
);

/** The strategic merge schema of a built-in kind, or undefined for kinds without one. */
export function builtinPatchSchema(gvk: GroupVersionKind): StructPatchSchema | undefined {
  return SCHEMAS.get(gvkKey(gvk.group, gvk.version, gvk.kind));
}

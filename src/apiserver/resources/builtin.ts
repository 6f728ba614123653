import type { KubeObject } from '../../api/index.ts';
import { generateJobSelector } from '../validation/index.ts';
import { eventsV1Conversion } from './event-conversion.ts';
import type { ResourceDefinition, ScaleSpec } from './types.ts';

const ALL_VERBS = [
  'create',
  'delete',
  'deletecollection',
  'get',
  'list',
  'patch',
  'update',
  'watch',
];

interface Spec {
  group?: string;
  version?: string;
  resource: string;
  kind: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  verbs?: string[];
  subresources?: string[];
  nameRule?: ResourceDefinition['nameRule'];
  tracksGeneration?: boolean;
  scale?: ScaleSpec;
  selectableFields?: ResourceDefinition['selectableFields'];
  allowCreateOnUpdate?: boolean;
  prepareForCreate?: ResourceDefinition['prepareForCreate'];
  prepareForUpdate?: ResourceDefinition['prepareForUpdate'];
  storageResource?: string;
  conversion?: ResourceDefinition['conversion'];
}

type OptionalParts = Pick<
  ResourceDefinition,
  | 'scale'
  | 'selectableFields'
  | 'prepareForCreate'
  | 'prepareForUpdate'
  | 'storageResource'
  | 'conversion'
>;

/** Optional hooks, present only when set: exactOptionalPropertyTypes forbids `undefined`. */
function optionalParts(s: Spec): OptionalParts {
  return {
    ...(s.scale ? { scale: s.scale } : {}),
    ...(s.selectableFields ? { selectableFields: s.selectableFields } : {}),
    ...(s.prepareForCreate ? { prepareForCreate: s.prepareForCreate } : {}),
    ...(s.prepareForUpdate ? { prepareForUpdate: s.prepareForUpdate } : {}),
    ...(s.storageResource ? { storageResource: s.storageResource } : {}),
    ...(s.conversion ? { conversion: s.conversion } : {}),
  };
}

function define(s: Spec): ResourceDefinition {
  const subresources = s.subresources ?? [];
  return {
    group: s.group ?? '',
    version: s.version ?? 'v1',
    resource: s.resource,
    kind: s.kind,
    listKind: `${s.kind}List`,
    singular: s.kind.toLowerCase(),
    namespaced: s.namespaced ?? true,
    shortNames: s.shortNames ?? [],
    categories: s.categories ?? [],
    verbs: s.verbs ?? ALL_VERBS,
    subresources,
    nameRule: s.nameRule ?? 'subdomain',
    tracksGeneration: s.tracksGeneration ?? false,
    statusSubresource: subresources.includes('status'),
    allowCreateOnUpdate: s.allowCreateOnUpdate ?? false,
    ...optionalParts(s),
  };
}

/** A field-selector value: scalars as upstream prints them; absent (or non-scalar) as ''. */
const str = (v: unknown): string => {
  if (typeof v === 'string') return v;
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
};
const rec = (v: unknown): Record<string, unknown> =>
  // SAFETY: only used to read optional fields; a non-object reads as empty.
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};

const replicasScale: ScaleSpec = {
  specReplicasPath: ['spec', 'replicas'],
  statusReplicasPath: ['status', 'replicas'],
  labelSelectorPath: ['spec', 'selector'],
};

function podFields(o: KubeObject): Record<string, string> {
  const spec = rec(o['spec']);
  const status = rec(o['status']);
  return {
    'spec.nodeName': str(spec['nodeName']),
    'spec.restartPolicy': str(spec['restartPolicy']),
    'spec.schedulerName': str(spec['schedulerName']),
    'spec.serviceAccountName': str(spec['serviceAccountName']),
    'spec.hostNetwork': String(spec['hostNetwork'] === true),
    'status.phase': str(status['phase']),
    'status.podIP': str(status['podIP']),
    'status.nominatedNodeName': str(status['nominatedNodeName']),
  };
}

function eventFields(o: KubeObject): Record<string, string> {
  const io = rec(o['involvedObject']);
  const source = rec(o['source']);
  return {
    'involvedObject.kind': str(io['kind']),
    'involvedObject.namespace': str(io['namespace']),
    'involvedObject.name': str(io['name']),
    'involvedObject.uid': str(io['uid']),
    'involvedObject.apiVersion': str(io['apiVersion']),
    'involvedObject.resourceVersion': str(io['resourceVersion']),
    'involvedObject.fieldPath': str(io['fieldPath']),
    reason: str(o['reason']),
    reportingComponent: str(o['reportingComponent']),
    source: str(source['component']),
    type: str(o['type']),
  };
}

/** A new namespace is Active and carries the `kubernetes` finalizer (namespace strategy). */
function prepareNamespaceForCreate(o: KubeObject): void {
  const spec = rec(o['spec']);
  const finalizers = Array.isArray(spec['finalizers']) ? (spec['finalizers'] as unknown[]) : [];
  o['spec'] = {
    ...spec,
    finalizers: finalizers.includes('kubernetes') ? finalizers : [...finalizers, 'kubernetes'],
  };
  o['status'] = { phase: 'Active' };
}

/**
 * spec.finalizers change only through `finalize`, and `finalize` changes nothing else.
 */
function prepareNamespaceForUpdate(next: KubeObject, old: KubeObject, subresource: string): void {
  const oldSpec = rec(old['spec']);
  if (subresource === 'finalize') {
    const finalizers = rec(next['spec'])['finalizers'];
    next['spec'] = { ...oldSpec, finalizers: Array.isArray(finalizers) ? finalizers : [] };
    next.metadata = { ...old.metadata, resourceVersion: next.metadata.resourceVersion ?? '' };
    if (next.metadata.resourceVersion === '') delete next.metadata.resourceVersion;
    return;
  }
  if (subresource === '')
    next['spec'] = { ...rec(next['spec']), finalizers: oldSpec['finalizers'] ?? [] };
}

/** Pods start Pending; the API server, not the client, owns a new pod's status. */
function resetPodStatus(o: KubeObject): void {
  o['status'] = { phase: 'Pending' };
}

function resetStatus(o: KubeObject): void {
  o['status'] = {};
}

/** The built-in resources Kiln serves, as kube-apiserver 1.32 does. */
export const builtinResources: readonly ResourceDefinition[] = [
  // core/v1
  define({
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status', 'finalize'],
    nameRule: 'label',
    selectableFields: (o) => ({ 'status.phase': str(rec(o['status'])['phase']) }),
    prepareForCreate: prepareNamespaceForCreate,
    prepareForUpdate: prepareNamespaceForUpdate,
  }),
  define({
    resource: 'pods',
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      'status',
      'binding',
      'eviction',
      'log',
      'exec',
      'attach',
      'portforward',
      'ephemeralcontainers',
      'proxy',
      'resize',
    ],
    selectableFields: podFields,
    prepareForCreate: resetPodStatus,
  }),
  define({
    resource: 'bindings',
    kind: 'Binding',
    verbs: ['create'],
  }),
  define({
    resource: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status', 'proxy'],
    selectableFields: (o) => ({
      'spec.unschedulable': String(rec(o['spec'])['unschedulable'] === true),
    }),
  }),
  define({
    resource: 'events',
    kind: 'Event',
    shortNames: ['ev'],
    selectableFields: eventFields,
    allowCreateOnUpdate: true,
  }),
  define({
    resource: 'services',
    kind: 'Service',
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status', 'proxy'],
    nameRule: 'label',
  }),
  define({
    resource: 'endpoints',
    kind: 'Endpoints',
    shortNames: ['ep'],
    allowCreateOnUpdate: true,
  }),
  define({ resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  define({
    resource: 'secrets',
    kind: 'Secret',
    selectableFields: (o) => ({ type: str(o['type']) }),
  }),
  define({
    resource: 'serviceaccounts',
    kind: 'ServiceAccount',
    shortNames: ['sa'],
    subresources: ['token'],
  }),
  define({
    resource: 'persistentvolumes',
    kind: 'PersistentVolume',
    namespaced: false,
    shortNames: ['pv'],
    subresources: ['status'],
    prepareForCreate: (o) => {
      o['status'] = { phase: 'Pending' };
    },
  }),
  define({
    resource: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    shortNames: ['pvc'],
    subresources: ['status'],
    prepareForCreate: (o) => {
      o['status'] = { phase: 'Pending' };
    },
  }),
  define({ resource: 'limitranges', kind: 'LimitRange', shortNames: ['limits'] }),
  define({
    resource: 'resourcequotas',
    kind: 'ResourceQuota',
    shortNames: ['quota'],
    subresources: ['status'],
  }),
  define({ resource: 'podtemplates', kind: 'PodTemplate' }),
  // apps/v1
  ...(
    [
      ['deployments', 'Deployment', ['deploy'], replicasScale],
      ['replicasets', 'ReplicaSet', ['rs'], replicasScale],
      ['statefulsets', 'StatefulSet', ['sts'], replicasScale],
      ['daemonsets', 'DaemonSet', ['ds'], undefined],
    ] as const
  ).map(([resource, kind, shortNames, scale]) =>
    define({
      group: 'apps',
      resource,
      kind,
      shortNames: [...shortNames],
      categories: ['all'],
      subresources: scale ? ['status', 'scale'] : ['status'],
      tracksGeneration: true,
      prepareForCreate: resetStatus,
      ...(scale ? { scale } : {}),
    }),
  ),
  define({ group: 'apps', resource: 'controllerrevisions', kind: 'ControllerRevision' }),
  // batch/v1
  define({
    group: 'batch',
    resource: 'jobs',
    kind: 'Job',
    categories: ['all'],
    subresources: ['status'],
    tracksGeneration: true,
    prepareForCreate: (o) => {
      resetStatus(o);
      // The job strategy labels the template and builds the selector from the new uid.
      generateJobSelector(o);
    },
    selectableFields: (o) => ({ 'status.successful': str(rec(o['status'])['succeeded']) }),
  }),
  define({
    group: 'batch',
    resource: 'cronjobs',
    kind: 'CronJob',
    shortNames: ['cj'],
    categories: ['all'],
    subresources: ['status'],
    tracksGeneration: true,
    prepareForCreate: resetStatus,
    nameRule: 'label',
  }),
  // autoscaling/v1 — HorizontalPodAutoscaler objects (stored; no controller yet)
  define({
    group: 'autoscaling',
    resource: 'horizontalpodautoscalers',
    kind: 'HorizontalPodAutoscaler',
    shortNames: ['hpa'],
    categories: ['all'],
    subresources: ['status'],
    prepareForCreate: resetStatus,
  }),
  // events.k8s.io/v1 shares its storage with core/v1 events
  define({
    group: 'events.k8s.io',
    resource: 'events',
    kind: 'Event',
    shortNames: ['ev'],
    storageResource: 'events',
    conversion: eventsV1Conversion,
    allowCreateOnUpdate: true,
  }),
  define({ group: 'coordination.k8s.io', resource: 'leases', kind: 'Lease' }),
  define({
    group: 'policy',
    resource: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    shortNames: ['pdb'],
    subresources: ['status'],
    tracksGeneration: true,
    prepareForCreate: resetStatus,
  }),
  define({
    group: 'scheduling.k8s.io',
    resource: 'priorityclasses',
    kind: 'PriorityClass',
    namespaced: false,
    shortNames: ['pc'],
  }),
  define({ group: 'discovery.k8s.io', resource: 'endpointslices', kind: 'EndpointSlice' }),
  define({
    group: 'networking.k8s.io',
    resource: 'ingresses',
    kind: 'Ingress',
    shortNames: ['ing'],
    subresources: ['status'],
    tracksGeneration: true,
  }),
  define({
    group: 'networking.k8s.io',
    resource: 'ingressclasses',
    kind: 'IngressClass',
    namespaced: false,
  }),
  define({
    group: 'networking.k8s.io',
    resource: 'networkpolicies',
    kind: 'NetworkPolicy',
    shortNames: ['netpol'],
    tracksGeneration: true,
  }),
  define({
    group: 'node.k8s.io',
    resource: 'runtimeclasses',
    kind: 'RuntimeClass',
    namespaced: false,
  }),
  ...rbacResources(),
  define({
    group: 'admissionregistration.k8s.io',
    resource: 'mutatingwebhookconfigurations',
    kind: 'MutatingWebhookConfiguration',
    namespaced: false,
    categories: ['api-extensions'],
    tracksGeneration: true,
  }),
  define({
    group: 'admissionregistration.k8s.io',
    resource: 'validatingwebhookconfigurations',
    kind: 'ValidatingWebhookConfiguration',
    namespaced: false,
    categories: ['api-extensions'],
    tracksGeneration: true,
  }),
  define({
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    tracksGeneration: true,
  }),
  define({
    group: 'storage.k8s.io',
    resource: 'storageclasses',
    kind: 'StorageClass',
    namespaced: false,
    shortNames: ['sc'],
  }),
  ...reviewResources(),
];

/** rbac.authorization.k8s.io/v1: roles and bindings, namespaced and cluster-wide. */
function rbacResources(): ResourceDefinition[] {
  const group = 'rbac.authorization.k8s.io';
  return [
    define({ group, resource: 'roles', kind: 'Role' }),
    define({ group, resource: 'rolebindings', kind: 'RoleBinding' }),
    define({ group, resource: 'clusterroles', kind: 'ClusterRole', namespaced: false }),
    define({
      group,
      resource: 'clusterrolebindings',
      kind: 'ClusterRoleBinding',
      namespaced: false,
    }),
  ];
}

/**
 * The create-only review resources of authorization.k8s.io and authentication.k8s.io: never
 * stored, answered by the server (see server.ts).
 */
function reviewResources(): ResourceDefinition[] {
  const review =
    (group: string) =>
    (resource: string, kind: string, namespaced = false): ResourceDefinition =>
      define({ group, resource, kind, namespaced, verbs: ['create'] });
  const authz = review('authorization.k8s.io');
  const authn = review('authentication.k8s.io');
  return [
    authz('selfsubjectaccessreviews', 'SelfSubjectAccessReview'),
    authz('selfsubjectrulesreviews', 'SelfSubjectRulesReview'),
    authz('subjectaccessreviews', 'SubjectAccessReview'),
    authz('localsubjectaccessreviews', 'LocalSubjectAccessReview', true),
    authn('selfsubjectreviews', 'SelfSubjectReview'),
    authn('tokenreviews', 'TokenReview'),
  ];
}

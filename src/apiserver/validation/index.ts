import type { FieldError, KubeObject } from '../../api/index.ts';
import { groupResource, type ResourceDefinition } from '../resources/types.ts';
import {
  defaultDaemonSet,
  defaultDeployment,
  defaultReplicaSet,
  defaultStatefulSet,
} from './apps-defaults.ts';
import {
  validateControllerRevision,
  validateDaemonSet,
  validateDeployment,
  validateReplicaSet,
  validateStatefulSet,
} from './apps.ts';
import { defaultCronJob, defaultJob } from './batch-defaults.ts';
import { validateCronJob, validateJob } from './batch.ts';
import {
  defaultCustomResourceDefinition,
  validateCustomResourceDefinition,
} from './apiextensions.ts';
import { validateLease } from './coordination.ts';
import {
  validateLimitRange,
  validateNode,
  validateReplicationController,
  validateResourceQuota,
} from './core-cluster.ts';
import {
  validateConfigMap,
  validateNamespace,
  validateSecret,
  validateServiceAccount,
} from './core-config.ts';
import {
  defaultEndpoints,
  defaultLimitRange,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultPod,
  defaultPodTemplate,
  defaultReplicationController,
  defaultResourceQuota,
  defaultSecret,
  defaultService,
} from './core-defaults.ts';
import { validatePod, validatePodStatusUpdate, validatePodTemplate } from './core-pod.ts';
import { validateEndpoints, validateService } from './core-services.ts';
import { validatePersistentVolume, validatePersistentVolumeClaim } from './core-storage.ts';
import { validateEndpointSlice } from './discovery.ts';
import { validateCoreEvent, validateEventsV1Event } from './events.ts';
import { defaultEndpointSlice, defaultPriorityClass } from './group-defaults.ts';
import { validateIngress } from './networking.ts';
import { validateRuntimeClass } from './node.ts';
import {
  defaultBinding,
  validateClusterRole,
  validateClusterRoleBinding,
  validateRole,
  validateRoleBinding,
} from './rbac.ts';
import {
  validateMutatingWebhookConfiguration,
  validateValidatingWebhookConfiguration,
} from './admissionregistration.ts';
import {
  defaultMutatingWebhookConfiguration,
  defaultValidatingWebhookConfiguration,
} from './admissionregistration-defaults.ts';
import { validatePodDisruptionBudget } from './policy.ts';
import { validatePriorityClass } from './scheduling.ts';

/**
 * Validation and defaulting of the built-in types Kiln serves, as kube-apiserver 1.32 does
 * them. Keys are group-resources: `pods`, `deployments.apps`, `events.events.k8s.io`.
 */

/**
 * Validates an object as the resource's registry strategy does: `old` is the stored object
 * on update. Expects the object already defaulted (upstream always defaults first, and
 * several rules report unset defaulted fields as Required). Includes the ObjectMeta checks
 * (for PodDisruptionBudgets, the registry's generic ones). Never throws: malformed JSON is
 * reported as field errors.
 */
export type Validator = (obj: KubeObject, old?: KubeObject) => FieldError[];

/** Applies upstream's SetDefaults_* to an object in place; the caller passes a copy. */
export type Defaulter = (obj: KubeObject) => void;

/** The same message twice says nothing more; the first occurrence is kept. */
function dedupe(errs: readonly FieldError[]): FieldError[] {
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const e of errs) {
    if (seen.has(e.message)) continue;
    seen.add(e.message);
    out.push(e);
  }
  return out;
}

function guarded(fn: Validator): Validator {
  return (obj, old) => dedupe(fn(obj, old));
}

const VALIDATORS: Readonly<Record<string, Validator>> = {
  pods: validatePod,
  podtemplates: validatePodTemplate,
  replicationcontrollers: validateReplicationController,
  services: validateService,
  endpoints: validateEndpoints,
  configmaps: validateConfigMap,
  secrets: validateSecret,
  serviceaccounts: validateServiceAccount,
  namespaces: validateNamespace,
  nodes: validateNode,
  persistentvolumeclaims: validatePersistentVolumeClaim,
  persistentvolumes: validatePersistentVolume,
  limitranges: validateLimitRange,
  resourcequotas: validateResourceQuota,
  events: validateCoreEvent,
  'deployments.apps': validateDeployment,
  'replicasets.apps': validateReplicaSet,
  'statefulsets.apps': validateStatefulSet,
  'daemonsets.apps': validateDaemonSet,
  'controllerrevisions.apps': validateControllerRevision,
  'jobs.batch': validateJob,
  'cronjobs.batch': validateCronJob,
  'events.events.k8s.io': validateEventsV1Event,
  'leases.coordination.k8s.io': validateLease,
  'poddisruptionbudgets.policy': validatePodDisruptionBudget,
  'priorityclasses.scheduling.k8s.io': validatePriorityClass,
  'endpointslices.discovery.k8s.io': validateEndpointSlice,
  'ingresses.networking.k8s.io': validateIngress,
  'runtimeclasses.node.k8s.io': validateRuntimeClass,
  'customresourcedefinitions.apiextensions.k8s.io': validateCustomResourceDefinition,
  'roles.rbac.authorization.k8s.io': validateRole,
  'clusterroles.rbac.authorization.k8s.io': validateClusterRole,
  'rolebindings.rbac.authorization.k8s.io': validateRoleBinding,
  'clusterrolebindings.rbac.authorization.k8s.io': validateClusterRoleBinding,
  'mutatingwebhookconfigurations.admissionregistration.k8s.io':
    validateMutatingWebhookConfiguration,
  'validatingwebhookconfigurations.admissionregistration.k8s.io':
    validateValidatingWebhookConfiguration,
};

export const validators: Readonly<Record<string, Validator>> = Object.freeze(
  Object.fromEntries(Object.entries(VALIDATORS).map(([k, v]) => [k, guarded(v)])),
);

export const defaulters: Readonly<Record<string, Defaulter>> = Object.freeze({
  pods: defaultPod,
  podtemplates: defaultPodTemplate,
  replicationcontrollers: defaultReplicationController,
  services: defaultService,
  endpoints: defaultEndpoints,
  secrets: defaultSecret,
  namespaces: defaultNamespace,
  nodes: defaultNode,
  persistentvolumeclaims: defaultPersistentVolumeClaim,
  persistentvolumes: defaultPersistentVolume,
  limitranges: defaultLimitRange,
  resourcequotas: defaultResourceQuota,
  'deployments.apps': defaultDeployment,
  'replicasets.apps': defaultReplicaSet,
  'statefulsets.apps': defaultStatefulSet,
  'daemonsets.apps': defaultDaemonSet,
  'jobs.batch': defaultJob,
  'cronjobs.batch': defaultCronJob,
  'endpointslices.discovery.k8s.io': defaultEndpointSlice,
  'priorityclasses.scheduling.k8s.io': defaultPriorityClass,
  'customresourcedefinitions.apiextensions.k8s.io': defaultCustomResourceDefinition,
  'rolebindings.rbac.authorization.k8s.io': defaultBinding,
  'clusterrolebindings.rbac.authorization.k8s.io': defaultBinding,
  'mutatingwebhookconfigurations.admissionregistration.k8s.io': defaultMutatingWebhookConfiguration,
  'validatingwebhookconfigurations.admissionregistration.k8s.io':
    defaultValidatingWebhookConfiguration,
});

/**
 * The validator for a resource: a custom resource's comes from its definition (schema and
 * ObjectMeta rules), a built-in's from the table above. Undefined means ObjectMeta rules only.
 */
export function validatorFor(def: ResourceDefinition, subresource = ''): Validator | undefined {
  if (def.custom) return def.custom.validate;
  const gr = groupResource(def);
  if (subresource === 'status') return statusValidators[gr] ?? validators[gr];
  return validators[gr];
}

/** Status strategies that check less than the whole object (the spec is carried over). */
const statusValidators: Readonly<Record<string, Validator>> = Object.freeze({
  pods: (obj, old) => (old === undefined ? validatePod(obj) : validatePodStatusUpdate(obj, old)),
});

/** The defaulter for a resource: for a custom resource, schema pruning and defaults. */
export function defaulterFor(def: ResourceDefinition): Defaulter | undefined {
  if (def.custom) return def.custom.normalize;
  return defaulters[groupResource(def)];
}

export {
  isConfigMapKey,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidLabelValue,
  isValidPathSegmentName,
} from './names.ts';
export { validateObjectMeta, validateObjectMetaUpdate, type NameRule } from './object-meta.ts';
export {
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  parseQuantity,
  parseQuantityExact,
  QuantityParseError,
  tryParseQuantity,
  type Quantity,
} from './quantity.ts';
export { generateJobSelector } from './batch.ts';
export { cronScheduleError } from './cron.ts';

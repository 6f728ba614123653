import type { JsonObject, KubeObject } from '../../api/index.ts';
import { defaultPvcSpec, defaultPodTemplateSpec } from './core-defaults.ts';
import {
  defaultResourceList,
  ensureObject,
  objectAt,
  objectsAt,
  setDefault,
  specOf,
} from './defaults-helpers.ts';

/** apps/v1 defaulting (pkg/apis/apps/v1/defaults.go and the generated call tree). */

/** SetDefaults_Deployment. */
export function defaultDeployment(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec === undefined) return;
  setDefault(spec, 'replicas', 1);
  const strategy = ensureObject(spec, 'strategy');
  if (strategy !== undefined) {
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy['type'] === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      if (ru !== undefined) {
        setDefault(ru, 'maxUnavailable', '25%');
        setDefault(ru, 'maxSurge', '25%');
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
}

/** SetDefaults_ReplicaSet. */
export function defaultReplicaSet(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec === undefined) return;
  setDefault(spec, 'replicas', 1);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
}

/** SetDefaults_DaemonSet. */
export function defaultDaemonSet(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec === undefined) return;
  const strategy = ensureObject(spec, 'updateStrategy');
  if (strategy !== undefined) {
    setDefault(strategy, 'type', 'RollingUpdate');
    if (strategy['type'] === 'RollingUpdate') {
      const ru = ensureObject(strategy, 'rollingUpdate');
      if (ru !== undefined) {
        setDefault(ru, 'maxUnavailable', 1);
        setDefault(ru, 'maxSurge', 0);
      }
    }
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
}

/**
 * SetDefaults_StatefulSet (StatefulSetAutoDeletePVC is on by default since 1.27), and the
 * PVC defaults of each volumeClaimTemplate, which therefore carries `status.phase: Pending`.
 */
export function defaultStatefulSet(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec === undefined) return;
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  defaultStatefulSetStrategy(ensureObject(spec, 'updateStrategy'));
  const retention = ensureObject(spec, 'persistentVolumeClaimRetentionPolicy');
  if (retention !== undefined) {
    setDefault(retention, 'whenDeleted', 'Retain');
    setDefault(retention, 'whenScaled', 'Retain');
  }
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
  for (const claim of objectsAt(spec, 'volumeClaimTemplates')) defaultClaimTemplate(claim);
}

function defaultStatefulSetStrategy(strategy: JsonObject | undefined): void {
  if (strategy === undefined) return;
  if (strategy['type'] === undefined || strategy['type'] === null || strategy['type'] === '') {
    strategy['type'] = 'RollingUpdate';
    ensureObject(strategy, 'rollingUpdate');
  }
  const ru = objectAt(strategy, 'rollingUpdate');
  if (strategy['type'] === 'RollingUpdate' && ru !== undefined) setDefault(ru, 'partition', 0);
}

function defaultClaimTemplate(claim: JsonObject): void {
  const status = ensureObject(claim, 'status');
  if (status !== undefined) setDefault(status, 'phase', 'Pending');
  const claimSpec = objectAt(claim, 'spec');
  if (claimSpec !== undefined) defaultPvcSpec(claimSpec);
  defaultResourceList(status?.['capacity']);
  defaultResourceList(status?.['allocatedResources']);
}

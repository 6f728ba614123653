import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import { validatePodAnnotations } from './core-pod.ts';
import { semanticEqual } from './equality.ts';
import { child, forbidden, invalid, notSupported, required } from './field.ts';
import { goJson, goLabelSelector, goNilPointer, goQuote, goStruct } from './go-format.ts';
import { labelSelectorAsSelector, selectorEmpty } from './label-selector.ts';
import { nameIsDnsLabel, nameIsDnsSubdomain } from './names.ts';
import {
  checkObjectMeta,
  checkObjectMetaUpdate,
  FIELD_IMMUTABLE,
  validateAnnotations,
  validateLabels,
  validateNonnegative,
} from './object-meta.ts';
import {
  goIntOrString,
  intOrPercentValue,
  notMoreThan100,
  validatePositiveIntOrPercent,
} from './intstr.ts';
import { Walker } from './walker.ts';
import {
  checkAlwaysRestart,
  checkNotEmpty,
  checkReplicaSetTemplate,
  checkSelector,
  checkSelectorImmutable,
  checkSelectorMatches,
  readSelector,
} from './workload-template.ts';
import { validatePodTemplateSpec } from './core-pod.ts';
import { cloneJson } from '../../util/index.ts';

/** apps/v1 workloads (pkg/apis/apps/validation plus the registry strategies' update rules). */

function root(w: Walker, obj: KubeObject): { spec: JsonObject | undefined } {
  return { spec: w.obj(w.asObj(obj, ''), '', 'spec') };
}

function meta(w: Walker, pair: readonly [KubeObject, KubeObject | undefined], label = false): void {
  const [obj, old] = pair;
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  else
    checkObjectMeta(w, obj.metadata, {
      namespaced: true,
      nameFn: label ? nameIsDnsLabel : nameIsDnsSubdomain,
      kubeFinalizers: true,
    });
}

function nonnegative(w: Walker, spec: JsonObject | undefined, k: string): number | undefined {
  const v = w.int(spec, 'spec', k);
  if (v !== undefined) w.add(...validateNonnegative(v, `spec.${k}`));
  return v;
}

function validateRollingUpdateDeployment(w: Walker, ru: JsonObject, path: string): void {
  const maxUnavailable = w.intOrStr(ru, path, 'maxUnavailable') ?? 0;
  const maxSurge = w.intOrStr(ru, path, 'maxSurge') ?? 0;
  validatePositiveIntOrPercent(w, maxUnavailable, child(path, 'maxUnavailable'));
  validatePositiveIntOrPercent(w, maxSurge, child(path, 'maxSurge'));
  if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
    w.add(
      invalid(
        child(path, 'maxUnavailable'),
        goIntOrString(maxUnavailable),
        'may not be 0 when `maxSurge` is 0',
      ),
    );
  }
  notMoreThan100(w, maxUnavailable, child(path, 'maxUnavailable'));
}

function validateDeploymentStrategy(w: Walker, spec: JsonObject | undefined): void {
  const path = 'spec.strategy';
  const strategy = w.obj(spec, 'spec', 'strategy') ?? {};
  const type = w.text(strategy, path, 'type');
  const ru = w.obj(strategy, path, 'rollingUpdate');
  switch (type) {
    case 'Recreate':
      if (ru !== undefined)
        w.add(
          forbidden(
            child(path, 'rollingUpdate'),
            "may not be specified when strategy `type` is 'Recreate'",
          ),
        );
      return;
    case 'RollingUpdate':
      if (ru === undefined)
        w.add(required(child(path, 'rollingUpdate'), 'this should be defaulted and never be nil'));
      else validateRollingUpdateDeployment(w, ru, child(path, 'rollingUpdate'));
      return;
    default: {
      const shown = goStruct('apps.DeploymentStrategy', [
        ['Type', goQuote(type)],
        [
          'RollingUpdate',
          ru === undefined
            ? goNilPointer('apps.RollingUpdateDeployment')
            : '(*apps.RollingUpdateDeployment)(0xc000000000)',
        ],
      ]);
      w.add(notSupported(path, { goSyntax: shown }, ['Recreate', 'RollingUpdate']));
    }
  }
}

/** Validator for deployments.apps. */
export function validateDeployment(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  meta(w, [obj, old]);
  const { spec } = root(w, obj);
  nonnegative(w, spec, 'replicas');
  const sel = checkSelector(w, spec, { required: true, kind: 'deployment' });
  checkReplicaSetTemplate(w, spec, sel);
  validateDeploymentStrategy(w, spec);
  const minReady = nonnegative(w, spec, 'minReadySeconds') ?? 0;
  nonnegative(w, spec, 'revisionHistoryLimit');
  const progress = nonnegative(w, spec, 'progressDeadlineSeconds');
  if (progress !== undefined && progress <= minReady) {
    w.add(
      invalid('spec.progressDeadlineSeconds', progress, 'must be greater than minReadySeconds'),
    );
  }
  if (old !== undefined) checkSelectorImmutable(w, obj, old);
  return w.errs;
}

/** Validator for replicasets.apps. */
export function validateReplicaSet(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  meta(w, [obj, old]);
  const { spec } = root(w, obj);
  nonnegative(w, spec, 'replicas');
  nonnegative(w, spec, 'minReadySeconds');
  const sel = checkSelector(w, spec, { required: true, kind: 'deployment' });
  checkReplicaSetTemplate(w, spec, sel);
  if (old !== undefined) checkSelectorImmutable(w, obj, old);
  return w.errs;
}

function validateRollingUpdateDaemonSet(w: Walker, ru: JsonObject, path: string): void {
  const maxUnavailable = w.intOrStr(ru, path, 'maxUnavailable') ?? 0;
  const maxSurge = w.intOrStr(ru, path, 'maxSurge') ?? 0;
  validatePositiveIntOrPercent(w, maxUnavailable, child(path, 'maxUnavailable'));
  validatePositiveIntOrPercent(w, maxSurge, child(path, 'maxSurge'));
  notMoreThan100(w, maxUnavailable, child(path, 'maxUnavailable'));
  notMoreThan100(w, maxSurge, child(path, 'maxSurge'));
  const hasUnavailable = intOrPercentValue(maxUnavailable) !== 0;
  const hasSurge = intOrPercentValue(maxSurge) !== 0;
  if (hasUnavailable && hasSurge) {
    w.add(
      invalid(
        child(path, 'maxSurge'),
        goIntOrString(maxSurge),
        'may not be set when maxUnavailable is non-zero',
      ),
    );
  } else if (!hasUnavailable && !hasSurge) {
    w.add(required(child(path, 'maxUnavailable'), 'cannot be 0 when maxSurge is 0'));
  }
}

function validateDaemonSetStrategy(w: Walker, spec: JsonObject | undefined): void {
  const path = 'spec.updateStrategy';
  const strategy = w.obj(spec, 'spec', 'updateStrategy') ?? {};
  const type = w.text(strategy, path, 'type');
  if (type === 'OnDelete') return;
  if (type === 'RollingUpdate') {
    const ru = w.obj(strategy, path, 'rollingUpdate');
    if (ru === undefined) w.add(required(child(path, 'rollingUpdate')));
    else validateRollingUpdateDaemonSet(w, ru, child(path, 'rollingUpdate'));
    return;
  }
  w.add(notSupported(path, { goSyntax: goJson(strategy) }, ['RollingUpdate', 'OnDelete']));
}

/** Validator for daemonsets.apps. */
export function validateDaemonSet(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  meta(w, [obj, old]);
  const { spec } = root(w, obj);
  const sel = readSelector(w, spec, { required: false });
  const template = w.obj(spec, 'spec', 'template');
  const selector = labelSelectorAsSelector(sel.value);
  if (selector !== 'error') checkSelectorMatches(w, selector, template);
  checkNotEmpty(w, sel, 'daemonset');
  validatePodTemplateSpec(w, template, 'spec.template');
  checkAlwaysRestart(w, template, 'DaemonSet');
  nonnegative(w, spec, 'minReadySeconds');
  validateDaemonSetStrategy(w, spec);
  nonnegative(w, spec, 'revisionHistoryLimit');
  if (old !== undefined) checkSelectorImmutable(w, obj, old);
  return w.errs;
}

function validateStatefulSetStrategy(w: Walker, spec: JsonObject | undefined): void {
  const path = 'spec.updateStrategy';
  const strategy = w.obj(spec, 'spec', 'updateStrategy') ?? {};
  const type = w.text(strategy, path, 'type');
  const ru = w.obj(strategy, path, 'rollingUpdate');
  const ruPath = child(path, 'rollingUpdate');
  switch (type) {
    case '': {
      w.add(required(path));
      return;
    }
    case 'OnDelete':
      if (ru !== undefined)
        w.add(
          invalid(
            ruPath,
            { goSyntax: goJson(ru) },
            "only allowed for updateStrategy 'RollingUpdate'",
          ),
        );
      return;
    case 'RollingUpdate':
      if (ru !== undefined) validateRollingUpdateStatefulSet(w, ru, ruPath);
      return;
    default:
      w.add(invalid(path, { goSyntax: goJson(strategy) }, "must be 'RollingUpdate' or 'OnDelete'"));
  }
}

function validateRollingUpdateStatefulSet(w: Walker, ru: JsonObject, path: string): void {
  w.add(...validateNonnegative(w.num(ru, path, 'partition'), child(path, 'partition')));
  const maxUnavailable = w.intOrStr(ru, path, 'maxUnavailable');
  if (maxUnavailable === undefined) return;
  const p = child(path, 'maxUnavailable');
  validatePositiveIntOrPercent(w, maxUnavailable, p);
  if (intOrPercentValue(maxUnavailable) === 0)
    w.add(invalid(p, goIntOrString(maxUnavailable), 'cannot be 0'));
  notMoreThan100(w, maxUnavailable, p);
}

function validateRetentionPolicy(w: Walker, spec: JsonObject | undefined): void {
  const path = 'spec.persistentVolumeClaimRetentionPolicy';
  const policy = w.obj(spec, 'spec', 'persistentVolumeClaimRetentionPolicy');
  if (policy === undefined) return;
  for (const k of ['whenDeleted', 'whenScaled']) {
    const v = w.text(policy, path, k);
    if (v !== 'Retain' && v !== 'Delete')
      w.add(notSupported(child(path, k), v, ['Retain', 'Delete']));
  }
}

function validateStatefulSetTemplate(
  w: Walker,
  spec: JsonObject | undefined,
  sel: ReturnType<typeof checkSelector>,
): void {
  const template = w.obj(spec, 'spec', 'template');
  const selector = labelSelectorAsSelector(sel.value);
  if (selector === 'error') {
    w.add(invalid('spec.selector', { goSyntax: goLabelSelector(sel.raw) }, ''));
  } else {
    if (!selectorEmpty(selector)) checkSelectorMatches(w, selector, template);
    // Upstream validates only the template's metadata here, not its PodSpec.
    const metaObj = w.obj(template, 'spec.template', 'metadata');
    const labels = w.strMap(metaObj, 'spec.template.metadata', 'labels');
    const annotations = w.strMap(metaObj, 'spec.template.metadata', 'annotations');
    w.add(...validateLabels(labels, 'spec.template.labels'));
    w.add(...validateAnnotations(annotations, 'spec.template.annotations'));
    const tspec = isJsonObject(template?.['spec']) ? template['spec'] : {};
    validatePodAnnotations(w, annotations, { spec: tspec, path: 'spec.template.annotations' });
  }
  const tspec = isJsonObject(template?.['spec']) ? template['spec'] : {};
  const restart = typeof tspec['restartPolicy'] === 'string' ? tspec['restartPolicy'] : '';
  if (restart !== 'Always')
    w.add(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (tspec['activeDeadlineSeconds'] !== undefined && tspec['activeDeadlineSeconds'] !== null) {
    w.add(
      forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        'activeDeadlineSeconds in StatefulSet is not Supported',
      ),
    );
  }
}

function validateStatefulSetSpec(w: Walker, spec: JsonObject | undefined): void {
  const policy = w.text(spec, 'spec', 'podManagementPolicy');
  if (policy === '') w.add(required('spec.podManagementPolicy'));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    w.add(invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  validateStatefulSetStrategy(w, spec);
  validateRetentionPolicy(w, spec);
  nonnegative(w, spec, 'replicas');
  nonnegative(w, spec, 'minReadySeconds');
  const ordinals = w.obj(spec, 'spec', 'ordinals');
  if (ordinals !== undefined)
    w.add(...validateNonnegative(w.num(ordinals, 'spec.ordinals', 'start'), 'spec.ordinals.start'));
  const sel = checkSelector(w, spec, { required: true, kind: 'statefulset' });
  validateStatefulSetTemplate(w, spec, sel);
}

const STATEFULSET_MUTABLE: readonly string[] = [
  'replicas',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'ordinals',
  'persistentVolumeClaimRetentionPolicy',
];

/** Validator for statefulsets.apps. */
export function validateStatefulSet(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  meta(w, [obj, old], true);
  const { spec } = root(w, obj);
  validateStatefulSetSpec(w, spec);
  if (old !== undefined) {
    const next = cloneJson(spec ?? {});
    const prev = isJsonObject(old['spec']) ? old['spec'] : {};
    for (const k of STATEFULSET_MUTABLE) next[k] = prev[k];
    if (!semanticEqual(next, prev)) {
      w.add(
        forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  return w.errs;
}

/** Validator for controllerrevisions.apps. */
export function validateControllerRevision(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const r = w.asObj(obj, '');
  if (r?.['data'] === undefined || r['data'] === null) w.add(required('data', 'data is mandatory'));
  w.add(...validateNonnegative(w.num(r, '', 'revision'), 'revision'));
  if (old !== undefined && !semanticEqual(r?.['data'], old['data'])) {
    w.add(invalid('data', { goSyntax: goJson(r?.['data']) }, FIELD_IMMUTABLE));
  }
  return w.errs;
}

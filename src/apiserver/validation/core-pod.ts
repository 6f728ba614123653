import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import {
  validateContainers,
  validateEphemeralContainers,
  validateImageWhitespace,
  validateInitContainers,
  type PodCtx,
} from './core-containers.ts';
import { validateLocalDescendingPath } from './core-paths.ts';
import { validateResourceRequirements } from './core-resources.ts';
import {
  validateAffinity,
  validateDnsConfig,
  validateHostAliases,
  validateTolerations,
  validateTopologySpread,
} from './core-scheduling.ts';
import { validatePodSecurityContext } from './core-security.ts';
import { validateVolumes } from './core-volumes.ts';
import { jsonDiff, semanticEqual } from './equality.ts';
import {
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  invalidEach,
  key,
  notSupported,
  required,
} from './field.ts';
import { goJson } from './go-format.ts';
import {
  inclusiveRangeError,
  isDns1123Label,
  isQualifiedName,
  nameIsDnsSubdomain,
} from './names.ts';
import {
  checkObjectMeta,
  checkObjectMetaUpdate,
  validateAnnotations,
  validateLabels,
} from './object-meta.ts';
import { isValidIp } from './ip.ts';
import { metaMap, strOf, Walker, type At, type Item, type Located } from './walker.ts';
import { cloneJson } from '../../util/index.ts';

/** Pods, pod templates and PodSpec (pkg/apis/core/validation). */

const MAX_INT32 = 2147483647;

function validateEnumField(
  w: Walker,
  at: { spec: JsonObject; specPath: string; k: string },
  valid: readonly string[],
): void {
  const v = w.text(at.spec, at.specPath, at.k);
  if (v === '') w.add(required(child(at.specPath, at.k)));
  else if (!valid.includes(v)) w.add(notSupported(child(at.specPath, at.k), v, valid));
}

function validateResourceClaims(w: Walker, spec: JsonObject, specPath: string): Set<string> {
  const names = new Set<string>();
  for (const { o, path } of w.items(spec, specPath, 'resourceClaims')) {
    const name = w.text(o, path, 'name');
    if (name === '') w.add(required(child(path, 'name')));
    else if (names.has(name)) w.add(duplicate(child(path, 'name'), name));
    else {
      w.add(...invalidEach(child(path, 'name'), name, isDns1123Label(name)));
      names.add(name);
    }
    const claim = w.str(o, path, 'resourceClaimName');
    const template = w.str(o, path, 'resourceClaimTemplateName');
    if (claim !== undefined && template !== undefined) {
      w.add(
        invalid(
          path,
          { goSyntax: goJson(o) },
          'at most one of `resourceClaimName` or `resourceClaimTemplateName` may be specified',
        ),
      );
    }
    if (claim === undefined && template === undefined) {
      w.add(
        invalid(
          path,
          { goSyntax: goJson(o) },
          'must specify one of: `resourceClaimName`, `resourceClaimTemplateName`',
        ),
      );
    }
    if (claim !== undefined)
      w.add(
        ...invalidEach(child(path, 'resourceClaimName'), claim, nameIsDnsSubdomain(claim, false)),
      );
    if (template !== undefined) {
      w.add(
        ...invalidEach(
          child(path, 'resourceClaimTemplateName'),
          template,
          nameIsDnsSubdomain(template, false),
        ),
      );
    }
  }
  return names;
}

function validateHostNetworkPorts(w: Walker, at: Located, resourceIsPod: boolean): void {
  const { o: spec, path: specPath } = at;
  if (spec['hostNetwork'] !== true) return;
  const containers = Array.isArray(spec['containers']) ? spec['containers'] : [];
  containers.forEach((c, ci) => {
    const ports = isJsonObject(c) && Array.isArray(c['ports']) ? c['ports'] : [];
    ports.forEach((p, pi) => {
      if (!isJsonObject(p)) return;
      const hp = typeof p['hostPort'] === 'number' ? p['hostPort'] : 0;
      const cp = typeof p['containerPort'] === 'number' ? p['containerPort'] : 0;
      if ((resourceIsPod || hp !== 0) && hp !== cp) {
        const path = child(
          index(child(index(child(specPath, 'containers'), ci), 'ports'), pi),
          'hostPort',
        );
        w.add(invalid(path, hp, 'must match `containerPort` when `hostNetwork` is true'));
      }
    });
  });
}

function validateImagePullSecrets(w: Walker, spec: JsonObject, specPath: string): void {
  for (const { o, path } of w.items(spec, specPath, 'imagePullSecrets')) {
    if (Object.entries(o).some(([k, v]) => k !== 'name' && v !== undefined && v !== null)) {
      w.add(invalid(path, { goSyntax: goJson(o) }, 'only name may be set'));
    }
  }
}

function validateGates(w: Walker, spec: JsonObject, specPath: string): void {
  for (const { o, path } of w.items(spec, specPath, 'readinessGates')) {
    const type = w.text(o, path, 'conditionType');
    w.add(...invalidEach(child(path, 'conditionType'), type, isQualifiedName(type)));
  }
  const seen = new Set<string>();
  for (const { o, path } of w.items(spec, specPath, 'schedulingGates')) {
    const name = w.text(o, path, 'name');
    w.add(...invalidEach(path, name, isQualifiedName(name)));
    if (seen.has(name)) w.add(duplicate(path, name));
    seen.add(name);
  }
}

function validateHostUsers(w: Walker, spec: JsonObject, specPath: string): void {
  const sc = spec['securityContext'];
  if (!isJsonObject(sc) || sc['hostUsers'] !== false) return;
  const detail = 'when `pod.Spec.HostUsers` is false';
  if (spec['hostNetwork'] === true) w.add(forbidden(child(specPath, 'hostNetwork'), detail));
  if (spec['hostPID'] === true) w.add(forbidden(child(specPath, 'HostPID'), detail));
  if (spec['hostIPC'] === true) w.add(forbidden(child(specPath, 'HostIPC'), detail));
}

function validateNames(w: Walker, spec: JsonObject, specPath: string): void {
  for (const k of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    const v = w.text(spec, specPath, k);
    if (v !== '') w.add(...invalidEach(child(specPath, k), v, nameIsDnsSubdomain(v, false)));
  }
  for (const k of ['hostname', 'subdomain']) {
    const v = w.text(spec, specPath, k);
    if (v !== '') w.add(...invalidEach(child(specPath, k), v, isDns1123Label(v)));
  }
  const runtimeClass = w.str(spec, specPath, 'runtimeClassName');
  if (runtimeClass !== undefined) {
    w.add(
      ...invalidEach(
        child(specPath, 'runtimeClassName'),
        runtimeClass,
        nameIsDnsSubdomain(runtimeClass, false),
      ),
    );
  }
}

function validateOs(w: Walker, spec: JsonObject, specPath: string): void {
  const path = child(specPath, 'os');
  const os = w.obj(spec, specPath, 'os');
  if (os === undefined) return;
  const name = w.text(os, path, 'name');
  if (name === '') {
    w.add(required(child(path, 'name'), 'cannot be empty'));
    return;
  }
  if (name !== 'linux' && name !== 'windows') {
    w.add(notSupported(path, name, ['linux', 'windows']));
    return;
  }
  const sc = spec['securityContext'];
  if (name === 'linux' && isJsonObject(sc) && sc['windowsOptions'] !== undefined) {
    w.add(
      forbidden(
        child(specPath, 'securityContext', 'windowsOptions'),
        'windows options cannot be set for a linux pod',
      ),
    );
  }
}

function validateMiscFields(w: Walker, spec: JsonObject, specPath: string): void {
  const deadline = w.int(spec, specPath, 'activeDeadlineSeconds');
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    w.add(
      invalid(
        child(specPath, 'activeDeadlineSeconds'),
        deadline,
        inclusiveRangeError(1, MAX_INT32),
      ),
    );
  }
  validateTolerations(w, { o: spec, path: specPath }, 'tolerations');
  validateHostAliases(w, spec, specPath);
  const preemption = w.str(spec, specPath, 'preemptionPolicy');
  if (preemption !== undefined) {
    validateEnumField(w, { spec, specPath, k: 'preemptionPolicy' }, [
      'PreemptLowerPriority',
      'Never',
    ]);
  }
  if (spec['overhead'] !== undefined && spec['overhead'] !== null) {
    validateResourceRequirements(w, {
      parent: { overhead: { limits: spec['overhead'] } },
      base: specPath,
      field: 'overhead',
    });
  }
  validateOs(w, spec, specPath);
}

export interface PodSpecOptions {
  /** The PodSpec belongs to a Pod rather than a template. */
  readonly resourceIsPod: boolean;
  /** The pod's name, for generic ephemeral volume PVC names; '' in templates. */
  readonly podName: string;
}

/** ValidatePodSpec; returns the regular containers for pod-only checks. */
export function validatePodSpec(w: Walker, at: At, opts: PodSpecOptions): Item[] {
  const { o: spec, path: specPath } = at;
  const s = spec ?? {};
  const grace = w.int(s, specPath, 'terminationGracePeriodSeconds');
  if (grace === undefined) w.add(required(child(specPath, 'terminationGracePeriodSeconds')));
  const sc = s['securityContext'];
  const hostUsers = !(isJsonObject(sc) && sc['hostUsers'] === false);
  const volumes = validateVolumes(w, { spec: s, specPath }, opts);
  const podClaimNames = validateResourceClaims(w, s, specPath);
  const ctx: PodCtx = {
    volumes,
    podClaimNames,
    restartPolicy: typeof s['restartPolicy'] === 'string' ? s['restartPolicy'] : '',
    hostUsers,
    gracePeriod: grace,
    resourceIsPod: opts.resourceIsPod,
  };
  const containers = validateContainers(w, { o: s, path: specPath }, ctx);
  validateInitContainers(w, { o: s, path: specPath }, ctx);
  validateEphemeralContainers(w, { o: s, path: specPath }, ctx);
  validateHostNetworkPorts(w, { o: s, path: specPath }, opts.resourceIsPod);
  validateEnumField(w, { spec: s, specPath, k: 'restartPolicy' }, ['Always', 'OnFailure', 'Never']);
  validateEnumField(w, { spec: s, specPath, k: 'dnsPolicy' }, [
    'ClusterFirstWithHostNet',
    'ClusterFirst',
    'Default',
    'None',
  ]);
  w.add(...validateLabels(w.strMap(s, specPath, 'nodeSelector'), child(specPath, 'nodeSelector')));
  validatePodSecurityContext(w, s, specPath);
  validateImagePullSecrets(w, s, specPath);
  validateAffinity(w, s, specPath);
  validateDnsConfig(w, s, specPath);
  validateGates(w, s, specPath);
  validateTopologySpread(w, s, specPath);
  validateHostUsers(w, s, specPath);
  validateNames(w, s, specPath);
  validateMiscFields(w, s, specPath);
  return containers;
}

const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';
const DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';
const SECCOMP_POD_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_PREFIX = 'container.seccomp.security.alpha.kubernetes.io/';
const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** GetDeletionCostFromPodAnnotations: no '+' sign or leading zeros, and an int32. */
function validDeletionCost(v: string): boolean {
  if (!/^(-[0-9]+|0|[1-9][0-9]*)$/.test(v)) return false;
  const n = Number(v);
  return Number.isInteger(n) && n >= -2147483648 && n <= MAX_INT32;
}

function validateSeccompAnnotation(profile: string, field: string): FieldError[] {
  if (['runtime/default', 'docker/default', 'unconfined'].includes(profile)) return [];
  if (profile.startsWith('localhost/'))
    return validateLocalDescendingPath(profile.slice('localhost/'.length), field);
  return [invalid(field, profile, 'must be a valid seccomp profile')];
}

function containerNames(spec: JsonObject): Set<string> {
  const names = new Set<string>();
  for (const k of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of Array.isArray(spec[k]) ? spec[k] : []) {
      if (isJsonObject(c) && typeof c['name'] === 'string') names.add(c['name']);
    }
  }
  return names;
}

/** ValidatePodSpecificAnnotations. */
export function validatePodAnnotations(
  w: Walker,
  annotations: Readonly<Record<string, string>> | undefined,
  at: { readonly spec: JsonObject; readonly path: string },
): void {
  const a = annotations ?? {};
  const mirror = a[MIRROR_ANNOTATION];
  if (mirror !== undefined && strOf(at.spec['nodeName']) === '') {
    w.add(
      invalid(
        key(at.path, MIRROR_ANNOTATION),
        mirror,
        'must set spec.nodeName if mirror pod annotation is set',
      ),
    );
  }
  const cost = a[DELETION_COST_ANNOTATION];
  if (cost !== undefined && !validDeletionCost(cost)) {
    w.add(invalid(key(at.path, DELETION_COST_ANNOTATION), cost, 'must be a 32bit integer'));
  }
  const names = containerNames(at.spec);
  for (const [k, v] of Object.entries(a).sort(([x], [y]) => (x < y ? -1 : 1))) {
    if (k === SECCOMP_POD_ANNOTATION || k.startsWith(SECCOMP_CONTAINER_PREFIX)) {
      w.add(...validateSeccompAnnotation(v, child(at.path, k)));
    }
    if (k.startsWith(APPARMOR_PREFIX))
      validateAppArmorAnnotation(w, [k, v], { path: at.path, names });
  }
}

function isAppArmorProfile(v: string): boolean {
  return v === '' || v === 'runtime/default' || v === 'unconfined' || v.startsWith('localhost/');
}

function validateAppArmorAnnotation(
  w: Walker,
  [k, v]: readonly [string, string],
  at: { path: string; names: ReadonlySet<string> },
): void {
  const container = k.slice(APPARMOR_PREFIX.length);
  if (!at.names.has(container)) w.add(invalid(key(at.path, k), container, 'container not found'));
  if (!isAppArmorProfile(v))
    w.add(invalid(key(at.path, k), v, `invalid AppArmor profile name: "${v}"`));
}

/** ValidatePodTemplateSpec, as workloads embed it. */
export function validatePodTemplateSpec(
  w: Walker,
  template: JsonObject | undefined,
  path: string,
): Item[] {
  const meta = w.obj(template, path, 'metadata');
  const metaPath = child(path, 'metadata');
  const labels = w.strMap(meta, metaPath, 'labels');
  const annotations = w.strMap(meta, metaPath, 'annotations');
  w.add(...validateLabels(labels, child(path, 'labels')));
  w.add(...validateAnnotations(annotations, child(path, 'annotations')));
  const spec = w.obj(template, path, 'spec');
  validatePodAnnotations(w, annotations, { spec: spec ?? {}, path: child(path, 'annotations') });
  const containers = validatePodSpec(
    w,
    { o: spec, path: child(path, 'spec') },
    {
      resourceIsPod: false,
      podName: '',
    },
  );
  const ephemeral = spec?.['ephemeralContainers'];
  if (Array.isArray(ephemeral) && ephemeral.length > 0) {
    w.add(
      forbidden(
        child(path, 'spec', 'ephemeralContainers'),
        'ephemeral containers not allowed in pod template',
      ),
    );
  }
  return containers;
}

function podParts(
  w: Walker,
  obj: KubeObject,
): { spec: JsonObject | undefined; meta: JsonObject | undefined } {
  const root = w.asObj(obj, '');
  return { spec: w.obj(root, '', 'spec'), meta: w.asObj(root?.['metadata'], 'metadata') };
}

/** validatePodMetadataAndSpec. */
function validatePodMetadataAndSpec(w: Walker, obj: KubeObject): JsonObject {
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const { spec, meta } = podParts(w, obj);
  const s = spec ?? {};
  const annotations = w.strMap(meta, 'metadata', 'annotations');
  validatePodAnnotations(w, annotations, { spec: s, path: 'metadata.annotations' });
  const name = typeof meta?.['name'] === 'string' ? meta['name'] : '';
  const containers = validatePodSpec(
    w,
    { o: spec, path: 'spec' },
    { resourceIsPod: true, podName: name },
  );
  if ((s['serviceAccountName'] ?? '') === '') forbidTokenProjection(w, s);
  validateImageWhitespace(w, containers);
  validateImageWhitespace(w, w.items(s, 'spec', 'initContainers'));
  return s;
}

function forbidTokenProjection(w: Walker, spec: JsonObject): void {
  const volumes = Array.isArray(spec['volumes']) ? spec['volumes'] : [];
  volumes.forEach((v, vi) => {
    const projected = isJsonObject(v) ? v['projected'] : undefined;
    const sources =
      isJsonObject(projected) && Array.isArray(projected['sources']) ? projected['sources'] : [];
    sources.forEach((src, si) => {
      if (isJsonObject(src) && src['serviceAccountToken'] !== undefined) {
        const path = `spec.volumes[${vi}].projected.sources[${si}].serviceAccountToken`;
        w.add(forbidden(path, 'must not be specified when serviceAccountName is not set'));
      }
    });
  });
}

/** ValidatePodCreate. */
export function validatePodCreate(obj: KubeObject): FieldError[] {
  const w = new Walker();
  const spec = validatePodMetadataAndSpec(w, obj);
  const ephemeral = spec['ephemeralContainers'];
  if (Array.isArray(ephemeral) && ephemeral.length > 0)
    w.add(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  const gates = spec['schedulingGates'];
  if ((spec['nodeName'] ?? '') !== '' && Array.isArray(gates) && gates.length > 0) {
    w.add(forbidden('spec.nodeName', 'cannot be set until all schedulingGates have been cleared'));
  }
  return w.errs;
}

const UPDATABLE_POD_FIELDS: readonly string[] = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function asList(v: unknown): JsonObject[] {
  return Array.isArray(v) ? v.filter((x) => isJsonObject(x)) : [];
}

/** ValidateContainerUpdates: same count, and images present. Returns false to stop. */
function validateContainerUpdates(
  w: Walker,
  lists: readonly [unknown, unknown],
  path: string,
): boolean {
  const [next, prev] = [asList(lists[0]), asList(lists[1])];
  if (next.length !== prev.length) {
    w.add(forbidden(path, 'pod updates may not add or remove containers'));
    return false;
  }
  next.forEach((c, i) => {
    const image = typeof c['image'] === 'string' ? c['image'] : '';
    if (image === '') w.add(required(child(index(path, i), 'image')));
    if (image.trim() !== image)
      w.add(
        invalid(
          child(index(path, i), 'image'),
          image,
          'must not have leading or trailing whitespace',
        ),
      );
  });
  return true;
}

function validateDeadlineUpdate(w: Walker, next: JsonObject, prev: JsonObject): boolean {
  const path = 'spec.activeDeadlineSeconds';
  const n = next['activeDeadlineSeconds'];
  const o = prev['activeDeadlineSeconds'];
  if (typeof n === 'number') {
    if (n < 0 || n > MAX_INT32) {
      w.add(invalid(path, n, inclusiveRangeError(0, MAX_INT32)));
      return false;
    }
    if (typeof o === 'number' && o < n) {
      w.add(invalid(path, n, 'must be less than or equal to previous value'));
      return false;
    }
  } else if (typeof o === 'number')
    w.add(invalid(path, null, 'must not update from a positive integer to nil value'));
  return true;
}

function validateTolerationsUpdate(w: Walker, next: JsonObject, prev: JsonObject): void {
  const newTols = asList(next['tolerations']);
  for (const old of asList(prev['tolerations'])) {
    const found = newTols.some((t) =>
      semanticEqual({ ...old, tolerationSeconds: t['tolerationSeconds'] }, t),
    );
    if (!found) {
      w.add(
        forbidden(
          'spec.tolerations',
          'existing toleration can not be modified except its tolerationSeconds',
        ),
      );
      return;
    }
  }
  validateTolerations(w, { o: next, path: 'spec' }, 'tolerations');
}

function validateGatesUpdate(w: Walker, next: JsonObject, prev: JsonObject): void {
  const oldNames = new Set(asList(prev['schedulingGates']).map((g) => g['name']));
  asList(next['schedulingGates']).forEach((g, i) => {
    if (!oldNames.has(g['name'])) {
      w.add(
        forbidden(
          `spec.schedulingGates[${i}].name`,
          `only deletion is allowed, but found new scheduling gate '${strOf(g['name'])}'`,
        ),
      );
    }
  });
}

/** The new spec with the updatable fields taken from the old one. */
function mungePodSpec(next: JsonObject, prev: JsonObject): JsonObject {
  const munged = cloneJson(next);
  for (const k of ['containers', 'initContainers']) {
    const oldList = asList(prev[k]);
    const list = munged[k];
    if (Array.isArray(list)) {
      list.forEach((c, i) => {
        if (isJsonObject(c)) c['image'] = oldList[i]?.['image'];
      });
    }
  }
  for (const k of ['activeDeadlineSeconds', 'schedulingGates', 'tolerations']) munged[k] = prev[k];
  const oldGrace = prev['terminationGracePeriodSeconds'];
  if (
    typeof oldGrace === 'number' &&
    oldGrace < 0 &&
    munged['terminationGracePeriodSeconds'] === 1
  ) {
    munged['terminationGracePeriodSeconds'] = oldGrace;
  }
  return munged;
}

function validatePodSpecUpdate(w: Walker, next: JsonObject, prev: JsonObject): void {
  if (!validateContainerUpdates(w, [next['containers'], prev['containers']], 'spec.containers'))
    return;
  if (
    !validateContainerUpdates(
      w,
      [next['initContainers'], prev['initContainers']],
      'spec.initContainers',
    )
  )
    return;
  if (!validateDeadlineUpdate(w, next, prev)) return;
  validateTolerationsUpdate(w, next, prev);
  validateGatesUpdate(w, next, prev);
  if (semanticEqual(next, prev)) return;
  const munged = mungePodSpec(next, prev);
  if (!semanticEqual(munged, prev)) {
    w.add(
      forbidden(
        'spec',
        `pod updates may not change fields other than ${UPDATABLE_POD_FIELDS.join(',')}\n${jsonDiff(prev, munged)}`,
      ),
    );
  }
}

/** ValidatePodSpecificAnnotationUpdates: mirror and AppArmor annotations are fixed. */
function checkPodAnnotationUpdates(w: Walker, obj: KubeObject, old: KubeObject): void {
  const oldAnnotations = metaMap(old, 'annotations');
  const newAnnotations = metaMap(obj, 'annotations');
  for (const k of [
    ...new Set([...Object.keys(oldAnnotations), ...Object.keys(newAnnotations)]),
  ].sort()) {
    const changed = oldAnnotations[k] !== newAnnotations[k];
    if (!changed) continue;
    const added = !Object.hasOwn(oldAnnotations, k);
    if (k === MIRROR_ANNOTATION) {
      w.add(
        forbidden(
          key('metadata.annotations', k),
          added
            ? 'may not add mirror pod annotation'
            : 'may not remove or update mirror pod annotation',
        ),
      );
    }
    if (k.startsWith(APPARMOR_PREFIX)) {
      w.add(
        forbidden(
          key('metadata.annotations', k),
          added
            ? 'may not add AppArmor annotations'
            : 'may not remove or update AppArmor annotations',
        ),
      );
    }
  }
}

/** Condition types the kubelet and control plane own; others must be qualified names. */
const SYSTEM_POD_CONDITIONS = new Set([
  'PodScheduled',
  'Ready',
  'Initialized',
  'ContainersReady',
  'PodReadyToStartContainers',
  'DisruptionTarget',
  'PodResizePending',
  'PodResizeInProgress',
]);

/**
 * ValidatePodStatusUpdate: what a write to `pods/status` may change is the status (the spec is
 * carried over from the stored pod), so only metadata, conditions and addresses are checked.
 */
export function validatePodStatusUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const w = new Walker();
  checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  checkPodAnnotationUpdates(w, obj, old);
  const status = isJsonObject(obj['status']) ? obj['status'] : {};
  const conditions = Array.isArray(status['conditions']) ? status['conditions'] : [];
  conditions.forEach((c, i) => {
    const type = isJsonObject(c) ? strOf(c['type']) : '';
    if (SYSTEM_POD_CONDITIONS.has(type)) return;
    for (const msg of isQualifiedName(type))
      w.add(invalid(`status.conditions[${String(i)}].Type`, type, msg));
  });
  const ips = Array.isArray(status['podIPs']) ? status['podIPs'] : [];
  ips.forEach((e, i) => {
    const ip = isJsonObject(e) ? strOf(e['ip']) : '';
    w.add(...isValidIp(`status.podIPs[${String(i)}].ip`, ip));
  });
  return w.errs;
}

/** ValidatePodUpdate. */
export function validatePodUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const w = new Walker();
  checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  const spec = validatePodMetadataAndSpec(w, obj);
  checkPodAnnotationUpdates(w, obj, old);
  const oldSpec = isJsonObject(old['spec']) ? old['spec'] : {};
  validatePodSpecUpdate(w, spec, oldSpec);
  return w.errs;
}

/** Validator for pods. */
export function validatePod(obj: KubeObject, old?: KubeObject): FieldError[] {
  return old === undefined ? validatePodCreate(obj) : validatePodUpdate(obj, old);
}

/** Validator for podtemplates. */
export function validatePodTemplate(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old === undefined) {
    checkObjectMeta(w, obj.metadata, {
      namespaced: true,
      nameFn: nameIsDnsSubdomain,
      kubeFinalizers: true,
    });
  } else checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  const root = w.asObj(obj, '');
  validatePodTemplateSpec(w, w.obj(root, '', 'template'), 'template');
  return w.errs;
}

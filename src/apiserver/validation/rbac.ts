import type { FieldError, JsonObject, KubeObject } from '../../api/index.ts';
import { child, invalid, invalidEach, notSupported, required } from './field.ts';
import { goQuote, goStringSlice, goStruct } from './go-format.ts';
import {
  labelSelectorAsSelector,
  validateLabelSelector,
  type LabelSelectorValue,
} from './label-selector.ts';
import { isValidPathSegmentName, nameIsDnsSubdomain, type NameFn } from './names.ts';
import { checkObjectMeta, checkObjectMetaUpdate } from './object-meta.ts';
import { Walker, type At } from './walker.ts';

/** rbac.authorization.k8s.io/v1 (pkg/apis/rbac/validation and the v1 defaults). */

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** ValidateRBACName: any valid path segment, for names and generateName alike. */
const rbacName: NameFn = (name) => isValidPathSegmentName(name);

function checkMeta(
  w: Walker,
  [obj, old]: readonly [KubeObject, KubeObject | undefined],
  namespaced: boolean,
): void {
  checkObjectMeta(w, obj.metadata, { namespaced, nameFn: rbacName, kubeFinalizers: false });
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], false);
}

interface RuleLists {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

function readRule(w: Walker, at: At): RuleLists {
  const list = (k: string): string[] => w.strArr(at.o, at.path, k) ?? [];
  return {
    verbs: list('verbs'),
    apiGroups: list('apiGroups'),
    resources: list('resources'),
    resourceNames: list('resourceNames'),
    nonResourceURLs: list('nonResourceURLs'),
  };
}

/** ValidatePolicyRule. */
function validatePolicyRule(w: Walker, at: At, namespaced: boolean): void {
  const r = readRule(w, at);
  if (r.verbs.length === 0)
    w.add(required(child(at.path, 'verbs'), 'verbs must contain at least one value'));
  if (r.nonResourceURLs.length > 0) {
    const field = child(at.path, 'nonResourceURLs');
    const value = { goSyntax: goStringSlice(r.nonResourceURLs) };
    if (namespaced)
      w.add(invalid(field, value, 'namespaced rules cannot apply to non-resource URLs'));
    if (r.apiGroups.length > 0 || r.resources.length > 0 || r.resourceNames.length > 0) {
      w.add(
        invalid(field, value, 'rules cannot apply to both regular resources and non-resource URLs'),
      );
    }
    return;
  }
  if (r.apiGroups.length === 0) {
    w.add(
      required(child(at.path, 'apiGroups'), 'resource rules must supply at least one api group'),
    );
  }
  if (r.resources.length === 0) {
    w.add(
      required(child(at.path, 'resources'), 'resource rules must supply at least one resource'),
    );
  }
}

function validateRules(w: Walker, obj: KubeObject, namespaced: boolean): void {
  for (const item of w.items(obj as JsonObject, '', 'rules'))
    validatePolicyRule(w, item, namespaced);
}

function validateAggregationRule(w: Walker, obj: KubeObject): void {
  const rule = w.obj(obj as JsonObject, '', 'aggregationRule');
  if (rule === undefined) return;
  const base = child('aggregationRule', 'clusterRoleSelectors');
  const selectors = w.arr(rule, 'aggregationRule', 'clusterRoleSelectors') ?? [];
  if (selectors.length === 0) {
    w.add(
      required(base, 'at least one clusterRoleSelector required if aggregationRule is non-nil'),
    );
  }
  for (const item of w.items(rule, 'aggregationRule', 'clusterRoleSelectors')) {
    const sel = readSelector(w, item);
    w.add(...validateLabelSelector(sel, item.path));
    if (labelSelectorAsSelector(sel) === 'error')
      w.add(invalid(item.path, 'null', 'invalid label selector.'));
  }
}

/** One clusterRoleSelector (a metav1.LabelSelector), with type errors reported. */
function readSelector(w: Walker, at: At): LabelSelectorValue {
  const matchLabels = w.strMap(at.o, at.path, 'matchLabels');
  const matchExpressions = w.items(at.o, at.path, 'matchExpressions').map(({ o, path }) => ({
    key: w.text(o, path, 'key'),
    operator: w.text(o, path, 'operator'),
    values: w.strArr(o, path, 'values') ?? [],
  }));
  return matchLabels === undefined ? { matchExpressions } : { matchLabels, matchExpressions };
}

interface RoleRef {
  readonly apiGroup: string;
  readonly kind: string;
  readonly name: string;
}

function readRoleRef(w: Walker, obj: KubeObject): RoleRef {
  const ref = w.obj(obj as JsonObject, '', 'roleRef');
  return {
    apiGroup: w.text(ref, 'roleRef', 'apiGroup'),
    kind: w.text(ref, 'roleRef', 'kind'),
    name: w.text(ref, 'roleRef', 'name'),
  };
}

function validateRoleRef(w: Walker, ref: RoleRef, kinds: readonly string[]): void {
  if (ref.apiGroup !== RBAC_GROUP)
    w.add(notSupported('roleRef.apiGroup', ref.apiGroup, [RBAC_GROUP]));
  if (!kinds.includes(ref.kind)) w.add(notSupported('roleRef.kind', ref.kind, kinds));
  if (ref.name === '') w.add(required('roleRef.name'));
  else w.add(...invalidEach('roleRef.name', ref.name, isValidPathSegmentName(ref.name)));
}

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

/** ValidateRoleBindingSubject. */
export function validateSubject(w: Walker, at: At, namespaced: boolean): void {
  const name = w.text(at.o, at.path, 'name');
  const kind = w.text(at.o, at.path, 'kind');
  const apiGroup = w.text(at.o, at.path, 'apiGroup');
  const namespace = w.text(at.o, at.path, 'namespace');
  if (name === '') w.add(required(child(at.path, 'name')));
  switch (kind) {
    case 'ServiceAccount':
      if (name !== '')
        w.add(...invalidEach(child(at.path, 'name'), name, nameIsDnsSubdomain(name, false)));
      if (apiGroup !== '') w.add(notSupported(child(at.path, 'apiGroup'), apiGroup, ['']));
      if (!namespaced && namespace === '') w.add(required(child(at.path, 'namespace')));
      return;
    case 'User':
    case 'Group':
      if (apiGroup !== RBAC_GROUP)
        w.add(notSupported(child(at.path, 'apiGroup'), apiGroup, [RBAC_GROUP]));
      return;
    default:
      w.add(notSupported(child(at.path, 'kind'), kind, SUBJECT_KINDS));
  }
}

function goRoleRef(ref: RoleRef): string {
  return goStruct('rbac.RoleRef', [
    ['APIGroup', goQuote(ref.apiGroup)],
    ['Kind', goQuote(ref.kind)],
    ['Name', goQuote(ref.name)],
  ]);
}

interface BindingRules {
  readonly namespaced: boolean;
  readonly kinds: readonly string[];
}

function validateBinding(
  obj: KubeObject,
  old: KubeObject | undefined,
  rules: BindingRules,
): FieldError[] {
  const w = new Walker();
  checkMeta(w, [obj, old], rules.namespaced);
  const ref = readRoleRef(w, obj);
  validateRoleRef(w, ref, rules.kinds);
  for (const item of w.items(obj as JsonObject, '', 'subjects'))
    validateSubject(w, item, rules.namespaced);
  if (old !== undefined) {
    const oldRef = readRoleRef(new Walker(), old);
    if (goRoleRef(oldRef) !== goRoleRef(ref))
      w.add(invalid('roleRef', { goSyntax: goRoleRef(ref) }, 'cannot change roleRef'));
  }
  return w.errs;
}

/** Validator for roles.rbac.authorization.k8s.io. */
export function validateRole(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  checkMeta(w, [obj, old], true);
  validateRules(w, obj, true);
  return w.errs;
}

/** Validator for clusterroles.rbac.authorization.k8s.io. */
export function validateClusterRole(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  checkMeta(w, [obj, old], false);
  validateRules(w, obj, false);
  validateAggregationRule(w, obj);
  return w.errs;
}

/** Validator for rolebindings.rbac.authorization.k8s.io. */
export function validateRoleBinding(obj: KubeObject, old?: KubeObject): FieldError[] {
  return validateBinding(obj, old, { namespaced: true, kinds: ['Role', 'ClusterRole'] });
}

/** Validator for clusterrolebindings.rbac.authorization.k8s.io. */
export function validateClusterRoleBinding(obj: KubeObject, old?: KubeObject): FieldError[] {
  return validateBinding(obj, old, { namespaced: false, kinds: ['ClusterRole'] });
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const unset = (v: unknown): boolean => v === undefined || v === '';

/**
 * SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding / SetDefaults_Subject: an empty
 * roleRef.apiGroup and the apiGroup of User and Group subjects become the RBAC group.
 */
export function defaultBinding(obj: KubeObject): void {
  const ref = obj['roleRef'];
  if (isRecord(ref) && unset(ref['apiGroup'])) ref['apiGroup'] = RBAC_GROUP;
  const subjects = obj['subjects'];
  if (!Array.isArray(subjects)) return;
  for (const s of subjects.filter(isRecord)) {
    if (unset(s['apiGroup']) && (s['kind'] === 'User' || s['kind'] === 'Group'))
      s['apiGroup'] = RBAC_GROUP;
  }
}

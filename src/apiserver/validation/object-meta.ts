import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type ObjectMeta,
} from '../../api/index.ts';
import { semanticEqual } from './equality.ts';
import {
  child,
  forbidden,
  index,
  invalid,
  invalidEach,
  required,
  tooLong,
  type BadValue,
} from './field.ts';
import { goNilPointer, goQuote, goStringSlice, goStruct } from './go-format.ts';
import {
  byteLength,
  isQualifiedName,
  isValidLabelValue,
  nameIsDnsLabel,
  nameIsDnsSubdomain,
  nameIsPathSegment,
  type NameFn,
} from './names.ts';
import { strOf, Walker, type At } from './walker.ts';

/**
 * ObjectMeta, label, annotation and label-selector validation from apimachinery
 * (pkg/api/validation/objectmeta.go, pkg/apis/meta/v1/validation) and the core wrappers
 * that add the Kubernetes finalizer-name rule.
 */

export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;

export function validateNonnegative(value: number, field: string): FieldError[] {
  return value < 0 ? [invalid(field, value, IS_NEGATIVE)] : [];
}

export function validateImmutable(
  pair: readonly [unknown, unknown],
  field: string,
  shown: BadValue,
): FieldError[] {
  return semanticEqual(pair[0], pair[1]) ? [] : [invalid(field, shown, FIELD_IMMUTABLE)];
}

function sortedEntries(m: Readonly<Record<string, string>>): [string, string][] {
  return Object.entries(m).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** ValidateLabelName. */
export function validateLabelName(name: string, field: string): FieldError[] {
  return invalidEach(field, name, isQualifiedName(name));
}

/** ValidateLabels: every error is reported at the map's own path. */
export function validateLabels(
  labels: Readonly<Record<string, string>> | undefined,
  field: string,
): FieldError[] {
  if (labels === undefined) return [];
  const errs: FieldError[] = [];
  for (const [k, v] of sortedEntries(labels)) {
    errs.push(...validateLabelName(k, field), ...invalidEach(field, v, isValidLabelValue(v)));
  }
  return errs;
}

/** ValidateAnnotations: keys are case-insensitive qualified names; 256 KiB in total. */
export function validateAnnotations(
  annotations: Readonly<Record<string, string>> | undefined,
  field: string,
): FieldError[] {
  if (annotations === undefined) return [];
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of sortedEntries(annotations)) {
    errs.push(...invalidEach(field, k, isQualifiedName(k.toLowerCase())));
    total += byteLength(k) + byteLength(v);
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

const STANDARD_FINALIZERS: ReadonlySet<string> = new Set([
  'kubernetes',
  'orphan',
  'foregroundDeletion',
]);

/** validateKubeFinalizerName: unqualified names must be one of the standard ones. */
export function validateKubeFinalizerName(name: string, field: string): FieldError[] {
  if (name.split('/').length === 1 && !STANDARD_FINALIZERS.has(name)) {
    return [
      invalid(field, name, 'name is neither a standard finalizer name nor is it fully qualified'),
    ];
  }
  return [];
}

function validateFinalizers(finalizers: readonly string[], field: string): FieldError[] {
  const errs = finalizers.flatMap((f) => invalidEach(field, f, isQualifiedName(f)));
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.push(
      invalid(
        field,
        { goSyntax: goStringSlice(finalizers) },
        'finalizer orphan and foregroundDeletion cannot be both set',
      ),
    );
  }
  return errs;
}

function goBoolPointer(v: unknown): string {
  // Go prints a non-nil pointer field as its address; any fixed address stands in for it.
  return typeof v === 'boolean' ? '(*bool)(0xc000000000)' : goNilPointer('bool');
}

function goOwnerReference(ref: JsonObject): string {
  const s = (k: string): string => goQuote(typeof ref[k] === 'string' ? ref[k] : '');
  return goStruct('v1.OwnerReference', [
    ['APIVersion', s('apiVersion')],
    ['Kind', s('kind')],
    ['Name', s('name')],
    ['UID', s('uid')],
    ['Controller', goBoolPointer(ref['controller'])],
    ['BlockOwnerDeletion', goBoolPointer(ref['blockOwnerDeletion'])],
  ]);
}

/** schema.FromAPIVersionAndKind's group and version. */
function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split('/');
  if (apiVersion === '') return { group: '', version: '' };
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0] ?? '', version: parts[1] ?? '' };
  return { group: '', version: '' };
}

function validateOwnerReference(w: Walker, ref: JsonObject, field: string): void {
  const apiVersion = w.text(ref, field, 'apiVersion');
  const kind = w.text(ref, field, 'kind');
  const name = w.text(ref, field, 'name');
  const uid = w.text(ref, field, 'uid');
  w.bool(ref, field, 'controller');
  w.bool(ref, field, 'blockOwnerDeletion');
  const gv = parseGroupVersion(apiVersion);
  if (gv.version === '') {
    w.add(invalid(child(field, 'apiVersion'), apiVersion, 'version must not be empty'));
  }
  if (kind === '') w.add(invalid(child(field, 'kind'), kind, 'kind must not be empty'));
  if (name === '') w.add(invalid(child(field, 'name'), name, 'name must not be empty'));
  if (uid === '') w.add(invalid(child(field, 'uid'), uid, 'uid must not be empty'));
  if (gv.group === '' && gv.version === 'v1' && kind === 'Event') {
    w.add(
      invalid(
        field,
        { goSyntax: goOwnerReference(ref) },
        '/v1, Kind=Event is disallowed from being an owner',
      ),
    );
  }
}

function validateOwnerReferences(w: Walker, meta: JsonObject | undefined, base: string): void {
  const field = child(base, 'ownerReferences');
  const refs = w.items(meta, base, 'ownerReferences');
  let first = '';
  for (const { o } of refs) {
    validateOwnerReference(w, o, field);
    if (o['controller'] !== true) continue;
    const current = `${typeof o['kind'] === 'string' ? o['kind'] : ''}/${typeof o['name'] === 'string' ? o['name'] : ''}`;
    if (first === '') {
      first = current;
      continue;
    }
    const all = refs.map((r) => goOwnerReference(r.o)).join(', ');
    w.add(
      invalid(
        field,
        { goSyntax: `[]v1.OwnerReference{${all}}` },
        `Only one reference can have Controller set to true. Found "true" in references for ${first} and ${current}`,
      ),
    );
  }
}

function isPrintable(ch: string): boolean {
  return /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch);
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/** ValidateFieldManager. */
export function validateFieldManager(manager: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (byteLength(manager) > 128) errs.push(tooLong(field, 128));
  // Printable ASCII, what every real client sends, needs no per-character check.
  if (PRINTABLE_ASCII.test(manager)) return errs;
  let pos = 0;
  for (const ch of manager) {
    if (!isPrintable(ch)) {
      const cp = ch.codePointAt(0) ?? 0;
      const u = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
      errs.push(invalid(field, manager, `invalid character ${u} (at position ${pos})`));
    }
    pos += byteLength(ch);
  }
  return errs;
}

function validateManagedFields(w: Walker, meta: JsonObject | undefined, base: string): void {
  for (const { o, path } of w.items(meta, base, 'managedFields')) {
    const op = w.text(o, path, 'operation');
    if (op !== 'Apply' && op !== 'Update') {
      w.add(invalid(child(path, 'operation'), op, 'must be `Apply` or `Update`'));
    }
    const fieldsType = w.text(o, path, 'fieldsType');
    if (fieldsType !== '' && fieldsType !== 'FieldsV1') {
      w.add(invalid(child(path, 'fieldsType'), fieldsType, 'must be `FieldsV1`'));
    }
    w.add(...validateFieldManager(w.text(o, path, 'manager'), child(path, 'manager')));
    if (byteLength(w.text(o, path, 'subresource')) > 256) {
      w.add(tooLong(child(path, 'subresource'), 256));
    }
  }
}

export type NameRule = 'subdomain' | 'label' | 'path-segment';

const NAME_RULES: Readonly<Record<NameRule, NameFn>> = {
  subdomain: nameIsDnsSubdomain,
  label: nameIsDnsLabel,
  'path-segment': nameIsPathSegment,
};

export interface MetaOptions {
  readonly namespaced: boolean;
  readonly nameFn: NameFn;
  /** Add core's per-index check that unqualified finalizers are standard ones. */
  readonly kubeFinalizers: boolean;
}

function validateNameFields(w: Walker, at: At, nameFn: NameFn): void {
  const { o: meta, path: base } = at;
  const generateName = w.text(meta, base, 'generateName');
  if (generateName !== '') {
    w.add(...invalidEach(child(base, 'generateName'), generateName, nameFn(generateName, true)));
  }
  const name = w.text(meta, base, 'name');
  if (name === '') w.add(required(child(base, 'name'), 'name or generateName is required'));
  else w.add(...invalidEach(child(base, 'name'), name, nameFn(name, false)));
}

function validateNamespaceField(w: Walker, at: At, namespaced: boolean): void {
  const { o: meta, path: base } = at;
  const namespace = w.text(meta, base, 'namespace');
  const field = child(base, 'namespace');
  if (!namespaced) {
    if (namespace !== '') w.add(forbidden(field, 'not allowed on this type'));
  } else if (namespace === '') w.add(required(field));
  else w.add(...invalidEach(field, namespace, nameIsDnsLabel(namespace, false)));
}

/** ValidateObjectMetaAccessor (create), plus core's finalizer rule when asked. */
export function checkObjectMeta(w: Walker, metaValue: unknown, opts: MetaOptions): void {
  const base = 'metadata';
  const meta = w.asObj(metaValue, base);
  validateNameFields(w, { o: meta, path: base }, opts.nameFn);
  validateNamespaceField(w, { o: meta, path: base }, opts.namespaced);
  w.add(...validateNonnegative(w.num(meta, base, 'generation'), child(base, 'generation')));
  w.add(...validateLabels(w.strMap(meta, base, 'labels'), child(base, 'labels')));
  w.add(...validateAnnotations(w.strMap(meta, base, 'annotations'), child(base, 'annotations')));
  validateOwnerReferences(w, meta, base);
  const finalizers = w.strArr(meta, base, 'finalizers') ?? [];
  w.add(...validateFinalizers(finalizers, child(base, 'finalizers')));
  validateManagedFields(w, meta, base);
  if (opts.kubeFinalizers) {
    finalizers.forEach((f, i) => {
      w.add(...validateKubeFinalizerName(f, index(child(base, 'finalizers'), i)));
    });
  }
}

/** Go's time.Time.String() for an RFC 3339 timestamp, as immutability errors print it. */
function goTime(v: unknown): BadValue {
  if (typeof v !== 'string') return null;
  const d = new Date(v);
  if (Number.isNaN(d.getTime())) return v;
  const iso = d.toISOString();
  return { goSyntax: `${iso.slice(0, 10)} ${iso.slice(11, 19)} +0000 UTC` };
}

function checkFinalizersWhileDeleting(
  w: Walker,
  metas: readonly [JsonObject | undefined, JsonObject | undefined],
  base: string,
): void {
  const [meta, oldMeta] = metas;
  if (oldMeta?.['deletionTimestamp'] === undefined || oldMeta['deletionTimestamp'] === null) return;
  const oldSet = new Set(w.strArr(oldMeta, base, 'finalizers') ?? []);
  const extra = [...new Set(w.strArr(meta, base, 'finalizers') ?? [])].filter(
    (f) => !oldSet.has(f),
  );
  if (extra.length > 0) {
    w.add(
      forbidden(
        child(base, 'finalizers'),
        `no new finalizers can be added if the object is being deleted, found new finalizers ${goStringSlice(extra.sort())}`,
      ),
    );
  }
}

function checkImmutableMeta(
  w: Walker,
  metas: readonly [JsonObject | undefined, JsonObject | undefined],
  base: string,
): void {
  const [meta, oldMeta] = metas;
  for (const k of ['name', 'namespace', 'uid']) {
    const v = strOf(meta?.[k]);
    w.add(...validateImmutable([v, strOf(oldMeta?.[k])], child(base, k), v));
  }
  for (const k of ['creationTimestamp', 'deletionTimestamp']) {
    w.add(...validateImmutable([meta?.[k], oldMeta?.[k]], child(base, k), goTime(meta?.[k])));
  }
  const grace = meta?.['deletionGracePeriodSeconds'];
  w.add(
    ...validateImmutable(
      [grace, oldMeta?.['deletionGracePeriodSeconds']],
      child(base, 'deletionGracePeriodSeconds'),
      typeof grace === 'number' ? grace : null,
    ),
  );
}

/** ValidateObjectMetaAccessorUpdate, plus core's finalizer rule when asked. */
export function checkObjectMetaUpdate(
  w: Walker,
  metas: readonly [unknown, unknown],
  kubeFinalizers: boolean,
): void {
  const base = 'metadata';
  const meta = w.asObj(metas[0], base);
  const oldMeta = isJsonObject(metas[1]) ? metas[1] : undefined;
  checkFinalizersWhileDeleting(w, [meta, oldMeta], base);
  const rv = w.text(meta, base, 'resourceVersion');
  if (rv === '')
    w.add(invalid(child(base, 'resourceVersion'), rv, 'must be specified for an update'));
  const generation = w.num(meta, base, 'generation');
  const oldGeneration = typeof oldMeta?.['generation'] === 'number' ? oldMeta['generation'] : 0;
  if (generation < oldGeneration) {
    w.add(invalid(child(base, 'generation'), generation, 'must not be decremented'));
  }
  checkImmutableMeta(w, [meta, oldMeta], base);
  w.add(...validateLabels(w.strMap(meta, base, 'labels'), child(base, 'labels')));
  w.add(...validateAnnotations(w.strMap(meta, base, 'annotations'), child(base, 'annotations')));
  validateOwnerReferences(w, meta, base);
  validateManagedFields(w, meta, base);
  if (kubeFinalizers) {
    (w.strArr(meta, base, 'finalizers') ?? []).forEach((f, i) => {
      w.add(...validateKubeFinalizerName(f, index(child(base, 'finalizers'), i)));
    });
  }
}

/**
 * ValidateObjectMeta as kube-apiserver applies it to built-in types on create: name (or
 * generateName) by `nameRule`, namespace present iff `namespaced`, generation, labels,
 * annotations (256 KiB in total), owner references, managed fields and finalizer names.
 */
export function validateObjectMeta(
  meta: ObjectMeta,
  opts: { namespaced: boolean; nameRule: NameRule },
): FieldError[] {
  const w = new Walker();
  checkObjectMeta(w, meta, {
    namespaced: opts.namespaced,
    nameFn: NAME_RULES[opts.nameRule],
    kubeFinalizers: true,
  });
  return w.errs;
}

/** ValidateObjectMetaUpdate for built-in types: `meta` replaces `oldMeta`. */
export function validateObjectMetaUpdate(meta: ObjectMeta, oldMeta: ObjectMeta): FieldError[] {
  const w = new Walker();
  checkObjectMetaUpdate(w, [meta, oldMeta], true);
  return w.errs;
}

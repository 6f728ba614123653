import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import {
  EMPTY_ROOT_PATH,
  forbidden,
  invalid,
  invalidEach,
  key,
  required,
  tooLong,
} from './field.ts';
import {
  byteLength,
  isConfigMapKey,
  isQualifiedName,
  nameIsDnsLabel,
  nameIsDnsSubdomain,
} from './names.ts';
import {
  checkObjectMeta,
  checkObjectMetaUpdate,
  validateImmutable,
  validateKubeFinalizerName,
} from './object-meta.ts';
import { semanticEqual } from './equality.ts';
import { metaMap, Walker } from './walker.ts';

/** ConfigMaps, Secrets, ServiceAccounts and Namespaces (pkg/apis/core/validation). */

export const MAX_SECRET_SIZE = 1024 * 1024;

function root(w: Walker, obj: KubeObject): JsonObject | undefined {
  return w.asObj(obj, '');
}

function createOrUpdateMeta(
  w: Walker,
  pair: readonly [KubeObject, KubeObject | undefined],
  opts: { namespaced: boolean; label?: boolean },
): void {
  const [obj, old] = pair;
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  checkObjectMeta(w, obj.metadata, {
    namespaced: opts.namespaced,
    nameFn: opts.label === true ? nameIsDnsLabel : nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
}

function sortedKeys(o: JsonObject | undefined): string[] {
  return Object.keys(o ?? {}).sort();
}

/** Go's strict base64 decoding: the decoded length, or the offset of the first bad byte. */
function base64Length(s: string): number | { badByte: number } {
  const bad = /[^A-Za-z0-9+/=]/.exec(s);
  if (bad !== null) return { badByte: bad.index };
  const padAt = s.indexOf('=');
  const body = padAt < 0 ? s : s.slice(0, padAt);
  if (padAt >= 0 && !/^={1,2}$/.test(s.slice(padAt))) return { badByte: padAt };
  if (s.length % 4 !== 0) return { badByte: s.length - (s.length % 4) };
  return (body.length * 3) >> 2;
}

/** Checks a base64 data map; returns the total decoded size. */
function checkBinaryMap(w: Walker, data: JsonObject | undefined, path: string): number {
  let total = 0;
  for (const k of sortedKeys(data)) {
    const v = w.asStr(data?.[k], key(path, k));
    if (v === undefined) continue;
    const n = base64Length(v);
    if (typeof n === 'number') total += n;
    else
      w.add(
        invalid(
          key(path, k),
          '<secret contents redacted>',
          `illegal base64 data at input byte ${n.badByte}`,
        ),
      );
  }
  return total;
}

/** Validator for configmaps. */
export function validateConfigMap(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  createOrUpdateMeta(w, [obj, old], { namespaced: true });
  const r = root(w, obj);
  const data = w.strMap(r, '', 'data') ?? {};
  const binary = w.obj(r, '', 'binaryData');
  let total = 0;
  for (const k of Object.keys(data).sort()) {
    w.add(...invalidEach(key('data', k), k, isConfigMapKey(k)));
    if (binary?.[k] !== undefined)
      w.add(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += byteLength(data[k] ?? '');
  }
  for (const k of sortedKeys(binary))
    w.add(...invalidEach(key('binaryData', k), k, isConfigMapKey(k)));
  total += checkBinaryMap(w, binary, 'binaryData');
  if (total > MAX_SECRET_SIZE) w.add(tooLong(EMPTY_ROOT_PATH, MAX_SECRET_SIZE));
  if (old !== undefined) checkImmutableData(w, [obj, old], ['data', 'binaryData']);
  return w.errs;
}

function checkImmutableData(
  w: Walker,
  pair: readonly [KubeObject, KubeObject],
  fields: readonly string[],
): void {
  const [obj, old] = pair;
  if (old['immutable'] !== true) return;
  if (obj['immutable'] !== true)
    w.add(forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const f of fields) {
    if (!semanticEqual(obj[f], old[f]))
      w.add(forbidden(f, 'field is immutable when `immutable` is set'));
  }
}

function secretDataKeys(obj: KubeObject): Set<string> {
  const keys = new Set<string>();
  for (const f of ['data', 'stringData']) {
    const m = obj[f];
    if (isJsonObject(m)) for (const k of Object.keys(m)) keys.add(k);
  }
  return keys;
}

function goJsonError(text: string): string | undefined {
  try {
    const v: unknown = JSON.parse(text);
    if (isJsonObject(v)) return undefined;
    const kind = Array.isArray(v)
      ? 'array'
      : v === null
        ? undefined
        : typeof v === 'string'
          ? 'string'
          : typeof v;
    return kind === undefined
      ? undefined
      : `json: cannot unmarshal ${kind} into Go value of type map[string]interface {}`;
  } catch {
    const trimmed = text.trim();
    if (trimmed === '') return 'unexpected end of JSON input';
    return `invalid character '${trimmed[0] ?? ''}' looking for beginning of value`;
  }
}

function decoded(obj: KubeObject, k: string): string | undefined {
  const s = obj['stringData'];
  if (isJsonObject(s) && typeof s[k] === 'string') return s[k];
  const d = obj['data'];
  if (isJsonObject(d) && typeof d[k] === 'string')
    return Buffer.from(d[k], 'base64').toString('utf8');
  return undefined;
}

interface SecretCheck {
  readonly w: Walker;
  readonly obj: KubeObject;
  readonly keys: ReadonlySet<string>;
}

function checkDockerConfig(c: SecretCheck, jsonKey: string): void {
  if (!c.keys.has(jsonKey)) {
    c.w.add(required(key('data', jsonKey)));
    return;
  }
  const err = goJsonError(decoded(c.obj, jsonKey) ?? '');
  if (err !== undefined) c.w.add(invalid(key('data', jsonKey), '<secret contents redacted>', err));
}

/** The per-type rules of ValidateSecret. */
const SECRET_TYPE_CHECKS: Readonly<Record<string, (c: SecretCheck) => void>> = {
  'kubernetes.io/service-account-token': (c) => {
    const annotation = 'kubernetes.io/service-account.name';
    if ((metaMap(c.obj, 'annotations')[annotation] ?? '') === '')
      c.w.add(required(key('metadata.annotations', annotation)));
  },
  'kubernetes.io/dockercfg': (c) => {
    checkDockerConfig(c, '.dockercfg');
  },
  'kubernetes.io/dockerconfigjson': (c) => {
    checkDockerConfig(c, '.dockerconfigjson');
  },
  'kubernetes.io/basic-auth': (c) => {
    // username or password may be empty, but one of the keys must be present.
    if (!c.keys.has('username') && !c.keys.has('password'))
      c.w.add(required('data[username]'), required('data[password]'));
  },
  'kubernetes.io/ssh-auth': (c) => {
    if ((decoded(c.obj, 'ssh-privatekey') ?? '') === '') c.w.add(required('data[ssh-privatekey]'));
  },
  'kubernetes.io/tls': (c) => {
    if (!c.keys.has('tls.crt')) c.w.add(required('data[tls.crt]'));
    if (!c.keys.has('tls.key')) c.w.add(required('data[tls.key]'));
  },
};

function validateSecretType(w: Walker, obj: KubeObject, type: string): void {
  SECRET_TYPE_CHECKS[type]?.({ w, obj, keys: secretDataKeys(obj) });
}

/** Validator for secrets; `stringData` counts as data, as conversion merges it first. */
export function validateSecret(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  createOrUpdateMeta(w, [obj, old], { namespaced: true });
  const r = root(w, obj);
  const data = w.obj(r, '', 'data');
  const stringData = w.strMap(r, '', 'stringData') ?? {};
  let total = checkBinaryMap(w, data, 'data');
  for (const k of [...secretDataKeys(obj)].sort())
    w.add(...invalidEach(key('data', k), k, isConfigMapKey(k)));
  for (const v of Object.values(stringData)) total += byteLength(v);
  if (total > MAX_SECRET_SIZE) w.add(tooLong('data', MAX_SECRET_SIZE));
  const type = w.text(r, '', 'type');
  validateSecretType(w, obj, type);
  if (old !== undefined) {
    const oldType = typeof old['type'] === 'string' ? old['type'] : '';
    w.add(...validateImmutable([type, oldType], 'type', type));
    checkImmutableData(w, [obj, old], ['data']);
  }
  return w.errs;
}

/** Validator for serviceaccounts. */
export function validateServiceAccount(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  createOrUpdateMeta(w, [obj, old], { namespaced: true });
  root(w, obj);
  return w.errs;
}

/** Validator for namespaces. */
export function validateNamespace(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) {
    checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
    return w.errs;
  }
  createOrUpdateMeta(w, [obj, undefined], { namespaced: false, label: true });
  const r = root(w, obj);
  const spec = w.obj(r, '', 'spec');
  for (const f of w.strArr(spec, 'spec', 'finalizers') ?? []) {
    w.add(
      ...invalidEach('spec.finalizers', f, isQualifiedName(f)),
      ...validateKubeFinalizerName(f, 'spec.finalizers'),
    );
  }
  return w.errs;
}

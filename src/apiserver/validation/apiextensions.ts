import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type JsonValue,
  type KubeObject,
  type ObjectMeta,
} from '../../api/index.ts';
import { compileJsonPath, JsonPathError } from '../table/jsonpath.ts';
import {
  child,
  forbidden,
  index,
  invalid,
  invalidEach,
  notSupported,
  OMIT_VALUE,
  required,
} from './field.ts';
import { isDns1035Label, isDns1123Subdomain } from './names.ts';
import { validateImmutable, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.ts';

/**
 * Validation and defaulting of apiextensions.k8s.io/v1 CustomResourceDefinitions, after
 * apiextensions-apiserver's `apis/apiextensions/validation` and v1 defaults: names, versions
 * (exactly one storage version), structural schemas, subresources and printer columns. CEL
 * rules (`x-kubernetes-validations`) are accepted but neither compiled nor evaluated.
 */

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = [
  'byte',
  'date',
  'date-time',
  'double',
  'float',
  'int32',
  'int64',
  'password',
];
const SCHEMA_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

function obj(v: JsonValue | undefined): JsonObject {
  return isJsonObject(v) ? v : {};
}

function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}

function list(v: JsonValue | undefined): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

function specOf(crd: KubeObject): JsonObject {
  return isJsonObject(crd['spec']) ? crd['spec'] : {};
}

/** SetDefaults for a v1 CRD: conversion strategy None, singular and listKind from kind. */
export function defaultCustomResourceDefinition(crd: KubeObject): void {
  const spec = specOf(crd);
  crd['spec'] = spec;
  if (!isJsonObject(spec['conversion'])) spec['conversion'] = { strategy: 'None' };
  const names = obj(spec['names']);
  const kind = str(names['kind']);
  if (kind !== '' && str(names['singular']) === '') names['singular'] = kind.toLowerCase();
  if (kind !== '' && str(names['listKind']) === '') names['listKind'] = `${kind}List`;
  const conversion = obj(spec['conversion']);
  const webhook = obj(conversion['webhook']);
  const service = obj(obj(webhook['clientConfig'])['service']);
  if (isJsonObject(obj(webhook['clientConfig'])['service']) && service['port'] === undefined) {
    service['port'] = 443;
  }
}

function dns1035(field: string, value: string, prefix = ''): FieldError[] {
  const errs = isDns1035Label(prefix === '' ? value : value.toLowerCase());
  if (errs.length === 0) return [];
  return [invalid(field, value, `${prefix}${errs.join(',')}`)];
}

function validateNames(names: JsonObject, base: string): FieldError[] {
  const out: FieldError[] = [];
  for (const k of ['plural', 'singular', 'kind', 'listKind']) {
    if (str(names[k]) === '') out.push(required(child(base, k)));
  }
  const mixed = 'may have mixed case, but should otherwise match: ';
  const plural = str(names['plural']);
  const singular = str(names['singular']);
  const kind = str(names['kind']);
  const listKind = str(names['listKind']);
  if (plural !== '') out.push(...dns1035(child(base, 'plural'), plural));
  if (singular !== '') out.push(...dns1035(child(base, 'singular'), singular));
  if (kind !== '') out.push(...dns1035(child(base, 'kind'), kind, mixed));
  if (listKind !== '') out.push(...dns1035(child(base, 'listKind'), listKind, mixed));
  list(names['shortNames']).forEach((s, i) => {
    out.push(...dns1035(index(child(base, 'shortNames'), i), str(s)));
  });
  if (kind !== '' && kind === listKind) {
    out.push(invalid(child(base, 'listKind'), listKind, 'kind and listKind may not be the same'));
  }
  list(names['categories']).forEach((s, i) => {
    out.push(...dns1035(index(child(base, 'categories'), i), str(s)));
  });
  return out;
}

function validateGroup(spec: JsonObject): FieldError[] {
  const group = str(spec['group']);
  if (group === '') return [required('spec.group')];
  const errs = isDns1123Subdomain(group);
  if (errs.length > 0) return [invalid('spec.group', group, errs.join(','))];
  if (!group.includes('.')) {
    return [invalid('spec.group', group, 'should be a domain with at least one dot')];
  }
  return [];
}

function validateScope(spec: JsonObject): FieldError[] {
  const scope = str(spec['scope']);
  if (scope === '') return [required('spec.scope')];
  if (scope === 'Cluster' || scope === 'Namespaced') return [];
  return [notSupported('spec.scope', scope, ['Cluster', 'Namespaced'])];
}

function typeErrors(s: JsonObject, path: string, root: boolean): FieldError[] {
  const type = str(s['type']);
  const field = child(path, 'type');
  if (root && type === '') return [required(field, 'must not be empty at the root')];
  if (root && type !== 'object') return [invalid(field, type, 'must be object at the root')];
  const open =
    s['x-kubernetes-int-or-string'] === true || s['x-kubernetes-preserve-unknown-fields'] === true;
  if (type === '' && !open) {
    return [required(field, 'must not be empty for specified object fields')];
  }
  if (type !== '' && !SCHEMA_TYPES.includes(type)) return [notSupported(field, type, SCHEMA_TYPES)];
  return [];
}

/** Structural rules beyond the type: shapes that cannot be pruned or served. */
const SHAPE_RULES: readonly ((s: JsonObject, path: string) => FieldError | undefined)[] = [
  (s, path) =>
    s['x-kubernetes-preserve-unknown-fields'] === false
      ? invalid(
          child(path, 'x-kubernetes-preserve-unknown-fields'),
          false,
          'must be true or undefined',
        )
      : undefined,
  (s, path) =>
    isJsonObject(s['properties']) && s['additionalProperties'] !== undefined
      ? forbidden(
          child(path, 'additionalProperties'),
          'additionalProperties and properties are mutual exclusive',
        )
      : undefined,
  (s, path) =>
    s['uniqueItems'] === true
      ? forbidden(
          child(path, 'uniqueItems'),
          'uniqueItems cannot be set to true since the runtime complexity becomes quadratic',
        )
      : undefined,
  (s, path) =>
    s['type'] === 'array' && !isJsonObject(s['items'])
      ? required(child(path, 'items'), 'must be specified')
      : undefined,
];

/** The structural-schema rules that matter for serving: types, and no mixed object shapes. */
function validateSchemaNode(s: JsonObject, path: string, root: boolean): FieldError[] {
  const out = typeErrors(s, path, root);
  for (const rule of SHAPE_RULES) {
    const e = rule(s, path);
    if (e) out.push(e);
  }
  return [...out, ...validateSchemaChildren(s, path)];
}

function validateSchemaChildren(s: JsonObject, path: string): FieldError[] {
  const out: FieldError[] = [];
  for (const [k, v] of Object.entries(obj(s['properties']))) {
    if (isJsonObject(v)) out.push(...validateSchemaNode(v, `${path}.properties[${k}]`, false));
  }
  const items = s['items'];
  if (isJsonObject(items)) out.push(...validateSchemaNode(items, child(path, 'items'), false));
  const additional = s['additionalProperties'];
  if (isJsonObject(additional)) {
    out.push(...validateSchemaNode(additional, child(path, 'additionalProperties'), false));
  }
  return out;
}

function validateJsonPathField(field: string, path: string): FieldError[] {
  if (path === '') return [required(field)];
  try {
    compileJsonPath(path);
  } catch (e: unknown) {
    if (e instanceof JsonPathError) return [invalid(field, path, 'is an invalid JSONPath')];
    throw e;
  }
  return [];
}

function validateColumn(col: JsonObject, base: string): FieldError[] {
  const out: FieldError[] = [];
  if (str(col['name']) === '') out.push(required(child(base, 'name')));
  const type = str(col['type']);
  const types = `must be one of ${COLUMN_TYPES.join(',')}`;
  if (type === '') out.push(required(child(base, 'type'), types));
  else if (!COLUMN_TYPES.includes(type)) out.push(invalid(child(base, 'type'), type, types));
  const format = str(col['format']);
  if (format !== '' && !COLUMN_FORMATS.includes(format)) {
    out.push(invalid(child(base, 'format'), format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  }
  out.push(...validateJsonPathField(child(base, 'jsonPath'), str(col['jsonPath'])));
  return out;
}

function validateScale(scale: JsonObject, base: string): FieldError[] {
  const out: FieldError[] = [];
  const pairs: [string, string][] = [
    ['specReplicasPath', '.spec.'],
    ['statusReplicasPath', '.status.'],
  ];
  for (const [k, prefix] of pairs) {
    const p = str(scale[k]);
    const field = child(base, k);
    if (p === '') out.push(required(field));
    else if (!p.startsWith(prefix)) {
      out.push(invalid(field, p, `should be a json path under ${prefix.slice(0, -1)}`));
    }
  }
  const selector = str(scale['labelSelectorPath']);
  if (selector !== '' && !selector.startsWith('.spec.') && !selector.startsWith('.status.')) {
    out.push(
      invalid(
        child(base, 'labelSelectorPath'),
        selector,
        'should be a json path under either .spec or .status',
      ),
    );
  }
  return out;
}

function validateVersion(v: JsonObject, base: string): FieldError[] {
  const out = dns1035(child(base, 'name'), str(v['name']));
  const schema = obj(v['schema'])['openAPIV3Schema'];
  const schemaPath = child(base, 'schema', 'openAPIV3Schema');
  if (!isJsonObject(schema)) out.push(required(schemaPath, 'schemas are required'));
  else out.push(...validateSchemaNode(schema, schemaPath, true));
  const scale = obj(v['subresources'])['scale'];
  if (isJsonObject(scale)) out.push(...validateScale(scale, child(base, 'subresources', 'scale')));
  list(v['additionalPrinterColumns']).forEach((c, i) => {
    out.push(...validateColumn(obj(c), index(child(base, 'additionalPrinterColumns'), i)));
  });
  return out;
}

function validateVersions(spec: JsonObject): FieldError[] {
  const versions = list(spec['versions']).map(obj);
  if (versions.length === 0)
    return [
      invalid(
        'spec.versions',
        OMIT_VALUE,
        'must have exactly one version marked as storage version',
      ),
    ];
  const out: FieldError[] = [];
  versions.forEach((v, i) => {
    out.push(...validateVersion(v, index('spec.versions', i)));
  });
  const names = versions.map((v) => str(v['name']));
  if (new Set(names).size !== names.length) {
    out.push(invalid('spec.versions', OMIT_VALUE, 'must contain unique version names'));
  }
  if (versions.filter((v) => v['storage'] === true).length !== 1) {
    out.push(
      invalid(
        'spec.versions',
        OMIT_VALUE,
        'must have exactly one version marked as storage version',
      ),
    );
  }
  if (!versions.some((v) => v['served'] === true)) {
    out.push(invalid('spec.versions', OMIT_VALUE, 'must have at least one served version'));
  }
  return out;
}

function validateConversion(spec: JsonObject): FieldError[] {
  const conversion = spec['conversion'];
  if (!isJsonObject(conversion)) return [];
  const strategy = str(conversion['strategy']);
  if (strategy === '') return [required('spec.conversion.strategy')];
  if (strategy !== 'None' && strategy !== 'Webhook') {
    return [notSupported('spec.conversion.strategy', strategy, ['None', 'Webhook'])];
  }
  if (strategy === 'None' && conversion['webhook'] !== undefined) {
    return [
      forbidden('spec.conversion.webhook', 'should not be set when strategy is not set to Webhook'),
    ];
  }
  if (strategy === 'Webhook' && !isJsonObject(conversion['webhook'])) {
    return [required('spec.conversion.webhook', 'required when strategy is set to Webhook')];
  }
  return [];
}

function validateSpec(spec: JsonObject): FieldError[] {
  return [
    ...validateGroup(spec),
    ...validateScope(spec),
    ...validateVersions(spec),
    ...validateNames(obj(spec['names']), 'spec.names'),
    ...validateConversion(spec),
  ];
}

function validateStoredVersions(crd: KubeObject): FieldError[] {
  const status = isJsonObject(crd['status']) ? crd['status'] : {};
  const stored = list(status['storedVersions']).map(str);
  const versions = list(specOf(crd)['versions']).map(obj);
  const names = new Set(versions.map((v) => str(v['name'])));
  const out: FieldError[] = [];
  stored.forEach((v, i) => {
    if (!names.has(v)) {
      out.push(invalid(index('status.storedVersions', i), v, 'must appear in spec.versions'));
    }
  });
  return out;
}

/** ValidateCustomResourceDefinition (create) and, with `old`, its update rules. */
export function validateCustomResourceDefinition(crd: KubeObject, old?: KubeObject): FieldError[] {
  const spec = specOf(crd);
  // Validators see raw JSON: metadata may be anything until ObjectMeta validation says so.
  const meta: ObjectMeta = isJsonObject(crd.metadata) ? crd.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '';
  const out = [
    ...validateObjectMeta(meta, { namespaced: false, nameRule: 'subdomain' }),
    ...(old ? validateObjectMetaUpdate(meta, old.metadata) : []),
  ];
  const names = obj(spec['names']);
  const want = `${str(names['plural'])}.${str(spec['group'])}`;
  if (name !== '' && name !== want) {
    out.push(...invalidEach('metadata.name', name, ['must be spec.names.plural+"."+spec.group']));
  }
  out.push(...validateSpec(spec));
  if (old) {
    const oldSpec = specOf(old);
    const group = str(spec['group']);
    out.push(...validateImmutable([group, str(oldSpec['group'])], 'spec.group', group));
    const plural = str(names['plural']);
    const oldPlural = str(obj(oldSpec['names'])['plural']);
    out.push(...validateImmutable([plural, oldPlural], 'spec.names.plural', plural));
    out.push(...validateStoredVersions(crd));
  }
  return out;
}

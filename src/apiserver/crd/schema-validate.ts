import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type JsonValue,
  type KubeObject,
} from '../../api/index.ts';
import { goQuote } from '../validation/go-format.ts';
import {
  child,
  invalid,
  notSupported,
  required,
  tooLong,
  tooMany,
  type BadValue,
} from '../validation/field.ts';
import { formatError } from './formats.ts';

/**
 * Structural-schema validation of a custom resource, with the field errors apiextensions-apiserver
 * reports: kube-openapi's validator messages (`spec.replicas in body must be of type integer:
 * "string"`) mapped to field errors as `kubeOpenAPIResultToFieldErrors` does. CEL rules
 * (`x-kubernetes-validations`) are accepted in schemas but not evaluated.
 */

/** An object as its JSON: stored and decoded objects only ever hold JSON values. */
export function jsonOf(obj: KubeObject): JsonObject {
  // SAFETY: KubeObjects come from decoded JSON (request bodies, the store), so every value is JSON.
  return obj as unknown as JsonObject;
}

/** A JSONSchemaProps node as JSON. */
export type Schema = JsonObject;

export function sub(schema: Schema, key: string): Schema | undefined {
  const v = schema[key];
  return isJsonObject(v) ? v : undefined;
}

export function num(schema: Schema, key: string): number | undefined {
  const v = schema[key];
  return typeof v === 'number' ? v : undefined;
}

export function flag(schema: Schema, key: string): boolean {
  return schema[key] === true;
}

/** The JSON type name kube-openapi reports for a value (integral numbers are `integer`). */
export function jsonTypeOf(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

function typeMatches(type: string, v: JsonValue): boolean {
  const actual = jsonTypeOf(v);
  if (type === 'number') return actual === 'number' || actual === 'integer';
  return actual === type;
}

/** A value as field.Invalid prints it: scalars as Go does, composites by their JSON. */
function badValue(v: JsonValue): BadValue {
  if (v === null || typeof v !== 'object') return v;
  return { goSyntax: JSON.stringify(v) };
}

interface Ctx {
  readonly path: string;
  readonly out: FieldError[];
}

/** kube-openapi's `name in body ...` message, on the path (the root reads `in body`). */
function msg(path: string, text: string): string {
  return path === '' ? `in body ${text}` : `${path} in body ${text}`;
}

function checkType(schema: Schema, v: JsonValue, ctx: Ctx): boolean {
  if (v === null) {
    if (flag(schema, 'nullable')) return false;
    // Without a declared type, null passes (e.g. preserve-unknown-fields values).
    if (typeof schema['type'] !== 'string' && !flag(schema, 'x-kubernetes-int-or-string'))
      return false;
  }
  const intOrString = flag(schema, 'x-kubernetes-int-or-string');
  const type = intOrString ? 'integer,string' : schema['type'];
  if (typeof type !== 'string' || type === '') return true;
  const ok = intOrString
    ? typeMatches('integer', v) || typeMatches('string', v)
    : typeMatches(type, v);
  if (ok) return true;
  const actual = jsonTypeOf(v);
  ctx.out.push({
    type: 'FieldValueTypeInvalid',
    field: ctx.path,
    message: `${ctx.path}: Invalid value: ${goQuote(actual)}: ${msg(ctx.path, `must be of type ${type}: ${goQuote(actual)}`)}`,
  });
  return false;
}

function enumText(v: JsonValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

function checkEnum(schema: Schema, v: JsonValue, ctx: Ctx): void {
  const values = schema['enum'];
  if (!Array.isArray(values)) return;
  const text = JSON.stringify(v);
  if (values.some((e) => JSON.stringify(e) === text)) return;
  ctx.out.push(notSupported(ctx.path, badValue(v), values.map(enumText)));
}

function goNumber(n: number): string {
  return String(n);
}

function checkNumber(schema: Schema, v: number, ctx: Ctx): void {
  const max = num(schema, 'maximum');
  const min = num(schema, 'minimum');
  const exMax = flag(schema, 'exclusiveMaximum');
  const exMin = flag(schema, 'exclusiveMinimum');
  if (max !== undefined && (exMax ? v >= max : v > max)) {
    const rel = exMax ? 'less than' : 'less than or equal to';
    ctx.out.push(invalid(ctx.path, v, msg(ctx.path, `should be ${rel} ${goNumber(max)}`)));
  }
  if (min !== undefined && (exMin ? v <= min : v < min)) {
    const rel = exMin ? 'greater than' : 'greater than or equal to';
    ctx.out.push(invalid(ctx.path, v, msg(ctx.path, `should be ${rel} ${goNumber(min)}`)));
  }
  const multipleOf = num(schema, 'multipleOf');
  if (multipleOf !== undefined && multipleOf > 0 && !Number.isInteger(v / multipleOf)) {
    ctx.out.push(
      invalid(ctx.path, v, msg(ctx.path, `should be a multiple of ${goNumber(multipleOf)}`)),
    );
  }
}

/** Go's RE2 syntax is close enough to JS's for schema patterns; a bad pattern never matches. */
function patternMatches(pattern: string, v: string): boolean {
  try {
    return new RegExp(pattern, 'u').test(v);
  } catch {
    return false;
  }
}

function checkString(schema: Schema, v: string, ctx: Ctx): void {
  // Go counts runes: a surrogate pair is one.
  const runes = v.length - (v.match(/[\uD800-\uDBFF][\uDC00-\uDFFF]/g)?.length ?? 0);
  const maxLength = num(schema, 'maxLength');
  if (maxLength !== undefined && runes > maxLength) ctx.out.push(tooLong(ctx.path, maxLength));
  const minLength = num(schema, 'minLength');
  if (minLength !== undefined && runes < minLength) {
    ctx.out.push(invalid(ctx.path, v, msg(ctx.path, `should be at least ${minLength} chars long`)));
  }
  const pattern = schema['pattern'];
  if (typeof pattern === 'string' && !patternMatches(pattern, v)) {
    ctx.out.push(invalid(ctx.path, v, msg(ctx.path, `should match '${pattern}'`)));
  }
  const format = schema['format'];
  if (typeof format === 'string' && formatError(format, v)) {
    ctx.out.push(invalid(ctx.path, v, msg(ctx.path, `must be of type ${format}: ${goQuote(v)}`)));
  }
}

function checkArray(schema: Schema, v: JsonValue[], ctx: Ctx): void {
  const maxItems = num(schema, 'maxItems');
  if (maxItems !== undefined && v.length > maxItems) {
    ctx.out.push(tooMany(ctx.path, v.length, maxItems));
  }
  const minItems = num(schema, 'minItems');
  if (minItems !== undefined && v.length < minItems) {
    ctx.out.push(
      invalid(ctx.path, badValue(v), msg(ctx.path, `should have at least ${minItems} items`)),
    );
  }
  if (flag(schema, 'uniqueItems') && new Set(v.map((x) => JSON.stringify(x))).size < v.length) {
    ctx.out.push(invalid(ctx.path, badValue(v), msg(ctx.path, `shouldn't contain duplicates`)));
  }
  const items = sub(schema, 'items');
  if (!items) return;
  v.forEach((item, i) => {
    validateNode(items, item, { path: `${ctx.path}[${i}]`, out: ctx.out });
  });
}

function checkPropertyCounts(schema: Schema, v: JsonObject, ctx: Ctx): void {
  const count = Object.keys(v).length;
  const maxProperties = num(schema, 'maxProperties');
  if (maxProperties !== undefined && count > maxProperties) {
    ctx.out.push(tooMany(ctx.path, count, maxProperties));
  }
  const minProperties = num(schema, 'minProperties');
  if (minProperties !== undefined && count < minProperties) {
    ctx.out.push(
      invalid(
        ctx.path,
        badValue(v),
        msg(ctx.path, `should have at least ${minProperties} properties`),
      ),
    );
  }
}

function checkObject(schema: Schema, v: JsonObject, ctx: Ctx): void {
  checkPropertyCounts(schema, v, ctx);
  const req = schema['required'];
  if (Array.isArray(req)) {
    for (const r of req) {
      if (typeof r === 'string' && !Object.hasOwn(v, r)) ctx.out.push(required(child(ctx.path, r)));
    }
  }
  const props = sub(schema, 'properties') ?? {};
  const additional = sub(schema, 'additionalProperties');
  for (const k of Object.keys(v).sort()) {
    const value = v[k];
    if (value === undefined) continue;
    const s = sub(props, k) ?? additional;
    if (s) validateNode(s, value, { path: child(ctx.path, k), out: ctx.out });
  }
}

function countValid(schemas: JsonValue | undefined, v: JsonValue, path: string): number[] {
  if (!Array.isArray(schemas)) return [];
  return schemas.map((s) => (isJsonObject(s) ? validateValue(s, v, path).length : 0));
}

/** allOf / anyOf / oneOf / not, as kube-openapi words their failures. */
function checkCombinators(schema: Schema, v: JsonValue, ctx: Ctx): void {
  const allOf = schema['allOf'];
  if (Array.isArray(allOf)) {
    for (const s of allOf) if (isJsonObject(s)) validateNode(s, v, ctx);
  }
  const anyOf = countValid(schema['anyOf'], v, ctx.path);
  if (anyOf.length > 0 && !anyOf.includes(0)) {
    ctx.out.push(
      invalid(ctx.path, badValue(v), msg(ctx.path, 'must validate at least one schema (anyOf)')),
    );
  }
  const oneOf = countValid(schema['oneOf'], v, ctx.path);
  if (oneOf.length > 0 && oneOf.filter((n) => n === 0).length !== 1) {
    ctx.out.push(
      invalid(
        ctx.path,
        badValue(v),
        msg(ctx.path, 'must validate one and only one schema (oneOf)'),
      ),
    );
  }
  const not = sub(schema, 'not');
  if (not && validateValue(not, v, ctx.path).length === 0) {
    ctx.out.push(
      invalid(ctx.path, badValue(v), msg(ctx.path, `must not validate the schema (not)`)),
    );
  }
}

function validateNode(schema: Schema, v: JsonValue, ctx: Ctx): void {
  if (!checkType(schema, v, ctx)) return;
  if (v === null) return;
  checkEnum(schema, v, ctx);
  if (typeof v === 'number') checkNumber(schema, v, ctx);
  else if (typeof v === 'string') checkString(schema, v, ctx);
  else if (Array.isArray(v)) checkArray(schema, v, ctx);
  else if (typeof v === 'object') checkObject(schema, v, ctx);
  checkCombinators(schema, v, ctx);
}

/** The schema errors of `value` at `path` ('' for the root). */
export function validateValue(schema: Schema, value: JsonValue, path = ''): FieldError[] {
  const out: FieldError[] = [];
  validateNode(schema, value, { path, out });
  return out;
}

/**
 * The schema errors of a whole custom resource. `metadata`, `apiVersion` and `kind` are checked
 * by the generic ObjectMeta rules, not the schema, as upstream does.
 */
export function validateCustomResource(schema: Schema, obj: JsonObject): FieldError[] {
  const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = obj;
  const props = { ...(sub(schema, 'properties') ?? {}) };
  delete props['metadata'];
  delete props['apiVersion'];
  delete props['kind'];
  const req = Array.isArray(schema['required'])
    ? schema['required'].filter((r) => r !== 'metadata' && r !== 'apiVersion' && r !== 'kind')
    : undefined;
  const root: Schema = { ...schema, properties: props };
  if (req) root['required'] = req;
  else delete root['required'];
  return validateValue(root, rest);
}

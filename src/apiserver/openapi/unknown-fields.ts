import { isJsonObject } from '../../api/index.ts';
import type { GroupVersionKind, JsonObject, JsonValue } from '../../api/index.ts';
import { OBJECT_META_SCHEMA, builtinSchemaCatalog, refName, schemaRef } from './catalog.ts';
import type { SchemaCatalog } from './catalog.ts';

export interface UnknownFieldOptions {
  /** Where schemas come from; defaults to the built-in types. */
  catalog?: SchemaCatalog;
}

/** kube-apiserver's JSON decoder stops collecting strict errors after this many. */
const MAX_ERRORS = 100;

/** Bounds `$ref`/`allOf` chasing, so a self-referencing schema cannot loop. */
const MAX_INDIRECTIONS = 16;

/** Fields every object carries whatever its schema declares (CRD schemas may leave them out). */
const OBJECT_ENVELOPE: Readonly<Record<string, JsonObject>> = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
  metadata: schemaRef(OBJECT_META_SCHEMA),
};

interface Walk {
  catalog: SchemaCatalog;
  out: string[];
}

function hasShape(schema: JsonObject): boolean {
  return ['properties', 'items', 'additionalProperties', 'type'].some((k) => k in schema);
}

/** The schema that governs a value's structure, through `$ref` and single-element `allOf` wrappers. */
function effective(schema: JsonObject, catalog: SchemaCatalog): JsonObject {
  let current = schema;
  for (let i = 0; i < MAX_INDIRECTIONS; i++) {
    const ref = current['$ref'];
    const allOf = current['allOf'];
    const [first] = Array.isArray(allOf) ? allOf : [];
    if (typeof ref === 'string') {
      const name = refName(ref);
      current = (name === undefined ? undefined : catalog.get(name)) ?? {};
    } else if (
      Array.isArray(allOf) &&
      allOf.length === 1 &&
      isJsonObject(first) &&
      !hasShape(current)
    ) {
      current = first;
    } else {
      return current;
    }
  }
  return current;
}

function objectField(schema: JsonObject, key: string): JsonObject | undefined {
  const value = schema[key];
  return isJsonObject(value) ? value : undefined;
}

/** A declared property whose schema gives no structure (e.g. a CRD's `metadata: {type: object}`). */
function isOpaque(schema: JsonObject, catalog: SchemaCatalog): boolean {
  const s = effective(schema, catalog);
  return !('properties' in s) && !('additionalProperties' in s);
}

function fieldSchema(
  schema: JsonObject,
  key: string,
  ctx: { envelope: boolean; catalog: SchemaCatalog },
): JsonObject | undefined {
  const { envelope, catalog } = ctx;
  const declared = objectField(schema, 'properties')?.[key];
  const declaredSchema = isJsonObject(declared) ? declared : undefined;
  const implicit = envelope ? OBJECT_ENVELOPE[key] : undefined;
  if (implicit && (declaredSchema === undefined || isOpaque(declaredSchema, catalog)))
    return implicit;
  return declaredSchema ?? objectField(schema, 'additionalProperties');
}

function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function walkObject(
  schema: JsonObject,
  value: JsonObject,
  ctx: Walk & { path: string; envelope: boolean },
): void {
  const structured = 'properties' in schema || isJsonObject(schema['additionalProperties']);
  if (!structured && !ctx.envelope) return;
  const preserve =
    !structured ||
    schema['x-kubernetes-preserve-unknown-fields'] === true ||
    schema['additionalProperties'] === true;
  for (const [key, child] of Object.entries(value)) {
    if (child === undefined) continue;
    const path = joinPath(ctx.path, key);
    const childSchema = fieldSchema(schema, key, ctx);
    if (childSchema !== undefined) walk(childSchema, child, { ...ctx, path, envelope: false });
    else if (!preserve && ctx.out.length < MAX_ERRORS) ctx.out.push(path);
  }
}

function walk(
  schema: JsonObject,
  value: JsonValue,
  ctx: Walk & { path: string; envelope: boolean },
): void {
  const s = effective(schema, ctx.catalog);
  if (Array.isArray(value)) {
    const items = objectField(s, 'items');
    if (items === undefined) return;
    value.forEach((v, i) => {
      walk(items, v, { ...ctx, path: `${ctx.path}[${i}]`, envelope: false });
    });
    return;
  }
  if (!isJsonObject(value)) return;
  const envelope = ctx.envelope || s['x-kubernetes-embedded-resource'] === true;
  walkObject(s, value, { ...ctx, envelope });
}

/**
 * The fields of `obj` that the schema of `gvk` does not declare, as kube-apiserver's strict JSON
 * decoding names them: dotted from the root, list items by index, map values by key
 * (`spec.template.spec.containers[0].imagePullPolcy`), in document order, at most 100.
 *
 * `apiVersion`, `kind` and `metadata` (checked against ObjectMeta) are always known at the root
 * and in `x-kubernetes-embedded-resource` values. Below `x-kubernetes-preserve-unknown-fields`,
 * and in values whose schema gives no structure (RawExtension, FieldsV1, JSON), anything goes.
 * A kind without a schema yields no unknown fields; see hasSchema.
 */
export function findUnknownFields(
  gvk: GroupVersionKind,
  obj: JsonObject,
  opts: UnknownFieldOptions = {},
): string[] {
  const catalog = opts.catalog ?? builtinSchemaCatalog();
  const name = catalog.nameOf(gvk);
  if (name === undefined) return [];
  const out: string[] = [];
  walk(schemaRef(name), obj, { catalog, out, path: '', envelope: true });
  return out;
}

/** Whether the catalog has a schema for `gvk`, i.e. whether its fields can be validated at all. */
export function hasSchema(gvk: GroupVersionKind, opts: UnknownFieldOptions = {}): boolean {
  return (opts.catalog ?? builtinSchemaCatalog()).nameOf(gvk) !== undefined;
}

/** Go's `%q` for the field paths that occur here (JSON escaping agrees with it on ASCII). */
function quote(s: string): string {
  return JSON.stringify(s);
}

/**
 * The decoder error kube-apiserver reports for `fieldValidation=Strict`:
 * `strict decoding error: unknown field "spec.foo", unknown field "spec.bar"`.
 * On create and update it is wrapped by undecodableMessage; on patch it is the whole message.
 */
export function strictDecodingMessage(paths: readonly string[]): string {
  return `strict decoding error: ${warningTexts(paths).join(', ')}`;
}

/** The `Warning: 299` texts for `fieldValidation=Warn` (and the default): one per field. */
export function warningTexts(paths: readonly string[]): string[] {
  return paths.map((p) => `unknown field ${quote(p)}`);
}

/**
 * The 400 message for a create or update body that fails to decode, as kube-apiserver words it:
 * `Deployment in version "v1" cannot be handled as a Deployment: <cause>`. `body` is the kind and
 * version the body declared, `intoKind` the kind the endpoint serves.
 */
export function undecodableMessage(
  body: { kind: string; version: string },
  intoKind: string,
  cause: string,
): string {
  return `${body.kind} in version ${quote(body.version)} cannot be handled as a ${intoKind}: ${cause}`;
}

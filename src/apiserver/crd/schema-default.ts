import { isJsonObject, type JsonObject, type JsonValue } from '../../api/index.ts';
import { child } from '../validation/field.ts';
import { flag, sub, type Schema } from './schema-validate.ts';
import { cloneJson } from '../../util/index.ts';

/**
 * Pruning and defaulting of custom resources from their structural schema, as
 * apiextensions-apiserver's `structural/pruning` and `structural/defaulting` do: fields the
 * schema does not declare are dropped (unless `x-kubernetes-preserve-unknown-fields`), then
 * missing fields with a `default` are filled in. Both mutate the value in place.
 */

/** Fields every object and embedded resource keeps whatever its schema declares. */
const ENVELOPE = new Set(['apiVersion', 'kind', 'metadata']);

interface PruneCtx {
  readonly path: string;
  readonly out: string[];
  /** At the root or in an x-kubernetes-embedded-resource: apiVersion/kind/metadata stay. */
  readonly envelope: boolean;
}

/** The schema of one field of an object, or undefined when the field is undeclared. */
function fieldSchema(schema: Schema, key: string): Schema | undefined {
  const props = sub(schema, 'properties');
  return (props ? sub(props, key) : undefined) ?? sub(schema, 'additionalProperties');
}

/** Whether an object node keeps fields its schema does not name. */
function keepsUnknown(schema: Schema): boolean {
  return (
    flag(schema, 'x-kubernetes-preserve-unknown-fields') || schema['additionalProperties'] === true
  );
}

function pruneObject(schema: Schema, obj: JsonObject, ctx: PruneCtx): void {
  for (const k of Object.keys(obj)) {
    const value = obj[k];
    if (value === undefined) continue;
    const path = child(ctx.path, k);
    const s = fieldSchema(schema, k);
    const inEnvelope = ctx.envelope && ENVELOPE.has(k);
    if (s && !(inEnvelope && k === 'metadata')) {
      pruneNode(s, value, { path, out: ctx.out, envelope: false });
    } else if (!inEnvelope && !s && !keepsUnknown(schema)) {
      Reflect.deleteProperty(obj, k);
      ctx.out.push(path);
    }
  }
}

function pruneNode(schema: Schema, v: JsonValue, ctx: PruneCtx): void {
  const envelope = ctx.envelope || flag(schema, 'x-kubernetes-embedded-resource');
  if (Array.isArray(v)) {
    const items = sub(schema, 'items');
    if (!items) return;
    v.forEach((item, i) => {
      pruneNode(items, item, { path: `${ctx.path}[${i}]`, out: ctx.out, envelope: false });
    });
    return;
  }
  if (!isJsonObject(v)) return;
  // A schema node with no structure and preserve-unknown-fields keeps everything below it.
  pruneObject(schema, v, { ...ctx, envelope });
}

/**
 * Drops the fields of `obj` its schema does not declare and returns their paths
 * (`spec.foo`, `spec.items[0].bar`), in document order: the `unknown field` names.
 */
export function prune(schema: Schema, obj: JsonObject): string[] {
  const out: string[] = [];
  pruneNode(schema, obj, { path: '', out, envelope: true });
  return out;
}

function isMissing(current: JsonValue | undefined, schema: Schema): boolean {
  return current === undefined || (current === null && !flag(schema, 'nullable'));
}

function defaultObject(schema: Schema, obj: JsonObject, root: boolean): void {
  // apiVersion, kind and metadata of the root are the server's, not the schema's.
  const skip = (k: string): boolean => root && ENVELOPE.has(k);
  for (const [k, ps] of Object.entries(sub(schema, 'properties') ?? {})) {
    if (!isJsonObject(ps) || skip(k)) continue;
    const d = ps['default'];
    if (d !== undefined && isMissing(obj[k], ps)) obj[k] = cloneJson(d);
  }
  for (const [k, value] of Object.entries(obj)) {
    if (value === undefined || skip(k)) continue;
    const s = fieldSchema(schema, k);
    if (s) defaultNode(s, value, false);
  }
}

function defaultNode(schema: Schema, v: JsonValue, root: boolean): void {
  if (Array.isArray(v)) {
    const items = sub(schema, 'items');
    if (items) for (const item of v) defaultNode(items, item, false);
    return;
  }
  if (isJsonObject(v)) defaultObject(schema, v, root);
}

/** Fills in missing (and non-nullable null) fields that have a schema `default`. */
export function applyDefaults(schema: Schema, obj: JsonObject): void {
  defaultNode(schema, obj, true);
}

import generated from './k8s-proto.gen.json' with { type: 'json' };
import { isJsonObject } from '../../api/index.ts';

/** Scalars as they travel on the wire; `bytes` is a Go []byte. */
export type ScalarName =
  'string' | 'bytes' | 'bool' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'float' | 'double';

/** Types whose Go MarshalJSON replaces the struct form. */
export type CustomJson =
  | 'time'
  | 'microtime'
  | 'duration'
  | 'fieldsv1'
  | 'rawextension'
  | 'unknown'
  | 'intorstring'
  | 'quantity';

/**
 * A field's Go type joined with its wire form. `wrapped` is a named Go slice (metav1.Verbs,
 * authentication ExtraValue) that protobuf carries as a message whose field 1 holds the items.
 */
export type TypeExpr =
  | { readonly k: 'scalar'; readonly s: ScalarName }
  | { readonly k: 'message'; readonly m: MessageSchema }
  | { readonly k: 'pointer'; readonly elem: TypeExpr }
  | { readonly k: 'slice'; readonly elem: TypeExpr }
  | { readonly k: 'wrapped'; readonly elem: TypeExpr }
  | { readonly k: 'map'; readonly key: TypeExpr; readonly value: TypeExpr };

export interface FieldSchema {
  /** The JSON name; empty for an inlined embedded struct. */
  readonly json: string;
  /** The protobuf field number; 0 for Go fields protobuf does not carry (TypeMeta). */
  readonly number: number;
  readonly type: TypeExpr;
  readonly omitEmpty: boolean;
  /** An embedded struct whose fields encoding/json flattens into the parent. */
  readonly inline: boolean;
}

export interface MessageSchema {
  /** The protobuf full name, e.g. `k8s.io.api.apps.v1.Deployment`. */
  readonly name: string;
  readonly custom: CustomJson | undefined;
  /** In Go struct order, which is encoding/json's output order. */
  readonly fields: readonly FieldSchema[];
  readonly byNumber: ReadonlyMap<number, FieldSchema>;
}

export interface KubeSchema {
  /** apiVersion → kind → message, for every kind the decoder accepts. */
  readonly kinds: ReadonlyMap<string, ReadonlyMap<string, MessageSchema>>;
  readonly messages: ReadonlyMap<string, MessageSchema>;
}

export const TYPE_META = 'k8s.io.apimachinery.pkg.apis.meta.v1.TypeMeta';
export const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

const SCALARS = new Set<string>([
  'string',
  'bytes',
  'bool',
  'int32',
  'int64',
  'uint32',
  'uint64',
  'float',
  'double',
]);
const CUSTOM = new Set<string>([
  'time',
  'microtime',
  'duration',
  'fieldsv1',
  'rawextension',
  'unknown',
  'intorstring',
  'quantity',
]);

function isScalarName(s: string): s is ScalarName {
  return SCALARS.has(s);
}
function isCustomJson(s: string): s is CustomJson {
  return CUSTOM.has(s);
}

function fail(message: string): never {
  throw new Error(`k8s-proto.gen.json: ${message} (regenerate with scripts/gen-protobuf.ts)`);
}

interface MutableMessage {
  name: string;
  custom: CustomJson | undefined;
  fields: FieldSchema[];
  byNumber: Map<number, FieldSchema>;
}

function parseType(text: string, messages: ReadonlyMap<string, MutableMessage>): TypeExpr {
  if (text.startsWith('*')) return { k: 'pointer', elem: parseType(text.slice(1), messages) };
  if (text.startsWith('~[]')) return { k: 'wrapped', elem: parseType(text.slice(3), messages) };
  if (text.startsWith('[]')) return { k: 'slice', elem: parseType(text.slice(2), messages) };
  if (text.startsWith('map[')) {
    const close = text.indexOf(']');
    const key = parseType(text.slice(4, close), messages);
    if (key.k !== 'scalar' || key.s !== 'string') fail(`map key must be a string: ${text}`);
    return { k: 'map', key, value: parseType(text.slice(close + 1), messages) };
  }
  if (isScalarName(text)) return { k: 'scalar', s: text };
  const m = messages.get(text);
  if (m === undefined) fail(`unknown message ${text}`);
  return { k: 'message', m };
}

function parseField(raw: unknown, messages: ReadonlyMap<string, MutableMessage>): FieldSchema {
  if (!Array.isArray(raw) || raw.length !== 4) fail('a field is not a 4-tuple');
  const items: unknown[] = raw;
  const [json, number, type, flags] = items;
  if (
    typeof json !== 'string' ||
    typeof number !== 'number' ||
    typeof type !== 'string' ||
    typeof flags !== 'string'
  ) {
    fail(`malformed field ${JSON.stringify(raw)}`);
  }
  return {
    json,
    number,
    type: parseType(type, messages),
    omitEmpty: flags.includes('o'),
    inline: flags.includes('i'),
  };
}

function entriesOf(value: unknown, what: string): [string, unknown][] {
  if (!isJsonObject(value)) fail(`${what} is not an object`);
  return Object.entries(value);
}

function parseMessages(raw: unknown): Map<string, MutableMessage> {
  const messages = new Map<string, MutableMessage>();
  const rawMessages = entriesOf(raw, 'messages');
  for (const [name, m] of rawMessages) {
    const c = isJsonObject(m) ? m['c'] : undefined;
    if (c !== undefined && (typeof c !== 'string' || !isCustomJson(c)))
      fail(`${name}: bad custom form`);
    messages.set(name, { name, custom: c, fields: [], byNumber: new Map() });
  }
  // Second pass: every message exists, so field types can link to them (cycles included).
  for (const [name, m] of rawMessages) {
    const target = messages.get(name);
    const fields = isJsonObject(m) ? m['f'] : undefined;
    if (target === undefined || !Array.isArray(fields)) fail(`${name}: no field list`);
    for (const f of fields) {
      const field = parseField(f, messages);
      target.fields.push(field);
      if (field.number > 0) target.byNumber.set(field.number, field);
    }
  }
  return messages;
}

function parseKinds(
  raw: unknown,
  messages: ReadonlyMap<string, MessageSchema>,
): Map<string, Map<string, MessageSchema>> {
  const kinds = new Map<string, Map<string, MessageSchema>>();
  for (const [apiVersion, table] of entriesOf(raw, 'kinds')) {
    const byKind = new Map<string, MessageSchema>();
    for (const [kind, name] of entriesOf(table, apiVersion)) {
      const m = typeof name === 'string' ? messages.get(name) : undefined;
      if (m === undefined) fail(`${apiVersion} ${kind}: unknown message`);
      byKind.set(kind, m);
    }
    kinds.set(apiVersion, byKind);
  }
  return kinds;
}

/** Validates the generated schema and links its type references. */
function compileSchema(raw: unknown): KubeSchema {
  const root = isJsonObject(raw) ? raw : fail('not an object');
  const messages = parseMessages(root['messages']);
  for (const required of [TYPE_META, UNKNOWN])
    if (!messages.has(required)) fail(`${required} missing`);
  return { kinds: parseKinds(root['kinds'], messages), messages };
}

/** The schema of the Kubernetes API groups Kiln serves, generated from kubectl's descriptors. */
export const kubeSchema: KubeSchema = compileSchema(generated);

import { apiVersionOf, type JsonObject, type JsonValue } from '../../api/index.ts';
import { CodecError, CodecErrorCode } from './errors.ts';
import {
  decodeGoString,
  encodeBase64,
  formatGoDuration,
  formatRfc3339,
  GO_ZERO_TIME_UNIX,
  normalizeUnix,
} from './go-format.ts';
import {
  kubeSchema,
  TYPE_META,
  UNKNOWN,
  type CustomJson,
  type FieldSchema,
  type KubeSchema,
  type MessageSchema,
  type ScalarName,
  type TypeExpr,
} from './schema.ts';
import { WireReader, WireType, type Tag } from './wire.ts';

/** A decoded `application/vnd.kubernetes.protobuf` body. */
export interface DecodedObject {
  /** From the envelope (after defaulting), e.g. `apps/v1`. */
  apiVersion: string;
  kind: string;
  /** The object as encoding/json writes the Go value kube-apiserver decodes, `kind` and `apiVersion` set. */
  object: JsonObject;
}

export interface DecodeOptions {
  /**
   * The kind the endpoint expects. Fills what the envelope leaves empty, as the Go serializer's
   * copyKindDefaults does: the kind if it is empty, group and version if the version is empty.
   */
  defaults?: { apiVersion?: string; kind?: string };
}

/** `k8s\0`: the prefix of every Kubernetes protobuf body. */
const MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
/** Nesting bound: the API types are shallow; only RawExtensions can nest without limit. */
const MAX_DEPTH = 64;

// --- Go values -------------------------------------------------------------------------------

/** A decoded struct: its present fields by protobuf number. */
class GoStruct {
  readonly fields = new Map<number, GoValue>();
  /** The last payload was empty, which metav1.Time decodes as the zero time. */
  emptyPayload = false;
}
type GoMap = Map<string, GoValue | undefined>;
/** A Go value as decoded. `undefined` anywhere stands for Go's zero value of the field's type. */
type GoValue =
  string | number | boolean | bigint | Uint8Array | GoStruct | (GoValue | undefined)[] | GoMap;

/** Custom types whose Unmarshal replaces the value instead of merging into it. */
const REPLACED_ON_DECODE = new Set<CustomJson | undefined>(['time', 'microtime']);

const EXPECTED_WIRE_TYPE: Readonly<Record<ScalarName, number>> = {
  string: WireType.Bytes,
  bytes: WireType.Bytes,
  bool: WireType.Varint,
  int32: WireType.Varint,
  int64: WireType.Varint,
  uint32: WireType.Varint,
  uint64: WireType.Varint,
  float: WireType.Fixed32,
  double: WireType.Fixed64,
};

/** Reads one scalar once its wire type is checked. */
const READ_SCALAR: Readonly<Record<ScalarName, (r: WireReader) => GoValue>> = {
  string: (r) => decodeGoString(r.bytes()),
  bytes: (r) => r.bytes(),
  bool: (r) => {
    const { lo, hi } = r.varint();
    return lo !== 0 || hi !== 0;
  },
  int32: (r) => r.varint().lo | 0,
  uint32: (r) => r.varint().lo,
  int64: (r) => {
    const { lo, hi } = r.varint();
    return BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
  },
  uint64: (r) => {
    const { lo, hi } = r.varint();
    return (BigInt(hi) << 32n) | BigInt(lo);
  },
  float: (r) => r.fixed(4).getFloat32(0, true),
  double: (r) => r.fixed(8).getFloat64(0, true),
};

function invalid(message: string): CodecError {
  return new CodecError(CodecErrorCode.InvalidValue, message);
}

function fieldNamed(schema: MessageSchema, json: string): FieldSchema {
  const field = schema.fields.find((f) => f.json === json);
  if (field === undefined) throw new Error(`${schema.name} has no field ${json}`);
  return field;
}

/** One occurrence of a field on the wire, its tag already read. */
interface Input {
  readonly r: WireReader;
  readonly wireType: number;
  /** Where the value goes in the enclosing struct. */
  readonly number: number;
  /** For error messages. */
  readonly name: string;
}

/**
 * resource.ParseQuantity's grammar: a decimal number, then an SI, binary-SI or exponent suffix.
 * The string passes through as is: Go would print it canonicalized (`1000m` → `1`), but every Go
 * client marshals Quantity.String(), which is already canonical.
 */
const QUANTITY = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[numkMGTPE]|[KMGTPE]i|[eE][+-]?\d+)?$/;

// --- Decoding --------------------------------------------------------------------------------

/** One decode: wire data into Go values, with a shared nesting budget. */
class Decoder {
  readonly schema: KubeSchema;
  #depth = 0;

  constructor(schema: KubeSchema) {
    this.schema = schema;
  }

  /** Enters one nesting level for the duration of `fn`. */
  nested<T>(fn: () => T): T {
    if (++this.#depth > MAX_DEPTH) {
      this.#depth--;
      throw new CodecError(
        CodecErrorCode.Malformed,
        `objects nested deeper than ${MAX_DEPTH} levels`,
      );
    }
    try {
      return fn();
    } finally {
      this.#depth--;
    }
  }

  /** Decodes one message's fields into `into`, merging as gogo's Unmarshal does. */
  message(schema: MessageSchema, r: WireReader, into: GoStruct): void {
    into.emptyPayload = r.done;
    this.nested(() => {
      while (!r.done) {
        const tag = r.tag();
        const field = schema.byNumber.get(tag.field);
        if (field === undefined) r.skip(tag.wireType);
        else this.#store(field.type, this.#input(r, tag, field), into);
      }
    });
    if (schema.custom === 'quantity') checkQuantity(into);
  }

  #input(r: WireReader, tag: Tag, field: { number: number; json: string }): Input {
    return { r, wireType: tag.wireType, number: field.number, name: field.json };
  }

  #expect(input: Input, wireType: number): void {
    if (input.wireType !== wireType) {
      throw new CodecError(
        CodecErrorCode.Malformed,
        `proto: wrong wireType = ${input.wireType} for field ${input.name}`,
      );
    }
  }

  #scalar(s: ScalarName, input: Input): GoValue {
    this.#expect(input, EXPECTED_WIRE_TYPE[s]);
    return READ_SCALAR[s](input.r);
  }

  /** Stores one occurrence of a field: scalars replace, messages merge, lists and maps grow. */
  #store(t: TypeExpr, input: Input, into: GoStruct): void {
    switch (t.k) {
      case 'pointer':
        this.#store(t.elem, input, into);
        return;
      case 'scalar':
        into.fields.set(input.number, this.#scalar(t.s, input));
        return;
      case 'message':
        this.#storeMessage(t.m, input, into);
        return;
      case 'slice':
      case 'wrapped':
        this.#storeList(t, input, into);
        return;
      case 'map':
        this.#storeMapEntry(t.value, input, into);
        return;
    }
  }

  #storeMessage(schema: MessageSchema, input: Input, into: GoStruct): void {
    this.#expect(input, WireType.Bytes);
    const previous = into.fields.get(input.number);
    const reuse = previous instanceof GoStruct && !REPLACED_ON_DECODE.has(schema.custom);
    const target = reuse ? previous : new GoStruct();
    this.message(schema, input.r.sub(), target);
    into.fields.set(input.number, target);
  }

  #storeList(t: TypeExpr & { k: 'slice' | 'wrapped' }, input: Input, into: GoStruct): void {
    const previous = into.fields.get(input.number);
    const list = Array.isArray(previous) ? previous : [];
    if (t.k === 'slice') this.#appendItems(t.elem, input, list);
    else this.#appendWrapped(t.elem, input, list);
    // Go leaves a slice nil until an item arrives (an empty packed list included).
    if (list.length > 0) into.fields.set(input.number, list);
  }

  /** A fresh value of type `t` from one occurrence (list items, map values). */
  #value(t: TypeExpr, input: Input): GoValue | undefined {
    const holder = new GoStruct();
    this.#store(t, input, holder);
    return holder.fields.get(input.number);
  }

  #appendItems(elem: TypeExpr, input: Input, list: (GoValue | undefined)[]): void {
    const packable =
      elem.k === 'scalar' &&
      EXPECTED_WIRE_TYPE[elem.s] !== WireType.Bytes &&
      input.wireType === WireType.Bytes;
    if (!packable) {
      list.push(this.#value(elem, input));
      return;
    }
    const packed = input.r.sub();
    const itemInput = { ...input, r: packed, wireType: EXPECTED_WIRE_TYPE[elem.s] };
    while (!packed.done) list.push(this.#scalar(elem.s, itemInput));
  }

  /** A wrapper message (`message Verbs { repeated string items = 1; }`); Go appends its items. */
  #appendWrapped(elem: TypeExpr, input: Input, list: (GoValue | undefined)[]): void {
    this.#expect(input, WireType.Bytes);
    const wrapper = input.r.sub();
    this.nested(() => {
      while (!wrapper.done) {
        const tag = wrapper.tag();
        if (tag.field === 1)
          this.#appendItems(elem, this.#input(wrapper, tag, { number: 1, json: input.name }), list);
        else wrapper.skip(tag.wireType);
      }
    });
  }

  /** A map entry; a missing key or value is Go's zero value, as gogo's map decoding leaves it. */
  #storeMapEntry(valueType: TypeExpr, input: Input, into: GoStruct): void {
    this.#expect(input, WireType.Bytes);
    const previous = into.fields.get(input.number);
    const map = previous instanceof Map ? previous : new Map<string, GoValue | undefined>();
    const entry = input.r.sub();
    let key = '';
    // gogo starts a []byte map value as []byte{}: present and empty, not nil.
    let value: GoValue | undefined =
      valueType.k === 'scalar' && valueType.s === 'bytes' ? new Uint8Array(0) : undefined;
    this.nested(() => {
      while (!entry.done) {
        const tag = entry.tag();
        const at = this.#input(entry, tag, { number: tag.field, json: `${input.name}[key]` });
        if (tag.field === 1) {
          const k = this.#scalar('string', at);
          key = typeof k === 'string' ? k : '';
        } else if (tag.field === 2)
          value = this.#value(valueType, { ...at, name: `${input.name}[value]` });
        else entry.skip(tag.wireType);
      }
    });
    map.set(key, value);
    into.fields.set(input.number, map);
  }
}

function checkQuantity(q: GoStruct): void {
  const s = q.fields.get(1);
  if (typeof s === 'string' && !QUANTITY.test(s)) {
    throw invalid(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$': ${JSON.stringify(s)}`,
    );
  }
}

// --- Rendering (encoding/json of the decoded Go value) ----------------------------------------

type CustomRenderer = (v: GoStruct | undefined, session: Session) => JsonValue;

function bigintField(v: GoStruct | undefined, n: number): bigint {
  const x = v?.fields.get(n);
  return typeof x === 'bigint' ? x : 0n;
}
function numberField(v: GoStruct | undefined, n: number): number {
  const x = v?.fields.get(n);
  return typeof x === 'number' ? x : 0;
}
function bytesField(v: GoStruct | undefined, n: number): Uint8Array | undefined {
  const x = v?.fields.get(n);
  return x instanceof Uint8Array ? x : undefined;
}

function parseRawJson(raw: Uint8Array, what: string): JsonValue {
  try {
    // SAFETY: JSON.parse yields only JSON values.
    return JSON.parse(decodeGoString(raw)) as JsonValue;
  } catch (e: unknown) {
    throw new CodecError(CodecErrorCode.InvalidValue, `${what} is not valid JSON`, { cause: e });
  }
}

/** The JSON forms of types with their own MarshalJSON, by the wire fields they decode from. */
const CUSTOM_RENDERERS: Readonly<Record<CustomJson, CustomRenderer>> = {
  // metav1.Time: seconds only (Unmarshal drops the nanos); the zero time is null.
  time: (v) => {
    const seconds = bigintField(v, 1);
    if (v === undefined || v.emptyPayload || seconds === GO_ZERO_TIME_UNIX) return null;
    return formatRfc3339(seconds, 0, 0);
  },
  microtime: (v) => {
    const t = normalizeUnix(bigintField(v, 1), numberField(v, 2));
    if (v === undefined || v.emptyPayload || (t.seconds === GO_ZERO_TIME_UNIX && t.nanos === 0))
      return null;
    return formatRfc3339(t.seconds, t.nanos, 6);
  },
  duration: (v) => formatGoDuration(bigintField(v, 1)),
  intorstring: (v) => {
    const type = bigintField(v, 1);
    if (type === 0n) return numberField(v, 2);
    const s = v?.fields.get(3);
    if (type === 1n) return typeof s === 'string' ? s : '';
    throw invalid('impossible IntOrString.Type');
  },
  // Quantity.Unmarshal parses the string (checked at decode); the zero Quantity prints "0".
  quantity: (v) => {
    const s = v?.fields.get(1);
    return typeof s === 'string' ? s : '0';
  },
  fieldsv1: (v) => {
    const raw = bytesField(v, 1);
    return raw === undefined ? null : parseRawJson(raw, 'fieldsV1');
  },
  rawextension: (v, session) => {
    const raw = bytesField(v, 1);
    if (raw === undefined || raw.length === 0) return null;
    return hasMagic(raw) ? session.envelope(raw).object : parseRawJson(raw, 'RawExtension');
  },
  unknown: (v, session) => {
    const raw = bytesField(v, 2);
    const contentType = v?.fields.get(4) ?? '';
    if (raw === undefined) return null;
    if (hasMagic(raw)) return session.envelope(raw).object;
    if (contentType !== '' && contentType !== 'application/json') {
      throw invalid('runtime.Unknown: MarshalJSON on non-json data');
    }
    return parseRawJson(raw, 'runtime.Unknown');
  },
};

const ZERO_SCALARS = new Set<unknown>(['', 0, 0n, false]);

/** encoding/json's isEmptyValue, for `omitempty`: structs are never empty. */
function isEmpty(t: TypeExpr, v: GoValue | undefined): boolean {
  if (v === undefined) return t.k !== 'message';
  if (t.k === 'pointer' || t.k === 'message') return false;
  if (Array.isArray(v) || v instanceof Uint8Array) return v.length === 0;
  if (v instanceof Map) return v.size === 0;
  return ZERO_SCALARS.has(v);
}

function renderScalar(s: ScalarName, v: GoValue | undefined): JsonValue {
  if (s === 'bytes') return v instanceof Uint8Array ? encodeBase64(v) : null;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && !Number.isFinite(v)) throw invalid(`json: unsupported value: ${v}`);
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return s === 'string' ? '' : s === 'bool' ? false : 0;
}

function sortedKeys(map: GoMap): string[] {
  return [...map.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

interface StructTarget {
  readonly out: JsonObject;
  /** The value of the inlined TypeMeta, which protobuf leaves to the envelope. */
  readonly typeMeta: GoStruct | undefined;
}

/** One top-level decode: the envelope, the object, and anything nested in RawExtensions. */
class Session {
  readonly #decoder: Decoder;

  constructor(schema: KubeSchema) {
    this.#decoder = new Decoder(schema);
  }

  envelope(body: Uint8Array, defaults: DecodeOptions['defaults'] = {}): DecodedObject {
    return this.#decoder.nested(() => this.#envelope(body, defaults));
  }

  #envelope(body: Uint8Array, defaults: NonNullable<DecodeOptions['defaults']>): DecodedObject {
    const schema = this.#decoder.schema;
    checkMagic(body);
    const unknownSchema = schema.messages.get(UNKNOWN);
    const typeMetaSchema = schema.messages.get(TYPE_META);
    if (unknownSchema === undefined || typeMetaSchema === undefined)
      throw new Error('schema lacks Unknown');
    const envelope = new GoStruct();
    this.#decoder.message(unknownSchema, new WireReader(body, MAGIC.length), envelope);
    const { apiVersion, kind } = resolveKind(envelopeTypeMeta(unknownSchema, envelope), defaults);
    const message = schema.kinds.get(apiVersion)?.get(kind);
    if (message === undefined) {
      throw new CodecError(
        CodecErrorCode.UnknownKind,
        `no kind "${kind}" is registered for version "${apiVersion}"`,
      );
    }
    const object = new GoStruct();
    const raw = envelope.fields.get(fieldNamed(unknownSchema, 'raw').number);
    if (raw instanceof Uint8Array) this.#decoder.message(message, new WireReader(raw), object);
    setKindFields(message, object, { apiVersion, kind });
    const typeMeta = new GoStruct();
    typeMeta.fields.set(fieldNamed(typeMetaSchema, 'kind').number, kind);
    typeMeta.fields.set(fieldNamed(typeMetaSchema, 'apiVersion').number, apiVersion);
    const out: JsonObject = {};
    this.#struct(message, object, { out, typeMeta });
    return { apiVersion, kind, object: out };
  }

  #struct(schema: MessageSchema, s: GoStruct | undefined, target: StructTarget): void {
    for (const field of schema.fields) {
      const v = field.number > 0 ? s?.fields.get(field.number) : undefined;
      if (field.inline) this.#inline(field, v, target);
      else if (!field.omitEmpty || !isEmpty(field.type, v))
        target.out[field.json] = this.#value(field.type, v);
    }
  }

  /** An embedded struct without a JSON name: its fields join the parent's (nil pointers add none). */
  #inline(field: FieldSchema, v: GoValue | undefined, target: StructTarget): void {
    const pointer = field.type.k === 'pointer';
    const base = field.type.k === 'pointer' ? field.type.elem : field.type;
    if (base.k !== 'message') throw new Error(`inlined field ${field.json} is not a struct`);
    const value = base.m.name === TYPE_META && field.number === 0 ? target.typeMeta : v;
    if (pointer && value === undefined) return;
    this.#struct(base.m, value instanceof GoStruct ? value : undefined, {
      out: target.out,
      typeMeta: undefined,
    });
  }

  #value(t: TypeExpr, v: GoValue | undefined): JsonValue {
    switch (t.k) {
      case 'pointer':
        return v === undefined ? null : this.#value(t.elem, v);
      case 'scalar':
        return renderScalar(t.s, v);
      case 'slice':
      case 'wrapped':
        return Array.isArray(v) ? v.map((item) => this.#value(t.elem, item)) : null;
      case 'map':
        return v instanceof Map ? this.#map(t.value, v) : null;
      case 'message':
        return this.#message(t.m, v instanceof GoStruct ? v : undefined);
    }
  }

  /** encoding/json sorts map keys. */
  #map(valueType: TypeExpr, map: GoMap): JsonObject {
    const out: JsonObject = {};
    for (const key of sortedKeys(map)) out[key] = this.#value(valueType, map.get(key));
    return out;
  }

  #message(schema: MessageSchema, s: GoStruct | undefined): JsonValue {
    if (schema.custom !== undefined) return CUSTOM_RENDERERS[schema.custom](s, this);
    const out: JsonObject = {};
    this.#struct(schema, s, { out, typeMeta: undefined });
    return out;
  }
}

/**
 * The serializer's SetGroupVersionKind for kinds that hold kind and apiVersion as plain fields
 * rather than an inlined TypeMeta (core/v1 ObjectReference). WatchEvent has neither; Go's is a no-op.
 */
function setKindFields(
  schema: MessageSchema,
  object: GoStruct,
  gvk: { apiVersion: string; kind: string },
): void {
  const byJson = new Map(schema.fields.map((f) => [f.json, f]));
  const kindField = byJson.get('kind');
  const apiVersionField = byJson.get('apiVersion');
  if (kindField === undefined || apiVersionField === undefined || kindField.number === 0) return;
  object.fields.set(kindField.number, gvk.kind);
  object.fields.set(apiVersionField.number, gvk.apiVersion);
}

// --- Envelope --------------------------------------------------------------------------------

function hasMagic(body: Uint8Array): boolean {
  return body.length >= MAGIC.length && MAGIC.every((b, i) => body[i] === b);
}

/** The checks and messages of the Go protobuf serializer's Decode. */
function checkMagic(body: Uint8Array): void {
  if (body.length === 0) throw new CodecError(CodecErrorCode.NotProtobuf, 'empty data');
  if (!hasMagic(body)) {
    throw new CodecError(
      CodecErrorCode.NotProtobuf,
      'provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]',
    );
  }
  if (body.length === MAGIC.length) throw new CodecError(CodecErrorCode.NotProtobuf, 'empty body');
}

function envelopeTypeMeta(
  unknownSchema: MessageSchema,
  envelope: GoStruct,
): { apiVersion: string; kind: string } {
  const typeMetaField = fieldNamed(unknownSchema, 'typeMeta');
  const typeMeta = envelope.fields.get(typeMetaField.number);
  if (!(typeMeta instanceof GoStruct) || typeMetaField.type.k !== 'message')
    return { apiVersion: '', kind: '' };
  const read = (json: string): string => {
    if (typeMetaField.type.k !== 'message') return '';
    const v = typeMeta.fields.get(fieldNamed(typeMetaField.type.m, json).number);
    return typeof v === 'string' ? v : '';
  };
  return { apiVersion: read('apiVersion'), kind: read('kind') };
}

/** schema.ParseGroupVersion, where an unparsable apiVersion counts as none. */
function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  const parts = apiVersion.split('/');
  if (apiVersion === '' || parts.length > 2) return { group: '', version: '' };
  return parts.length === 1
    ? { group: '', version: apiVersion }
    : { group: parts[0] ?? '', version: parts[1] ?? '' };
}

/** GroupVersionKind of the envelope, defaulted as copyKindDefaults, then checked as Decode. */
function resolveKind(
  actual: { apiVersion: string; kind: string },
  defaults: NonNullable<DecodeOptions['defaults']>,
): { apiVersion: string; kind: string } {
  let gv = parseGroupVersion(actual.apiVersion);
  const kind = actual.kind === '' ? (defaults.kind ?? '') : actual.kind;
  const fallback = parseGroupVersion(defaults.apiVersion ?? '');
  if (gv.version === '' && fallback.version !== '') gv = fallback;
  const described = `runtime.TypeMeta{APIVersion:${JSON.stringify(actual.apiVersion)}, Kind:${JSON.stringify(actual.kind)}}`;
  if (kind === '')
    throw new CodecError(CodecErrorCode.MissingKind, `Object 'Kind' is missing in '${described}'`);
  if (gv.version === '') {
    throw new CodecError(
      CodecErrorCode.MissingKind,
      `Object 'apiVersion' is missing in '${described}'`,
    );
  }
  return { apiVersion: apiVersionOf(gv.group, gv.version), kind };
}

/**
 * Decodes an `application/vnd.kubernetes.protobuf` request body (`k8s\0` + runtime.Unknown)
 * into the JSON object kube-apiserver would hold: the Go struct the body decodes to, written
 * by encoding/json (Go field order, `omitempty`, nulls for nil slices without it,
 * `creationTimestamp: null`, base64 `[]byte`, RFC 3339 times, IntOrString as number or string).
 *
 * Pure; never blocks. Throws only CodecError (see CodecErrorCode), never on valid kubectl bodies.
 */
export function decodeKubernetesProtobuf(
  body: Uint8Array,
  options: DecodeOptions = {},
): DecodedObject {
  try {
    return new Session(kubeSchema).envelope(body, options.defaults);
  } catch (e: unknown) {
    if (e instanceof CodecError) throw e;
    throw new CodecError(CodecErrorCode.Malformed, 'the protobuf body could not be decoded', {
      cause: e,
    });
  }
}

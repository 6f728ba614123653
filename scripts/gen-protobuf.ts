/**
 * Generates src/apiserver/codec/k8s-proto.gen.json, the schema the protobuf request decoder
 * runs on, from a real kubectl binary.
 *
 *   node --import tsx scripts/gen-protobuf.ts [path-to-kubectl]
 *
 * No package ships Kubernetes' generated.proto files, but every kubectl binary embeds them twice
 * over: as gzipped FileDescriptorProtos (gogo-protobuf registration), which give the wire
 * schema, and as Go reflection metadata, whose struct tags (`json:"replicas,omitempty"`) and
 * field types (pointer or value, named slice, custom MarshalJSON) decide what encoding/json
 * would write. The two are joined field by field on the protobuf field number and cross-checked,
 * so a drift between them fails the generation instead of producing a wrong decoder.
 *
 * Schema form (see codec/schema.ts): `kinds[apiVersion][kind]` names a message;
 * `messages[name].f` lists its fields in Go struct order as
 * `[jsonName, protoNumber (0: not on the wire), typeExpr, flags]` where typeExpr is
 * `*T` (Go pointer), `[]T` (repeated), `~[]T` (named Go slice sent as a wrapper message whose
 * field 1 holds the items), `map[K]V`, a scalar (`string bytes bool int32 int64 uint32 uint64
 * float double`) or a message name; flags hold `o` (omitempty) and `i` (embedded, inlined).
 * `messages[name].c` names a custom JSON form (`time`, `quantity`, ...) for types with their own
 * MarshalJSON; their `f` is the plain wire schema.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateRawSync } from 'node:zlib';
import descriptor from 'protobufjs/ext/descriptor.js';
import type {
  IDescriptorProto,
  IFieldDescriptorProto,
  IFileDescriptorProto,
} from 'protobufjs/ext/descriptor.js';

export const OUTPUT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../src/apiserver/codec/k8s-proto.gen.json',
);

/** The API group versions Kiln serves, by apiVersion, with the Go package behind each. */
const SERVED: Readonly<Record<string, string>> = {
  v1: 'k8s.io/api/core/v1',
  'apps/v1': 'k8s.io/api/apps/v1',
  'batch/v1': 'k8s.io/api/batch/v1',
  'autoscaling/v1': 'k8s.io/api/autoscaling/v1',
  'policy/v1': 'k8s.io/api/policy/v1',
  'coordination.k8s.io/v1': 'k8s.io/api/coordination/v1',
  'scheduling.k8s.io/v1': 'k8s.io/api/scheduling/v1',
  'discovery.k8s.io/v1': 'k8s.io/api/discovery/v1',
  'networking.k8s.io/v1': 'k8s.io/api/networking/v1',
  'node.k8s.io/v1': 'k8s.io/api/node/v1',
  'events.k8s.io/v1': 'k8s.io/api/events/v1',
  'rbac.authorization.k8s.io/v1': 'k8s.io/api/rbac/v1',
  'authentication.k8s.io/v1': 'k8s.io/api/authentication/v1',
  'authorization.k8s.io/v1': 'k8s.io/api/authorization/v1',
  'admissionregistration.k8s.io/v1': 'k8s.io/api/admissionregistration/v1',
  'meta.k8s.io/v1': 'k8s.io/apimachinery/pkg/apis/meta/v1',
};
const META = 'k8s.io/apimachinery/pkg/apis/meta/v1';

/**
 * meta/v1 kinds apimachinery's AddToGroupVersion registers into every group version (so
 * `policy/v1 DeleteOptions` decodes), and the unversioned ones it registers under `v1`.
 */
const META_IN_EVERY_GROUP = [
  'WatchEvent',
  'ListOptions',
  'GetOptions',
  'DeleteOptions',
  'CreateOptions',
  'UpdateOptions',
  'PatchOptions',
];
const META_UNVERSIONED = ['Status', 'APIVersions', 'APIGroupList', 'APIGroup', 'APIResourceList'];

/** Types with their own MarshalJSON, by proto message name → the decoder's JSON form. */
const CUSTOM_JSON: Readonly<Record<string, string>> = {
  'k8s.io.apimachinery.pkg.apis.meta.v1.Time': 'time',
  'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime': 'microtime',
  'k8s.io.apimachinery.pkg.apis.meta.v1.Duration': 'duration',
  'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1': 'fieldsv1',
  'k8s.io.apimachinery.pkg.runtime.RawExtension': 'rawextension',
  'k8s.io.apimachinery.pkg.runtime.Unknown': 'unknown',
  'k8s.io.apimachinery.pkg.util.intstr.IntOrString': 'intorstring',
  'k8s.io.apimachinery.pkg.api.resource.Quantity': 'quantity',
};

// ---------------------------------------------------------------------------------------------
// ELF

interface Section {
  name: string;
  type: number;
  addr: number;
  offset: number;
  size: number;
}

const SHT_NOBITS = 8;

function readSections(bin: Buffer): Section[] {
  if (bin.readUInt32BE(0) !== 0x7f454c46 || bin[4] !== 2 || bin[5] !== 1) {
    throw new Error('not a little-endian ELF64 binary (only linux/amd64|arm64 kubectl is read)');
  }
  const shoff = Number(bin.readBigUInt64LE(0x28));
  const shentsize = bin.readUInt16LE(0x3a);
  const shnum = bin.readUInt16LE(0x3c);
  const shstrndx = bin.readUInt16LE(0x3e);
  const raw = Array.from({ length: shnum }, (_, i) => {
    const b = shoff + i * shentsize;
    return {
      nameOff: bin.readUInt32LE(b),
      type: bin.readUInt32LE(b + 4),
      addr: Number(bin.readBigUInt64LE(b + 16)),
      offset: Number(bin.readBigUInt64LE(b + 24)),
      size: Number(bin.readBigUInt64LE(b + 32)),
    };
  });
  const strtab = raw[shstrndx]!;
  return raw.map((s) => {
    const start = strtab.offset + s.nameOff;
    const name = bin.toString('latin1', start, bin.indexOf(0, start));
    return { name, type: s.type, addr: s.addr, offset: s.offset, size: s.size };
  });
}

// ---------------------------------------------------------------------------------------------
// Embedded FileDescriptorProtos

/** A gzip member header as Go's compress/gzip writes it: deflate, no flags, no mtime. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);

function extractDescriptors(bin: Buffer): Map<string, IFileDescriptorProto> {
  const files = new Map<string, IFileDescriptorProto>();
  const encoded = new Map<string, Buffer>();
  for (let pos = bin.indexOf(GZIP_HEADER); pos >= 0; pos = bin.indexOf(GZIP_HEADER, pos + 1)) {
    let inflated: Buffer;
    try {
      // Raw inflate after the 10-byte header stops at the end of this member; gunzip would
      // run on into an adjacent member and merge two descriptors.
      inflated = inflateRawSync(bin.subarray(pos + 10));
    } catch {
      continue;
    }
    let file: IFileDescriptorProto;
    try {
      // SAFETY: decoded by the FileDescriptorProto type itself, so it has that shape.
      file = descriptor.FileDescriptorProto.decode(inflated) as IFileDescriptorProto;
    } catch {
      continue;
    }
    const name = file.name ?? '';
    if (!/^k8s\.io\/(api|apimachinery)\/.*generated\.proto$/.test(name)) continue;
    const previous = encoded.get(name);
    if (previous !== undefined && !previous.equals(inflated)) {
      throw new Error(`two different descriptors named ${name}`);
    }
    encoded.set(name, inflated);
    files.set(name, file);
  }
  return files;
}

// ---------------------------------------------------------------------------------------------
// Go reflection metadata (internal/abi, stable from Go 1.21 to 1.24)

const K_BOOL = 1;
const K_INT = 2;
const K_INT32 = 5;
const K_INT64 = 6;
const K_UINT8 = 8;
const K_UINT32 = 10;
const K_UINT64 = 11;
const K_FLOAT32 = 13;
const K_FLOAT64 = 14;
const K_ARRAY = 17;
const K_CHAN = 18;
const K_FUNC = 19;
const K_INTERFACE = 20;
const K_MAP = 21;
const K_POINTER = 22;
const K_SLICE = 23;
const K_STRING = 24;
const K_STRUCT = 25;

const TFLAG_UNCOMMON = 1;
const TFLAG_EXTRA_STAR = 2;
const TFLAG_NAMED = 4;

interface GoName {
  name: string;
  tag: string;
  embedded: boolean;
  exported: boolean;
}

interface GoField extends GoName {
  type: number;
}

class GoTypes {
  readonly #bin: Buffer;
  readonly #sections: Section[];
  readonly #typesBase: number;
  readonly #mapTypeSize: number;
  /** Named types by `pkgPath.Name`. */
  readonly named = new Map<string, number>();

  constructor(bin: Buffer, sections: Section[], goVersion: string) {
    this.#bin = bin;
    this.#sections = sections;
    const rodata = sections.find((s) => s.name === '.rodata');
    const typelink = sections.find((s) => s.name === '.typelink');
    if (rodata === undefined || typelink === undefined) {
      throw new Error('no .rodata/.typelink section: not a Go binary');
    }
    this.#typesBase = rodata.addr;
    this.#checkModuleData(typelink.addr);
    // Swiss-table maps (Go 1.24) carry more fields before the uncommon type than hmap ones.
    const minor = Number(/^go1\.(\d+)/.exec(goVersion)?.[1] ?? '0');
    this.#mapTypeSize = minor >= 24 ? 112 : 88;
    const seen = new Set<number>();
    for (let i = 0; i < typelink.size / 4; i++) {
      this.#walk(this.#typesBase + bin.readInt32LE(typelink.offset + i * 4), seen);
    }
  }

  /** Confirms `runtime.types` starts .rodata, by finding it next to the typelinks slice. */
  #checkModuleData(typelinkAddr: number): void {
    const data = this.#sections.find((s) => s.name === '.noptrdata');
    if (data === undefined) throw new Error('no .noptrdata section');
    const needle = Buffer.alloc(8);
    needle.writeBigUInt64LE(BigInt(typelinkAddr));
    const at = this.#bin.indexOf(needle, data.offset);
    // moduledata: ..., types, etypes, rodata, gofunc, textsectmap (3 words), typelinks, ...
    if (at < 0 || Number(this.#bin.readBigUInt64LE(at - 7 * 8)) !== this.#typesBase) {
      throw new Error('cannot locate runtime.moduledata; unsupported Go layout');
    }
  }

  #offset(addr: number): number {
    for (const s of this.#sections) {
      if (s.type !== SHT_NOBITS && s.addr !== 0 && addr >= s.addr && addr < s.addr + s.size) {
        return s.offset + (addr - s.addr);
      }
    }
    throw new Error(`address 0x${addr.toString(16)} is in no section`);
  }
  #u8(addr: number): number {
    return this.#bin[this.#offset(addr)]!;
  }
  #u16(addr: number): number {
    return this.#bin.readUInt16LE(this.#offset(addr));
  }
  #u32(addr: number): number {
    return this.#bin.readUInt32LE(this.#offset(addr));
  }
  #i32(addr: number): number {
    return this.#bin.readInt32LE(this.#offset(addr));
  }
  #ptr(addr: number): number {
    return Number(this.#bin.readBigUInt64LE(this.#offset(addr)));
  }

  #readName(addr: number): GoName {
    const flags = this.#u8(addr);
    let p = addr + 1;
    const varint = (): number => {
      let v = 0;
      for (let shift = 0; ; shift += 7) {
        const b = this.#u8(p++);
        v += (b & 0x7f) * 2 ** shift;
        if ((b & 0x80) === 0) return v;
      }
    };
    const text = (): string => {
      const len = varint();
      const start = this.#offset(p);
      p += len;
      return this.#bin.toString('utf8', start, start + len);
    };
    const name = text();
    const tag = (flags & 2) !== 0 ? text() : '';
    return { name, tag, exported: (flags & 1) !== 0, embedded: (flags & 8) !== 0 };
  }

  kind(t: number): number {
    return this.#u8(t + 23) & 0x1f;
  }
  #tflag(t: number): number {
    return this.#u8(t + 20);
  }
  /** The type's string, e.g. `v1.DeploymentSpec` or `[]string`. */
  str(t: number): string {
    const s = this.#readName(this.#typesBase + this.#i32(t + 40)).name;
    return (this.#tflag(t) & TFLAG_EXTRA_STAR) !== 0 ? s.slice(1) : s;
  }
  elem(t: number): number {
    return this.#ptr(t + (this.kind(t) === K_MAP ? 56 : 48));
  }
  key(t: number): number {
    return this.#ptr(t + 48);
  }
  ptrTo(t: number): number | undefined {
    const off = this.#i32(t + 44);
    return off === 0 ? undefined : this.#typesBase + off;
  }

  #uncommon(t: number): number | undefined {
    if ((this.#tflag(t) & TFLAG_UNCOMMON) === 0) return undefined;
    const sizes: Record<number, number> = {
      [K_POINTER]: 56,
      [K_SLICE]: 56,
      [K_CHAN]: 64,
      [K_FUNC]: 56,
      [K_ARRAY]: 72,
      [K_MAP]: this.#mapTypeSize,
      [K_STRUCT]: 80,
      [K_INTERFACE]: 80,
    };
    return t + (sizes[this.kind(t)] ?? 48);
  }

  /** `pkgPath.Name` of a named type, else undefined. */
  qualifiedName(t: number): string | undefined {
    const u = this.#uncommon(t);
    if ((this.#tflag(t) & TFLAG_NAMED) === 0 || u === undefined) return undefined;
    const pkg = this.#readName(this.#typesBase + this.#i32(u)).name;
    return `${pkg}.${this.str(t).replace(/^.*\./, '')}`;
  }

  methods(t: number): string[] {
    const u = this.#uncommon(t);
    if (u === undefined) return [];
    const count = this.#u16(u + 4);
    const moff = this.#u32(u + 8);
    return Array.from(
      { length: count },
      (_, i) => this.#readName(this.#typesBase + this.#i32(u + moff + i * 16)).name,
    );
  }

  /** Methods of T and *T: what encoding/json sees on an addressable value. */
  methodSet(t: number): Set<string> {
    const p = this.ptrTo(t);
    return new Set([...this.methods(t), ...(p === undefined ? [] : this.methods(p))]);
  }

  fields(t: number): GoField[] {
    const base = this.#ptr(t + 56);
    const count = this.#ptr(t + 64);
    return Array.from({ length: count }, (_, i) => ({
      ...this.#readName(this.#ptr(base + i * 24)),
      type: this.#ptr(base + i * 24 + 8),
    }));
  }

  #walk(t: number, seen: Set<number>): void {
    const stack = [t];
    for (let cur = stack.pop(); cur !== undefined; cur = stack.pop()) {
      if (seen.has(cur)) continue;
      seen.add(cur);
      const qn = this.qualifiedName(cur);
      if (qn !== undefined) this.named.set(qn, cur);
      const k = this.kind(cur);
      if (k === K_POINTER || k === K_SLICE || k === K_ARRAY || k === K_CHAN) {
        stack.push(this.elem(cur));
      } else if (k === K_MAP) {
        stack.push(this.key(cur), this.elem(cur));
      } else if (k === K_STRUCT) {
        for (const f of this.fields(cur)) stack.push(f.type);
      }
      const p = this.ptrTo(cur);
      if (p !== undefined) stack.push(p);
    }
  }
}

function goVersionOf(bin: Buffer, sections: Section[]): string {
  const info = sections.find((s) => s.name === '.go.buildinfo');
  if (info === undefined) throw new Error('no .go.buildinfo section');
  const text = bin.toString('latin1', info.offset, info.offset + info.size);
  const m = /go1\.\d+(\.\d+)?/.exec(text);
  if (m === null) throw new Error('no Go version in .go.buildinfo');
  return m[0];
}

// ---------------------------------------------------------------------------------------------
// Struct tags

/** reflect.StructTag.Get: `key:"value"` pairs, values in Go (here: JSON-compatible) quoting. */
function tagValue(tag: string, key: string): string | undefined {
  for (const m of tag.matchAll(/([^\s:"]+):"((?:[^"\\]|\\.)*)"/g)) {
    if (m[1] === key) return JSON.parse(`"${m[2] ?? ''}"`) as string; // SAFETY: a JSON string literal parses to a string.
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Schema

type Field = [json: string, number: number, type: string, flags: string];
interface Message {
  c?: string;
  f: Field[];
}

const TYPE_DOUBLE = 1;
const TYPE_FLOAT = 2;
const TYPE_INT64 = 3;
const TYPE_UINT64 = 4;
const TYPE_INT32 = 5;
const TYPE_BOOL = 8;
const TYPE_STRING = 9;
const TYPE_MESSAGE = 11;
const TYPE_BYTES = 12;
const TYPE_UINT32 = 13;
const LABEL_REPEATED = 3;

const SCALARS: Readonly<Record<number, readonly [goKinds: number[], name: string]>> = {
  [TYPE_DOUBLE]: [[K_FLOAT64], 'double'],
  [TYPE_FLOAT]: [[K_FLOAT32], 'float'],
  [TYPE_INT64]: [[K_INT64, K_INT], 'int64'],
  [TYPE_UINT64]: [[K_UINT64], 'uint64'],
  [TYPE_INT32]: [[K_INT32], 'int32'],
  [TYPE_UINT32]: [[K_UINT32], 'uint32'],
  [TYPE_BOOL]: [[K_BOOL], 'bool'],
  [TYPE_STRING]: [[K_STRING], 'string'],
};

/** What the descriptor says a (part of a) field is on the wire. */
interface WireSlot {
  type: number;
  typeName: string;
  repeated: boolean;
}

function protoNameOfGo(qualified: string): string {
  return qualified.replaceAll('/', '.');
}

class SchemaBuilder {
  readonly #go: GoTypes;
  readonly #protos = new Map<string, IDescriptorProto>();
  /** Proto message name → Go `pkgPath.Name`, from each file's go_package. */
  readonly #goNames = new Map<string, string>();
  readonly messages = new Map<string, Message>();
  readonly #pending: [string, number][] = [];

  constructor(go: GoTypes, files: Iterable<IFileDescriptorProto>) {
    this.#go = go;
    const add = (prefix: string, m: IDescriptorProto): void => {
      const name = `${prefix}.${m.name ?? ''}`;
      this.#protos.set(name, m);
      for (const nested of m.nestedType ?? []) add(name, nested);
    };
    for (const file of files) {
      for (const m of file.messageType ?? []) {
        add(file.package ?? '', m);
        const goName = `${file.options?.goPackage ?? ''}.${m.name ?? ''}`;
        this.#goNames.set(`${file.package ?? ''}.${m.name ?? ''}`, goName);
      }
    }
  }

  hasMessage(protoName: string): boolean {
    return this.#protos.has(protoName);
  }

  /** Adds the message for Go type `pkg.Name`, and everything it refers to. */
  require(qualified: string): string {
    const t = this.#go.named.get(qualified);
    if (t === undefined) throw new Error(`Go type ${qualified} not found in the binary`);
    return this.#enqueue(t);
  }

  build(): void {
    for (let next = this.#pending.pop(); next !== undefined; next = this.#pending.pop()) {
      const [name, t] = next;
      this.messages.set(name, this.#message(name, t));
    }
  }

  #enqueue(t: number): string {
    const qn = this.#go.qualifiedName(t);
    if (qn === undefined || this.#go.kind(t) === K_POINTER) {
      throw new Error(`unnamed Go type ${this.#go.str(t)} where a message is expected`);
    }
    const name = protoNameOfGo(qn);
    if (!this.#protos.has(name)) throw new Error(`no proto message ${name} for Go type ${qn}`);
    if (!this.messages.has(name) && !this.#pending.some(([n]) => n === name)) {
      this.messages.set(name, { f: [] });
      this.#pending.push([name, t]);
    }
    return name;
  }

  #message(name: string, t: number): Message {
    const proto = this.#protos.get(name)!;
    const custom = CUSTOM_JSON[name];
    if (custom !== undefined) return { c: custom, f: this.#wireOnly(name, proto) };
    const methods = this.#go.methodSet(t);
    if (methods.has('MarshalJSON') || methods.has('MarshalText')) {
      throw new Error(`${name} has its own JSON form; teach CUSTOM_JSON and the decoder about it`);
    }
    if (this.#go.kind(t) !== K_STRUCT) throw new Error(`${name} is not a Go struct`);
    const byNumber = new Map((proto.field ?? []).map((f) => [f.number ?? 0, f]));
    const fields: Field[] = [];
    for (const gf of this.#go.fields(t)) {
      const field = this.#field(name, gf, byNumber);
      if (field !== undefined) fields.push(field);
    }
    if (byNumber.size > 0) {
      throw new Error(`${name}: proto fields without Go field: ${[...byNumber.keys()].join(',')}`);
    }
    return { f: fields };
  }

  #field(
    owner: string,
    gf: GoField,
    byNumber: Map<number, IFieldDescriptorProto>,
  ): Field | undefined {
    const jsonTag = tagValue(gf.tag, 'json');
    const protoTag = tagValue(gf.tag, 'protobuf');
    const [jsonName = '', ...options] = (jsonTag ?? '').split(',');
    if (jsonTag === '-' || (!gf.exported && !gf.embedded)) {
      if (protoTag !== undefined && protoTag !== '-') {
        byNumber.delete(Number(protoTag.split(',')[1]));
      }
      return undefined;
    }
    const unsupported = options.filter((o) => o !== 'omitempty' && o !== 'inline');
    if (unsupported.length > 0)
      throw new Error(`${owner}.${gf.name}: json option ${unsupported.join(',')}`);
    const inline = gf.embedded && jsonName === '';
    if (inline && this.#go.kind(gf.type) !== K_STRUCT) {
      throw new Error(`${owner}.${gf.name}: embedded non-struct`);
    }
    const flags = (options.includes('omitempty') ? 'o' : '') + (inline ? 'i' : '');
    const json = jsonName === '' && !inline ? gf.name : jsonName;
    if (protoTag === undefined || protoTag === '-') {
      return [json, 0, this.#typeExpr(gf.type, undefined), flags];
    }
    const parts = protoTag.split(',');
    const number = Number(parts[1]);
    const fd = byNumber.get(number);
    if (fd === undefined) throw new Error(`${owner}.${gf.name}: no proto field ${number}`);
    byNumber.delete(number);
    const tagName = parts.find((p) => p.startsWith('name='));
    if (tagName !== undefined && tagName !== `name=${fd.name ?? ''}`) {
      throw new Error(
        `${owner}.${gf.name}: Go tag ${protoTag} names another field than ${fd.name}`,
      );
    }
    const slot: WireSlot = {
      type: fd.type ?? 0,
      typeName: (fd.typeName ?? '').replace(/^\./, ''),
      repeated: fd.label === LABEL_REPEATED,
    };
    return [json, number, this.#typeExpr(gf.type, slot), flags];
  }

  /** Joins a Go type with the wire slot it occupies into a type expression. */
  #typeExpr(t: number, slot: WireSlot | undefined): string {
    const go = this.#go;
    const where = (): string => `Go ${go.str(t)} vs proto ${JSON.stringify(slot)}`;
    const k = go.kind(t);
    if (k !== K_STRUCT && go.qualifiedName(t) !== undefined) {
      const methods = go.methodSet(t);
      if (methods.has('MarshalJSON') || methods.has('MarshalText')) {
        throw new Error(`Go ${go.str(t)} has its own JSON form; the decoder does not know it`);
      }
    }
    if (k === K_POINTER) return `*${this.#typeExpr(go.elem(t), slot)}`;
    if (k === K_SLICE && go.kind(go.elem(t)) === K_UINT8) {
      if (slot !== undefined && (slot.type !== TYPE_BYTES || slot.repeated)) {
        throw new Error(where());
      }
      return 'bytes';
    }
    if (k === K_SLICE) {
      if (slot === undefined || slot.repeated) {
        return `[]${this.#typeExpr(go.elem(t), slot && { ...slot, repeated: false })}`;
      }
      return `~[]${this.#typeExpr(go.elem(t), this.#wrappedItems(slot, where))}`;
    }
    if (k === K_MAP) {
      const entry = slot && this.#protos.get(slot.typeName);
      if (slot !== undefined && (!slot.repeated || entry?.options?.mapEntry !== true)) {
        throw new Error(where());
      }
      const [kf, vf] = [entry?.field?.[0], entry?.field?.[1]];
      const toSlot = (f: IFieldDescriptorProto | undefined): WireSlot | undefined =>
        f && {
          type: f.type ?? 0,
          typeName: (f.typeName ?? '').replace(/^\./, ''),
          repeated: false,
        };
      return `map[${this.#typeExpr(go.key(t), toSlot(kf))}]${this.#typeExpr(go.elem(t), toSlot(vf))}`;
    }
    if (k === K_STRUCT) {
      const name = this.#enqueue(t);
      if (slot !== undefined && (slot.type !== TYPE_MESSAGE || slot.typeName !== name)) {
        throw new Error(where());
      }
      return name;
    }
    return this.#scalar(k, slot, where);
  }

  #scalar(k: number, slot: WireSlot | undefined, where: () => string): string {
    if (slot === undefined) {
      const entry = Object.values(SCALARS).find(([kinds]) => kinds.includes(k));
      if (entry === undefined) throw new Error(`unsupported Go kind ${k}: ${where()}`);
      return entry[1];
    }
    const entry = SCALARS[slot.type];
    if (entry === undefined || slot.repeated || !entry[0].includes(k)) throw new Error(where());
    return entry[1];
  }

  /** The slot of a wrapper message's items (`message Verbs { repeated string items = 1; }`). */
  #wrappedItems(slot: WireSlot, where: () => string): WireSlot {
    const wrapper = this.#protos.get(slot.typeName);
    const items = wrapper?.field?.[0];
    if (
      slot.type !== TYPE_MESSAGE ||
      wrapper?.field?.length !== 1 ||
      items?.number !== 1 ||
      items.label !== LABEL_REPEATED
    ) {
      throw new Error(`not a wrapper message: ${where()}`);
    }
    return {
      type: items.type ?? 0,
      typeName: (items.typeName ?? '').replace(/^\./, ''),
      repeated: false,
    };
  }

  #wireOnly(name: string, proto: IDescriptorProto): Field[] {
    return (proto.field ?? []).map((fd): Field => {
      if (fd.label === LABEL_REPEATED) throw new Error(`${name}: repeated field in custom type`);
      const typeName = (fd.typeName ?? '').replace(/^\./, '');
      if (fd.type === TYPE_MESSAGE) {
        const t = this.#go.named.get(this.#goNames.get(typeName) ?? '');
        if (t === undefined) throw new Error(`${name}: no Go type for ${typeName}`);
        this.#enqueue(t);
        return [fd.name ?? '', fd.number ?? 0, typeName, ''];
      }
      const scalar = fd.type === TYPE_BYTES ? 'bytes' : SCALARS[fd.type ?? 0]?.[1];
      if (scalar === undefined) throw new Error(`${name}.${fd.name}: unsupported type ${fd.type}`);
      return [fd.name ?? '', fd.number ?? 0, scalar, ''];
    });
  }
}

// ---------------------------------------------------------------------------------------------

export function defaultKubectl(): string {
  const which = execFileSync('sh', ['-c', 'readlink -f "$(command -v kubectl)"'], {
    encoding: 'utf8',
  }).trim();
  if (which === '') throw new Error('kubectl not on PATH; pass the binary as an argument');
  return join(dirname(which), 'kubectl.1.33');
}

function isRuntimeObject(go: GoTypes, t: number): boolean {
  const methods = go.methodSet(t);
  return methods.has('DeepCopyObject') && methods.has('GetObjectKind');
}

/** The schema file's exact content, generated from the kubectl binary at `path`. */
export function generateSchema(path: string): string {
  const bin = readFileSync(path);
  const sections = readSections(bin);
  const goVersion = goVersionOf(bin, sections);
  const files = extractDescriptors(bin);
  const go = new GoTypes(bin, sections, goVersion);
  const builder = new SchemaBuilder(go, files.values());
  const kinds: Record<string, Record<string, string>> = {};
  for (const [apiVersion, pkg] of Object.entries(SERVED)) {
    const table: Record<string, string> = {};
    for (const [qualified, t] of go.named) {
      const dot = qualified.lastIndexOf('.');
      if (qualified.slice(0, dot) !== pkg || !isRuntimeObject(go, t)) continue;
      if (!builder.hasMessage(protoNameOfGo(qualified))) continue;
      table[qualified.slice(dot + 1)] = builder.require(qualified);
    }
    const metaKinds =
      apiVersion === 'v1' ? [...META_IN_EVERY_GROUP, ...META_UNVERSIONED] : META_IN_EVERY_GROUP;
    for (const kind of metaKinds) table[kind] ??= builder.require(`${META}.${kind}`);
    kinds[apiVersion] = table;
  }
  builder.require('k8s.io/apimachinery/pkg/runtime.Unknown');
  builder.build();
  return serialize(goVersion, kinds, builder.messages);
}

/** Stable output: sorted keys, one message per line, so regeneration diffs stay readable. */
function serialize(
  goVersion: string,
  kinds: Record<string, Record<string, string>>,
  messages: Map<string, Message>,
): string {
  const sortedObject = <T>(o: Record<string, T>): [string, T][] =>
    Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines: string[] = [];
  lines.push('{');
  lines.push(`  "generatedFrom": ${JSON.stringify(`kubectl built with ${goVersion}`)},`);
  lines.push('  "kinds": {');
  const kindEntries = sortedObject(kinds).map(
    ([av, table]) =>
      `    ${JSON.stringify(av)}: ${JSON.stringify(Object.fromEntries(sortedObject(table)))}`,
  );
  lines.push(kindEntries.join(',\n'));
  lines.push('  },');
  lines.push('  "messages": {');
  const messageEntries = [...messages.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, m]) => `    ${JSON.stringify(name)}: ${JSON.stringify(m)}`);
  lines.push(messageEntries.join(',\n'));
  lines.push('  }');
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const output = generateSchema(process.argv[2] ?? defaultKubectl());
  writeFileSync(OUTPUT, output);
  process.stdout.write(`wrote ${OUTPUT} (${output.length} bytes)\n`);
}

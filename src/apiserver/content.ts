import { parseAllDocuments } from 'yaml';
import { isJsonObject, type JsonObject } from '../api/index.ts';
import { cloneJson } from '../util/index.ts';
import { decodeKubernetesProtobuf } from './codec/index.ts';
import { errors } from './errors.ts';

/** kube-apiserver's limit on a request body (3 MiB). */
export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export type BodyFormat = 'json' | 'yaml' | 'protobuf';

export type PatchType = 'json' | 'merge' | 'strategic' | 'apply';

const PATCH_TYPES: Readonly<Record<string, PatchType>> = {
  'application/json-patch+json': 'json',
  'application/merge-patch+json': 'merge',
  'application/strategic-merge-patch+json': 'strategic',
  'application/apply-patch+yaml': 'apply',
};

export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const t = mediaType(contentType);
  if (t === 'application/json' || t === '') return 'json';
  if (t === 'application/yaml' || t === 'application/x-yaml' || t === 'text/yaml') return 'yaml';
  if (t === 'application/vnd.kubernetes.protobuf') return 'protobuf';
  throw errors.unsupportedMediaType(t);
}

export function patchType(contentType: string | undefined): PatchType {
  const t = PATCH_TYPES[mediaType(contentType)];
  if (t === undefined) throw errors.unsupportedMediaType(mediaType(contentType));
  return t;
}

/** Parses JSON, reporting errors as kube-apiserver's decoder does. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    throw errors.badRequest(
      `the body of the request could not be decoded: json parse error: ${why}`,
    );
  }
}

export function parseYaml(text: string): unknown {
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  if (!Array.isArray(docs) || docs.length === 0) return null;
  const list = docs as unknown[];
  if (list.length > 1)
    throw errors.badRequest('the body of the request contains more than one YAML document');
  // SAFETY: parseAllDocuments returns Document objects when given a string.
  const doc = list[0] as {
    errors: { message: string }[];
    toJS: (o: { maxAliasCount: number }) => unknown;
  };
  const first = doc.errors[0];
  if (first)
    throw errors.badRequest(`the body of the request could not be decoded: yaml: ${first.message}`);
  return doc.toJS({ maxAliasCount: 100 });
}

/** What decoding reads of a request: its bytes, or the value a caller in the process passed. */
export interface RequestBody {
  readonly body: Buffer;
  readonly value?: unknown;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export function hasBody(req: RequestBody): boolean {
  return req.value !== undefined || req.body.length > 0;
}

function decodeValue(req: RequestBody): unknown {
  // A copy: the server changes what it decodes, and the caller keeps its value.
  if (req.value !== undefined) return cloneJson(req.value);
  const body = req.body;
  if (body.length > MAX_BODY_BYTES) throw errors.tooLarge();
  const format = bodyFormat(req.headers['content-type']);
  if (format === 'protobuf') return decodeKubernetesProtobuf(body).object;
  if (format === 'yaml') return parseYaml(body.toString('utf8'));
  return parseJson(body.toString('utf8'));
}

/** Decodes a create/update body into a JSON object. */
export function decodeObject(req: RequestBody): JsonObject {
  const value = decodeValue(req);
  if (!isJsonObject(value)) {
    throw errors.badRequest('the body of the request could not be decoded: expected a JSON object');
  }
  return value;
}

/** Decodes a PATCH body. JSON patch must be an array; the others objects. */
export function decodePatch(req: RequestBody, type: PatchType): unknown {
  let value: unknown;
  if (req.value !== undefined) value = cloneJson(req.value);
  else {
    if (req.body.length > MAX_BODY_BYTES) throw errors.tooLarge();
    const text = req.body.toString('utf8');
    value = type === 'apply' ? parseYaml(text) : parseJson(text);
  }
  if (type === 'json') {
    if (!Array.isArray(value)) {
      throw errors.badRequest(
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
      );
    }
    return value;
  }
  if (!isJsonObject(value)) {
    throw errors.badRequest(
      `the body of the request could not be decoded: expected a JSON object for ${type} patch`,
    );
  }
  return value;
}

export type ResponseKind = 'object' | 'table' | 'partial-metadata';

/** Types that carry JSON when asked for a Table (kubectl sends `application/json;as=Table`). */
const TABLE_TYPES = new Set(['application/json', '*/*', 'application/*']);
/**
 * Types that get the plain object. Responses are never protobuf, so a protobuf-only Accept is
 * 406; clients that prefer protobuf list JSON as a fallback.
 */
const OBJECT_TYPES = new Set([...TABLE_TYPES, 'application/yaml']);
const PARTIAL_METADATA_KINDS = new Set(['PartialObjectMetadata', 'PartialObjectMetadataList']);

/** What one Accept entry asks for, or undefined when Kiln cannot serve it. */
function acceptEntryKind(entry: string): ResponseKind | undefined {
  const [type = '', ...params] = entry.split(';').map((s) => s.trim());
  // SAFETY: a parameter without `=` yields a one-element array; its value reads as undefined.
  const as = new Map(params.map((kv) => kv.split('=') as [string, string])).get('as');
  if (as === undefined) return OBJECT_TYPES.has(type) ? 'object' : undefined;
  if (as === 'Table' && TABLE_TYPES.has(type)) return 'table';
  if (type === 'application/json' && PARTIAL_METADATA_KINDS.has(as)) return 'partial-metadata';
  return undefined;
}

/** What the client asked for in Accept: JSON objects, a Table, or PartialObjectMetadata. */
export function negotiate(accept: string | undefined): ResponseKind {
  if (accept === undefined || accept === '') return 'object';
  // A Table or metadata entry anywhere wins: clients list the plain object only as a fallback.
  const kinds = accept.split(',').map(acceptEntryKind);
  const special = kinds.find((k) => k === 'table' || k === 'partial-metadata');
  if (special !== undefined) return special;
  if (!kinds.includes('object')) {
    throw errors.notAcceptable(
      'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    );
  }
  return 'object';
}

import { isJsonObject, type JsonObject, type KubeObject, type Status } from '../../api/index.ts';
import { toExternal } from '../rest-context.ts';
import type { AdmissionAttributes } from './types.ts';

/**
 * AdmissionReview v1 on the wire (k8s.io/api/admission/v1): the request Kiln sends and the
 * checks upstream's VerifyAdmissionResponse makes of the answer.
 */

interface Gvk {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
}

/** The kinds of subresources whose body is not the parent object. */
const SUBRESOURCE_KINDS: Readonly<Record<string, Gvk>> = {
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale' },
  binding: { group: '', version: 'v1', kind: 'Binding' },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction' },
};

const OPTIONS_KINDS: Readonly<Record<AdmissionAttributes['operation'], string | undefined>> = {
  CREATE: 'CreateOptions',
  UPDATE: 'UpdateOptions',
  DELETE: 'DeleteOptions',
  CONNECT: undefined,
};

function kindOf(a: AdmissionAttributes): Gvk {
  return (
    SUBRESOURCE_KINDS[a.subresource] ?? {
      group: a.def.group,
      version: a.def.version,
      kind: a.def.kind,
    }
  );
}

function external(a: AdmissionAttributes, obj: KubeObject | undefined): KubeObject | null {
  return obj === undefined ? null : toExternal(a.def, obj);
}

function options(a: AdmissionAttributes): JsonObject | null {
  const kind = OPTIONS_KINDS[a.operation];
  if (kind === undefined) return null;
  return {
    kind,
    apiVersion: 'meta.k8s.io/v1',
    ...(a.dryRun ? { dryRun: ['All'] } : {}),
  };
}

/** The AdmissionReview a webhook receives for `a`, with request uid `uid`. */
export function buildAdmissionReview(
  a: AdmissionAttributes,
  at: { uid: string; version: 'v1' | 'v1beta1' },
): JsonObject {
  const uid = at.uid;
  const kind = kindOf(a);
  const resource = { group: a.def.group, version: a.def.version, resource: a.def.resource };
  const isNamespace = a.def.group === '' && a.def.resource === 'namespaces';
  const extra = a.user.extra ?? {};
  const request: Record<string, unknown> = {
    uid,
    kind,
    resource,
    ...(a.subresource === ''
      ? {}
      : { subResource: a.subresource, requestSubResource: a.subresource }),
    requestKind: kind,
    requestResource: resource,
    name: a.name,
    // Requests for a namespace object carry its name as their namespace upstream.
    namespace: isNamespace ? a.name : a.namespace,
    operation: a.operation,
    userInfo: {
      username: a.user.username,
      ...(a.user.uid === undefined ? {} : { uid: a.user.uid }),
      groups: [...a.user.groups],
      ...(Object.keys(extra).length === 0 ? {} : { extra }),
    },
    object: external(a, a.object),
    oldObject: external(a, a.oldObject),
    dryRun: a.dryRun,
    options: options(a),
  };
  // SAFETY: every value above is JSON (objects come from the store or a decoded body).
  return {
    apiVersion: `admission.k8s.io/${at.version}`,
    kind: 'AdmissionReview',
    request,
  } as JsonObject;
}

/** The fields of a verified response. */
export interface AdmissionResponse {
  readonly allowed: boolean;
  /** The decoded `patch` bytes; empty when none. */
  readonly patch: string;
  readonly patchType: string;
  readonly result: Partial<Status> | undefined;
  readonly warnings: readonly string[];
  readonly auditAnnotations: Readonly<Record<string, string>>;
}

/** A response that does not decode as an AdmissionReview: upstream's decode failure. */
export class ResponseDecodeError extends Error {}
/** A decoded response that VerifyAdmissionResponse rejects. */
export class ResponseInvalidError extends Error {}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBytes(v: unknown, field: string): string {
  if (v === undefined || v === null) return '';
  if (typeof v !== 'string') {
    throw new ResponseDecodeError(
      `json: cannot unmarshal ${jsonKind(v)} into Go struct field AdmissionResponse.response.${field} of type []uint8`,
    );
  }
  if (v.length % 4 !== 0 || !BASE64.test(v)) {
    throw new ResponseDecodeError(`illegal base64 data at input byte ${firstBadByte(v)}`);
  }
  return Buffer.from(v, 'base64').toString('utf8');
}

function firstBadByte(v: string): number {
  for (let i = 0; i < v.length; i++) if (!/[A-Za-z0-9+/=]/.test(v.charAt(i))) return i;
  return v.length - (v.length % 4);
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

function checkScalar(v: unknown, t: { field: string; js: string; go: string }): void {
  if (v === undefined || v === null || typeof v === t.js) return;
  throw new ResponseDecodeError(
    `json: cannot unmarshal ${jsonKind(v)} into Go struct field AdmissionResponse.response.${t.field} of type ${t.go}`,
  );
}

function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new ResponseDecodeError(
      `json: cannot unmarshal ${jsonKind(v)} into Go struct field AdmissionResponse.response.${field} of type []string`,
    );
  }
  return v;
}

function stringMap(v: unknown, field: string): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isJsonObject(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new ResponseDecodeError(
      `json: cannot unmarshal ${jsonKind(v)} into Go struct field AdmissionResponse.response.${field} of type map[string]string`,
    );
  }
  // SAFETY: every value was checked to be a string.
  return v as Record<string, string>;
}

function resultOf(v: unknown): Partial<Status> | undefined {
  if (v === undefined || v === null) return undefined;
  if (!isJsonObject(v)) {
    throw new ResponseDecodeError(
      `json: cannot unmarshal ${jsonKind(v)} into Go struct field AdmissionResponse.response.status of type v1.Status`,
    );
  }
  const out: Partial<Status> = {};
  if (typeof v['message'] === 'string') out.message = v['message'];
  if (typeof v['reason'] === 'string') out.reason = v['reason'];
  if (typeof v['code'] === 'number' && Number.isInteger(v['code'])) out.code = v['code'];
  if (v['status'] === 'Success' || v['status'] === 'Failure') out.status = v['status'];
  if (isJsonObject(v['details'])) {
    // Passed through to the client as the webhook wrote it.
    out.details = v['details'];
  }
  return out;
}

function checkPatchFields(mutating: boolean, r: { patch: string; patchType: unknown }): void {
  const hasType = r.patchType !== undefined && r.patchType !== null;
  if (!mutating) {
    if (r.patch !== '')
      throw new ResponseInvalidError('validating webhook may not return response.patch');
    if (hasType)
      throw new ResponseInvalidError('validating webhook may not return response.patchType');
    return;
  }
  if (r.patch !== '' && !hasType) {
    throw new ResponseInvalidError('webhook returned response.patch but not response.patchType');
  }
  if (r.patch === '' && hasType) {
    throw new ResponseInvalidError('webhook returned response.patchType but not response.patch');
  }
  if (hasType && r.patchType === '') {
    throw new ResponseInvalidError('webhook returned invalid response.patchType of ""');
  }
}

function gvkString(review: JsonObject): string {
  const apiVersion = typeof review['apiVersion'] === 'string' ? review['apiVersion'] : '';
  const kind = typeof review['kind'] === 'string' ? review['kind'] : '';
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  return `${group}/${version}, Kind=${kind}`;
}

/** The `response` of a review body, or the decode error upstream's JSON decoder gives. */
function decodeReview(body: string): { review: JsonObject; response: JsonObject } {
  let review: unknown;
  try {
    review = JSON.parse(body);
  } catch (e: unknown) {
    throw new ResponseDecodeError(e instanceof Error ? e.message : String(e));
  }
  if (!isJsonObject(review)) {
    throw new ResponseDecodeError(
      `json: cannot unmarshal ${jsonKind(review)} into Go value of type v1.AdmissionReview`,
    );
  }
  const r = review['response'];
  if (r === undefined || r === null) throw new ResponseInvalidError('webhook response was absent');
  if (!isJsonObject(r)) {
    throw new ResponseDecodeError(
      `json: cannot unmarshal ${jsonKind(r)} into Go struct field AdmissionReview.response of type v1.AdmissionResponse`,
    );
  }
  return { review, response: r };
}

/**
 * Decodes and verifies an AdmissionReview response body. Throws ResponseDecodeError when
 * the body is not an AdmissionReview, ResponseInvalidError when upstream would reject it.
 */
export function verifyAdmissionResponse(
  body: string,
  expect: { uid: string; mutating: boolean; version: 'v1' | 'v1beta1' },
): AdmissionResponse {
  const { review, response: r } = decodeReview(body);
  checkScalar(r['allowed'], { field: 'allowed', js: 'boolean', go: 'bool' });
  checkScalar(r['uid'], { field: 'uid', js: 'string', go: 'types.UID' });
  checkScalar(r['patchType'], { field: 'patchType', js: 'string', go: 'v1.PatchType' });
  const patch = decodeBytes(r['patch'], 'patch');
  const warnings = stringList(r['warnings'], 'warnings');
  const auditAnnotations = stringMap(r['auditAnnotations'], 'auditAnnotations');
  const result = resultOf(r['status']);
  const allowed = r['allowed'] === true;
  if (expect.version === 'v1beta1') {
    // v1beta1 answers were never checked for uid, kind or patchType; a patch is JSONPatch.
    const p = expect.mutating ? patch : '';
    const patchType = p === '' ? '' : 'JSONPatch';
    return { allowed, patch: p, patchType, result, warnings, auditAnnotations };
  }
  const uid = typeof r['uid'] === 'string' ? r['uid'] : '';
  if (uid !== expect.uid) {
    throw new ResponseInvalidError(`expected response.uid="${expect.uid}", got "${uid}"`);
  }
  if (review['apiVersion'] !== 'admission.k8s.io/v1' || review['kind'] !== 'AdmissionReview') {
    throw new ResponseInvalidError(
      `expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvkString(review)}`,
    );
  }
  checkPatchFields(expect.mutating, { patch, patchType: r['patchType'] });
  const patchType = typeof r['patchType'] === 'string' ? r['patchType'] : '';
  return { allowed, patch, patchType, result, warnings, auditAnnotations };
}

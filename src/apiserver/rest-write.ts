import jsonpatch, { type Operation } from 'fast-json-patch';
import mergePatch from 'json-merge-patch';
import type { FieldError, JsonObject, KubeObject } from '../api/index.ts';
import { isJsonObject } from '../api/index.ts';
import { rfc3339 } from '../util/index.ts';
import type { AdmissionAttributes, AdmissionOperation } from './admission/index.ts';
import { decodeObject, decodePatch, patchType, type PatchType } from './content.ts';
import { ApiError, errors, toApiError } from './errors.ts';
import { jsonResponse, storedObjectResponse, type ApiResponse } from './http-types.ts';
import { recordManagedFields } from './managed-fields.ts';
import {
  clone,
  prepareForCreate,
  prepareForStatusUpdate,
  prepareForUpdate,
} from './object-meta.ts';
import {
  findUnknownFields,
  strictDecodingMessage,
  undecodableMessage,
  warningTexts,
} from './openapi/index.ts';
import { applyStrategicMergePatch, hasStrategicMergeSchema } from './patch/index.ts';
import { applyServerSide } from './server-side-apply.ts';
import {
  isDryRun,
  keyFor,
  qualifiedKind,
  toExternal,
  toInternal,
  type RestOp,
} from './rest-context.ts';
import {
  defaulterFor,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validatorFor,
} from './validation/index.ts';

export interface WriteResult {
  readonly object: KubeObject;
  /** The stored serialisation of `object`, when the store made one (not under dryRun). */
  readonly json?: string;
  readonly warnings: readonly string[];
  readonly created: boolean;
}

function warningHeaders(warnings: readonly string[]): Record<string, string | readonly string[]> {
  if (warnings.length === 0) return {};
  return { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) };
}

export function writeResponse(op: RestOp, result: WriteResult, okStatus = 200): ApiResponse {
  const external = toExternal(op.def, result.object);
  const status = result.created ? 201 : okStatus;
  const headers = warningHeaders(result.warnings);
  // The store already serialised the object; reuse it unless the endpoint converts it.
  if (external === result.object && result.json !== undefined) {
    return storedObjectResponse(status, { object: external, json: result.json }, headers);
  }
  return jsonResponse(status, external, headers);
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

function fieldValidation(op: RestOp): FieldValidation {
  const v = op.req.query.get('fieldValidation') ?? 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw errors.badRequest(`fieldValidation parameter unsupported: ${v}`);
}

/** Unknown-field handling per fieldValidation: Strict rejects, Warn warns, Ignore drops silently. */
function checkUnknownFields(op: RestOp, obj: JsonObject, warnings: string[]): void {
  const mode = fieldValidation(op);
  if (mode === 'Ignore') return;
  const unknown = op.def.custom
    ? op.def.custom.unknownFields(obj)
    : findUnknownFields({ group: op.def.group, version: op.def.version, kind: op.def.kind }, obj);
  if (unknown.length === 0) return;
  if (mode === 'Strict') {
    const cause = strictDecodingMessage(unknown);
    // Create and update decode the body into the kind, so upstream wraps the cause.
    throw errors.badRequest(
      op.info.verb === 'patch'
        ? cause
        : undecodableMessage({ kind: op.def.kind, version: op.def.version }, op.def.kind, cause),
    );
  }
  warnings.push(...warningTexts(unknown));
}

/** Checks apiVersion/kind of a body against the endpoint, filling them in when absent. */
function checkTypeMeta(op: RestOp, obj: JsonObject): void {
  const want = op.def.group === '' ? op.def.version : `${op.def.group}/${op.def.version}`;
  const kind = op.info.subresource === 'scale' ? 'Scale' : op.def.kind;
  const apiVersion = JSON.stringify(obj['apiVersion'] ?? null);
  const dataKind = JSON.stringify(obj['kind'] ?? null);
  if (
    obj['apiVersion'] !== undefined &&
    obj['apiVersion'] !== want &&
    op.info.subresource !== 'scale'
  ) {
    throw errors.badRequest(
      `the API version in the data (${apiVersion.replace(/^"|"$/g, '')}) does not match the expected API version (${want})`,
    );
  }
  if (obj['kind'] !== undefined && obj['kind'] !== kind && op.info.subresource === '') {
    const k = dataKind.replace(/^"|"$/g, '');
    throw errors.badRequest(
      `${op.def.kind} in version "${op.def.version}" cannot be handled as a ${k}: the kind in the data (${k}) does not match the expected kind (${kind})`,
    );
  }
}

function asKubeObject(obj: JsonObject): KubeObject {
  const meta = obj['metadata'];
  if (meta !== undefined && !isJsonObject(meta)) {
    throw errors.badRequest(
      'the body of the request could not be decoded: metadata must be an object',
    );
  }
  // SAFETY: metadata is an object (checked); its fields are validated before storage.
  return { ...obj, metadata: meta ?? {} };
}

function validate(op: RestOp, obj: KubeObject, old: KubeObject | undefined): void {
  const typed = validatorFor(op.def, op.info.subresource);
  // Type validators include the ObjectMeta rules, as upstream strategies do.
  const errs: FieldError[] = typed
    ? typed(obj, old)
    : [
        ...validateObjectMeta(obj.metadata, {
          namespaced: op.def.namespaced,
          nameRule: op.def.nameRule,
        }),
        ...(old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : []),
      ];
  if (errs.length > 0) throw errors.invalid(qualifiedKind(op.def), obj.metadata.name ?? '', errs);
}

function applyDefaults(op: RestOp, obj: KubeObject): void {
  defaulterFor(op.def)?.(obj);
}

async function admit(
  op: RestOp,
  a: { operation: AdmissionOperation; object: KubeObject; old?: KubeObject },
): Promise<AdmissionAttributes> {
  const attrs: AdmissionAttributes = {
    operation: a.operation,
    def: op.def,
    subresource: op.info.subresource,
    namespace: op.def.namespaced ? op.info.namespace : '',
    name: a.object.metadata.name ?? op.info.name,
    object: a.object,
    oldObject: a.old,
    user: op.req.user,
    dryRun: isDryRun(op.req),
    warnings: [],
  };
  await op.deps.admission.admit(attrs);
  return attrs;
}

function fieldManager(op: RestOp, fallback: string): string {
  const m = op.req.query.get('fieldManager');
  if (m !== null && m.length > 128) {
    throw errors.badRequest(`fieldManager: Too long: may not be more than 128 bytes`);
  }
  return m ?? fallback;
}

function userAgentManager(op: RestOp): string {
  const ua = op.req.headers['user-agent'] ?? 'unknown';
  return ua.split('/')[0] ?? 'unknown';
}

/** Create: decode, default, admit, validate, store (or not, under dryRun). */
export async function create(op: RestOp, input?: KubeObject): Promise<WriteResult> {
  const warnings: string[] = [];
  let obj: KubeObject;
  if (input) obj = input;
  else {
    const raw = decodeObject(op.req);
    checkTypeMeta(op, raw);
    checkUnknownFields(op, raw, warnings);
    obj = asKubeObject(raw);
  }
  obj = toInternal(op.def, {
    ...obj,
    apiVersion: op.def.group === '' ? op.def.version : `${op.def.group}/${op.def.version}`,
    kind: op.def.kind,
  });
  const ns = obj.metadata.namespace;
  if (op.def.namespaced) {
    if (ns !== undefined && ns !== '' && ns !== op.info.namespace) {
      throw errors.badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    obj.metadata.namespace = op.info.namespace;
  }
  applyDefaults(op, obj);
  prepareForCreate(op.def, obj, { now: op.deps.clock.now(), ids: op.deps.ids });
  const attrs = await admit(op, { operation: 'CREATE', object: obj });
  obj = attrs.object ?? obj;
  validate(op, obj, undefined);
  await op.deps.admission.validate(attrs);
  warnings.push(...attrs.warnings);
  recordManagedFields(obj, undefined, {
    manager: fieldManager(op, userAgentManager(op)),
    operation: 'Update',
    time: rfc3339(op.deps.clock.now()),
    subresource: '',
  });
  const name = obj.metadata.name ?? '';
  if (isDryRun(op.req)) return { object: obj, warnings, created: true };
  try {
    const stored = await op.deps.store.create(keyFor(op, name), obj);
    return { object: stored.object, json: stored.json, warnings, created: true };
  } catch (e: unknown) {
    throw toApiError(e, qualifiedKind(op.def), name);
  }
}

/** The current object, or a 404 in upstream's words. */
export function current(op: RestOp): { object: KubeObject; revision: number } {
  const stored = op.deps.store.get(keyFor(op));
  if (!stored) throw errors.notFound(qualifiedKind(op.def), op.info.name);
  return { object: stored.object, revision: stored.modRevision };
}

interface UpdateInput {
  readonly next: KubeObject;
  readonly old: KubeObject;
  readonly oldRevision: number;
  readonly manager: string;
  readonly operation: 'Apply' | 'Update';
  readonly warnings: string[];
}

function finalizersDone(obj: KubeObject): boolean {
  const spec = obj['spec'];
  const specFinalizers =
    isJsonObject(spec) && Array.isArray(spec['finalizers']) ? spec['finalizers'] : [];
  return (
    obj.metadata.deletionTimestamp !== undefined &&
    (obj.metadata.finalizers ?? []).length === 0 &&
    (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0 &&
    specFinalizers.length === 0
  );
}

/** Identity checks of an update: the URL names the object, and a given RV must be current. */
function checkIdentity(op: RestOp, next: KubeObject, oldRevision: number): void {
  if (next.metadata.name !== undefined && next.metadata.name !== op.info.name) {
    throw errors.badRequest(
      `the name of the object (${next.metadata.name}) does not match the name on the URL (${op.info.name})`,
    );
  }
  next.metadata.name = op.info.name;
  const rv = next.metadata.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== String(oldRevision)) {
    throw errors.modified(qualifiedKind(op.def), op.info.name);
  }
}

/** The object an update stores, before admission: server fields carried over per strategy. */
function prepareNext(op: RestOp, u: UpdateInput): KubeObject {
  let next = toInternal(op.def, u.next);
  if (u.old.apiVersion !== undefined) next.apiVersion = u.old.apiVersion;
  if (u.old.kind !== undefined) next.kind = u.old.kind;
  checkIdentity(op, next, u.oldRevision);
  const sub = op.info.subresource;
  if (sub === 'status') next = prepareForStatusUpdate(next, u.old);
  else {
    applyDefaults(op, next);
    prepareForUpdate(op.def, next, u.old);
  }
  op.def.prepareForUpdate?.(next, u.old, sub);
  checkFinalizersDuringDeletion(op, next, u.old);
  return next;
}

/** The shared tail of PUT and PATCH: merge server fields, admit, validate, compare-and-swap. */
async function commitUpdate(op: RestOp, u: UpdateInput): Promise<WriteResult> {
  let next = prepareNext(op, u);
  const sub = op.info.subresource;
  const attrs = await admit(op, { operation: 'UPDATE', object: next, old: u.old });
  next = attrs.object ?? next;
  validate(op, next, u.old);
  await op.deps.admission.validate(attrs);
  u.warnings.push(...attrs.warnings);
  recordManagedFields(next, u.old, {
    manager: u.manager,
    operation: u.operation,
    time: rfc3339(op.deps.clock.now()),
    subresource: sub,
  });
  if (isDryRun(op.req)) return { object: next, warnings: u.warnings, created: false };
  const key = keyFor(op);
  try {
    if (finalizersDone(next)) {
      const gone = await op.deps.store.delete(key, { expectedRevision: u.oldRevision });
      return { object: gone.object, warnings: u.warnings, created: false };
    }
    const stored = await op.deps.store.update(key, next, { expectedRevision: u.oldRevision });
    return { object: stored.object, json: stored.json, warnings: u.warnings, created: false };
  } catch (e: unknown) {
    throw toApiError(e, qualifiedKind(op.def), op.info.name);
  }
}

function checkFinalizersDuringDeletion(op: RestOp, next: KubeObject, old: KubeObject): void {
  if (old.metadata.deletionTimestamp === undefined) return;
  const before = new Set(old.metadata.finalizers ?? []);
  const added = (next.metadata.finalizers ?? []).filter((f) => !before.has(f));
  if (added.length > 0) {
    throw errors.forbidden(
      qualifiedKind(op.def),
      op.info.name,
      `no new finalizers can be added if the object is being deleted, found new finalizers ${JSON.stringify(added)}`,
    );
  }
}

/** PUT. Creates when the resource allows create-on-update. */
export async function update(op: RestOp): Promise<WriteResult> {
  const warnings: string[] = [];
  const raw = decodeObject(op.req);
  checkTypeMeta(op, raw);
  checkUnknownFields(op, raw, warnings);
  const next = asKubeObject(raw);
  const stored = op.deps.store.get(keyFor(op));
  if (!stored) {
    if (op.def.allowCreateOnUpdate && op.info.subresource === '') return create(op, next);
    throw errors.notFound(qualifiedKind(op.def), op.info.name);
  }
  return commitUpdate(op, {
    next,
    old: stored.object,
    oldRevision: stored.modRevision,
    manager: fieldManager(op, userAgentManager(op)),
    operation: 'Update',
    warnings,
  });
}

/** Top-level members a status write keeps from what it patches: the rest come from the store. */
const STATUS_WRITE_MEMBERS = new Set(['apiVersion', 'kind', 'metadata', 'status']);

/**
 * The copy of the stored object a merge patch is applied to. A merge patch changes only the
 * members it names, so a status patch that names only status (and metadata) copies just those
 * and shares the rest, frozen, with the store: the status strategy takes them from the stored
 * object anyway. Any other patch gets a whole copy.
 */
function mergeBase(op: RestOp, base: KubeObject, patch: unknown): KubeObject {
  const statusOnly =
    op.info.subresource === 'status' &&
    isJsonObject(patch) &&
    Object.keys(patch).every((k) => STATUS_WRITE_MEMBERS.has(k));
  if (!statusOnly) return clone(base);
  return { ...base, metadata: clone(base.metadata), status: clone(base['status']) };
}

function applyPatchOfType(
  op: RestOp,
  p: { type: PatchType; base: KubeObject; patch: unknown },
): JsonObject {
  const { type, base, patch } = p;
  const gvk = { group: op.def.group, version: op.def.version, kind: op.def.kind };
  switch (type) {
    case 'json': {
      let res: unknown;
      try {
        // SAFETY: decodePatch checked it is an array; fast-json-patch validates each operation.
        res = jsonpatch.applyPatch(clone(base), patch as Operation[], true, true).newDocument;
      } catch (e: unknown) {
        const why = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
        throw errors.badRequest(
          `the server rejected our request due to an error in our request: ${why}`,
        );
      }
      if (!isJsonObject(res)) throw errors.badRequest('the JSON patch result is not an object');
      return res;
    }
    case 'merge': {
      const res: unknown = mergePatch.apply(mergeBase(op, base, patch), patch);
      if (!isJsonObject(res)) throw errors.badRequest('the merge patch result is not an object');
      return res;
    }
    case 'strategic': {
      if (!hasStrategicMergeSchema(gvk)) {
        throw errors.unsupportedMediaType('application/strategic-merge-patch+json');
      }
      // SAFETY: decodePatch checked the patch is an object.
      return applyStrategicMergePatch(base as unknown as JsonObject, patch as JsonObject, gvk);
    }
    case 'apply':
      throw errors.internal('server-side apply is handled separately');
  }
}

/** PATCH, including server-side apply. Retries internally on a concurrent change, as upstream. */
export async function patch(op: RestOp): Promise<WriteResult> {
  const type = patchType(op.req.headers['content-type']);
  const body = decodePatch(op.req, type);
  for (let attempt = 0; ; attempt++) {
    try {
      return await patchOnce(op, type, body);
    } catch (e: unknown) {
      const conflict =
        e instanceof ApiError &&
        e.status.reason === 'Conflict' &&
        e.status.details?.causes === undefined;
      const precondition =
        isJsonObject(body) &&
        isJsonObject(body['metadata']) &&
        body['metadata']['resourceVersion'] !== undefined;
      if (!conflict || precondition || attempt >= 5) throw e;
    }
  }
}

async function patchOnce(op: RestOp, type: PatchType, body: unknown): Promise<WriteResult> {
  const warnings: string[] = [];
  const stored = op.deps.store.get(keyFor(op));
  if (type === 'apply') {
    if (!isJsonObject(body)) throw errors.badRequest('apply patch must be an object');
    checkTypeMeta(op, body);
    checkUnknownFields(op, body, warnings);
    const manager = op.req.query.get('fieldManager');
    if (manager === null || manager === '') {
      throw errors.badRequest(
        'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
      );
    }
    const force = op.req.query.get('force') === 'true';
    if (!stored) {
      if (op.info.subresource !== '') throw errors.notFound(qualifiedKind(op.def), op.info.name);
      const obj = asKubeObject(clone(body));
      obj.metadata.name ??= op.info.name;
      const created = await create(op, obj);
      return created;
    }
    const merged = applyServerSide({
      live: toExternal(op.def, stored.object),
      applied: body,
      manager,
      force,
      gvk: { group: op.def.group, version: op.def.version, kind: op.def.kind },
      subresource: op.info.subresource,
      time: rfc3339(op.deps.clock.now()),
    });
    return commitUpdate(op, {
      next: merged,
      old: stored.object,
      oldRevision: stored.modRevision,
      manager,
      operation: 'Apply',
      warnings,
    });
  }
  if (!stored) throw errors.notFound(qualifiedKind(op.def), op.info.name);
  const base = toExternal(op.def, stored.object);
  const patched = applyPatchOfType(op, { type, base, patch: body });
  checkUnknownFields(op, patched, warnings);
  return commitUpdate(op, {
    next: asKubeObject(patched),
    old: stored.object,
    oldRevision: stored.modRevision,
    manager: fieldManager(op, userAgentManager(op)),
    operation: 'Update',
    warnings,
  });
}

import { isJsonObject, type JsonObject, type KubeObject } from '../api/index.ts';
import { rfc3339 } from '../util/index.ts';
import type { AdmissionAttributes } from './admission/index.ts';
import { decodeObject, hasBody } from './content.ts';
import { errors, statusSuccess, toApiError } from './errors.ts';
import { jsonResponse, type ApiResponse } from './http-types.ts';
import { clone } from './object-meta.ts';
import { matches, parseFilter } from './rest-read.ts';
import {
  isDryRun,
  keyFor,
  prefixFor,
  qualifiedKind,
  toExternal,
  type RestOp,
} from './rest-context.ts';

export type PropagationPolicy = 'Orphan' | 'Background' | 'Foreground';

export interface DeleteOptions {
  readonly gracePeriodSeconds?: number;
  readonly propagationPolicy?: PropagationPolicy;
  readonly preconditions?: { uid?: string; resourceVersion?: string };
}

const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) ? v : undefined;

const POLICIES: ReadonlySet<string> = new Set<PropagationPolicy>([
  'Orphan',
  'Background',
  'Foreground',
]);

const isPolicy = (v: unknown): v is PropagationPolicy => typeof v === 'string' && POLICIES.has(v);

/** The query wins over the body; a body number must already be an integer. */
function parseGracePeriod(q: URLSearchParams, body: JsonObject): number | undefined {
  const grace = q.get('gracePeriodSeconds') ?? undefined;
  const seconds = grace === undefined ? num(body['gracePeriodSeconds']) : Number(grace);
  if (seconds !== undefined && !Number.isInteger(seconds)) {
    throw errors.badRequest(`gracePeriodSeconds: Invalid value: ${String(grace)}`);
  }
  return seconds;
}

/** The deprecated orphanDependents flag, used only when no propagationPolicy is given. */
function policyFromOrphan(orphan: unknown): PropagationPolicy | undefined {
  if (orphan === true || orphan === 'true') return 'Orphan';
  if (orphan === false || orphan === 'false') return 'Background';
  return undefined;
}

function parsePropagationPolicy(
  q: URLSearchParams,
  body: JsonObject,
): PropagationPolicy | undefined {
  const policy =
    q.get('propagationPolicy') ??
    body['propagationPolicy'] ??
    policyFromOrphan(q.get('orphanDependents') ?? body['orphanDependents']);
  if (policy === undefined || isPolicy(policy)) return policy;
  const shown = typeof policy === 'string' ? policy : JSON.stringify(policy);
  throw errors.invalid(
    { group: 'meta.k8s.io', resource: 'deleteoptions', kind: 'DeleteOptions' },
    '',
    [
      {
        type: 'FieldValueNotSupported',
        field: 'propagationPolicy',
        message: `propagationPolicy: Unsupported value: "${shown}": supported values: "Foreground", "Background", "Orphan", "nil"`,
      },
    ],
  );
}

function parsePreconditions(pre: unknown): Pick<DeleteOptions, 'preconditions'> {
  if (!isJsonObject(pre)) return {};
  const { uid, resourceVersion } = pre;
  return {
    preconditions: {
      ...(typeof uid === 'string' ? { uid } : {}),
      ...(typeof resourceVersion === 'string' ? { resourceVersion } : {}),
    },
  };
}

/** DeleteOptions from the body (JSON or protobuf) and the query, as upstream merges them. */
export function parseDeleteOptions(op: RestOp): DeleteOptions {
  const body: JsonObject = hasBody(op.req) ? decodeObject(op.req) : {};
  const q = op.req.query;
  const gracePeriodSeconds = parseGracePeriod(q, body);
  const propagationPolicy = parsePropagationPolicy(q, body);
  return {
    ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
    ...(propagationPolicy === undefined ? {} : { propagationPolicy }),
    ...parsePreconditions(body['preconditions']),
  };
}

function checkPreconditions(
  op: RestOp,
  obj: KubeObject,
  pre: DeleteOptions['preconditions'],
): void {
  if (!pre) return;
  const q = qualifiedKind(op.def);
  if (pre.uid !== undefined && pre.uid !== obj.metadata.uid) {
    throw errors.conflict(
      q,
      op.info.name,
      `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${obj.metadata.uid ?? ''}`,
    );
  }
  if (pre.resourceVersion !== undefined && pre.resourceVersion !== obj.metadata.resourceVersion) {
    throw errors.conflict(
      q,
      op.info.name,
      `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${obj.metadata.resourceVersion ?? ''}`,
    );
  }
}

/** The grace period a delete gets: pods honour theirs, everything else goes at once. */
function gracePeriod(op: RestOp, obj: KubeObject, opts: DeleteOptions): number {
  if (op.def.group !== '' || op.def.resource !== 'pods') return 0;
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : {};
  const status = isJsonObject(obj['status']) ? obj['status'] : {};
  // Unscheduled and terminated pods have no kubelet to wait for, so they go at once.
  if (typeof spec['nodeName'] !== 'string' || spec['nodeName'] === '') return 0;
  if (status['phase'] === 'Succeeded' || status['phase'] === 'Failed') return 0;
  const fromSpec = num(spec['terminationGracePeriodSeconds']) ?? 30;
  const g = opts.gracePeriodSeconds ?? fromSpec;
  // Upstream turns a requested 0 into 1 unless forced; kubectl's --force sends 0 with --grace-period=0.
  return Math.max(0, g);
}

const RETURNS_OBJECT = new Set(['pods', 'services', 'namespaces']);

function deletedResponse(op: RestOp, obj: KubeObject, status = 200): ApiResponse {
  if (op.def.group === '' && RETURNS_OBJECT.has(op.def.resource))
    return jsonResponse(status, toExternal(op.def, obj));
  return jsonResponse(
    status,
    statusSuccess({
      name: obj.metadata.name ?? '',
      group: op.def.group,
      kind: op.def.resource,
      ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
    }),
  );
}

function finalizerFor(policy: PropagationPolicy | undefined): string | undefined {
  if (policy === 'Foreground') return 'foregroundDeletion';
  if (policy === 'Orphan') return 'orphan';
  return undefined;
}

/** Marks an object as being deleted: namespaces start terminating, pods get their grace period. */
function markDeleting(
  op: RestOp,
  obj: KubeObject,
  a: { grace: number; finalizer: string | undefined },
): KubeObject {
  const next = clone(obj);
  const now = op.deps.clock.now();
  if (next.metadata.deletionTimestamp === undefined) {
    next.metadata.deletionTimestamp = rfc3339(now + a.grace * 1000);
    next.metadata.deletionGracePeriodSeconds = a.grace;
  } else if (a.grace < (next.metadata.deletionGracePeriodSeconds ?? 0)) {
    // A shorter grace period shortens a pending graceful deletion, never lengthens it.
    next.metadata.deletionTimestamp = rfc3339(now + a.grace * 1000);
    next.metadata.deletionGracePeriodSeconds = a.grace;
  }
  if (a.finalizer !== undefined && !(next.metadata.finalizers ?? []).includes(a.finalizer)) {
    next.metadata.finalizers = [...(next.metadata.finalizers ?? []), a.finalizer];
  }
  if (op.def.group === '' && op.def.resource === 'namespaces') {
    next['status'] = {
      ...(isJsonObject(next['status']) ? next['status'] : {}),
      phase: 'Terminating',
    };
  }
  return next;
}

function hasSpecFinalizers(obj: KubeObject): boolean {
  const spec = obj['spec'];
  return isJsonObject(spec) && Array.isArray(spec['finalizers']) && spec['finalizers'].length > 0;
}

export async function deleteOne(op: RestOp, opts: DeleteOptions): Promise<ApiResponse> {
  const key = keyFor(op);
  const stored = op.deps.store.get(key);
  if (!stored) throw errors.notFound(qualifiedKind(op.def), op.info.name);
  const obj = stored.object;
  checkPreconditions(op, obj, opts.preconditions);
  const attrs: AdmissionAttributes = {
    operation: 'DELETE',
    def: op.def,
    subresource: '',
    namespace: op.def.namespaced ? op.info.namespace : '',
    name: op.info.name,
    object: undefined,
    oldObject: obj,
    user: op.req.user,
    dryRun: isDryRun(op.req),
    warnings: [],
  };
  // Mutating webhooks see DELETE too (they may only allow or deny it: there is no object).
  await op.deps.admission.admit(attrs);
  await op.deps.admission.validate(attrs);
  const grace = gracePeriod(op, obj, opts);
  const finalizer = finalizerFor(opts.propagationPolicy);
  const pending =
    grace > 0 ||
    finalizer !== undefined ||
    (obj.metadata.finalizers ?? []).length > 0 ||
    hasSpecFinalizers(obj);
  try {
    if (!pending) {
      if (isDryRun(op.req)) return deletedResponse(op, obj);
      const gone = await op.deps.store.delete(key, { expectedRevision: stored.modRevision });
      return deletedResponse(op, gone.object);
    }
    const next = markDeleting(op, obj, { grace, finalizer });
    if (isDryRun(op.req)) return jsonResponse(200, toExternal(op.def, next));
    const updated = await op.deps.store.update(key, next, { expectedRevision: stored.modRevision });
    return jsonResponse(200, toExternal(op.def, updated.object));
  } catch (e: unknown) {
    throw toApiError(e, qualifiedKind(op.def), op.info.name);
  }
}

export async function deleteCollection(op: RestOp, opts: DeleteOptions): Promise<ApiResponse> {
  const filter = parseFilter(op);
  const { items } = op.deps.store.list(prefixFor(op));
  const deleted: KubeObject[] = [];
  for (const s of items) {
    const obj = toExternal(op.def, s.object);
    if (!matches(op.def, filter, obj)) continue;
    const name = obj.metadata.name ?? '';
    const one: RestOp = {
      ...op,
      info: {
        ...op.info,
        verb: 'delete',
        name,
        namespace: obj.metadata.namespace ?? op.info.namespace,
      },
    };
    try {
      await deleteOne(one, opts);
      deleted.push(obj);
    } catch (e: unknown) {
      const err = toApiError(e);
      if (err.status.code !== 404) throw err;
    }
  }
  const apiVersion = op.def.group === '' ? op.def.version : `${op.def.group}/${op.def.version}`;
  return jsonResponse(200, {
    kind: op.def.listKind,
    apiVersion,
    metadata: { resourceVersion: String(op.deps.store.revision()) },
    items: deleted,
  });
}

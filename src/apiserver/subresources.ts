import mergePatch from 'json-merge-patch';
import jsonpatch, { type Operation } from 'fast-json-patch';
import {
  isJsonObject,
  type JsonObject,
  type JsonValue,
  type KubeObject,
  type StatusCause,
} from '../api/index.ts';
import { rfc3339 } from '../util/index.ts';
import { decodeObject, decodePatch, hasBody, patchType } from './content.ts';
import { errors, statusSuccess, toApiError } from './errors.ts';
import { jsonResponse, type ApiResponse } from './http-types.ts';
import { clone } from './object-meta.ts';
import { formatLabelSelector, fromLabelSelectorObject, matchesLabels } from './selectors.ts';
import { keyFor, qualifiedKind, type RestOp } from './rest-context.ts';
import { deleteOne } from './rest-delete.ts';
import type { ScaleSpec } from './resources/types.ts';

function at(obj: unknown, path: readonly string[]): unknown {
  let v = obj;
  for (const p of path) v = isJsonObject(v) ? v[p] : undefined;
  return v;
}

function scaleOf(obj: KubeObject, spec: ScaleSpec): JsonObject {
  const sel = fromLabelSelectorObject(at(obj, spec.labelSelectorPath));
  const replicas = at(obj, spec.specReplicasPath);
  const statusReplicas = at(obj, spec.statusReplicasPath);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status: {
      replicas: typeof statusReplicas === 'number' ? statusReplicas : 0,
      ...(sel && sel.length > 0 ? { selector: formatLabelSelector(sel) } : {}),
    },
  };
}

function scaleSpec(op: RestOp): ScaleSpec {
  if (!op.def.scale) throw errors.notFoundPath();
  return op.def.scale;
}

/** The Scale a PUT or PATCH asks for, decoded and (for PATCH) applied to `current`. */
function desiredScale(op: RestOp, current: JsonObject): unknown {
  if (op.info.verb === 'update') return decodeObject(op.req);
  if (op.info.verb !== 'patch') throw errors.methodNotAllowed();
  const type = patchType(op.req.headers['content-type']);
  const body = decodePatch(op.req, type);
  // SAFETY: decodePatch checked the shape per patch type; Scale has no merge keys, so a
  // strategic patch is a merge patch here.
  return type === 'json'
    ? jsonpatch.applyPatch(clone(current), body as Operation[], true, true).newDocument
    : mergePatch.apply(clone(current), body);
}

function desiredReplicas(op: RestOp, desired: unknown): number {
  const replicas = at(desired, ['spec', 'replicas']);
  if (typeof replicas === 'number' && Number.isInteger(replicas) && replicas >= 0) return replicas;
  throw errors.invalid({ group: 'autoscaling', resource: 'scale', kind: 'Scale' }, op.info.name, [
    {
      type: 'FieldValueInvalid',
      field: 'spec.replicas',
      message: `spec.replicas: Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
    },
  ]);
}

/** Writes `value` at `path`, creating objects on the way (e.g. a missing `spec`). */
function setAt(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = obj;
  for (const p of path.slice(0, -1)) {
    const child = node[p];
    if (!isJsonObject(child)) node[p] = {};
    // SAFETY: ensured to be an object on the line above.
    node = node[p] as Record<string, unknown>;
  }
  node[path[path.length - 1] ?? 'replicas'] = value;
}

/** GET, PUT and PATCH of the scale subresource (autoscaling/v1 Scale). */
export async function scale(op: RestOp): Promise<ApiResponse> {
  const spec = scaleSpec(op);
  const stored = op.deps.store.get(keyFor(op));
  if (!stored) throw errors.notFound(qualifiedKind(op.def), op.info.name);
  const current = scaleOf(stored.object, spec);
  if (op.info.verb === 'get') return jsonResponse(200, current);
  const desired = desiredScale(op, current);
  const replicas = desiredReplicas(op, desired);
  // A Scale carrying a resourceVersion is a precondition on the object it scales.
  const rv = at(desired, ['metadata', 'resourceVersion']);
  if (typeof rv === 'string' && rv !== '' && rv !== String(stored.modRevision))
    throw errors.modified(qualifiedKind(op.def), op.info.name);
  const next = clone(stored.object);
  setAt(next, spec.specReplicasPath, replicas);
  if (op.def.tracksGeneration && replicas !== at(stored.object, spec.specReplicasPath))
    next.metadata.generation = (next.metadata.generation ?? 1) + 1;
  try {
    const updated = await op.deps.store.update(keyFor(op), next, {
      expectedRevision: stored.modRevision,
    });
    return jsonResponse(200, scaleOf(updated.object, spec));
  } catch (e: unknown) {
    throw toApiError(e, qualifiedKind(op.def), op.info.name);
  }
}

/** What a Binding asks of the pod besides its node: preconditions and annotations. */
interface BindingRequest {
  readonly nodeName: string;
  readonly uid: string;
  readonly resourceVersion: string;
  readonly annotations: Readonly<Record<string, string>>;
}

function bindingRequest(body: JsonObject, podName: string): BindingRequest {
  const target = body['target'];
  const nodeName = isJsonObject(target) ? target['name'] : undefined;
  if (typeof nodeName !== 'string' || nodeName === '') {
    throw errors.invalid({ group: '', resource: 'bindings', kind: 'Binding' }, podName, [
      { type: 'FieldValueRequired', field: 'target.name', message: 'target.name: Required value' },
    ]);
  }
  const meta = isJsonObject(body['metadata']) ? body['metadata'] : {};
  const str = (v: JsonValue | undefined): string => (typeof v === 'string' ? v : '');
  const annotations: Record<string, string> = {};
  const given = meta['annotations'];
  if (isJsonObject(given)) for (const [k, v] of Object.entries(given)) annotations[k] = str(v);
  return {
    nodeName,
    uid: str(meta['uid']),
    resourceVersion: str(meta['resourceVersion']),
    annotations,
  };
}

/** The checks of upstream's setPodHostAndAnnotations, each a 409 in its words. */
function checkAssignable(
  stored: { object: KubeObject; modRevision: number },
  b: BindingRequest,
  podName: string,
): void {
  const pod = stored.object;
  const conflict = (message: string): Error =>
    errors.conflict({ group: '', resource: 'pods' }, podName, message);
  const uid = pod.metadata.uid ?? '';
  if (b.uid !== '' && b.uid !== uid) {
    throw conflict(
      `Precondition failed: UID in precondition: ${b.uid}, UID in object meta: ${uid}`,
    );
  }
  const rv = String(stored.modRevision);
  if (b.resourceVersion !== '' && b.resourceVersion !== rv) {
    throw conflict(
      `Precondition failed: ResourceVersion in precondition: ${b.resourceVersion}, ResourceVersion in object meta: ${rv}`,
    );
  }
  if (pod.metadata.deletionTimestamp !== undefined) {
    throw conflict('pod is being deleted, cannot be assigned to a host');
  }
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
  if (typeof spec['nodeName'] === 'string' && spec['nodeName'] !== '') {
    throw conflict(`pod ${podName} is already assigned to node "${spec['nodeName']}"`);
  }
  const gates = spec['schedulingGates'];
  if (Array.isArray(gates) && gates.length > 0) {
    throw conflict(`pod ${podName} has non-empty .spec.schedulingGates`);
  }
}

/**
 * pods/binding and the bindings resource: assigns a pod to a node, once, and sets the
 * Binding's annotations on the pod, as upstream's BindingREST does.
 */
export async function bind(op: RestOp, podName: string): Promise<ApiResponse> {
  const b = bindingRequest(decodeObject(op.req), podName);
  const podsOp: RestOp = {
    ...op,
    def: op.deps.registry.require('', 'v1', 'pods'),
    info: { ...op.info, name: podName, subresource: 'binding' },
  };
  const key = keyFor(podsOp);
  const stored = op.deps.store.get(key);
  if (!stored) throw errors.notFound({ group: '', resource: 'pods' }, podName);
  checkAssignable(stored, b, podName);
  // Only top-level members are replaced below, and stored objects are never changed in place:
  // shallow copies are enough.
  const pod: KubeObject = { ...stored.object };
  if (Object.keys(b.annotations).length > 0) {
    pod.metadata = {
      ...pod.metadata,
      annotations: { ...pod.metadata.annotations, ...b.annotations },
    };
  }
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
  pod['spec'] = { ...spec, nodeName: b.nodeName };
  const status = isJsonObject(pod['status']) ? pod['status'] : {};
  const conditions = Array.isArray(status['conditions'])
    ? status['conditions'].filter((c) => !(isJsonObject(c) && c['type'] === 'PodScheduled'))
    : [];
  conditions.push({
    type: 'PodScheduled',
    status: 'True',
    lastProbeTime: null,
    lastTransitionTime: rfc3339(op.deps.clock.now()),
  });
  pod['status'] = { ...status, conditions };
  try {
    await op.deps.store.update(key, pod, { expectedRevision: stored.modRevision });
  } catch (e: unknown) {
    throw toApiError(e, { group: '', resource: 'pods' }, podName);
  }
  return jsonResponse(201, statusSuccess());
}

const BUDGET_VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

const num = (v: JsonValue | undefined): number => (typeof v === 'number' ? v : 0);

/**
 * EvictionREST.checkAndDecrement: a budget the disruption controller has not yet observed asks
 * the client to come back in 10 s; one with no disruption left refuses (429, no Retry-After);
 * otherwise one disruption is taken and the pod recorded in `disruptedPods`.
 */
function checkAndDecrement(op: RestOp, pdb: KubeObject, podName: string): KubeObject {
  const name = pdb.metadata.name ?? '';
  const status = isJsonObject(pdb['status']) ? pdb['status'] : {};
  const cause = (message: string): { causes: StatusCause[] } => ({
    causes: [{ reason: 'DisruptionBudget', message }],
  });
  if (num(status['observedGeneration']) < (pdb.metadata.generation ?? 0)) {
    throw errors.tooManyRequests(BUDGET_VIOLATION, {
      retryAfterSeconds: 10,
      ...cause(`The disruption budget ${name} is still being processed by the server.`),
    });
  }
  const allowed = num(status['disruptionsAllowed']);
  if (allowed < 0) {
    throw errors.forbidden(
      { group: 'policy', resource: 'poddisruptionbudget' },
      name,
      'pdb disruptions allowed is negative',
    );
  }
  if (allowed === 0) {
    throw errors.tooManyRequests(
      BUDGET_VIOLATION,
      cause(
        `The disruption budget ${name} needs ${String(num(status['desiredHealthy']))} healthy pods and has ${String(num(status['currentHealthy']))} currently`,
      ),
    );
  }
  const disrupted = isJsonObject(status['disruptedPods']) ? status['disruptedPods'] : {};
  const next = clone(pdb);
  next['status'] = {
    ...status,
    disruptionsAllowed: allowed - 1,
    disruptedPods: { ...disrupted, [podName]: rfc3339(op.deps.clock.now()) },
  };
  return next;
}

/**
 * Takes one disruption from the PodDisruptionBudget selecting the pod (more than one is an
 * error upstream too), or fails with 429 when it has none left.
 */
async function consumeDisruptions(op: RestOp, pod: KubeObject): Promise<void> {
  const budgets = op.deps.store
    .list(`/poddisruptionbudgets.policy/${op.info.namespace}/`)
    .items.filter((pdb) => {
      const sel = fromLabelSelectorObject(at(pdb.object, ['spec', 'selector']));
      return sel !== undefined && sel.length > 0 && matchesLabels(sel, pod.metadata.labels);
    });
  if (budgets.length > 1) {
    throw errors.internal(
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
  }
  const [pdb] = budgets;
  if (!pdb) return;
  const next = checkAndDecrement(op, pdb.object, pod.metadata.name ?? '');
  await op.deps.store.update(pdb.key, next, { expectedRevision: pdb.modRevision });
}

/** pods/eviction: deletes a pod unless a PodDisruptionBudget forbids it (429). */
export async function evict(op: RestOp): Promise<ApiResponse> {
  const body = hasBody(op.req) ? decodeObject(op.req) : {};
  const stored = op.deps.store.get(keyFor(op));
  if (!stored) throw errors.notFound({ group: '', resource: 'pods' }, op.info.name);
  const pod = stored.object;
  const phase = isJsonObject(pod['status']) ? pod['status']['phase'] : undefined;
  // Budgets protect running pods: a finished or already-deleting pod goes without one.
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  if (!terminal && pod.metadata.deletionTimestamp === undefined) await consumeDisruptions(op, pod);
  const delOpts = isJsonObject(body['deleteOptions']) ? body['deleteOptions'] : {};
  const grace = delOpts['gracePeriodSeconds'];
  await deleteOne(
    {
      ...op,
      def: op.deps.registry.require('', 'v1', 'pods'),
      info: { ...op.info, subresource: '' },
    },
    typeof grace === 'number' ? { gracePeriodSeconds: grace } : {},
  );
  return jsonResponse(201, statusSuccess());
}

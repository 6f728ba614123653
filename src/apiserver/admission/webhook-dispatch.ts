import jsonpatch, { type Operation } from 'fast-json-patch';
import { isJsonObject, type KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { ApiError, errors } from '../errors.ts';
import { groupResource } from '../resources/types.ts';
import { toExternal, toInternal } from '../rest-context.ts';
import { semanticEqual } from '../validation/equality.ts';
import { defaulters } from '../validation/index.ts';
import type { AdmissionAttributes } from './types.ts';
import { CallingWebhookError, callWebhook, toStatusError, type CallDeps } from './webhook-call.ts';
import type { Webhook } from './webhook-config.ts';
import { shouldCallHook } from './webhook-match.ts';
import type { AdmissionResponse } from './webhook-review.ts';
import { cloneJson } from '../../util/index.ts';

/**
 * The mutating (sequential, with reinvocation) and validating (parallel) dispatchers of
 * k8s.io/apiserver/pkg/admission/plugin/webhook/{mutating,validating}.
 */

export interface DispatchDeps extends CallDeps {
  readonly store: Store;
}

/** Audit annotations of one request, keyed as upstream keys them. */
export type Annotations = Record<string, string>;

interface Request {
  readonly attrs: AdmissionAttributes;
  readonly annotations: Annotations;
}

function record(req: Request, hook: Webhook, res: AdmissionResponse): void {
  for (const [k, v] of Object.entries(res.auditAnnotations)) {
    req.annotations[`${hook.name}/${k}`] = v;
  }
  req.attrs.warnings.push(...res.warnings);
}

function warnMatchConditions(deps: DispatchDeps, hook: Webhook): void {
  if (hook.matchConditionCount === 0) return;
  deps.logger.warn('webhook matchConditions are not evaluated (no CEL); calling the webhook', {
    configuration: hook.configuration,
    webhook: hook.name,
  });
}

/** Either the failure that ends the request, or undefined when failing open. */
function failure(
  deps: DispatchDeps,
  hook: Webhook,
  e: unknown,
): { error: ApiError } | { failedOpen: true } {
  if (e instanceof CallingWebhookError) {
    if (hook.failurePolicy === 'Ignore') {
      deps.logger.warn('Failed calling webhook, failing open', {
        webhook: hook.name,
        error: e.message,
      });
      return { failedOpen: true };
    }
    return { error: errors.internal(e.message) };
  }
  if (e instanceof ApiError) return { error: e };
  return { error: errors.internal(e instanceof Error ? e.message : String(e)) };
}

function decodePatch(hook: Webhook, patch: string): Operation[] {
  let ops: unknown;
  try {
    ops = JSON.parse(patch);
  } catch (e: unknown) {
    const why = e instanceof Error ? e.message : String(e);
    throw new CallingWebhookError(
      hook.name,
      `received undecodable patch in webhook response: ${why}`,
    );
  }
  if (!Array.isArray(ops) || !ops.every(isJsonObject)) {
    throw new CallingWebhookError(
      hook.name,
      'received undecodable patch in webhook response: json: cannot unmarshal into Go value of type jsonpatch.Patch',
    );
  }
  // SAFETY: an array of objects; fast-json-patch validates each operation as it applies it.
  return ops as unknown as Operation[];
}

function applyPatch(a: AdmissionAttributes, ops: Operation[]): KubeObject {
  const obj = a.object;
  if (obj === undefined) throw errors.internal('the object to patch is absent');
  let doc: unknown;
  try {
    doc = jsonpatch.applyPatch(cloneJson(toExternal(a.def, obj)), ops, true, true).newDocument;
  } catch (e: unknown) {
    throw errors.internal(e instanceof Error ? (e.message.split('\n')[0] ?? '') : String(e));
  }
  if (!isJsonObject(doc) || !isJsonObject(doc['metadata'])) {
    throw errors.internal("couldn't decode the patched object: metadata must be an object");
  }
  // SAFETY: an object with an object `metadata`; the write path validates the rest.
  const next = toInternal(a.def, doc as unknown as KubeObject);
  defaulters[groupResource(a.def)]?.(next);
  return next;
}

/** Applies one mutating response; true when the object changed. */
function applyResponse(req: Request, hook: Webhook, res: AdmissionResponse): boolean {
  record(req, hook, res);
  if (!res.allowed) throw toStatusError(hook.name, res.result);
  if (res.patch === '') return false;
  const ops = decodePatch(hook, res.patch);
  if (ops.length === 0) return false;
  const a = req.attrs;
  if (a.object === undefined) {
    throw errors.internal(
      `admission webhook "${hook.name}" attempted to modify the object, which is not supported for this operation`,
    );
  }
  if (res.patchType !== 'JSONPatch') {
    throw new CallingWebhookError(hook.name, `unsupported patch type "${res.patchType}"`);
  }
  const before = a.object;
  a.object = applyPatch(a, ops);
  return !semanticEqual(before, a.object);
}

interface Round {
  readonly index: number;
  /** Reinvocable webhooks (IfNeeded) called so far in this round. */
  readonly invoked: Set<string>;
  /** Webhooks to call again in the reinvocation round. */
  readonly reinvoke: Set<string>;
}

async function runMutating(
  deps: DispatchDeps,
  req: Request,
  at: { hook: Webhook; i: number; round: Round },
): Promise<void> {
  const { hook, i, round } = at;
  let changed = false;
  try {
    const res = await callWebhook(deps, hook, { attrs: req.attrs, mutating: true });
    changed = applyResponse(req, hook, res);
  } catch (e: unknown) {
    const f = failure(deps, hook, e);
    if ('error' in f) throw f.error;
    req.annotations[
      `failed-open.mutation.webhook.admission.k8s.io/round_${round.index}_index_${i}`
    ] = hook.name;
  } finally {
    req.annotations[`mutation.webhook.admission.k8s.io/round_${round.index}_index_${i}`] =
      JSON.stringify({ configuration: hook.configuration, webhook: hook.name, mutated: changed });
  }
  if (changed) {
    for (const uid of round.invoked) round.reinvoke.add(uid);
    round.invoked.clear();
  }
  if (hook.reinvocationPolicy === 'IfNeeded') round.invoked.add(hook.uid);
}

/**
 * Calls the matching mutating webhooks in order, applying each patch before the next call;
 * then, once, calls again the IfNeeded webhooks that ran before a later webhook changed
 * the object (upstream reinvokes only webhooks already called in the first round).
 */
export async function dispatchMutating(
  deps: DispatchDeps,
  hooks: readonly Webhook[],
  req: Request,
): Promise<void> {
  const first: Round = { index: 0, invoked: new Set(), reinvoke: new Set() };
  for (const [i, hook] of hooks.entries()) {
    if (!shouldCallHook(deps.store, hook, req.attrs)) continue;
    warnMatchConditions(deps, hook);
    await runMutating(deps, req, { hook, i, round: first });
  }
  if (first.reinvoke.size === 0) return;
  const second: Round = { index: 1, invoked: new Set(), reinvoke: new Set() };
  for (const [i, hook] of hooks.entries()) {
    if (!first.reinvoke.has(hook.uid) || !shouldCallHook(deps.store, hook, req.attrs)) continue;
    await runMutating(deps, req, { hook, i, round: second });
  }
}

async function runValidating(
  deps: DispatchDeps,
  req: Request,
  at: { hook: Webhook; i: number },
): Promise<ApiError | undefined> {
  const { hook, i } = at;
  try {
    const res = await callWebhook(deps, hook, { attrs: req.attrs, mutating: false });
    record(req, hook, res);
    return res.allowed ? undefined : toStatusError(hook.name, res.result);
  } catch (e: unknown) {
    const f = failure(deps, hook, e);
    if ('error' in f) return f.error;
    req.annotations[`failed-open.validating.webhook.admission.k8s.io/round_0_index_${i}`] =
      hook.name;
    return undefined;
  }
}

/**
 * Calls the matching validating webhooks in parallel and fails with the first failure in
 * webhook order (upstream returns whichever failed first in time; order keeps it stable).
 */
export async function dispatchValidating(
  deps: DispatchDeps,
  hooks: readonly Webhook[],
  req: Request,
): Promise<void> {
  const calls: Promise<ApiError | undefined>[] = [];
  for (const [i, hook] of hooks.entries()) {
    if (!shouldCallHook(deps.store, hook, req.attrs)) continue;
    warnMatchConditions(deps, hook);
    calls.push(runValidating(deps, req, { hook, i }));
  }
  const failures = await Promise.all(calls);
  const firstFailure = failures.find((f) => f !== undefined);
  if (firstFailure) throw firstFailure;
}

import type { Status } from '../../api/index.ts';
import type { Logger } from '../../telemetry/index.ts';
import type { IdSource } from '../../util/index.ts';
import { ApiError, errors, statusFailure } from '../errors.ts';
import type { AdmissionAttributes } from './types.ts';
import {
  WebhookCallError,
  webhookTarget,
  type ServiceResolver,
  type WebhookTransport,
} from './webhook-client.ts';
import type { Webhook } from './webhook-config.ts';
import {
  buildAdmissionReview,
  ResponseDecodeError,
  ResponseInvalidError,
  verifyAdmissionResponse,
  type AdmissionResponse,
} from './webhook-review.ts';

/**
 * One webhook call and upstream's three kinds of failure: a failure to call (subject to
 * failurePolicy), a rejection, and any other error (always fatal).
 */

/** webhookutil.ErrCallingWebhook: failurePolicy decides whether it fails the request. */
export class CallingWebhookError extends Error {
  readonly webhook: string;
  constructor(webhook: string, reason: string) {
    super(`failed calling webhook "${webhook}": ${reason}`);
    this.webhook = webhook;
  }
}

/** What a call needs besides the webhook and the request. */
export interface CallDeps {
  readonly transport: WebhookTransport;
  readonly resolver: ServiceResolver;
  readonly ids: IdSource;
  readonly logger: Logger;
}

/** webhookerrors.ToStatusErr as of 1.32: a rejection is never below 400. */
export function toStatusError(webhook: string, result: Partial<Status> | undefined): ApiError {
  const deniedBy = `admission webhook "${webhook}" denied the request`;
  const r = result ?? {};
  let message = `${deniedBy} without explanation`;
  if (r.message !== undefined && r.message !== '') message = `${deniedBy}: ${r.message}`;
  else if (r.reason !== undefined && r.reason !== '') message = `${deniedBy}: ${r.reason}`;
  const code = r.code === undefined || r.code < 400 ? 400 : r.code;
  const status = statusFailure({
    code,
    reason: r.reason ?? '',
    message,
    ...(r.details === undefined ? {} : { details: r.details }),
  });
  if (status.reason === '') delete status.reason;
  return new ApiError(status);
}

/** NewDryRunUnsupportedErr. */
function dryRunUnsupported(webhook: string): ApiError {
  return errors.badRequest(`admission webhook "${webhook}" does not support dry run`);
}

function checkDryRun(hook: Webhook, a: AdmissionAttributes): void {
  if (!a.dryRun) return;
  if (hook.sideEffects === undefined) {
    throw new CallingWebhookError(hook.name, 'Webhook SideEffects is nil');
  }
  if (hook.sideEffects !== 'None' && hook.sideEffects !== 'NoneOnDryRun') {
    throw dryRunUnsupported(hook.name);
  }
}

/** Wording of a non-2xx answer, as client-go words an unexpected response. */
function httpFailure(status: number, body: string): string {
  try {
    const parsed: unknown = JSON.parse(body);
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'kind' in parsed &&
      parsed.kind === 'Status' &&
      'message' in parsed &&
      typeof parsed.message === 'string'
    ) {
      return parsed.message;
    }
  } catch {
    // Not a Status: fall through to the generic wording.
  }
  const generic: Readonly<Record<number, string>> = {
    400: 'the server rejected our request for an unknown reason',
    401: 'the server has asked for the client to provide credentials',
    403: 'the server does not allow access to the requested resource',
    404: 'the server could not find the requested resource',
    405: 'the server does not allow this method on the requested resource',
    429: 'the server has received too many requests and has asked us to try again later',
  };
  if (status >= 500) {
    return `an error on the server (${JSON.stringify(body.slice(0, 256))}) has prevented the request from succeeding`;
  }
  return (
    generic[status] ??
    `the server responded with the status code ${status} but did not return more information`
  );
}

function reviewVersion(hook: Webhook): 'v1' | 'v1beta1' {
  const v = hook.admissionReviewVersions.find((x) => x === 'v1' || x === 'v1beta1');
  if (v === undefined) {
    throw new CallingWebhookError(
      hook.name,
      'could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)',
    );
  }
  return v;
}

async function post(
  deps: CallDeps,
  hook: Webhook,
  body: string,
): Promise<{ status: number; body: string }> {
  try {
    const target = await webhookTarget(hook.clientConfig, {
      resolver: deps.resolver,
      timeoutSeconds: hook.timeoutSeconds,
    });
    return await deps.transport.post({
      ...target,
      body,
      signal: AbortSignal.timeout(hook.timeoutSeconds * 1000),
    });
  } catch (e: unknown) {
    const why =
      e instanceof WebhookCallError ? e.message : e instanceof Error ? e.message : String(e);
    throw new CallingWebhookError(hook.name, `failed to call webhook: ${why}`);
  }
}

function verify(
  hook: Webhook,
  res: { status: number; body: string },
  expect: { uid: string; mutating: boolean; version: 'v1' | 'v1beta1' },
): AdmissionResponse {
  if (res.status < 200 || res.status > 299) {
    throw new CallingWebhookError(
      hook.name,
      `failed to call webhook: ${httpFailure(res.status, res.body)}`,
    );
  }
  try {
    return verifyAdmissionResponse(res.body, expect);
  } catch (e: unknown) {
    if (e instanceof ResponseDecodeError) {
      throw new CallingWebhookError(hook.name, `failed to call webhook: ${e.message}`);
    }
    if (e instanceof ResponseInvalidError) {
      throw new CallingWebhookError(hook.name, `received invalid webhook response: ${e.message}`);
    }
    throw e;
  }
}

/**
 * Calls `hook` for `a` and returns its verified response (allowed or not). Throws
 * CallingWebhookError or, for a dry run the webhook cannot take, an ApiError.
 */
export async function callWebhook(
  deps: CallDeps,
  hook: Webhook,
  call: { attrs: AdmissionAttributes; mutating: boolean },
): Promise<AdmissionResponse> {
  checkDryRun(hook, call.attrs);
  const version = reviewVersion(hook);
  const uid = deps.ids.uuid();
  const review = buildAdmissionReview(call.attrs, { uid, version });
  const res = await post(deps, hook, JSON.stringify(review));
  return verify(hook, res, { uid, mutating: call.mutating, version });
}

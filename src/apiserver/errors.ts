import type { FieldError, Status, StatusCause } from '../api/index.ts';
import {
  StoreAlreadyExistsError,
  StoreConflictError,
  StoreExpiredError,
  StoreNotFoundError,
} from '../store/index.ts';
import { KilnError } from '../util/index.ts';
import { PatchError } from './patch/index.ts';

export interface QualifiedKind {
  /** The resource's group ('' for core). */
  group: string;
  /** The plural resource name, as upstream names it in errors (e.g. `pods`, `deployments.apps`). */
  resource: string;
  kind?: string;
}

/** An error that is already a Kubernetes Status. Everything the API returns on failure is one. */
export class ApiError extends KilnError {
  readonly code = 'KILN_API_STATUS';
  readonly status: Status;
  /** Headers the response must carry (e.g. Retry-After). */
  readonly headers: Readonly<Record<string, string>>;
  constructor(status: Status, headers: Readonly<Record<string, string>> = {}) {
    super(status.message ?? status.reason ?? 'error');
    this.status = status;
    this.headers = headers;
  }
}

function qualified(q: QualifiedKind): string {
  return q.group === '' ? q.resource : `${q.resource}.${q.group}`;
}

interface StatusInit {
  code: number;
  reason: string;
  message: string;
  details?: Status['details'];
}

export function statusFailure(init: StatusInit): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: init.message,
    reason: init.reason,
    ...(init.details ? { details: init.details } : {}),
    code: init.code,
  };
}

export function statusSuccess(details?: Status['details']): Status {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Success',
    ...(details ? { details } : {}),
    code: 200,
  };
}

const fail = (init: StatusInit): ApiError => new ApiError(statusFailure(init));

export const errors = {
  notFound: (q: QualifiedKind, name: string): ApiError =>
    fail({
      code: 404,
      reason: 'NotFound',
      message: `${qualified(q)} "${name}" not found`,
      details: { name, group: q.group, kind: q.resource },
    }),
  alreadyExists: (q: QualifiedKind, name: string): ApiError =>
    fail({
      code: 409,
      reason: 'AlreadyExists',
      message: `${qualified(q)} "${name}" already exists`,
      details: { name, group: q.group, kind: q.resource },
    }),
  conflict: (q: QualifiedKind, name: string, why: string): ApiError =>
    fail({
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on ${qualified(q)} "${name}": ${why}`,
      details: { name, group: q.group, kind: q.resource },
    }),
  modified: (q: QualifiedKind, name: string): ApiError =>
    errors.conflict(
      q,
      name,
      'the object has been modified; please apply your changes to the latest version and try again',
    ),
  invalid: (
    q: QualifiedKind & { kind: string },
    name: string,
    causes: readonly FieldError[],
  ): ApiError => {
    const list = causes.map((c) => c.message);
    const joined = list.length === 1 ? (list[0] ?? '') : `[${list.join(', ')}]`;
    return fail({
      code: 422,
      reason: 'Invalid',
      message: `${q.kind}${q.group === '' ? '' : `.${q.group}`} "${name}" is invalid: ${joined}`,
      details: {
        name,
        group: q.group,
        kind: q.kind,
        causes: causes.map((c): StatusCause => ({
          reason: c.type,
          message: causeDetail(c),
          field: c.field,
        })),
      },
    });
  },
  badRequest: (message: string, causes?: StatusCause[]): ApiError =>
    fail({ code: 400, reason: 'BadRequest', message, ...(causes ? { details: { causes } } : {}) }),
  forbidden: (q: QualifiedKind, name: string, why: string): ApiError =>
    fail({
      code: 403,
      reason: 'Forbidden',
      message: `${qualified(q)}${name === '' ? '' : ` "${name}"`} is forbidden: ${why}`,
      details: { name, group: q.group, kind: q.resource },
    }),
  unauthorized: (): ApiError =>
    fail({ code: 401, reason: 'Unauthorized', message: 'Unauthorized' }),
  methodNotAllowed: (
    message = 'the server does not allow this method on the requested resource',
  ): ApiError => fail({ code: 405, reason: 'MethodNotAllowed', message }),
  notAcceptable: (message: string): ApiError =>
    fail({ code: 406, reason: 'NotAcceptable', message }),
  unsupportedMediaType: (contentType: string): ApiError =>
    fail({
      code: 415,
      reason: 'UnsupportedMediaType',
      message: `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf${contentType === '' ? '' : ` (got ${contentType})`}`,
    }),
  tooLarge: (): ApiError =>
    fail({
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: 'Request entity too large: limit is 3145728',
    }),
  expired: (message: string): ApiError => fail({ code: 410, reason: 'Expired', message }),
  /** 429; a Retry-After header only for a positive delay, as NewTooManyRequests. */
  tooManyRequests: (
    message: string,
    opts: { retryAfterSeconds?: number; causes?: StatusCause[] } = {},
  ): ApiError => {
    const retry = opts.retryAfterSeconds ?? 0;
    return new ApiError(
      statusFailure({
        code: 429,
        reason: 'TooManyRequests',
        message,
        details: {
          ...(opts.causes ? { causes: opts.causes } : {}),
          ...(retry > 0 ? { retryAfterSeconds: retry } : {}),
        },
      }),
      retry > 0 ? { 'Retry-After': String(retry) } : {},
    );
  },
  internal: (message: string): ApiError =>
    fail({
      code: 500,
      reason: 'InternalError',
      message: `Internal error occurred: ${message}`,
      details: { causes: [{ message }] },
    }),
  notFoundPath: (): ApiError =>
    fail({
      code: 404,
      reason: 'NotFound',
      message: 'the server could not find the requested resource',
    }),
};

/** The detail of a field error without its `field: ` prefix, as StatusCause.message carries it. */
function causeDetail(e: FieldError): string {
  return e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message;
}

/**
 * The one place where errors become Statuses. Store errors need the resource they concern,
 * so callers that touch the store pass it.
 */
export function toApiError(e: unknown, q?: QualifiedKind, name = ''): ApiError {
  if (e instanceof ApiError) return e;
  if (q) {
    if (e instanceof StoreNotFoundError) return errors.notFound(q, name);
    if (e instanceof StoreAlreadyExistsError) return errors.alreadyExists(q, name);
    if (e instanceof StoreConflictError) return errors.modified(q, name);
  }
  if (e instanceof StoreExpiredError) return errors.expired(e.message);
  if (e instanceof PatchError) return patchError(e);
  if (e instanceof KilnError) return errors.badRequest(e.message);
  return errors.internal(e instanceof Error ? e.message : String(e));
}

/** Strategic-merge failures answer with the status upstream gives each of them. */
function patchError(e: PatchError): ApiError {
  switch (e.httpStatus) {
    case 415:
      return fail({ code: 415, reason: 'UnsupportedMediaType', message: e.message });
    case 422:
      return fail({ code: 422, reason: 'Invalid', message: e.message });
    case 500:
      return errors.internal(e.message);
    case 400:
      return errors.badRequest(e.message);
  }
}

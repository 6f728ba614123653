import type { JsonObject, JsonValue } from '../../api/index.ts';
import { randomIds, rfc3339Micro, type Clock, type IdSource } from '../../util/index.ts';
import type { Decision } from '../authz/index.ts';
import type { ApiRequest, ApiResponse, UserInfo } from '../http-types.ts';
import type { RequestInfo } from '../request-info.ts';
import {
  auditLevel,
  DEFAULT_AUDIT_POLICY,
  type AuditPolicy,
  type PolicyAttributes,
} from './policy.ts';
import type { AuditSink } from './writer.ts';

/** One finished request, as the API server saw it. */
export interface AuditEntry {
  /** The request as authenticated (before impersonation). */
  readonly req: ApiRequest;
  /** Its parsed URL; absent when the URL did not parse. */
  readonly info: RequestInfo | undefined;
  readonly response: ApiResponse;
  /** The user the request acted as, when it impersonated someone. */
  readonly acting?: UserInfo;
  /** The authorizer's answer, when it was asked. */
  readonly decision?: Decision;
  /** When the request arrived (ms since the epoch). */
  readonly receivedAt: number;
  /** The full request path, with the cluster prefix and the query. */
  readonly requestURI: string;
  /** The client's address, when the transport knows it. */
  readonly remoteAddress?: string;
  /** Annotations from admission (webhooks, PodSecurity). */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface AuditorOptions {
  readonly sink: AuditSink;
  readonly clock: Clock;
  readonly ids?: IdSource;
  readonly policy?: AuditPolicy;
}

function userJson(u: UserInfo): JsonObject {
  return {
    username: u.username,
    ...(u.uid === undefined ? {} : { uid: u.uid }),
    groups: [...u.groups],
    ...(u.extra === undefined
      ? {}
      : { extra: Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]])) }),
  };
}

function policyAttributes(user: UserInfo, e: AuditEntry): PolicyAttributes {
  const info = e.info;
  if (info?.kind === 'resource') {
    return {
      user,
      verb: info.verb,
      resourceRequest: true,
      apiGroup: info.group,
      resource: info.resource,
      subresource: info.subresource,
      namespace: info.namespace,
      name: info.name,
      path: e.req.path,
    };
  }
  return {
    user,
    verb: e.req.method.toLowerCase(),
    resourceRequest: false,
    apiGroup: '',
    resource: '',
    subresource: '',
    namespace: '',
    name: '',
    path: e.req.path,
  };
}

function objectRef(info: RequestInfo | undefined): JsonObject | undefined {
  if (info?.kind !== 'resource') return undefined;
  const ref: JsonObject = { resource: info.resource };
  if (info.namespace !== '') ref['namespace'] = info.namespace;
  if (info.name !== '') ref['name'] = info.name;
  if (info.group !== '') ref['apiGroup'] = info.group;
  ref['apiVersion'] = info.version;
  if (info.subresource !== '') ref['subresource'] = info.subresource;
  return ref;
}

function parseJson(body: string | Buffer): JsonValue | undefined {
  if (body.length === 0) return undefined;
  try {
    // SAFETY: JSON.parse yields JSON values.
    return JSON.parse(body.toString()) as JsonValue;
  } catch {
    return undefined;
  }
}

/** The Status of a failed response, or just the code of a successful one (as upstream). */
function responseStatus(res: ApiResponse): JsonObject {
  const out: JsonObject = { metadata: {}, code: res.status };
  if (res.status < 400 || !('body' in res)) return out;
  const body = parseJson(res.body);
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return out;
  for (const k of ['status', 'message', 'reason'] as const) {
    const v = body[k];
    if (typeof v === 'string') out[k] = v;
  }
  return out;
}

function annotationsOf(e: AuditEntry): JsonObject | undefined {
  const out: JsonObject = { ...e.annotations };
  if (e.decision) {
    out['authorization.k8s.io/decision'] = e.decision.decision === 'allow' ? 'allow' : 'forbid';
    out['authorization.k8s.io/reason'] = e.decision.reason;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function sourceIPs(e: AuditEntry): string[] {
  const forwarded = (e.req.headers['x-forwarded-for'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return [...forwarded, ...(e.remoteAddress === undefined ? [] : [e.remoteAddress])];
}

/**
 * Writes an audit.k8s.io/v1 Event for each request the policy does not exclude, at the
 * level it selects: Metadata (who did what to which object, and the outcome), Request (plus
 * the request body) or RequestResponse (plus the response body).
 */
export class Auditor {
  readonly #o: AuditorOptions;
  readonly #ids: IdSource;
  readonly #policy: AuditPolicy;

  constructor(opts: AuditorOptions) {
    this.#o = opts;
    this.#ids = opts.ids ?? randomIds;
    this.#policy = opts.policy ?? DEFAULT_AUDIT_POLICY;
  }

  /** Builds the event for a request; undefined when the policy says None. */
  event(e: AuditEntry): JsonObject | undefined {
    const level = auditLevel(this.#policy, policyAttributes(e.req.user, e));
    if (level === 'None') return undefined;
    const streaming = !('body' in e.response);
    const ev: JsonObject = {
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      level,
      auditID: e.req.headers['audit-id'] ?? this.#ids.uuid(),
      stage: streaming ? 'ResponseStarted' : 'ResponseComplete',
      requestURI: e.requestURI,
      verb: policyAttributes(e.req.user, e).verb,
      user: userJson(e.req.user),
    };
    if (e.acting && e.acting !== e.req.user) ev['impersonatedUser'] = userJson(e.acting);
    ev['sourceIPs'] = sourceIPs(e);
    const ua = e.req.headers['user-agent'];
    if (ua !== undefined) ev['userAgent'] = ua;
    const ref = objectRef(e.info);
    if (ref) ev['objectRef'] = ref;
    ev['responseStatus'] = responseStatus(e.response);
    this.#bodies(ev, level, e);
    ev['requestReceivedTimestamp'] = rfc3339Micro(e.receivedAt);
    ev['stageTimestamp'] = rfc3339Micro(this.#o.clock.now());
    const annotations = annotationsOf(e);
    if (annotations) ev['annotations'] = annotations;
    return ev;
  }

  #bodies(ev: JsonObject, level: string, e: AuditEntry): void {
    if (level === 'Metadata') return;
    const json = (e.req.headers['content-type'] ?? '').includes('json');
    // SAFETY: an in-process caller's value is a JSON value, as a body would decode to.
    const given = e.req.value as JsonValue | undefined;
    const requestObject = given ?? (json ? parseJson(e.req.body) : undefined);
    if (requestObject !== undefined) ev['requestObject'] = requestObject;
    if (level !== 'RequestResponse' || !('body' in e.response)) return;
    const responseObject = parseJson(e.response.body);
    if (responseObject !== undefined) ev['responseObject'] = responseObject;
  }

  /** Records one request. Never throws: an audit failure must not fail the request. */
  record(e: AuditEntry): void {
    try {
      const ev = this.event(e);
      if (ev) this.#o.sink.write(JSON.stringify(ev));
    } catch {
      // A full disk or a bad path loses the event rather than the request.
    }
  }
}

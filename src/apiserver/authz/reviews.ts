import { isJsonObject, type FieldError, type JsonObject } from '../../api/index.ts';
import { rfc3339 } from '../../util/index.ts';
import type { Authenticator } from '../authn.ts';
import { decodeObject } from '../content.ts';
import { errors } from '../errors.ts';
import { jsonResponse, type ApiResponse, type UserInfo } from '../http-types.ts';
import type { RestOp } from '../rest-context.ts';
import { goStruct, goQuote } from '../validation/go-format.ts';
import { invalid } from '../validation/field.ts';
import type { Attributes, Authorizer, RuleResolver } from './types.ts';

/** What the review endpoints consult. */
export interface ReviewOptions {
  readonly authorizer: Authorizer;
  readonly rules: RuleResolver;
  /** Checks TokenReview tokens (as `Authorization: Bearer <token>`). */
  readonly authenticator: Authenticator;
}

export type ReviewHandler = (op: RestOp) => Promise<ApiResponse>;

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
const objectOr = (v: unknown): JsonObject => (isJsonObject(v) ? v : {});

function extraOf(v: unknown): Record<string, string[]> | undefined {
  if (!isJsonObject(v)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, vals] of Object.entries(v)) out[k] = strings(vals);
  return Object.keys(out).length === 0 ? undefined : out;
}

function body(op: RestOp): JsonObject {
  return decodeObject(op.req);
}

function typeMeta(op: RestOp): { apiVersion: string; kind: string } {
  return { apiVersion: `${op.def.group}/${op.def.version}`, kind: op.def.kind };
}

/** Created reviews answer 201 with the object and its computed status, never stored. */
function created(op: RestOp, obj: JsonObject, status: JsonObject): ApiResponse {
  const metadata = { creationTimestamp: null, ...objectOr(obj['metadata']) };
  return jsonResponse(201, { ...typeMeta(op), ...obj, metadata, status });
}

function nonResourceGo(v: JsonObject): string {
  return `&${goStruct('authorization.NonResourceAttributes', [
    ['Path', goQuote(text(v['path']))],
    ['Verb', goQuote(text(v['verb']))],
  ])}`;
}

/** pkg/apis/authorization/validation: exactly one kind of attributes. */
function validateAttributes(spec: JsonObject): FieldError[] {
  const res = spec['resourceAttributes'];
  const non = spec['nonResourceAttributes'];
  if (isJsonObject(res) && isJsonObject(non)) {
    return [
      invalid(
        'spec.nonResourceAttributes',
        { goSyntax: nonResourceGo(non) },
        'cannot be specified in combination with resourceAttributes',
      ),
    ];
  }
  if (!isJsonObject(res) && !isJsonObject(non)) {
    return [
      invalid(
        'spec.resourceAttributes',
        'null',
        'exactly one of nonResourceAttributes or resourceAttributes must be specified',
      ),
    ];
  }
  return [];
}

/** Review metadata must be empty (kubectl sends `creationTimestamp: null`, which is). */
function metadataEmpty(meta: JsonObject, allowed: readonly string[]): boolean {
  return Object.entries(meta).every(
    ([k, v]) =>
      allowed.includes(k) ||
      k === 'managedFields' ||
      v === null ||
      v === '' ||
      (Array.isArray(v) && v.length === 0),
  );
}

function invalidReview(op: RestOp, errs: readonly FieldError[]): never {
  throw errors.invalid(
    { group: op.def.group, resource: op.def.resource, kind: op.def.kind },
    '',
    errs,
  );
}

/** The attributes a review asks about, for the given user. */
function reviewAttributes(user: UserInfo, spec: JsonObject): Attributes {
  const res = spec['resourceAttributes'];
  if (isJsonObject(res)) {
    return {
      user,
      verb: text(res['verb']),
      resourceRequest: true,
      namespace: text(res['namespace']),
      apiGroup: text(res['group']),
      apiVersion: text(res['version']),
      resource: text(res['resource']),
      subresource: text(res['subresource']),
      name: text(res['name']),
      path: '',
    };
  }
  const non = objectOr(spec['nonResourceAttributes']);
  return {
    user,
    verb: text(non['verb']),
    resourceRequest: false,
    namespace: '',
    apiGroup: '',
    apiVersion: '',
    resource: '',
    subresource: '',
    name: '',
    path: text(non['path']),
  };
}

function accessStatus(authorizer: Authorizer, attrs: Attributes): JsonObject {
  const d = authorizer.authorize(attrs);
  return {
    allowed: d.decision === 'allow',
    ...(d.decision === 'deny' ? { denied: true } : {}),
    ...(d.reason === '' ? {} : { reason: d.reason }),
  };
}

/** The user a SubjectAccessReview names in its spec. */
function specUser(spec: JsonObject): UserInfo {
  const uid = text(spec['uid']);
  const extra = extraOf(spec['extra']);
  return {
    username: text(spec['user']),
    groups: strings(spec['groups']),
    ...(uid === '' ? {} : { uid }),
    ...(extra === undefined ? {} : { extra }),
  };
}

function subjectErrors(spec: JsonObject): FieldError[] {
  const errs = validateAttributes(spec);
  if (text(spec['user']) === '' && strings(spec['groups']).length === 0) {
    errs.push(invalid('spec.user', '', 'at least one of user or group must be specified'));
  }
  return errs;
}

function selfSubjectAccessReview(opts: ReviewOptions): ReviewHandler {
  return (op) => {
    const obj = body(op);
    const spec = objectOr(obj['spec']);
    const errs = validateAttributes(spec);
    if (!metadataEmpty(objectOr(obj['metadata']), []))
      errs.push(invalid('metadata', { omitValue: true }, 'must be empty'));
    if (errs.length > 0) invalidReview(op, errs);
    const status = accessStatus(opts.authorizer, reviewAttributes(op.req.user, spec));
    return Promise.resolve(created(op, obj, status));
  };
}

function subjectAccessReview(opts: ReviewOptions): ReviewHandler {
  return (op) => {
    const obj = body(op);
    const spec = objectOr(obj['spec']);
    const errs = subjectErrors(spec);
    if (!metadataEmpty(objectOr(obj['metadata']), []))
      errs.push(invalid('metadata', { omitValue: true }, 'must be empty'));
    if (errs.length > 0) invalidReview(op, errs);
    const status = accessStatus(opts.authorizer, reviewAttributes(specUser(spec), spec));
    return Promise.resolve(created(op, obj, status));
  };
}

/** The object's namespace, defaulted from the URL and checked against it, as the create handler. */
function requestNamespace(op: RestOp, meta: JsonObject): string {
  const ns = op.info.namespace;
  if (ns === '') throw errors.badRequest(`namespace is required on this type: ${ns}`);
  const given = text(meta['namespace']);
  if (given !== '' && given !== ns) {
    throw errors.badRequest(
      'the namespace of the provided object does not match the namespace sent on the request',
    );
  }
  return ns;
}

function localSubjectAccessReview(opts: ReviewOptions): ReviewHandler {
  return (op) => {
    const obj = body(op);
    const meta = objectOr(obj['metadata']);
    const namespace = requestNamespace(op, meta);
    const spec = objectOr(obj['spec']);
    const errs = subjectErrors(spec);
    if (!metadataEmpty(meta, ['namespace']))
      errs.push(invalid('metadata', { omitValue: true }, 'must be empty except for namespace'));
    const res = spec['resourceAttributes'];
    if (isJsonObject(res) && text(res['namespace']) !== namespace) {
      errs.push(
        invalid(
          'spec.resourceAttributes.namespace',
          text(res['namespace']),
          'must match metadata.namespace',
        ),
      );
    }
    if (isJsonObject(spec['nonResourceAttributes'])) {
      errs.push(
        invalid(
          'spec.nonResourceAttributes',
          { goSyntax: nonResourceGo(spec['nonResourceAttributes']) },
          'disallowed on this kind of request',
        ),
      );
    }
    if (errs.length > 0) invalidReview(op, errs);
    const status = accessStatus(opts.authorizer, reviewAttributes(specUser(spec), spec));
    return Promise.resolve(created(op, { ...obj, metadata: { ...meta, namespace } }, status));
  };
}

function selfSubjectRulesReview(opts: ReviewOptions): ReviewHandler {
  return (op) => {
    const obj = body(op);
    const namespace = text(objectOr(obj['spec'])['namespace']);
    if (namespace === '') throw errors.badRequest('no namespace on request');
    const r = opts.rules.rulesFor(op.req.user, namespace);
    const nonEmpty = (k: string, v: readonly string[]): JsonObject =>
      v.length === 0 ? {} : { [k]: [...v] };
    const status: JsonObject = {
      resourceRules: r.resourceRules.map((rule) => ({
        verbs: [...rule.verbs],
        ...nonEmpty('apiGroups', rule.apiGroups),
        ...nonEmpty('resources', rule.resources),
        ...nonEmpty('resourceNames', rule.resourceNames),
      })),
      nonResourceRules: r.nonResourceRules.map((rule) => ({
        verbs: [...rule.verbs],
        ...nonEmpty('nonResourceURLs', rule.nonResourceURLs),
      })),
      incomplete: r.incomplete,
      ...(r.evaluationError === undefined ? {} : { evaluationError: r.evaluationError }),
    };
    return Promise.resolve(created(op, obj, status));
  };
}

/** authentication/v1 UserInfo as JSON (every field `omitempty`). */
export function userInfoJson(u: UserInfo): JsonObject {
  const extra = u.extra ?? {};
  return {
    ...(u.username === '' ? {} : { username: u.username }),
    ...(u.uid === undefined || u.uid === '' ? {} : { uid: u.uid }),
    ...(u.groups.length === 0 ? {} : { groups: [...u.groups] }),
    ...(Object.keys(extra).length === 0
      ? {}
      : { extra: Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, [...v]])) }),
  };
}

function selfSubjectReview(): ReviewHandler {
  return (op) => {
    body(op);
    return Promise.resolve(
      jsonResponse(201, {
        ...typeMeta(op),
        metadata: { creationTimestamp: rfc3339(op.deps.clock.now()) },
        status: { userInfo: userInfoJson(op.req.user) },
      }),
    );
  };
}

function tokenReview(opts: ReviewOptions): ReviewHandler {
  return async (op) => {
    const obj = body(op);
    const token = text(objectOr(obj['spec'])['token']);
    if (token === '')
      throw errors.badRequest('token is required for TokenReview in authentication');
    let user: UserInfo | undefined;
    let error = '';
    try {
      user = await opts.authenticator.authenticate({ authorization: `Bearer ${token}` });
    } catch (e: unknown) {
      error = e instanceof Error ? e.message : String(e);
    }
    const status: JsonObject = {
      authenticated: user !== undefined,
      user: user === undefined ? {} : userInfoJson(user),
      ...(error === '' ? {} : { error }),
    };
    return created(op, obj, status);
  };
}

/**
 * The create handlers of the review resources, keyed by group-resource. Each computes a status
 * and answers 201 with the object; nothing is stored.
 */
export function createReviewHandlers(opts: ReviewOptions): Readonly<Record<string, ReviewHandler>> {
  return {
    'selfsubjectaccessreviews.authorization.k8s.io': selfSubjectAccessReview(opts),
    'subjectaccessreviews.authorization.k8s.io': subjectAccessReview(opts),
    'localsubjectaccessreviews.authorization.k8s.io': localSubjectAccessReview(opts),
    'selfsubjectrulesreviews.authorization.k8s.io': selfSubjectRulesReview(opts),
    'selfsubjectreviews.authentication.k8s.io': selfSubjectReview(),
    'tokenreviews.authentication.k8s.io': tokenReview(opts),
  };
}

import { errors } from '../errors.ts';
import type { UserInfo } from '../http-types.ts';
import { forbiddenError } from './forbidden.ts';
import type { Attributes, Authorizer } from './types.ts';

const SA_PREFIX = 'system:serviceaccount:';
const EXTRA_PREFIX = 'impersonate-extra-';
const AUTHENTICATED = 'system:authenticated';
const UNAUTHENTICATED = 'system:unauthenticated';
const ANONYMOUS_USER = 'system:anonymous';
const AUTHN_GROUP = 'authentication.k8s.io';

/** One thing the requester asks to act as, checked with the `impersonate` verb. */
interface Request {
  readonly resource: string;
  readonly apiGroup: string;
  readonly subresource?: string;
  readonly namespace?: string;
  readonly name: string;
}

/** Header values; repeated headers arrive joined with `, ` (as node:http joins them). */
function values(v: string | undefined): string[] {
  if (v === undefined) return [];
  return v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `Impersonate-Extra-<key>` headers; keys are percent-decoded and lower-cased, as upstream. */
function extrasOf(headers: Readonly<Record<string, string | undefined>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [h, v] of Object.entries(headers)) {
    if (!h.startsWith(EXTRA_PREFIX)) continue;
    const key = safeDecode(h.slice(EXTRA_PREFIX.length)).toLowerCase();
    out[key] = [...(out[key] ?? []), ...values(v)];
  }
  return out;
}

function userRequest(username: string): Request {
  if (username.startsWith(SA_PREFIX)) {
    const [namespace = '', name = '', ...rest] = username.slice(SA_PREFIX.length).split(':');
    if (namespace !== '' && name !== '' && rest.length === 0)
      return { resource: 'serviceaccounts', apiGroup: '', namespace, name };
  }
  return { resource: 'users', apiGroup: '', name: username };
}

/** The groups an impersonated user ends up with: the requested ones plus the implied one. */
function finalGroups(username: string, groups: readonly string[]): string[] {
  if (username === ANONYMOUS_USER) {
    return groups.includes(UNAUTHENTICATED) ? [...groups] : [...groups, UNAUTHENTICATED];
  }
  return groups.includes(AUTHENTICATED) || groups.includes(UNAUTHENTICATED)
    ? [...groups]
    : [...groups, AUTHENTICATED];
}

function check(requester: UserInfo, r: Request, authorizer: Authorizer): void {
  const attrs: Attributes = {
    user: requester,
    verb: 'impersonate',
    resourceRequest: true,
    namespace: r.namespace ?? '',
    apiGroup: r.apiGroup,
    apiVersion: '',
    resource: r.resource,
    subresource: r.subresource ?? '',
    name: r.name,
    path: '',
  };
  const d = authorizer.authorize(attrs);
  if (d.decision !== 'allow') throw forbiddenError(attrs, d.reason);
}

interface Asked {
  readonly username: string;
  readonly groups: readonly string[];
  readonly uid: string;
  readonly extra: Readonly<Record<string, readonly string[]>>;
}

function asked(headers: Readonly<Record<string, string | undefined>>): Asked {
  return {
    username: headers['impersonate-user'] ?? '',
    groups: values(headers['impersonate-group']),
    uid: headers['impersonate-uid'] ?? '',
    extra: extrasOf(headers),
  };
}

/** Every check the request needs, in upstream's order: user, groups, extras, uid. */
function requestsOf(a: Asked, asUser: Request): Request[] {
  const out: Request[] = [asUser];
  for (const g of a.groups) out.push({ resource: 'groups', apiGroup: '', name: g });
  for (const [key, vals] of Object.entries(a.extra)) {
    for (const name of vals) {
      out.push({ resource: 'userextras', apiGroup: AUTHN_GROUP, subresource: key, name });
    }
  }
  if (a.uid !== '') out.push({ resource: 'uids', apiGroup: AUTHN_GROUP, name: a.uid });
  return out;
}

function withoutUserError(a: Asked): Error {
  const list = [
    ...a.groups.map((g) => `Group=${g}`),
    ...(a.uid === '' ? [] : [`UID=${a.uid}`]),
    ...Object.keys(a.extra).map((k) => `Extra=${k}`),
  ];
  return errors.internal(`requested [${list.join(' ')}] without impersonating a user`);
}

/**
 * Applies `Impersonate-User`/`-Group`/`-Uid`/`-Extra-*` as kube-apiserver's WithImpersonation
 * filter: each requested identity needs the `impersonate` verb (users, groups, serviceaccounts
 * in the core group; uids and userextras in authentication.k8s.io), and the result is the
 * impersonated user. Returns `user` unchanged when no impersonation header is present.
 * Throws ApiError: 403 as upstream words it when a check fails, 500 when groups, extras or a
 * uid are asked for without a user (upstream answers that with an internal error).
 * Repeated headers must arrive joined with commas, so a group name cannot contain one.
 */
export function impersonate(
  user: UserInfo,
  headers: Readonly<Record<string, string | undefined>>,
  authorizer: Authorizer,
): UserInfo {
  const a = asked(headers);
  const hasExtra = Object.keys(a.extra).length > 0;
  if (a.username === '') {
    if (a.groups.length === 0 && a.uid === '' && !hasExtra) return user;
    throw withoutUserError(a);
  }
  const asUser = userRequest(a.username);
  for (const r of requestsOf(a, asUser)) check(user, r, authorizer);
  // A ServiceAccount's groups follow from its name when none are asked for.
  const groups =
    asUser.resource === 'serviceaccounts' && a.groups.length === 0
      ? ['system:serviceaccounts', `system:serviceaccounts:${asUser.namespace ?? ''}`]
      : a.groups;
  return {
    username: a.username,
    groups: finalGroups(a.username, groups),
    ...(a.uid === '' ? {} : { uid: a.uid }),
    ...(hasExtra ? { extra: a.extra } : {}),
  };
}

/** Whether a request carries any impersonation header. */
export function isImpersonating(headers: Readonly<Record<string, string | undefined>>): boolean {
  return Object.keys(headers).some((h) => h.startsWith('impersonate-'));
}

import { ApiError, errors, statusFailure } from '../errors.ts';
import type { Attributes } from './types.ts';

/** The sentence kube-apiserver's responsewriters.Forbidden builds from the attributes. */
export function forbiddenMessage(attrs: Attributes): string {
  const user = attrs.user.username;
  if (!attrs.resourceRequest) return `User "${user}" cannot ${attrs.verb} path "${attrs.path}"`;
  const resource =
    attrs.subresource === '' ? attrs.resource : `${attrs.resource}/${attrs.subresource}`;
  const scope =
    attrs.namespace === '' ? 'at the cluster scope' : `in the namespace "${attrs.namespace}"`;
  return `User "${user}" cannot ${attrs.verb} resource "${resource}" in API group "${attrs.apiGroup}" ${scope}`;
}

/**
 * The 403 a denied request gets: `<resource>[.<group>] ["<name>"] is forbidden: <message>`,
 * with the authorizer's reason after a colon when it gave one (RBAC gives one only when a
 * binding could not be resolved). Non-resource paths read `forbidden: User … path "…"`.
 */
export function forbiddenError(attrs: Attributes, reason = ''): ApiError {
  const msg = forbiddenMessage(attrs);
  const why = reason === '' ? msg : `${msg}: ${reason}`;
  if (attrs.resourceRequest && attrs.resource !== '') {
    return errors.forbidden({ group: attrs.apiGroup, resource: attrs.resource }, attrs.name, why);
  }
  return new ApiError(
    statusFailure({ code: 403, reason: 'Forbidden', message: `forbidden: ${why}`, details: {} }),
  );
}

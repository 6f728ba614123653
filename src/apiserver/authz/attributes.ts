import type { ApiRequest, UserInfo } from '../http-types.ts';
import type { RequestInfo } from '../request-info.ts';
import type { Attributes } from './types.ts';

/**
 * The name a list or watch is narrowed to by `fieldSelector=metadata.name=<name>`, which
 * kube-apiserver's RequestInfoFactory copies into the request's name so that rules with
 * resourceNames can allow watching one object. The first equality term wins (as
 * `RequiresExactMatch`); a name that is not a valid path segment is ignored, as upstream.
 */
function selectedName(query: URLSearchParams): string {
  const selector = query.get('fieldSelector') ?? '';
  for (const term of selector.split(/(?<!\\),/)) {
    const m = /^\s*metadata\.name\s*(==|=)\s*(.*?)\s*$/.exec(term);
    if (!m) continue;
    const name = (m[2] ?? '').replace(/\\(.)/g, '$1');
    return name === '.' || name === '..' || /[/%]/.test(name) ? '' : name;
  }
  return '';
}

/** Attributes of a request as kube-apiserver's WithAuthorization filter builds them. */
export function attributesFor(req: ApiRequest, info: RequestInfo): Attributes {
  return attributesForUser(req.user, req, info);
}

/** The same, for a user other than the request's own (impersonation checks the original). */
export function attributesForUser(
  user: UserInfo,
  req: Pick<ApiRequest, 'method' | 'path' | 'query'>,
  info: RequestInfo,
): Attributes {
  if (info.kind === 'nonresource') {
    return {
      user,
      verb: req.method.toLowerCase(),
      resourceRequest: false,
      namespace: '',
      apiGroup: '',
      apiVersion: '',
      resource: '',
      subresource: '',
      name: '',
      path: info.path,
    };
  }
  let { name, namespace } = info;
  if (name === '' && (info.verb === 'list' || info.verb === 'watch'))
    name = selectedName(req.query);
  // `/api/v1/namespaces/<ns>` is inside the namespace it names, so a RoleBinding there can
  // grant reading it.
  if (info.group === '' && info.resource === 'namespaces' && namespace === '') namespace = name;
  return {
    user,
    verb: info.verb,
    resourceRequest: true,
    namespace,
    apiGroup: info.group,
    apiVersion: info.version,
    resource: info.resource,
    subresource: info.subresource,
    name,
    path: req.path,
  };
}

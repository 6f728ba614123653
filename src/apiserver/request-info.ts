/** What a request URL addresses, as apiserver's RequestInfoFactory resolves it. */
export type ResourceVerb =
  'get' | 'list' | 'watch' | 'create' | 'update' | 'patch' | 'delete' | 'deletecollection';

export interface ResourceRequestInfo {
  readonly kind: 'resource';
  readonly verb: ResourceVerb;
  readonly group: string;
  readonly version: string;
  readonly namespace: string;
  readonly resource: string;
  readonly name: string;
  readonly subresource: string;
  /** Path segments after the subresource (e.g. pods/proxy/<path>). */
  readonly rest: readonly string[];
}

export interface NonResourceRequestInfo {
  readonly kind: 'nonresource';
  readonly path: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

const verbForMethod = (
  method: string,
  named: boolean,
  watch: boolean,
): ResourceVerb | undefined => {
  switch (method) {
    case 'GET':
    case 'HEAD':
      if (watch) return 'watch';
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return undefined;
  }
};

/** Where a path's group and version end: `/api/<v>/…` is the core group, `/apis/<g>/<v>/…` any other. */
function groupVersionPrefix(
  parts: readonly string[],
): { group: string; version: string; next: number } | undefined {
  if (parts[0] === 'api' && parts.length >= 3)
    return { group: '', version: parts[1] ?? '', next: 2 };
  if (parts[0] === 'apis' && parts.length >= 4)
    return { group: parts[1] ?? '', version: parts[2] ?? '', next: 3 };
  return undefined;
}

/**
 * The namespace a path is scoped to from index `i`. `/namespaces/x/status` and
 * `/namespaces/x/finalize` are subresources of the namespace x, so they are not scoped;
 * any other segment after `/namespaces/x/` is a resource inside it.
 */
function namespacePrefix(parts: readonly string[], i: number): { namespace: string; next: number } {
  const scoped =
    parts[i] === 'namespaces' &&
    parts.length > i + 2 &&
    !NAMESPACE_SUBRESOURCES.has(parts[i + 2] ?? '');
  return scoped ? { namespace: parts[i + 1] ?? '', next: i + 2 } : { namespace: '', next: i };
}

/**
 * Resolves `/api/v1/namespaces/ns/pods/name/log` and friends. Returns a non-resource info for
 * anything that is not a resource path (discovery, health, openapi).
 */
export function parseRequestInfo(
  method: string,
  path: string,
  query: URLSearchParams,
): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '');
  const gv = groupVersionPrefix(parts);
  if (gv === undefined) return { kind: 'nonresource', path };
  // The legacy `/watch/` path prefix means the same as `?watch=true`.
  const watchPrefix = parts[gv.next] === 'watch';
  const watch = watchPrefix || query.get('watch') === 'true' || query.get('watch') === '1';
  const { namespace, next: i } = namespacePrefix(parts, watchPrefix ? gv.next + 1 : gv.next);
  const resource = parts[i] ?? '';
  const name = parts[i + 1] ?? '';
  const subresource = parts[i + 2] ?? '';
  const rest = parts.slice(i + 3);
  const verb = verbForMethod(method, name !== '', watch);
  if (verb === undefined || resource === '') return { kind: 'nonresource', path };
  const { group, version } = gv;
  return { kind: 'resource', verb, group, version, namespace, resource, name, subresource, rest };
}

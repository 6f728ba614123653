/** What a request URL addresses, as apiserver's RequestInfoFactory resolves it. */
export type ResourceVerb =
  | 'get'
  | 'list'
  | 'watch'
  | 'create'
  | 'update'
  | 'patch'
  | 'delete'
  | 'deletecollection';

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

const verbForMethod = (method: string, named: boolean, watch: boolean): ResourceVerb | undefined => {
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

/**
 * Resolves `/api/v1/namespaces/ns/pods/name/log` and friends. Returns a non-resource info for
 * anything that is not a resource path (discovery, health, openapi).
 */
export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '');
  let i: number;
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1] ?? '';
    i = 2;
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1] ?? '';
    version = parts[2] ?? '';
    i = 3;
  } else {
    return { kind: 'nonresource', path };
  }
  let watch = query.get('watch') === 'true' || query.get('watch') === '1';
  if (parts[i] === 'watch') {
    watch = true;
    i++;
  }
  let namespace = '';
  // `/namespaces/x/status` and `/namespaces/x/finalize` are subresources of the namespace x;
  // any other segment after `/namespaces/x/` is a resource inside it.
  if (parts[i] === 'namespaces' && parts.length > i + 2 && !NAMESPACE_SUBRESOURCES.has(parts[i + 2] ?? '')) {
    namespace = parts[i + 1] ?? '';
    i += 2;
  }
  const resource = parts[i] ?? '';
  const name = parts[i + 1] ?? '';
  const subresource = parts[i + 2] ?? '';
  const rest = parts.slice(i + 3);
  const verb = verbForMethod(method, name !== '', watch);
  if (verb === undefined || resource === '') return { kind: 'nonresource', path };
  return { kind: 'resource', verb, group, version, namespace, resource, name, subresource, rest };
}

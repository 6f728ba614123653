import { isJsonObject, type JsonObject } from '../api/index.ts';
import type { Store } from '../store/index.ts';
import type { Clock, IdSource } from '../util/index.ts';
import { AdmissionChain } from './admission/index.ts';
import { defaultAdmissionPlugins } from './admission/default-chain.ts';
import type { Auditor } from './audit/index.ts';
import type { Authenticator } from './authn.ts';
import type { TokenIssuer } from './authn/token-issuer.ts';
import { serviceAccountIssuerDiscovery, tokenRequestHandler } from './authn/token-request.ts';
import {
  attributesFor,
  createReviewHandlers,
  forbiddenError,
  impersonate,
  type Authorizer,
  type Decision,
  type ReviewHandler,
  type RuleResolver,
} from './authz/index.ts';
import { decodeObject } from './content.ts';
import { CrdController, schemaCatalogFor } from './crd/index.ts';
import { apiGroup, apiResourceList, discoveryRoot, VERSION_INFO } from './discovery.ts';
import { ApiError, errors, toApiError } from './errors.ts';
import { jsonResponse, type ApiRequest, type ApiResponse, type UserInfo } from './http-types.ts';
import { buildOpenApiBundle, type OpenApiBundle, type ServedResource } from './openapi/index.ts';
import { parseRequestInfo, type RequestInfo, type ResourceRequestInfo } from './request-info.ts';
import { builtinResources } from './resources/builtin.ts';
import { ResourceRegistry } from './resources/registry.ts';
import { groupResource, type ResourceDefinition } from './resources/types.ts';
import type { RestDeps, RestOp } from './rest-context.ts';
import { deleteCollection, deleteOne, parseDeleteOptions } from './rest-delete.ts';
import { get, list } from './rest-read.ts';
import { create, patch, update, writeResponse } from './rest-write.ts';
import { podLog, type PodLogSource } from './pod-logs.ts';
import { podAttach, podExec, podPortForward, type PodStreamSource } from './streaming/index.ts';
import { bind, evict, scale } from './subresources.ts';
import { watch } from './watch.ts';

export interface ApiServerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** The path prefix this cluster is served under ('' for the default cluster). */
  readonly pathPrefix?: string;
  readonly registry?: ResourceRegistry;
  readonly admission?: AdmissionChain;
  readonly bookmarkIntervalMs?: number;
  /** Container logs, from the node agent (absent until one runs). */
  readonly logs?: PodLogSource;
  /** exec, attach and port-forward, from the node agent (absent until one runs). */
  readonly streams?: PodStreamSource;
  /**
   * Authorization and the identity endpoints the server answers itself. Every cluster passes
   * it; only tests of the REST machinery leave it out (then every request is allowed).
   */
  readonly security?: ServerSecurity;
  /** Writes the audit log (absent: no audit log). */
  readonly auditor?: Auditor;
}

export interface ServerSecurity {
  /** RBAC (behind `system:masters`); also lists rules for SelfSubjectRulesReview. */
  readonly authorizer: Authorizer & RuleResolver;
  /** Checks TokenReview tokens: the same chain the HTTP adapter authenticates with. */
  readonly authenticator: Authenticator;
  /** Signs ServiceAccount tokens (TokenRequest) and publishes their keys (OIDC discovery). */
  readonly tokens: TokenIssuer;
}

/** What request handling learns that the audit event reports. */
interface AuditSeen {
  info?: RequestInfo;
  acting?: UserInfo;
  decision?: Decision;
}

function requestUri(prefix: string, req: ApiRequest): string {
  const q = req.query.toString();
  return `${prefix}${req.path}${q === '' ? '' : `?${q}`}`;
}

interface OpenApiCache {
  readonly version: number;
  readonly bundle: OpenApiBundle;
}

type Handler = (op: RestOp) => Promise<ApiResponse> | ApiResponse;

/** Verb → handler for the main resource. Subresources have their own table below. */
const MAIN: Readonly<Record<string, Handler>> = {
  get,
  list,
  create: async (op) => writeResponse(op, await create(op), 201),
  update: async (op) => writeResponse(op, await update(op)),
  patch: async (op) => writeResponse(op, await patch(op)),
  delete: (op) => deleteOne(op, parseDeleteOptions(op)),
  deletecollection: (op) => deleteCollection(op, parseDeleteOptions(op)),
};

const STATUS_LIKE: Readonly<Record<string, Handler>> = {
  get,
  update: async (op) => writeResponse(op, await update(op)),
  patch: async (op) => writeResponse(op, await patch(op)),
};

const SUBRESOURCE_HANDLERS: Readonly<Record<string, Readonly<Record<string, Handler>>>> = {
  status: STATUS_LIKE,
  finalize: { update: async (op) => writeResponse(op, await update(op)) },
  scale: { get: scale, update: scale, patch: scale },
  binding: { create: (op) => bind(op, op.info.name) },
  eviction: { create: evict },
  log: { get: (op) => podLog(op, op.deps.logs) },
  // Connect subresources: kube-apiserver accepts both GET and POST.
  exec: { get: (op) => podExec(op, op.deps.streams), create: (op) => podExec(op, op.deps.streams) },
  attach: {
    get: (op) => podAttach(op, op.deps.streams),
    create: (op) => podAttach(op, op.deps.streams),
  },
  portforward: {
    get: (op) => podPortForward(op, op.deps.streams),
    create: (op) => podPortForward(op, op.deps.streams),
  },
};

const HEALTH_PATHS = new Set(['/healthz', '/livez', '/readyz']);

const ROOT_PATHS = [
  '/api',
  '/api/v1',
  '/apis',
  '/healthz',
  '/livez',
  '/openapi/v3',
  '/readyz',
  '/version',
];

/** The handler for a verb on the main resource or one of its subresources: 404 or 405 if none. */
function handlerFor(def: ResourceDefinition, info: ResourceRequestInfo): Handler {
  let h: Handler | undefined;
  if (info.subresource === '') {
    h = def.verbs.includes(info.verb) ? MAIN[info.verb] : undefined;
  } else {
    if (!def.subresources.includes(info.subresource)) throw errors.notFoundPath();
    h = SUBRESOURCE_HANDLERS[info.subresource]?.[info.verb];
  }
  if (!h) throw errors.methodNotAllowed();
  return h;
}

/**
 * One cluster's Kubernetes API: discovery, OpenAPI, and the REST verbs over a store.
 * Transport-independent: `handle` takes an ApiRequest, so tests call it in process.
 */
export class ApiServer {
  readonly registry: ResourceRegistry;
  readonly deps: RestDeps;
  /** Serves CustomResourceDefinitions: registers their resources and keeps their status. */
  readonly crds: CrdController;
  readonly #pathPrefix: string;
  readonly #bookmarkIntervalMs: number;
  readonly #security: ServerSecurity | undefined;
  readonly #auditor: Auditor | undefined;
  readonly #reviews: Readonly<Record<string, ReviewHandler>>;
  readonly #tokenRequest: Handler | undefined;
  #openapiCache: OpenApiCache | undefined;

  constructor(opts: ApiServerOptions) {
    this.registry = opts.registry ?? new ResourceRegistry(builtinResources);
    const admission =
      opts.admission ??
      new AdmissionChain(
        defaultAdmissionPlugins({
          store: opts.store,
          clock: opts.clock,
          ids: opts.ids,
          serviceAccounts: opts.security !== undefined,
        }),
      );
    this.deps = {
      store: opts.store,
      registry: this.registry,
      clock: opts.clock,
      ids: opts.ids,
      admission,
      ...(opts.logs === undefined ? {} : { logs: opts.logs }),
      ...(opts.streams === undefined ? {} : { streams: opts.streams }),
    };
    this.#pathPrefix = opts.pathPrefix ?? '';
    this.#bookmarkIntervalMs = opts.bookmarkIntervalMs ?? 60_000;
    this.#security = opts.security;
    this.#auditor = opts.auditor;
    const sec = opts.security;
    this.#reviews = sec
      ? createReviewHandlers({
          authorizer: sec.authorizer,
          rules: sec.authorizer,
          authenticator: sec.authenticator,
        })
      : {};
    this.#tokenRequest = sec ? tokenRequestHandler(sec.tokens) : undefined;
    this.crds = new CrdController({
      store: opts.store,
      registry: this.registry,
      clock: opts.clock,
    });
    this.crds.start();
  }

  async handle(req: ApiRequest): Promise<ApiResponse> {
    const receivedAt = this.deps.clock.now();
    const seen: AuditSeen = {};
    const response = await this.#handle(req, seen);
    // Audited here, where the acting user, the decision and the final status are all known.
    this.#auditor?.record({
      req,
      info: seen.info,
      response,
      receivedAt,
      requestURI: requestUri(this.#pathPrefix, req),
      ...(seen.acting ? { acting: seen.acting } : {}),
      ...(seen.decision ? { decision: seen.decision } : {}),
    });
    return response;
  }

  async #handle(req: ApiRequest, seen: AuditSeen): Promise<ApiResponse> {
    try {
      const info = parseRequestInfo(req.method, req.path, req.query);
      seen.info = info;
      const authorized = this.#authorize(req, info, seen);
      if (info.kind === 'nonresource') return await this.#nonResource(authorized);
      return await this.#resource(authorized, info);
    } catch (e: unknown) {
      const err = e instanceof ApiError ? e : toApiError(e);
      return jsonResponse(err.status.code, err.status, err.headers);
    }
  }

  /**
   * kube-apiserver's WithImpersonation and WithAuthorization filters: the request as the user
   * it acts for, or a 403 Status.
   */
  #authorize(req: ApiRequest, info: RequestInfo, seen: AuditSeen): ApiRequest {
    const sec = this.#security;
    if (!sec) return req;
    const user = impersonate(req.user, req.headers, sec.authorizer);
    const acting = user === req.user ? req : { ...req, user };
    seen.acting = user;
    const attrs = attributesFor(acting, info);
    const d = sec.authorizer.authorize(attrs);
    seen.decision = d;
    if (d.decision !== 'allow') throw forbiddenError(attrs, d.reason);
    return acting;
  }

  #resource(req: ApiRequest, info: ResourceRequestInfo): Promise<ApiResponse> | ApiResponse {
    const def = this.registry.lookup(info.group, info.version, info.resource);
    if (!def) throw errors.notFoundPath();
    if (info.namespace !== '' && !def.namespaced && def.resource !== 'namespaces')
      throw errors.notFoundPath();
    const op: RestOp = { deps: this.deps, def, info, req };
    const special = this.#specialHandler(op);
    if (special) return special(op);
    if (info.subresource === '' && info.verb === 'watch') {
      return watch(op, { bookmarkIntervalMs: this.#bookmarkIntervalMs });
    }
    return handlerFor(def, info)(op);
  }

  /** Resources the server answers itself instead of storing: bindings, reviews, tokens. */
  #specialHandler({ def, info }: RestOp): Handler | undefined {
    const core = def.group === '';
    // `bindings` is a create-only resource addressing the pod named in the body.
    if (core && def.resource === 'bindings') return bindingsResource;
    const review = this.#reviews[groupResource(def)];
    if (review && info.subresource === '') {
      if (info.verb !== 'create') throw errors.methodNotAllowed();
      return review;
    }
    if (core && def.resource === 'serviceaccounts' && info.subresource === 'token') {
      if (!this.#tokenRequest) throw errors.notFoundPath();
      return this.#tokenRequest;
    }
    return undefined;
  }

  async #nonResource(req: ApiRequest): Promise<ApiResponse> {
    const path = req.path.replace(/\/+$/, '') || '/';
    const tokens = this.#security?.tokens;
    const oidc =
      tokens && req.method === 'GET'
        ? await serviceAccountIssuerDiscovery(tokens, path)
        : undefined;
    if (oidc) return oidc;
    const fixed = this.#fixedPath(path, req.headers['accept']);
    if (fixed) return fixed;
    if (path.startsWith('/openapi/')) return this.#openapi(path);
    const discovery = this.#groupDiscovery(path.split('/').filter((p) => p !== ''));
    if (discovery) return jsonResponse(200, discovery);
    throw errors.notFoundPath();
  }

  #fixedPath(path: string, accept: string | undefined): ApiResponse | undefined {
    if (path === '/version') return jsonResponse(200, VERSION_INFO);
    if (HEALTH_PATHS.has(path)) {
      return { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'ok' };
    }
    if (path === '/api' || path === '/apis') {
      return discoveryRoot(this.registry, { legacy: path === '/api', accept });
    }
    if (path === '/') return jsonResponse(200, { paths: ROOT_PATHS });
    return undefined;
  }

  /** `/api/<version>`, `/apis/<group>` and `/apis/<group>/<version>`; undefined if not served. */
  #groupDiscovery(parts: readonly string[]): JsonObject | undefined {
    const [prefix, group = '', version = ''] = parts;
    if (prefix === 'api' && parts.length === 2) return apiResourceList(this.registry, '', group);
    if (prefix !== 'apis') return undefined;
    if (parts.length === 2) return apiGroup(this.registry, group);
    if (parts.length === 3) return apiResourceList(this.registry, group, version);
    return undefined;
  }

  #served(): ServedResource[] {
    return this.registry.all().map((d) => ({
      group: d.group,
      version: d.version,
      resource: d.resource,
      kind: d.kind,
      namespaced: d.namespaced,
      subresources: [...d.subresources],
      ...(d.custom ? { custom: true } : {}),
    }));
  }

  #openapiBundle(): OpenApiBundle {
    const version = this.registry.version();
    if (this.#openapiCache?.version !== version) {
      this.#openapiCache = {
        version,
        bundle: buildOpenApiBundle(this.#served(), {
          pathPrefix: this.#pathPrefix,
          catalog: schemaCatalogFor(this.registry.all()),
        }),
      };
    }
    return this.#openapiCache.bundle;
  }

  #openapi(path: string): ApiResponse {
    const bundle = this.#openapiBundle();
    if (path === '/openapi/v3') return jsonResponse(200, bundle.root);
    const doc = bundle.documents.get(path.slice('/openapi/v3/'.length));
    if (!doc) throw errors.notFoundPath();
    return jsonResponse(200, doc.body, {
      ETag: `"${doc.hash}"`,
      'Cache-Control': 'public, immutable',
    });
  }
}

function bindingsResource(op: RestOp): Promise<ApiResponse> {
  if (op.info.verb !== 'create') throw errors.methodNotAllowed();
  const body = decodeObject(op.req);
  const meta = body['metadata'];
  const name = isJsonObject(meta) && typeof meta['name'] === 'string' ? meta['name'] : '';
  return bind(op, name);
}

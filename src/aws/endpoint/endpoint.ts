import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { noopLogger, type Logger } from '../../telemetry/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import { AwsError, type AwsCall, type AwsProtocol, type AwsService } from '../types.ts';
import type { AwsCredentials } from './credentials.ts';
import {
  authError,
  errorResponse,
  successResponse,
  wireErrorOf,
  xmlNamespace,
  type WireError,
  type WireResponse,
} from './protocols.ts';
import { SigV4Failure, verifySigV4, type SignedRequest, type VerifiedRequest } from './sigv4.ts';

/** AWS rejects request bodies far smaller than this; the limit only guards memory. */
const DEFAULT_BODY_LIMIT = 4 * 1024 * 1024;

export interface AwsEndpointOptions {
  readonly services: readonly AwsService[];
  readonly credentials: AwsCredentials;
  readonly clock: Clock;
  /** Request ids. */
  readonly ids: IdSource;
  readonly logger?: Logger;
  readonly bodyLimitBytes?: number;
}

/** One request as the endpoint sees it: what `listener()` reads off the socket. */
export interface EndpointRequest extends SignedRequest {
  /** Lower-case header names; repeated headers joined with `,`. */
  readonly headerMap: Readonly<Record<string, string | undefined>>;
}

function isForm(contentType: string | undefined): boolean {
  return (contentType ?? '').startsWith('application/x-www-form-urlencoded');
}

function formParams(req: EndpointRequest): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(req.rawQuery)) out.set(k, v);
  if (isForm(req.headerMap['content-type'])) {
    for (const [k, v] of new URLSearchParams(req.body.toString('utf8'))) out.set(k, v);
  }
  return out;
}

function parseJsonBody(body: Buffer): Record<string, unknown> {
  if (body.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new AwsError('SerializationException', 'Unable to parse request body as JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new AwsError('SerializationException', 'Request body must be a JSON object');
  }
  // SAFETY: checked above to be a non-array object.
  return parsed as Record<string, unknown>;
}

/**
 * Kiln's AWS-compatible endpoint: one HTTP listener for every service, routed by the SigV4
 * credential scope's service name. It authenticates, parses the protocol's body into an
 * `AwsCall`, and renders results and `AwsError`s in the protocol's envelope, so services
 * never touch HTTP.
 */
export class AwsEndpoint {
  readonly #services: ReadonlyMap<string, AwsService>;
  readonly #opts: AwsEndpointOptions;
  readonly #logger: Logger;

  constructor(opts: AwsEndpointOptions) {
    this.#opts = opts;
    this.#logger = opts.logger ?? noopLogger;
    this.#services = new Map(opts.services.map((s) => [s.signingName, s]));
  }

  /** A node:http (or https) request listener. */
  listener(): RequestListener {
    return (req, res) => {
      void this.#serve(req, res);
    };
  }

  async #serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let response: WireResponse;
    try {
      const request = await this.#read(req);
      response = request === undefined ? tooLarge() : await this.handle(request);
    } catch (e: unknown) {
      this.#logger.error('aws endpoint: request failed', { error: String(e) });
      response = { status: 500, headers: {}, body: '' };
    }
    res.writeHead(response.status, {
      ...response.headers,
      'content-length': Buffer.byteLength(response.body),
    });
    res.end(response.body);
  }

  async #read(req: IncomingMessage): Promise<EndpointRequest | undefined> {
    const limit = this.#opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      // SAFETY: without setEncoding an IncomingMessage yields Buffers.
      const buf = chunk as Buffer;
      size += buf.length;
      if (size > limit) return undefined;
      chunks.push(buf);
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const { headers, headerMap } = collectHeaders(req.rawHeaders);
    return {
      method: req.method ?? 'GET',
      rawPath: q < 0 ? url : url.slice(0, q),
      rawQuery: q < 0 ? '' : url.slice(q + 1),
      headers,
      headerMap,
      body: Buffer.concat(chunks),
    };
  }

  /** Handles one request in process (what the listener does after reading the body). */
  async handle(req: EndpointRequest): Promise<WireResponse> {
    const requestId = this.#opts.ids.uuid();
    let verified: VerifiedRequest;
    try {
      verified = verifySigV4(req, this.#opts);
    } catch (e: unknown) {
      if (!(e instanceof SigV4Failure)) throw e;
      const protocol = this.#protocolFor(e.service, req);
      const xmlns = this.#namespaceFor(e.service, req);
      return errorResponse(protocol, authError(protocol, e.kind, e.message), { requestId, xmlns });
    }
    const service = this.#services.get(verified.service);
    if (!service) {
      const protocol = this.#protocolFor(undefined, req);
      const err: WireError = {
        code: protocol === 'rest-json' ? 'UnknownOperationException' : 'InvalidAction',
        message: `Service ${verified.service} is not served by this endpoint`,
        httpStatus: 400,
        type: 'Sender',
        fields: {},
      };
      return errorResponse(protocol, err, { requestId, xmlns: undefined });
    }
    return this.#dispatch(service, { req, verified, requestId });
  }

  async #dispatch(
    service: AwsService,
    ctx: { req: EndpointRequest; verified: VerifiedRequest; requestId: string },
  ): Promise<WireResponse> {
    const { req, verified, requestId } = ctx;
    const params = service.protocol === 'rest-json' ? new Map<string, string>() : formParams(req);
    const action = params.get('Action') ?? '';
    const xmlns = xmlNamespace(service.signingName, params.get('Version') ?? '');
    try {
      const call = this.#call({ service, req, verified, requestId, params });
      if (service.protocol !== 'rest-json' && action === '') {
        throw new AwsError('MissingAction', 'Missing Action');
      }
      const result = await service.handle(call);
      return successResponse(service.protocol, { action, requestId, xmlns }, result);
    } catch (e: unknown) {
      if (e instanceof AwsError) {
        return errorResponse(service.protocol, wireErrorOf(e), { requestId, xmlns });
      }
      this.#logger.error('aws endpoint: service failed', {
        service: service.signingName,
        action,
        error: e instanceof Error ? (e.stack ?? e.message) : String(e),
      });
      const err: WireError = {
        code: service.protocol === 'rest-json' ? 'ServerException' : 'InternalFailure',
        message: 'We encountered an internal error. Please try again.',
        httpStatus: 500,
        type: 'Receiver',
        fields: {},
      };
      return errorResponse(service.protocol, err, { requestId, xmlns });
    }
  }

  #call(p: {
    service: AwsService;
    req: EndpointRequest;
    verified: VerifiedRequest;
    requestId: string;
    params: Map<string, string>;
  }): AwsCall {
    const principal = p.verified.credential.principal;
    const rawQuery = p.req.rawQuery;
    return {
      region: p.verified.region,
      caller: {
        accessKeyId: p.verified.accessKeyId,
        accountId: principal.accountId,
        arn: principal.arn,
        userId: principal.userId,
      },
      requestId: p.requestId,
      action: p.params.get('Action') ?? '',
      method: p.req.method,
      path: p.req.rawPath,
      query: new URLSearchParams(rawQuery),
      params: p.params,
      json: p.service.protocol === 'rest-json' ? parseJsonBody(p.req.body) : {},
      headers: p.req.headerMap,
    };
  }

  /** Before a service is known: the scope's service if any, else guessed from the body. */
  #protocolFor(service: string | undefined, req: EndpointRequest): AwsProtocol {
    const known = service === undefined ? undefined : this.#services.get(service);
    if (known) return known.protocol;
    return isForm(req.headerMap['content-type']) || req.rawQuery.includes('Action=')
      ? 'query'
      : 'rest-json';
  }

  #namespaceFor(service: string | undefined, req: EndpointRequest): string | undefined {
    if (service === undefined || !this.#services.has(service)) return undefined;
    const version = formParams(req).get('Version');
    return version === undefined ? undefined : xmlNamespace(service, version);
  }
}

function collectHeaders(raw: readonly string[]): {
  headers: [string, string][];
  headerMap: Record<string, string>;
} {
  const headers: [string, string][] = [];
  const headerMap: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i] ?? '';
    const value = raw[i + 1] ?? '';
    headers.push([name, value]);
    const key = name.toLowerCase();
    const prev = headerMap[key];
    headerMap[key] = prev === undefined ? value : `${prev},${value}`;
  }
  return { headers, headerMap };
}

function tooLarge(): WireResponse {
  return {
    status: 413,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ message: 'Request entity too large' }),
  };
}

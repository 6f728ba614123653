import { Agent, request as httpsRequest } from 'node:https';
import { createSecureContext, type SecureContext } from 'node:tls';
import { isIP } from 'node:net';
import { isJsonObject, type KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import type { ClientConfig, ServiceReference } from './webhook-config.ts';

/**
 * How the webhook dispatchers reach a webhook: URL building, service resolution and the
 * HTTPS POST, with failures worded as Go's net/http client words them.
 */

/** Where to connect for a service reference. */
export interface ResolvedAddress {
  readonly host: string;
  readonly port: number;
}

/**
 * Resolves a webhook's `service` reference to an address Kiln can dial. Upstream dials the
 * service's cluster IP; Kiln has no service network, so resolution is injectable.
 * Throws an Error whose message is the dial failure to report (upstream wording).
 */
export interface ServiceResolver {
  resolve(ref: ServiceReference): ResolvedAddress | Promise<ResolvedAddress>;
}

/** One POST of an AdmissionReview. */
export interface WebhookPost {
  /** The URL as reported in errors (`https://…?timeout=10s`). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Path and query. */
  readonly path: string;
  /** The name the certificate must carry; defaults to `host`. */
  readonly servername?: string;
  /** PEM roots to trust instead of the system's. */
  readonly caPem?: string;
  readonly body: string;
  readonly signal: AbortSignal;
}

export interface WebhookHttpResponse {
  readonly status: number;
  readonly body: string;
}

/** Sends one POST. Rejects with a WebhookCallError on transport failure. */
export interface WebhookTransport {
  post(req: WebhookPost): Promise<WebhookHttpResponse>;
}

/** A failure to get an HTTP response; `message` is upstream's `Post "<url>": <cause>`. */
export class WebhookCallError extends Error {}

const MAX_RESPONSE_BYTES = 3 * 1024 * 1024;

const TLS_UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

interface NodeNetError {
  readonly code?: unknown;
  readonly address?: unknown;
  readonly port?: unknown;
  readonly hostname?: unknown;
  readonly message: string;
}

/** Go's wording of a dial, TLS or read failure. */
export function goNetError(e: NodeNetError, target: { host: string; port: number }): string {
  const code = typeof e.code === 'string' ? e.code : '';
  const addr = `${typeof e.address === 'string' ? e.address : target.host}:${typeof e.port === 'number' ? e.port : target.port}`;
  if (code === 'ECONNREFUSED') return `dial tcp ${addr}: connect: connection refused`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return `dial tcp: lookup ${target.host}: no such host`;
  }
  if (code === 'ECONNRESET') return `read tcp ${addr}: read: connection reset by peer`;
  if (code === 'EHOSTUNREACH') return `dial tcp ${addr}: connect: no route to host`;
  if (TLS_UNKNOWN_AUTHORITY.has(code)) {
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `tls: failed to verify certificate: x509: certificate is not valid for ${target.host}`;
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  }
  return e.message;
}

function toNetError(e: unknown): NodeNetError {
  if (e instanceof Error) return e;
  return { message: String(e) };
}

/** Idle connections are kept this long: shorter than the keep-alive of Go and Node servers. */
const IDLE_SOCKET_MS = 4_000;
/** At most this many connections per webhook address, as a pooled HTTP client keeps. */
const MAX_SOCKETS_PER_HOST = 32;

/**
 * One keep-alive connection pool per trust root, with the root's TLS context built once, as
 * kube-apiserver keeps one client per webhook: a TLS handshake per AdmissionReview would cost
 * more than the review.
 */
class AgentPool {
  readonly #agents = new Map<string, { agent: Agent; context: SecureContext | undefined }>();

  of(caPem: string | undefined): { agent: Agent; context: SecureContext | undefined } {
    const key = caPem ?? '';
    let entry = this.#agents.get(key);
    if (!entry) {
      entry = {
        agent: new Agent({
          keepAlive: true,
          maxSockets: MAX_SOCKETS_PER_HOST,
          timeout: IDLE_SOCKET_MS,
        }),
        context: caPem === undefined ? undefined : createSecureContext({ ca: caPem }),
      };
      this.#agents.set(key, entry);
    }
    return entry;
  }
}

interface PostAttempt {
  /** Whether the request went out on a pooled connection (one the server may have closed). */
  readonly reused: boolean;
  readonly error: unknown;
}

function postOnce(req: WebhookPost, pool: AgentPool): Promise<WebhookHttpResponse | PostAttempt> {
  const { agent, context } = pool.of(req.caPem);
  return new Promise((resolve) => {
    const r = httpsRequest(
      {
        host: req.host,
        port: req.port,
        path: req.path,
        method: 'POST',
        agent,
        // SNI carries names only; an IP host is checked against the IP SANs without it.
        ...(isIP(req.servername ?? req.host) === 0
          ? { servername: req.servername ?? req.host }
          : {}),
        // The agent is the root's own, so its connections never serve another root.
        ...(context === undefined ? {} : { secureContext: context }),
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json, */*',
          'Content-Length': Buffer.byteLength(req.body),
        },
        signal: req.signal,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > MAX_RESPONSE_BYTES) {
            res.destroy(new Error('response body too large'));
            return;
          }
          chunks.push(c);
        });
        res.on('error', (error) => {
          resolve({ reused: false, error });
        });
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') });
        });
      },
    );
    r.on('error', (error) => {
      resolve({ reused: r.reusedSocket, error });
    });
    r.end(req.body);
  });
}

function isCode(e: unknown, code: string): boolean {
  return e instanceof Error && (e as { code?: unknown }).code === code;
}

/**
 * The default transport: node:https over pooled keep-alive connections, trusting only
 * `caPem` when it is given. A POST that fails because the server closed a pooled connection
 * just as it was reused is sent once more on a new one, as Go's transport retries a request
 * it never got to write.
 */
export function httpsTransport(): WebhookTransport {
  const pool = new AgentPool();
  return {
    async post(req) {
      let out = await postOnce(req, pool);
      if ('error' in out && out.reused && isCode(out.error, 'ECONNRESET') && !req.signal.aborted) {
        out = await postOnce(req, pool);
      }
      if ('status' in out) return out;
      const why = req.signal.aborted
        ? 'context deadline exceeded'
        : goNetError(toNetError(out.error), req);
      throw new WebhookCallError(`Post "${req.url}": ${why}`);
    },
  };
}

/** `?timeout=Ns` as client-go adds it, seconds rounded up. */
function withTimeout(pathAndQuery: string, timeoutSeconds: number): string {
  return `${pathAndQuery}?timeout=${Math.ceil(timeoutSeconds)}s`;
}

/** The POST target of a webhook: URL for messages, address to dial, TLS name. */
export async function webhookTarget(
  cc: ClientConfig,
  opts: { resolver: ServiceResolver; timeoutSeconds: number },
): Promise<Omit<WebhookPost, 'body' | 'signal'>> {
  const ca = cc.caPem === undefined ? {} : { caPem: cc.caPem };
  if (cc.url !== undefined) {
    const u = new URL(cc.url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    const port = u.port === '' ? 443 : Number(u.port);
    const path = withTimeout(u.pathname, opts.timeoutSeconds);
    return { url: `https://${u.host}${path}`, host, port, path, ...ca };
  }
  const svc = cc.service;
  if (svc === undefined) throw new WebhookCallError('no client config');
  const servername = `${svc.name}.${svc.namespace}.svc`;
  const path = withTimeout(svc.path, opts.timeoutSeconds);
  const url = `https://${servername}:${svc.port}${path}`;
  let addr: ResolvedAddress;
  try {
    addr = await opts.resolver.resolve(svc);
  } catch (e: unknown) {
    throw new WebhookCallError(`Post "${url}": ${e instanceof Error ? e.message : String(e)}`);
  }
  return { url, host: addr.host, port: addr.port, path, servername, ...ca };
}

function objectsOf(v: unknown): Record<string, unknown>[] {
  return Array.isArray(v) ? v.filter(isJsonObject) : [];
}

/** The service port a reference names, as findServicePort does. */
function servicePort(svc: KubeObject, port: number): Record<string, unknown> | undefined {
  const spec = isJsonObject(svc['spec']) ? svc['spec'] : {};
  return objectsOf(spec['ports']).find((p) => p['port'] === port);
}

function fromEndpoints(ep: KubeObject, portName: string): ResolvedAddress | undefined {
  for (const subset of objectsOf(ep['subsets'])) {
    const port = objectsOf(subset['ports']).find((p) => (p['name'] ?? '') === portName);
    const addr = objectsOf(subset['addresses'])[0];
    if (port && addr && typeof addr['ip'] === 'string' && typeof port['port'] === 'number') {
      return { host: addr['ip'], port: port['port'] };
    }
  }
  return undefined;
}

function readyAddress(slice: Record<string, unknown>): string | undefined {
  for (const ep of objectsOf(slice['endpoints'])) {
    const cond = isJsonObject(ep['conditions']) ? ep['conditions'] : {};
    const addrs = ep['addresses'];
    if (cond['ready'] === false || !Array.isArray(addrs)) continue;
    const first: unknown = addrs[0];
    if (typeof first === 'string') return first;
  }
  return undefined;
}

function fromSlices(
  store: Store,
  ref: ServiceReference,
  portName: string,
): ResolvedAddress | undefined {
  const slices = store.list(`/endpointslices.discovery.k8s.io/${ref.namespace}/`).items;
  for (const { object } of slices) {
    if (object.metadata.labels?.['kubernetes.io/service-name'] !== ref.name) continue;
    const port = objectsOf(object['ports']).find((p) => (p['name'] ?? '') === portName);
    const host = readyAddress(object);
    if (port && host !== undefined && typeof port['port'] === 'number') {
      return { host, port: port['port'] };
    }
  }
  return undefined;
}

/**
 * The default ServiceResolver: the Service from the store, then the first ready address of
 * its Endpoints (or EndpointSlices) on the target port, as the aggregator's endpoint
 * resolver does; ExternalName services resolve to their external name. Pod addresses are
 * only reachable where the runtime gives pods real, routable addresses.
 */
export function storeServiceResolver(store: Store): ServiceResolver {
  return {
    resolve(ref) {
      const svc = store.get(`/services/${ref.namespace}/${ref.name}`)?.object;
      if (!svc) throw new Error(`service "${ref.name}" not found`);
      const spec = isJsonObject(svc['spec']) ? svc['spec'] : {};
      if (spec['type'] === 'ExternalName' && typeof spec['externalName'] === 'string') {
        return { host: spec['externalName'], port: ref.port };
      }
      const port = servicePort(svc, ref.port);
      if (!port) throw new Error(`no service port ${ref.port} found for service "${ref.name}"`);
      const portName = typeof port['name'] === 'string' ? port['name'] : '';
      const ep = store.get(`/endpoints/${ref.namespace}/${ref.name}`)?.object;
      const found = (ep && fromEndpoints(ep, portName)) ?? fromSlices(store, ref, portName);
      if (!found) throw new Error(`no endpoints available for service "${ref.name}"`);
      return found;
    },
  };
}

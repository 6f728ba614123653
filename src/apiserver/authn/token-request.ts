import {
  isJsonObject,
  parseApiVersion,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import { rfc3339 } from '../../util/index.ts';
import { decodeObject } from '../content.ts';
import { errors } from '../errors.ts';
import { jsonResponse, type ApiResponse } from '../http-types.ts';
import { storageKey } from '../object-meta.ts';
import type { RestOp } from '../rest-context.ts';
import type { ObjectRef, TokenIssuer, BoundTokenSpec } from './token-issuer.ts';

const TOKEN_REQUEST = {
  group: 'authentication.k8s.io',
  resource: 'tokenrequests',
  kind: 'TokenRequest',
};
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const DEFAULT_EXPIRATION_SECONDS = 3600;

interface BoundRef {
  readonly kind: string;
  readonly apiVersion: string;
  readonly name: string;
  readonly uid: string;
}

interface ParsedSpec {
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  readonly boundObjectRef?: BoundRef;
}

function strOf(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function invalid(name: string, bad: { field: string; value: unknown }, detail: string): never {
  const { field, value } = bad;
  throw errors.invalid(TOKEN_REQUEST, name, [
    {
      type: 'FieldValueInvalid',
      field,
      message: `${field}: Invalid value: ${JSON.stringify(value)}: ${detail}`,
    },
  ]);
}

function parseExpiration(name: string, v: unknown): number {
  if (v === undefined || v === null) return DEFAULT_EXPIRATION_SECONDS;
  const field = 'spec.expirationSeconds';
  if (typeof v !== 'number' || !Number.isInteger(v))
    invalid(name, { field, value: v }, 'must be an integer');
  if (v < MIN_EXPIRATION_SECONDS)
    invalid(name, { field, value: v }, 'may not specify a duration less than 10 minutes');
  if (v > MAX_EXPIRATION_SECONDS)
    invalid(name, { field, value: v }, 'may not specify a duration larger than 2^32 seconds');
  return v;
}

function parseSpec(name: string, body: JsonObject): ParsedSpec {
  const spec = isJsonObject(body['spec']) ? body['spec'] : {};
  const auds = Array.isArray(spec['audiences'])
    ? spec['audiences'].filter((a) => typeof a === 'string')
    : [];
  const ref = spec['boundObjectRef'];
  return {
    audiences: auds,
    expirationSeconds: parseExpiration(name, spec['expirationSeconds']),
    ...(isJsonObject(ref)
      ? {
          boundObjectRef: {
            kind: strOf(ref['kind']),
            apiVersion: strOf(ref['apiVersion']),
            name: strOf(ref['name']),
            uid: strOf(ref['uid']),
          },
        }
      : {}),
  };
}

type Binding = Pick<BoundTokenSpec, 'pod' | 'secret' | 'node'>;

function refTo(obj: KubeObject): ObjectRef {
  return { name: obj.metadata.name ?? '', uid: obj.metadata.uid ?? '' };
}

/** The live object a bound reference names; 404 if missing, 409 if its uid differs. */
function boundObject(
  op: RestOp,
  ref: BoundRef,
  where: { resource: string; namespace: string },
): KubeObject {
  const obj = op.deps.store.get(storageKey(where.resource, where.namespace, ref.name))?.object;
  if (!obj) throw errors.notFound({ group: '', resource: where.resource }, ref.name);
  if (ref.uid !== '' && obj.metadata.uid !== ref.uid) {
    throw errors.conflict(
      { group: '', resource: ref.kind },
      ref.name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  }
  return obj;
}

/** A pod binding also records the pod's node, when it is scheduled to one that exists. */
function podBinding(op: RestOp, saName: string, ref: BoundRef): Binding {
  const pod = boundObject(op, ref, { resource: 'pods', namespace: op.info.namespace });
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : {};
  if (strOf(spec['serviceAccountName']) !== saName) {
    throw errors.badRequest(
      `cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`,
    );
  }
  const nodeName = strOf(spec['nodeName']);
  const node =
    nodeName === '' ? undefined : op.deps.store.get(storageKey('nodes', '', nodeName))?.object;
  return { pod: refTo(pod), ...(node ? { node: refTo(node) } : {}) };
}

/** Resolves `boundObjectRef` to the live Pod, Secret or Node, as the TokenRequest REST storage does. */
function resolveBinding(op: RestOp, saName: string, ref: BoundRef): Binding {
  const { group, version } = parseApiVersion(ref.apiVersion);
  const ns = op.info.namespace;
  if (group === '' && ref.kind === 'Pod') return podBinding(op, saName, ref);
  if (group === '' && ref.kind === 'Secret') {
    return { secret: refTo(boundObject(op, ref, { resource: 'secrets', namespace: ns })) };
  }
  if (group === '' && ref.kind === 'Node') {
    return { node: refTo(boundObject(op, ref, { resource: 'nodes', namespace: '' })) };
  }
  const gv = group === '' ? version : `${group}/${version}`;
  throw errors.badRequest(`cannot bind token to object of type ${gv}, Kind=${ref.kind}`);
}

/**
 * `POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token`: issues a bound token for the
 * ServiceAccount (what `kubectl create token` and the kubelet's projected volumes call).
 */
export function tokenRequestHandler(issuer: TokenIssuer): (op: RestOp) => Promise<ApiResponse> {
  return async (op) => {
    if (op.info.verb !== 'create') throw errors.methodNotAllowed();
    const name = op.info.name;
    const body = decodeObject(op.req);
    const meta = isJsonObject(body['metadata']) ? body['metadata'] : {};
    const spec = parseSpec(name, body);
    const sa = op.deps.store.get(storageKey('serviceaccounts', op.info.namespace, name))?.object;
    if (!sa) throw errors.notFound({ group: '', resource: 'serviceaccounts' }, name);
    const binding = spec.boundObjectRef ? resolveBinding(op, name, spec.boundObjectRef) : {};
    const audiences = spec.audiences.length > 0 ? spec.audiences : issuer.apiAudiences;
    const { token, expiresAt } = await issuer.issue({
      namespace: op.info.namespace,
      serviceAccount: refTo(sa),
      audiences,
      expirationSeconds: spec.expirationSeconds,
      ...binding,
    });
    const out: JsonObject = {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: {
        ...meta,
        name,
        namespace: op.info.namespace,
        creationTimestamp: rfc3339(op.deps.clock.now()),
      },
      spec: {
        audiences: [...audiences],
        expirationSeconds: spec.expirationSeconds,
        boundObjectRef: spec.boundObjectRef ? { ...spec.boundObjectRef } : null,
      },
      status: { token, expirationTimestamp: rfc3339(expiresAt) },
    };
    return jsonResponse(201, out);
  };
}

/** The OIDC discovery documents (`/.well-known/openid-configuration`, `/openid/v1/jwks`); undefined for other paths. */
export async function serviceAccountIssuerDiscovery(
  issuer: TokenIssuer,
  path: string,
): Promise<ApiResponse | undefined> {
  if (path === '/.well-known/openid-configuration') {
    return jsonResponse(200, issuer.discovery(), { 'Cache-Control': 'public, max-age=3600' });
  }
  if (path === '/openid/v1/jwks') {
    return jsonResponse(200, await issuer.jwks(), {
      'Content-Type': 'application/jwk-set+json',
      'Cache-Control': 'public, max-age=3600',
    });
  }
  return undefined;
}

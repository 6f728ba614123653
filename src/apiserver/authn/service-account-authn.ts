import { decodeJwt, type JWTPayload } from 'jose';
import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { bearerToken } from '../authn.ts';
import type { UserInfo } from '../http-types.ts';
import { storageKey } from '../object-meta.ts';
import {
  CLOCK_LEEWAY_SECONDS,
  LEGACY_ISSUER,
  type ObjectRef,
  type TokenIssuer,
} from './token-issuer.ts';
import {
  accepted,
  rejected,
  SKIP,
  type AuthnOutcome,
  type CredentialAuthenticator,
  type Credentials,
} from './types.ts';

export const EXTRA_POD_NAME = 'authentication.kubernetes.io/pod-name';
export const EXTRA_POD_UID = 'authentication.kubernetes.io/pod-uid';
export const EXTRA_NODE_NAME = 'authentication.kubernetes.io/node-name';
export const EXTRA_NODE_UID = 'authentication.kubernetes.io/node-uid';
export const EXTRA_CREDENTIAL_ID = 'authentication.kubernetes.io/credential-id';

/** The user a ServiceAccount authenticates as. */
export function serviceAccountUser(
  namespace: string,
  sa: ObjectRef,
  extra?: Readonly<Record<string, readonly string[]>>,
): UserInfo {
  return {
    username: `system:serviceaccount:${namespace}:${sa.name}`,
    uid: sa.uid,
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
    ...(extra && Object.keys(extra).length > 0 ? { extra } : {}),
  };
}

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

function refOf(v: unknown): ObjectRef | undefined {
  if (!isJsonObject(v)) return undefined;
  return { name: str(v['name']), uid: str(v['uid']) };
}

/** Thrown (and turned into a rejection) when a token's claims do not hold against the store. */
class InvalidTokenError extends Error {}

export interface ServiceAccountAuthenticatorOptions {
  readonly issuer: TokenIssuer;
  readonly store: Store;
  /** More issuers to accept (`--service-account-issuer` may be repeated). */
  readonly extraIssuers?: readonly string[];
}

/**
 * ServiceAccount JWTs: bound tokens of our issuer and legacy secret-based tokens. A JWT of
 * another issuer is not ours (skip); one of ours that fails any check is rejected. Checks, as
 * kube-apiserver's: signature, exp/nbf with a minute's leeway, audience ∩ API audiences, and
 * that the ServiceAccount and any bound Pod/Secret/Node still exist with the same uid.
 */
export class ServiceAccountTokenAuthenticator implements CredentialAuthenticator {
  readonly name = 'serviceaccount';
  readonly #opts: ServiceAccountAuthenticatorOptions;
  readonly #issuers: ReadonlySet<string>;

  constructor(opts: ServiceAccountAuthenticatorOptions) {
    this.#opts = opts;
    this.#issuers = new Set([opts.issuer.issuer, ...(opts.extraIssuers ?? [])]);
  }

  async check(c: Credentials): Promise<AuthnOutcome> {
    const token = bearerToken(c.headers);
    if (token === undefined) return SKIP;
    let iss: string | undefined;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return SKIP;
    }
    if (iss !== LEGACY_ISSUER && (iss === undefined || !this.#issuers.has(iss))) return SKIP;
    let payload: JWTPayload;
    try {
      payload = await this.#opts.issuer.verify(token);
    } catch (e: unknown) {
      return rejected(
        `invalid service account token: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    try {
      return accepted(iss === LEGACY_ISSUER ? this.#legacy(token, payload) : this.#bound(payload));
    } catch (e: unknown) {
      if (e instanceof InvalidTokenError) return rejected(e.message);
      throw e;
    }
  }

  #get(resource: string, namespace: string, name: string): KubeObject | undefined {
    return this.#opts.store.get(storageKey(resource, namespace, name))?.object;
  }

  /** The live object, or an error if it is gone, replaced (other uid) or being deleted a while. */
  #live(what: { resource: string; namespace: string; ref: ObjectRef }): KubeObject {
    const obj = this.#get(what.resource, what.namespace, what.ref.name);
    const label = `${what.resource} ${what.namespace === '' ? '' : `${what.namespace}/`}${what.ref.name}`;
    if (!obj) throw new InvalidTokenError(`${label} not found`);
    if (what.ref.uid !== '' && obj.metadata.uid !== what.ref.uid) {
      throw new InvalidTokenError(
        `${label} uid (${obj.metadata.uid ?? ''}) does not match claim (${what.ref.uid})`,
      );
    }
    const deleted = obj.metadata.deletionTimestamp;
    const now = this.#opts.issuer.clock.now();
    if (deleted !== undefined && Date.parse(deleted) < now - CLOCK_LEEWAY_SECONDS * 1000) {
      throw new InvalidTokenError(`${label} has been deleted`);
    }
    return obj;
  }

  #audiences(payload: JWTPayload): void {
    const auds = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
    const wanted = this.#opts.issuer.apiAudiences;
    if (!auds.some((a) => wanted.includes(a))) {
      throw new InvalidTokenError(
        `token audiences ${JSON.stringify(auds)} is invalid for the target audiences ${JSON.stringify(wanted)}`,
      );
    }
  }

  #bound(payload: JWTPayload): UserInfo {
    this.#audiences(payload);
    const k8s = payload['kubernetes.io'];
    if (!isJsonObject(k8s)) {
      throw new InvalidTokenError(
        'service account token claims could not be validated due to unexpected private claim',
      );
    }
    const namespace = str(k8s['namespace']);
    const sa = refOf(k8s['serviceaccount']);
    if (namespace === '' || !sa || sa.name === '' || sa.uid === '') {
      throw new InvalidTokenError(
        'service account token does not name a namespace and service account',
      );
    }
    this.#live({ resource: 'serviceaccounts', namespace, ref: sa });
    const extra = this.#boundObjects(namespace, k8s);
    if (typeof payload.jti === 'string') extra[EXTRA_CREDENTIAL_ID] = [`JTI=${payload.jti}`];
    return serviceAccountUser(namespace, sa, extra);
  }

  /** Checks the bound Pod/Secret/Node and returns the extra they contribute. */
  #boundObjects(namespace: string, k8s: JsonObject): Record<string, string[]> {
    const extra: Record<string, string[]> = {};
    const pod = refOf(k8s['pod']);
    const secret = refOf(k8s['secret']);
    const node = refOf(k8s['node']);
    if (pod) {
      this.#live({ resource: 'pods', namespace, ref: pod });
      extra[EXTRA_POD_NAME] = [pod.name];
      extra[EXTRA_POD_UID] = [pod.uid];
    }
    if (secret) this.#live({ resource: 'secrets', namespace, ref: secret });
    if (node) {
      // A pod-bound token only records its node; a node-bound one must still find it.
      if (!pod && !secret) this.#live({ resource: 'nodes', namespace: '', ref: node });
      extra[EXTRA_NODE_NAME] = [node.name];
      extra[EXTRA_NODE_UID] = [node.uid];
    }
    return extra;
  }

  #legacy(token: string, payload: JWTPayload): UserInfo {
    const claim = (k: string): string => str(payload[`kubernetes.io/serviceaccount/${k}`]);
    const namespace = claim('namespace');
    const secretName = claim('secret.name');
    const sa: ObjectRef = {
      name: claim('service-account.name'),
      uid: claim('service-account.uid'),
    };
    if (namespace === '' || secretName === '' || sa.name === '' || sa.uid === '') {
      throw new InvalidTokenError('legacy service account token is missing claims');
    }
    const secret = this.#live({
      resource: 'secrets',
      namespace,
      ref: { name: secretName, uid: '' },
    });
    const data = secret['data'];
    const stored = isJsonObject(data) ? str(data['token']) : '';
    if (Buffer.from(stored, 'base64').toString('utf8') !== token) {
      throw new InvalidTokenError('token does not match the service account token secret');
    }
    this.#live({ resource: 'serviceaccounts', namespace, ref: sa });
    return serviceAccountUser(namespace, sa, {
      [EXTRA_CREDENTIAL_ID]: [`Secret=${namespace}/${secretName}`],
    });
  }
}

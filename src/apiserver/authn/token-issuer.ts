import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto';
import { exportJWK, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { JsonObject } from '../../api/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';

/** The issuer of in-cluster ServiceAccount tokens (`--service-account-issuer`'s default). */
export const DEFAULT_ISSUER = 'https://kubernetes.default.svc';
/** The `iss` of pre-1.21 secret-based tokens. */
export const LEGACY_ISSUER = 'kubernetes/serviceaccount';
/** kube-apiserver accepts tokens up to a minute past `exp` or before `nbf`. */
export const CLOCK_LEEWAY_SECONDS = 60;

/** A name and uid, as bound tokens record the objects they are bound to. */
export interface ObjectRef {
  readonly name: string;
  readonly uid: string;
}

export interface BoundTokenSpec {
  readonly namespace: string;
  readonly serviceAccount: ObjectRef;
  readonly audiences: readonly string[];
  readonly expirationSeconds: number;
  readonly pod?: ObjectRef;
  readonly secret?: ObjectRef;
  readonly node?: ObjectRef;
}

export interface LegacyTokenSpec {
  readonly namespace: string;
  readonly serviceAccount: ObjectRef;
  readonly secretName: string;
}

export interface TokenIssuerOptions {
  /** PKCS#8 PEM of an EC P-256 (ES256) or RSA (RS256) private key. */
  readonly signingKeyPem: string;
  /** Defaults to `https://kubernetes.default.svc`; EKS uses `https://oidc.eks.<region>.amazonaws.com/id/<ID>`. */
  readonly issuer?: string;
  /** `--api-audiences`: the audiences the API server accepts; defaults to the issuer. */
  readonly apiAudiences?: readonly string[];
  /** Where the JWKS is published; defaults to `<issuer>/openid/v1/jwks`. */
  readonly jwksUri?: string;
  readonly clock: Clock;
  readonly ids: IdSource;
}

/** A fresh EC P-256 signing key as PKCS#8 PEM, for a new cluster. */
export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
}

function algorithmOf(key: KeyObject): 'ES256' | 'RS256' {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1') {
    return 'ES256';
  }
  throw new Error('the service account signing key must be EC P-256 or RSA');
}

/** kube-apiserver's key id: the unpadded base64url SHA-256 of the public key's DER. */
function keyIdOf(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('base64url');
}

/**
 * Signs and verifies one cluster's ServiceAccount tokens: bound tokens (TokenRequest,
 * projected volumes) and legacy secret-based tokens; publishes the OIDC discovery documents.
 */
export class TokenIssuer {
  readonly issuer: string;
  readonly apiAudiences: readonly string[];
  readonly algorithm: 'ES256' | 'RS256';
  readonly keyId: string;
  readonly #privateKey: KeyObject;
  readonly #publicKey: KeyObject;
  readonly #jwksUri: string;
  readonly #clock: Clock;
  readonly #ids: IdSource;

  constructor(opts: TokenIssuerOptions) {
    this.#privateKey = createPrivateKey(opts.signingKeyPem);
    this.#publicKey = createPublicKey(this.#privateKey);
    this.algorithm = algorithmOf(this.#privateKey);
    this.keyId = keyIdOf(this.#publicKey);
    this.issuer = opts.issuer ?? DEFAULT_ISSUER;
    this.apiAudiences = opts.apiAudiences ?? [this.issuer];
    this.#jwksUri = opts.jwksUri ?? `${this.issuer}/openid/v1/jwks`;
    this.#clock = opts.clock;
    this.#ids = opts.ids;
  }

  get clock(): Clock {
    return this.#clock;
  }

  /** A bound token with upstream's claims; returns it with its expiry (ms since the epoch). */
  async issue(spec: BoundTokenSpec): Promise<{ token: string; expiresAt: number }> {
    const now = Math.floor(this.#clock.now() / 1000);
    const exp = now + spec.expirationSeconds;
    const k8s: Record<string, unknown> = {
      namespace: spec.namespace,
      serviceaccount: { name: spec.serviceAccount.name, uid: spec.serviceAccount.uid },
    };
    if (spec.pod) k8s['pod'] = { ...spec.pod };
    if (spec.secret) k8s['secret'] = { ...spec.secret };
    if (spec.node) k8s['node'] = { ...spec.node };
    const token = await new SignJWT({ 'kubernetes.io': k8s })
      .setProtectedHeader({ alg: this.algorithm, kid: this.keyId })
      .setIssuer(this.issuer)
      .setSubject(`system:serviceaccount:${spec.namespace}:${spec.serviceAccount.name}`)
      .setAudience([...spec.audiences])
      .setIssuedAt(now)
      .setNotBefore(now)
      .setExpirationTime(exp)
      .setJti(this.#ids.uuid())
      .sign(this.#privateKey);
    return { token, expiresAt: exp * 1000 };
  }

  /** A non-expiring token for a `kubernetes.io/service-account-token` Secret. */
  issueLegacy(spec: LegacyTokenSpec): Promise<string> {
    return new SignJWT({
      'kubernetes.io/serviceaccount/namespace': spec.namespace,
      'kubernetes.io/serviceaccount/secret.name': spec.secretName,
      'kubernetes.io/serviceaccount/service-account.name': spec.serviceAccount.name,
      'kubernetes.io/serviceaccount/service-account.uid': spec.serviceAccount.uid,
    })
      .setProtectedHeader({ alg: this.algorithm, kid: this.keyId })
      .setIssuer(LEGACY_ISSUER)
      .setSubject(`system:serviceaccount:${spec.namespace}:${spec.serviceAccount.name}`)
      .sign(this.#privateKey);
  }

  /** The payload if the signature, `exp` and `nbf` hold (with a minute's leeway); throws otherwise. */
  async verify(token: string): Promise<JWTPayload> {
    const { payload } = await jwtVerify(token, this.#publicKey, {
      algorithms: [this.algorithm],
      currentDate: new Date(this.#clock.now()),
      clockTolerance: CLOCK_LEEWAY_SECONDS,
    });
    return payload;
  }

  /** `/.well-known/openid-configuration`. */
  discovery(): JsonObject {
    return {
      issuer: this.issuer,
      jwks_uri: this.#jwksUri,
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: [this.algorithm],
    };
  }

  /** `/openid/v1/jwks`. */
  async jwks(): Promise<JsonObject> {
    const jwk = await exportJWK(this.#publicKey);
    const key: JsonObject = { use: 'sig', alg: this.algorithm, kid: this.keyId };
    for (const [k, v] of Object.entries(jwk)) if (typeof v === 'string') key[k] = v;
    return { keys: [key] };
  }
}

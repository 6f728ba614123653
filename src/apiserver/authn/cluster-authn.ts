import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Store } from '../../store/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import type { Authenticator } from '../authn.ts';
import { AwsIamAuthenticator, type AwsAdminEntry } from './aws-auth.ts';
import type { AwsCredentialStore } from './aws-token.ts';
import { ClientCertAuthenticator } from './client-cert.ts';
import { ServiceAccountTokenAuthenticator } from './service-account-authn.ts';
import { generateSigningKeyPem, TokenIssuer } from './token-issuer.ts';
import type { CredentialAuthenticator } from './types.ts';
import { fromAuthenticator, UnionAuthenticator, type UnionOptions } from './union.ts';

/** The ServiceAccount signing key at `path`, made (mode 0600) on first use. */
export function loadOrCreateSigningKey(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8');
  const pem = generateSigningKeyPem();
  writeFileSync(path, pem, { mode: 0o600 });
  return pem;
}

export interface ClusterAuthnOptions {
  /** The cluster name `aws eks get-token --cluster-name` signs (`x-k8s-aws-id`). */
  readonly clusterId: string;
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** The CA that signs client certificates. */
  readonly caPem: string;
  readonly signingKeyPem: string;
  /** The ServiceAccount issuer; defaults to `https://kubernetes.default.svc`. */
  readonly issuer?: string;
  /** Tried first: the static admin token. */
  readonly staticTokens?: Authenticator;
  readonly aws?: {
    readonly credentials: AwsCredentialStore;
    readonly admins: readonly AwsAdminEntry[];
    readonly extraHosts?: readonly string[];
  };
  readonly onRejected?: UnionOptions['onRejected'];
}

/** One cluster's authenticator chain (static token, client certificate, ServiceAccount JWT, AWS IAM) and its token issuer. */
export function clusterAuthentication(o: ClusterAuthnOptions): {
  authenticator: UnionAuthenticator;
  issuer: TokenIssuer;
} {
  const issuer = new TokenIssuer({
    signingKeyPem: o.signingKeyPem,
    clock: o.clock,
    ids: o.ids,
    ...(o.issuer === undefined ? {} : { issuer: o.issuer }),
  });
  const members: CredentialAuthenticator[] = [];
  if (o.staticTokens) members.push(fromAuthenticator('static-token', o.staticTokens));
  members.push(new ClientCertAuthenticator({ caPem: o.caPem, clock: o.clock }));
  members.push(new ServiceAccountTokenAuthenticator({ issuer, store: o.store }));
  if (o.aws) {
    members.push(
      new AwsIamAuthenticator({
        clusterId: o.clusterId,
        credentials: o.aws.credentials,
        admins: o.aws.admins,
        clock: o.clock,
        store: o.store,
        ...(o.aws.extraHosts === undefined ? {} : { extraHosts: o.aws.extraHosts }),
      }),
    );
  }
  const union = new UnionAuthenticator(
    members,
    o.onRejected === undefined ? {} : { onRejected: o.onRejected },
  );
  return { authenticator: union, issuer };
}

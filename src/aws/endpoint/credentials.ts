import type { AwsCredential, AwsCredentialStore } from '../../apiserver/authn/index.ts';

/** A credential as the endpoint checks it; temporary ones (STS) carry an expiry. */
export interface AwsCredentialEntry extends AwsCredential {
  /** Epoch milliseconds after which requests fail with ExpiredToken. */
  readonly expiresAt?: number;
}

/**
 * The credential store the endpoint verifies SigV4 against. It extends the API server's
 * `AwsCredentialStore` (used for `k8s-aws-v1.` tokens), so one instance serves both and a key
 * that signs `aws iam …` also signs `aws eks get-token`.
 */
export interface AwsCredentials extends AwsCredentialStore {
  lookup(accessKeyId: string): AwsCredentialEntry | undefined;
}

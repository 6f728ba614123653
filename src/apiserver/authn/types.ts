import type { ConnectionCredentials } from '../authn.ts';
import type { UserInfo } from '../http-types.ts';

/** Everything a request presents to authenticate with. */
export interface Credentials {
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly connection: ConnectionCredentials;
}

/**
 * One authenticator's verdict. `skip` means "not my kind of credential"; `rejected` means the
 * credential is recognisably of this kind but invalid, which ends authentication with a 401.
 */
export type AuthnOutcome =
  | { readonly kind: 'user'; readonly user: UserInfo }
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'skip' };

export const SKIP: AuthnOutcome = { kind: 'skip' };

export function accepted(user: UserInfo): AuthnOutcome {
  return { kind: 'user', user };
}

export function rejected(reason: string): AuthnOutcome {
  return { kind: 'rejected', reason };
}

/** One kind of credential (service-account JWT, client certificate, AWS token…). */
export interface CredentialAuthenticator {
  readonly name: string;
  check(credentials: Credentials): AuthnOutcome | Promise<AuthnOutcome>;
}

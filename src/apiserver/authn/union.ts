import type { Authenticator, ConnectionCredentials } from '../authn.ts';
import type { UserInfo } from '../http-types.ts';
import {
  accepted,
  rejected,
  SKIP,
  type AuthnOutcome,
  type CredentialAuthenticator,
  type Credentials,
} from './types.ts';

const AUTHENTICATED = 'system:authenticated';

/** A plain Authenticator (e.g. the static admin token) as one member of a union. */
export function fromAuthenticator(name: string, inner: Authenticator): CredentialAuthenticator {
  return {
    name,
    check: async (c) => {
      const user = await inner.authenticate(c.headers, c.connection);
      return user ? accepted(user) : SKIP;
    },
  };
}

export interface UnionOptions {
  /** Told why a credential was rejected (for logs and audit); never the credential itself. */
  readonly onRejected?: (authenticator: string, reason: string) => void;
}

/**
 * Tries each authenticator in order: the first user wins; a credential one of them recognises
 * but finds invalid ends the search unauthenticated. Every user gets `system:authenticated`,
 * as kube-apiserver's group adder gives it. Never throws: an authenticator that fails counts
 * as a rejection.
 */
export class UnionAuthenticator implements Authenticator {
  readonly #members: readonly CredentialAuthenticator[];
  readonly #opts: UnionOptions;

  constructor(members: readonly CredentialAuthenticator[], opts: UnionOptions = {}) {
    this.#members = members;
    this.#opts = opts;
  }

  async authenticate(
    headers: Readonly<Record<string, string | undefined>>,
    connection: ConnectionCredentials = {},
  ): Promise<UserInfo | undefined> {
    const outcome = await this.check({ headers, connection });
    return outcome.kind === 'user' ? outcome.user : undefined;
  }

  /** The verdict with its reason, for callers that report why (TokenReview, audit). */
  async check(credentials: Credentials): Promise<AuthnOutcome> {
    for (const m of this.#members) {
      let outcome: AuthnOutcome;
      try {
        outcome = await m.check(credentials);
      } catch (e: unknown) {
        outcome = rejected(e instanceof Error ? e.message : String(e));
      }
      if (outcome.kind === 'user') return accepted(withAuthenticatedGroup(outcome.user));
      if (outcome.kind === 'rejected') {
        this.#opts.onRejected?.(m.name, outcome.reason);
        return outcome;
      }
    }
    return SKIP;
  }
}

function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.groups.includes(AUTHENTICATED)) return user;
  return { ...user, groups: [...user.groups, AUTHENTICATED] };
}

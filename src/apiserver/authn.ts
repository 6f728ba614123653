import { timingSafeEqual } from 'node:crypto';
import type { UserInfo } from './http-types.ts';

/** Turns request credentials into a user; undefined means "not authenticated". */
export interface Authenticator {
  authenticate(headers: Readonly<Record<string, string | undefined>>): UserInfo | undefined;
}

export const ANONYMOUS: UserInfo = {
  username: 'system:anonymous',
  groups: ['system:unauthenticated'],
};

/** Static bearer tokens (the admin token), compared in constant time. */
export class StaticTokenAuthenticator implements Authenticator {
  readonly #tokens: readonly { token: Buffer; user: UserInfo }[];
  constructor(tokens: readonly { token: string; user: UserInfo }[]) {
    this.#tokens = tokens.map((t) => ({ token: Buffer.from(t.token), user: t.user }));
  }
  authenticate(headers: Readonly<Record<string, string | undefined>>): UserInfo | undefined {
    const auth = headers['authorization'];
    if (auth === undefined) return undefined;
    const m = /^Bearer\s+(\S+)$/i.exec(auth);
    if (!m) return undefined;
    const given = Buffer.from(m[1] ?? '');
    for (const t of this.#tokens) {
      if (t.token.length === given.length && timingSafeEqual(t.token, given)) return t.user;
    }
    return undefined;
  }
}

/** Paths anyone may read, as kube-apiserver's `system:public-info-viewer` allows. */
export function isPublicPath(method: string, path: string): boolean {
  if (method !== 'GET' && method !== 'HEAD') return false;
  return (
    ['/version', '/healthz', '/livez', '/readyz'].includes(path.replace(/\/+$/, '')) ||
    /^\/(healthz|livez|readyz)\//.test(path)
  );
}

import { timingSafeEqual } from 'node:crypto';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { UserInfo } from './http-types.ts';

/** What the connection (not the headers) presents: the TLS client certificate, if any. */
export interface ConnectionCredentials {
  /** The DER client certificate the TLS peer sent; the authenticator verifies it. */
  readonly peerCertificate?: Buffer;
}

/** Turns request credentials into a user; undefined means "not authenticated". */
export interface Authenticator {
  authenticate(
    headers: Readonly<Record<string, string | undefined>>,
    connection?: ConnectionCredentials,
  ): UserInfo | undefined | Promise<UserInfo | undefined>;
}

/** The client certificate of a TLS connection (any socket type is accepted: plain ones have none). */
export function connectionCredentials(socket: Socket): ConnectionCredentials {
  if (!(socket instanceof TLSSocket)) return {};
  const cert = socket.getPeerCertificate();
  // An empty object (no `raw`) means the client sent no certificate.
  const raw: unknown = (cert as Partial<typeof cert>).raw;
  return Buffer.isBuffer(raw) && raw.length > 0 ? { peerCertificate: raw } : {};
}

/** The bearer token of an Authorization header, parsed as kube-apiserver does. */
export function bearerToken(
  headers: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const auth = headers['authorization'];
  if (auth === undefined) return undefined;
  const parts = auth.trim().split(' ');
  if (parts.length < 2 || parts[0]?.toLowerCase() !== 'bearer') return undefined;
  const token = parts[1] ?? '';
  return token === '' ? undefined : token;
}

/**
 * Whether the request carries credentials at all. A request with credentials that no
 * authenticator accepts is refused even on public paths (kube-apiserver falls back to anonymous
 * only when nothing was presented).
 */
export function presentsCredentials(
  headers: Readonly<Record<string, string | undefined>>,
  connection: ConnectionCredentials = {},
): boolean {
  return bearerToken(headers) !== undefined || connection.peerCertificate !== undefined;
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
    const token = bearerToken(headers);
    if (token === undefined) return undefined;
    const given = Buffer.from(token);
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

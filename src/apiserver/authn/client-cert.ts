import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import { issueCertificate, type KeyPairPem } from '../../daemon/pki.ts';
import type { Clock } from '../../util/index.ts';
import type { UserInfo } from '../http-types.ts';
import {
  accepted,
  rejected,
  SKIP,
  type AuthnOutcome,
  type CredentialAuthenticator,
  type Credentials,
} from './types.ts';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const ANY_EKU_OID = '2.5.29.37.0';

export interface ClientCertAuthenticatorOptions {
  /** PEM of the CA(s) whose client certificates are trusted (`--client-ca-file`). */
  readonly caPem: string;
  readonly clock: Clock;
}

function splitPem(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function validAt(cert: X509Certificate, now: number): boolean {
  return Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo);
}

/**
 * Users from TLS client certificates signed by the cluster CA: CN is the user name, each O a
 * group (kube-apiserver's `--client-ca-file` authenticator). The TLS layer only requests the
 * certificate; the chain is checked here: issued and signed by a trusted CA, within its
 * validity, and allowed for client authentication.
 */
export class ClientCertAuthenticator implements CredentialAuthenticator {
  readonly name = 'x509';
  readonly #cas: readonly X509Certificate[];
  readonly #clock: Clock;

  constructor(opts: ClientCertAuthenticatorOptions) {
    this.#cas = splitPem(opts.caPem).map((p) => new X509Certificate(p));
    this.#clock = opts.clock;
  }

  check(c: Credentials): AuthnOutcome {
    const der = c.connection.peerCertificate;
    if (der === undefined) return SKIP;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(der);
    } catch {
      return rejected('x509: malformed client certificate');
    }
    const problem = this.#problem(cert);
    if (problem !== undefined) return rejected(`x509: ${problem}`);
    const name = new x509.X509Certificate(der).subjectName;
    const cn = name.getField('CN')[0] ?? '';
    // A certificate without a common name names no user: not ours to accept (upstream).
    if (cn === '') return SKIP;
    const user: UserInfo = {
      username: cn,
      groups: name.getField('O'),
      extra: {
        'authentication.kubernetes.io/credential-id': [
          `X509SHA256=${cert.fingerprint256.replaceAll(':', '').toLowerCase()}`,
        ],
      },
    };
    return accepted(user);
  }

  #problem(cert: X509Certificate): string | undefined {
    const now = this.#clock.now();
    const ca = this.#cas.find((c) => cert.checkIssued(c) && cert.verify(c.publicKey));
    if (!ca) return 'certificate signed by unknown authority';
    if (!validAt(cert, now) || !validAt(ca, now))
      return 'certificate has expired or is not yet valid';
    const eku = cert.keyUsage as readonly string[] | undefined;
    // No EKU extension means any usage is allowed (RFC 5280).
    if (eku && !eku.includes(CLIENT_AUTH_OID) && !eku.includes(ANY_EKU_OID)) {
      return 'certificate specifies an incompatible key usage';
    }
    return undefined;
  }
}

/** A client certificate for `user` (CN = name, O = groups) signed by the cluster CA, for kubeconfigs and tests. */
export function issueClientCertificate(a: {
  readonly ca: KeyPairPem;
  readonly user: { readonly username: string; readonly groups?: readonly string[] };
  readonly clock: Clock;
}): Promise<KeyPairPem> {
  return issueCertificate({
    ca: a.ca,
    commonName: a.user.username,
    organization: a.user.groups ?? [],
    usage: 'client',
    clock: a.clock,
  });
}

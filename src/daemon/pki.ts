import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../util/index.ts';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

// SAFETY: Node's webcrypto implements the WebCrypto API @peculiar/x509 expects.
x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};

export interface KeyPairPem {
  readonly cert: string;
  readonly key: string;
}

async function exportKey(key: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function importKey(pem: string): Promise<CryptoKey> {
  const der = x509.PemConverter.decode(pem)[0];
  if (!der) throw new Error('no PEM block in key');
  return webcrypto.subtle.importKey('pkcs8', der, ALG, true, ['sign']);
}

function serial(clock: Clock): string {
  return clock.now().toString(16).padStart(16, '0');
}

/** A self-signed CA (ECDSA P-256, 10 years), as kubeadm makes `kubernetes` CAs. */
export async function createCa(opts: { commonName: string; clock: Clock }): Promise<KeyPairPem> {
  const keys: CryptoKeyPair = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = opts.clock.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(opts.clock),
    name: `CN=${opts.commonName}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 10 * 365 * 86_400_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign |
          x509.KeyUsageFlags.cRLSign |
          x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

export interface LeafOptions {
  readonly ca: KeyPairPem;
  readonly commonName: string;
  readonly organization?: readonly string[];
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  readonly usage: 'server' | 'client';
  readonly clock: Clock;
}

/** A certificate signed by `ca` (1 year): a serving certificate or a client certificate. */
export async function issueCertificate(opts: LeafOptions): Promise<KeyPairPem> {
  const caCert = new x509.X509Certificate(opts.ca.cert);
  const caKey = await importKey(opts.ca.key);
  const keys: CryptoKeyPair = await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const now = opts.clock.now();
  const names = [
    ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(opts.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  const subject = [`CN=${opts.commonName}`, ...(opts.organization ?? []).map((o) => `O=${o}`)].join(
    ', ',
  );
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(opts.clock),
    subject,
    issuer: caCert.subject,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 365 * 86_400_000),
    publicKey: keys.publicKey,
    signingKey: caKey,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
        true,
      ),
      new x509.ExtendedKeyUsageExtension([
        opts.usage === 'server'
          ? x509.ExtendedKeyUsage.serverAuth
          : x509.ExtendedKeyUsage.clientAuth,
      ]),
      ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      await x509.AuthorityKeyIdentifierExtension.create(caCert),
    ],
  });
  return { cert: cert.toString('pem'), key: await exportKey(keys.privateKey) };
}

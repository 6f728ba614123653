import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  requestListener,
  StaticTokenAuthenticator,
  upgradeListener,
  type Route,
} from '../apiserver/index.ts';
import {
  clusterAuthentication,
  InMemoryAwsCredentialStore,
  loadOrCreateSigningKey,
} from '../apiserver/authn/index.ts';
import type { Logger } from '../telemetry/index.ts';
import type { Clock, IdSource } from '../util/index.ts';
import type { Scheduler } from '../runtime/index.ts';
import { Cluster, type AuthenticationFactory } from './cluster.ts';
import { nodePool } from './node-pool.ts';
import { statePaths, type DaemonConfig } from './config.ts';
import { buildKubeconfig } from './kubeconfig.ts';
import { createCa, issueCertificate, type KeyPairPem } from './pki.ts';

export interface DaemonOptions {
  readonly config: DaemonConfig;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly logger: Logger;
  /** What the default cluster's node agent waits on (tests: a ManualScheduler). */
  readonly timers?: Scheduler;
}

function writePrivate(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
}

/** The CA and serving certificate: made on first start, reused afterwards. */
async function ensurePki(
  config: DaemonConfig,
  clock: Clock,
): Promise<{ ca: KeyPairPem; server: KeyPairPem }> {
  const p = statePaths(config.stateDir);
  mkdirSync(p.pki, { recursive: true, mode: 0o700 });
  let ca: KeyPairPem;
  if (existsSync(p.caCert) && existsSync(p.caKey)) {
    ca = { cert: readFileSync(p.caCert, 'utf8'), key: readFileSync(p.caKey, 'utf8') };
  } else {
    ca = await createCa({ commonName: 'kiln-ca', clock });
    writeFileSync(p.caCert, ca.cert);
    writePrivate(p.caKey, ca.key);
  }
  let server: KeyPairPem;
  if (existsSync(p.serverCert) && existsSync(p.serverKey)) {
    server = { cert: readFileSync(p.serverCert, 'utf8'), key: readFileSync(p.serverKey, 'utf8') };
  } else {
    const extraHost = config.host === '127.0.0.1' || config.host === '0.0.0.0' ? [] : [config.host];
    server = await issueCertificate({
      ca,
      commonName: 'kube-apiserver',
      dnsNames: [
        'localhost',
        'kubernetes',
        'kubernetes.default',
        'kubernetes.default.svc',
        'kubernetes.default.svc.cluster.local',
        ...extraHost.filter((h) => !/^[\d.]+$/.test(h)),
      ],
      ipAddresses: ['127.0.0.1', ...extraHost.filter((h) => /^[\d.]+$/.test(h))],
      usage: 'server',
      clock,
    });
    writeFileSync(p.serverCert, server.cert);
    writePrivate(p.serverKey, server.key);
  }
  return { ca, server };
}

function ensureToken(path: string): string {
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const token = randomBytes(32).toString('hex');
  writePrivate(path, `${token}\n`);
  return token;
}

/**
 * The composition root: PKI, the admin token, the clusters (the default one first) and the
 * HTTPS endpoint that routes `/eks/<region>/<name>/…` to a cluster and everything else to the
 * default cluster.
 */
export class Daemon {
  readonly #opts: DaemonOptions;
  readonly clusters = new Map<string, Cluster>();
  #server: Server | undefined;
  #abort = new AbortController();
  #running: Promise<unknown>[] = [];
  #defaultCluster: Cluster | undefined;
  /** What every cluster's authenticator shares; set by start(). */
  #authnBase: { caPem: string; staticTokens: StaticTokenAuthenticator; keyDir: string } | undefined;
  /** The IAM credentials `k8s-aws-v1.` tokens are checked against (the AWS endpoint's). */
  readonly awsCredentials = new InMemoryAwsCredentialStore();
  url = '';

  constructor(opts: DaemonOptions) {
    this.#opts = opts;
  }

  get defaultCluster(): Cluster {
    if (!this.#defaultCluster) throw new Error('the daemon is not started');
    return this.#defaultCluster;
  }

  async start(): Promise<void> {
    const { config, clock, ids, logger } = this.#opts;
    const p = statePaths(config.stateDir);
    mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
    const { ca, server } = await ensurePki(config, clock);
    const token = ensureToken(p.adminToken);
    const staticTokens = new StaticTokenAuthenticator([
      {
        token,
        user: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
      },
    ]);
    this.#authnBase = { caPem: ca.cert, staticTokens, keyDir: p.pki };
    const cluster = new Cluster({
      name: 'default',
      dataDir: config.inMemory ? undefined : join(p.clusters, 'default'),
      pathPrefix: '',
      clock,
      ids,
      fsync: config.fsync,
      rootCaPem: ca.cert,
      ...(this.#opts.timers === undefined ? {} : { timers: this.#opts.timers }),
      authentication: this.#authentication('default', ''),
      apiPort: config.port === 0 ? 443 : config.port,
      ...(config.eksAddons ? { eksAddons: { region: 'us-east-1' } } : {}),
      nodes: nodePool({
        count: config.workerNodes,
        instanceType: 'm5.large',
        region: 'us-east-1',
        nodegroup: 'kiln-workers',
      }),
    });
    await cluster.bootstrap();
    this.#defaultCluster = cluster;
    this.clusters.set('default', cluster);
    const route = (path: string): Route | undefined => {
      const m = /^\/eks\/([^/]+)\/([^/]+)(\/.*)?$/.exec(path);
      if (m) {
        const c = this.clusters.get(`${m[1] ?? ''}/${m[2] ?? ''}`);
        return c ? { ...this.#routeFor(c), path: m[3] ?? '/' } : undefined;
      }
      return { ...this.#routeFor(cluster), path };
    };
    const https = createServer(
      {
        cert: server.cert,
        key: server.key,
        requestTimeout: 0,
        // Ask for client certificates without requiring them; the authenticator checks the chain.
        requestCert: true,
        rejectUnauthorized: false,
        ca: ca.cert,
      },
      requestListener(route),
    );
    https.keepAliveTimeout = 65_000;
    https.on('upgrade', upgradeListener(route));
    await new Promise<void>((resolve, reject) => {
      https.once('error', reject);
      https.listen(config.port, config.host, () => {
        resolve();
      });
    });
    this.#server = https;
    const port = (https.address() as AddressInfo).port;
    this.url = `https://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
    writeFileSync(
      p.kubeconfig,
      buildKubeconfig({ server: this.url, caPem: ca.cert, token, name: 'kiln' }),
      { mode: 0o600 },
    );
    writeFileSync(p.endpointFile, `${this.url}\n`);
    // Every informer and watch of every controller listens on this one signal.
    setMaxListeners(0, this.#abort.signal);
    this.#running.push(
      cluster.run(this.#abort.signal).catch((e: unknown) => {
        logger.error('controllers stopped', { error: e instanceof Error ? e.message : String(e) });
      }),
    );
    logger.info('kiln is up', { url: this.url, kubeconfig: p.kubeconfig });
  }

  /** How a cluster builds its authenticators and token issuer (the daemon owns the keys). */
  #authentication(name: string, pathPrefix: string): AuthenticationFactory {
    const base = this.#authnBase;
    if (!base) throw new Error('the daemon is not started');
    const keyName = pathPrefix === '' ? 'sa.key' : `sa${pathPrefix.replaceAll('/', '-')}.key`;
    return (store) =>
      clusterAuthentication({
        clusterId: name,
        store,
        clock: this.#opts.clock,
        ids: this.#opts.ids,
        caPem: base.caPem,
        signingKeyPem: loadOrCreateSigningKey(join(base.keyDir, keyName)),
        staticTokens: base.staticTokens,
        aws: {
          credentials: this.awsCredentials,
          admins: [{ arn: 'arn:aws:iam::000000000000:root' }],
        },
      });
  }

  /** The cluster's handler and authenticator. */
  #routeFor(c: Cluster): Omit<Route, 'path'> {
    if (!c.authenticator) throw new Error(`cluster ${c.name} has no authenticator`);
    return { handler: c.api, authenticator: c.authenticator };
  }

  /**
   * Adds (or reopens) a cluster served at `/eks/<region>/<name>`, with its own store and
   * controllers. Idempotent: an existing cluster is returned as it is.
   */
  async addCluster(a: { region: string; name: string }): Promise<Cluster> {
    const key = `${a.region}/${a.name}`;
    const existing = this.clusters.get(key);
    if (existing) return existing;
    const { config, clock, ids, logger } = this.#opts;
    const cluster = new Cluster({
      name: a.name,
      dataDir: config.inMemory
        ? undefined
        : join(statePaths(config.stateDir).clusters, a.region, a.name),
      pathPrefix: `/eks/${a.region}/${a.name}`,
      authentication: this.#authentication(a.name, `/eks/${a.region}/${a.name}`),
      clock,
      ids,
      fsync: config.fsync,
    });
    await cluster.bootstrap();
    this.clusters.set(key, cluster);
    this.#running.push(
      cluster.run(this.#abort.signal).catch((e: unknown) => {
        logger.error('controllers stopped', {
          cluster: key,
          error: e instanceof Error ? e.message : String(e),
        });
      }),
    );
    return cluster;
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    const server = this.#server;
    if (server) {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
    await Promise.allSettled(this.#running);
    for (const c of this.clusters.values()) c.close();
    this.clusters.clear();
    this.#abort = new AbortController();
  }
}

import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  requestListener,
  StaticTokenAuthenticator,
  upgradeListener,
  type Route,
} from '../apiserver/index.ts';
import { clusterAuthentication, loadOrCreateSigningKey } from '../apiserver/authn/index.ts';
import { isNotFound } from '../client/index.ts';
import {
  KilnMetrics,
  startMetricsServer,
  type CostSource,
  type Logger,
  type MetricsServer,
} from '../telemetry/index.ts';
import type { Clock, IdSource } from '../util/index.ts';
import { ledgerCostSource, meteringDbPath, UsageLedger } from '../metering/index.ts';
import { findPriceOverrideFile, loadPriceCatalogue, PricingError } from '../pricing/index.ts';
import type { Scheduler } from '../runtime/index.ts';
import {
  AwsPlane,
  defaultNodegroupName,
  hostedEksClusters,
  registerDefaultCluster,
  registerDefaultNodegroup,
  reserveDefaultPool,
} from './aws-plane.ts';
import { Cluster, type AuthenticationFactory, type FargateWiring } from './cluster.ts';
import { Ec2FargateIps, eksProfileSource } from './fargate-wiring.ts';
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
  /** Accumulated Fargate cost for `/metrics`; without it the cost metric is not exported. */
  readonly costs?: CostSource;
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

/** The usage ledger: `<stateDir>/metering.db`, or in memory with the rest of the state. */
function openLedger(config: DaemonConfig): UsageLedger {
  return config.inMemory
    ? UsageLedger.inMemory()
    : new UsageLedger({ path: meteringDbPath(config.stateDir), fsync: config.fsync });
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
  /** The AWS side (IAM, STS, EC2, EKS and their endpoint); set by start(). */
  aws: AwsPlane | undefined;
  #caPem = '';
  readonly #clusterAborts = new Map<string, AbortController>();
  #webhookTls: FargateWiring['tls'] | undefined;
  /** The usage ledger every cluster meters into; set by start(). */
  #ledger: UsageLedger | undefined;
  #metrics: KilnMetrics | undefined;
  #metricsServer: MetricsServer | undefined;
  url = '';
  /** Where Prometheus scrapes (`http://127.0.0.1:9464/metrics`); '' when not listening. */
  metricsUrl = '';

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
    this.#caPem = ca.cert;
    // The Fargate mutation webhooks listen on 127.0.0.1 with a certificate from the Kiln CA.
    const webhookCert = await issueCertificate({
      ca,
      commonName: 'eks-fargate-webhook',
      ipAddresses: ['127.0.0.1'],
      usage: 'server',
      clock,
    });
    this.#webhookTls = { cert: webhookCert.cert, key: webhookCert.key, caPem: ca.cert };
    const aws = new AwsPlane({
      dataDir: config.inMemory ? undefined : p.aws,
      fsync: config.fsync,
      accountId: config.accountId,
      clock,
      ids,
      logger,
      lifecycleDelayMs: config.eksDelayMs,
      mode: config.awsMode,
      clusters: {
        create: (c) => this.#hostCluster(c),
        delete: (c) => this.removeCluster(c),
      },
      workers: (region, name) =>
        region === config.region && name === config.clusterName
          ? this.#defaultCluster
          : this.clusters.get(`${region}/${name}`),
      onProfileDeleted: (e) => this.#deleteProfilePods(e),
    });
    this.aws = aws;
    const { ledger, metrics } = this.#openMetering();
    // Placed in the public subnets of the eksctl VPC registered below; EC2 records them then.
    const workers = nodePool({
      count: config.workerNodes,
      instanceType: 'm5.large',
      region: config.region,
      // The managed node group registered with EKS below: these are its nodes.
      nodegroup: defaultNodegroupName({ region: config.region, name: config.clusterName }),
    });
    const cluster = new Cluster({
      metrics: metrics.addCluster({ region: config.region, name: config.clusterName }),
      name: 'default',
      metering: { ledger, cluster: config.clusterName, region: config.region },
      dataDir: config.inMemory ? undefined : join(p.clusters, 'default'),
      pathPrefix: '',
      clock,
      ids,
      fsync: config.fsync,
      rootCaPem: ca.cert,
      ...(this.#opts.timers === undefined ? {} : { timers: this.#opts.timers }),
      authentication: this.#authentication(config.clusterName, ''),
      auditLog: join(config.stateDir, 'audit.log'),
      fargate: this.#fargateWiring({ region: config.region, name: config.clusterName }),
      apiPort: config.port === 0 ? 443 : config.port,
      ...(config.eksAddons ? { eksAddons: { region: config.region } } : {}),
      nodes: workers,
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
    await this.#serveMetrics(metrics);
    await aws.start({ host: config.host, port: config.awsPort, signal: this.#abort.signal });
    writeFileSync(p.awsEndpointFile, `${aws.url}\n`);
    await registerDefaultCluster(aws, { region: config.region, name: config.clusterName });
    // Before any node group can take the pool's addresses from EC2.
    await reserveDefaultPool(aws, {
      region: config.region,
      name: config.clusterName,
      nodes: workers,
    }).catch((e: unknown) => {
      logger.error("recording the default node group's addresses in EC2 failed", {
        error: e instanceof Error ? e.message : String(e),
      });
    });
    // Waits for the cluster to be ACTIVE, so it runs alongside the rest of start-up.
    void registerDefaultNodegroup(aws, {
      region: config.region,
      name: config.clusterName,
      nodes: config.workerNodes,
      signal: this.#abort.signal,
    }).catch((e: unknown) => {
      logger.error('registering the default node group failed', {
        error: e instanceof Error ? e.message : String(e),
      });
    });
    // Clusters created through EKS before a restart come back with the daemon.
    for (const c of hostedEksClusters(aws)) {
      if (c.region !== config.region || c.name !== config.clusterName) await this.addCluster(c);
    }
    // Nodes node groups added before a restart are Node objects no agent hosts yet.
    await aws.nodegroups?.resync();
    // Every informer and watch of every controller listens on this one signal.
    setMaxListeners(0, this.#abort.signal);
    this.#running.push(
      cluster.run(this.#abort.signal).catch((e: unknown) => {
        logger.error('controllers stopped', { error: e instanceof Error ? e.message : String(e) });
      }),
    );
    logger.info('kiln is up', { url: this.url, kubeconfig: p.kubeconfig });
  }

  /**
   * The `/metrics` listener on the daemon's host. A port already taken costs the metrics, not
   * the daemon: Kiln runs on, and says so.
   */
  async #serveMetrics(metrics: KilnMetrics): Promise<void> {
    const { config, logger } = this.#opts;
    const file = statePaths(config.stateDir).metricsEndpointFile;
    rmSync(file, { force: true });
    try {
      this.#metricsServer = await startMetricsServer({
        metrics,
        host: config.host,
        port: config.metricsPort,
      });
    } catch (e: unknown) {
      logger.error('the metrics listener did not start', {
        port: config.metricsPort,
        error: e instanceof Error ? e.message : String(e),
      });
      return;
    }
    this.metricsUrl = this.#metricsServer.url;
    writeFileSync(file, `${this.metricsUrl}\n`);
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
          credentials: this.#aws().credentials,
          admins: [{ arn: `arn:aws:iam::${this.#opts.config.accountId}:root` }],
          ...(this.#opts.config.awsPort === 0
            ? {}
            : { extraHosts: [`127.0.0.1:${String(this.#opts.config.awsPort)}`] }),
        },
      });
  }

  /** The cluster's handler and authenticator. */
  #routeFor(c: Cluster): Omit<Route, 'path'> {
    if (!c.authenticator) throw new Error(`cluster ${c.name} has no authenticator`);
    return { handler: c.api, authenticator: c.authenticator };
  }

  /** The usage ledger and the metrics registry, whose cost figure reads the ledger. */
  #openMetering(): { ledger: UsageLedger; metrics: KilnMetrics } {
    const ledger = openLedger(this.#opts.config);
    this.#ledger = ledger;
    const costs = this.#opts.costs ?? this.#ledgerCosts(ledger);
    const metrics = new KilnMetrics({
      clock: this.#opts.clock,
      ...(costs === undefined ? {} : { costs }),
    });
    this.#metrics = metrics;
    return { ledger, metrics };
  }

  /**
   * The cost metric over the ledger and the price catalogue (with the user's override). A
   * malformed override file costs the metric, logged with the file and field, not the daemon;
   * `kiln cost` reports the same error.
   */
  #ledgerCosts(ledger: UsageLedger): CostSource | undefined {
    const { config, clock, logger } = this.#opts;
    const overrideFile = findPriceOverrideFile(config.stateDir);
    try {
      const catalogue = loadPriceCatalogue(overrideFile === undefined ? {} : { overrideFile });
      return ledgerCostSource({ ledger, catalogue, clock });
    } catch (e: unknown) {
      if (!(e instanceof PricingError)) throw e;
      logger.error('prices not loaded; kiln_fargate_cost_usd_total metric off', {
        error: e.message,
      });
      return undefined;
    }
  }

  /** A cluster's Fargate control plane reads its EKS profiles and EC2 subnets. */
  #fargateWiring(c: { region: string; name: string }): FargateWiring {
    const aws = this.#aws();
    const tls = this.#webhookTls;
    const { config } = this.#opts;
    if (!tls) throw new Error('the daemon is not started');
    return {
      region: c.region,
      profiles: eksProfileSource(aws.store, c),
      ips: (clusterStore) => new Ec2FargateIps({ ec2: aws.ec2, region: c.region, clusterStore }),
      tls,
      throttle: {
        burst: config.fargateLaunchBurst,
        ratePerSecond: config.fargateLaunchRate,
        ...(config.fargateVcpuQuota > 0 ? { vcpuQuota: config.fargateVcpuQuota } : {}),
      },
    };
  }

  /** Deleting a Fargate profile deletes the pods it placed, as EKS does. */
  async #deleteProfilePods(e: { region: string; cluster: string; profile: string }): Promise<void> {
    const { config } = this.#opts;
    const isDefault = e.region === config.region && e.cluster === config.clusterName;
    const cluster = isDefault
      ? this.#defaultCluster
      : this.clusters.get(`${e.region}/${e.cluster}`);
    if (!cluster) return;
    const pods = await cluster.client.list('/api/v1/pods', {
      labelSelector: `eks.amazonaws.com/fargate-profile=${e.profile}`,
    });
    for (const pod of pods.items) {
      const { namespace = '', name = '' } = pod.metadata;
      await cluster.client
        .delete(`/api/v1/namespaces/${namespace}/pods/${name}`)
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
    }
  }

  #aws(): AwsPlane {
    if (!this.aws) throw new Error('the daemon is not started');
    return this.aws;
  }

  /** ClusterHost.create: the default cluster is the daemon's root; others get their own. */
  async #hostCluster(c: {
    region: string;
    name: string;
  }): Promise<{ endpoint: string; caData: string }> {
    const caData = Buffer.from(this.#caPem).toString('base64');
    const { config } = this.#opts;
    if (c.region === config.region && c.name === config.clusterName) {
      return { endpoint: this.url, caData };
    }
    await this.addCluster(c);
    return { endpoint: `${this.url}/eks/${c.region}/${c.name}`, caData };
  }

  /** Stops and forgets a cluster added with addCluster (its state stays on disk). Idempotent. */
  removeCluster(c: { region: string; name: string }): Promise<void> {
    const key = `${c.region}/${c.name}`;
    const cluster = this.clusters.get(key);
    if (!cluster || key === 'default') return Promise.resolve();
    this.#clusterAborts.get(key)?.abort();
    this.#clusterAborts.delete(key);
    this.clusters.delete(key);
    cluster.close();
    // The cluster's pods and nodes went with it.
    this.#ledger?.stopCluster(c.name, this.#opts.clock.now());
    return Promise.resolve();
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
    const metrics = this.#metrics?.addCluster(a);
    const cluster = new Cluster({
      name: a.name,
      ...(this.#ledger
        ? { metering: { ledger: this.#ledger, cluster: a.name, region: a.region } }
        : {}),
      ...(metrics === undefined ? {} : { metrics }),
      rootCaPem: this.#caPem,
      fargate: this.#fargateWiring(a),
      ...(config.eksAddons ? { eksAddons: { region: a.region } } : {}),
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
    const abort = new AbortController();
    this.#clusterAborts.set(key, abort);
    const signal = AbortSignal.any([this.#abort.signal, abort.signal]);
    setMaxListeners(0, signal);
    this.#running.push(
      cluster.run(signal).catch((e: unknown) => {
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
    await this.#metricsServer?.close();
    this.#metricsServer = undefined;
    this.metricsUrl = '';
    await Promise.allSettled(this.#running);
    for (const c of this.clusters.values()) c.close();
    this.clusters.clear();
    this.#ledger?.close();
    this.#ledger = undefined;
    await this.aws?.stop();
    this.aws = undefined;
    this.#abort = new AbortController();
  }
}

import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { collectionPath, eksSystemObjects } from '../addons/eks-system.ts';
import type { KubeObject } from '../api/index.ts';
import { agentNodeLauncher, NodeAgent, type NodeSpec } from '../agent/index.ts';
import { ApiServer, LogSources, StreamSources, type UserInfo } from '../apiserver/index.ts';
import {
  Informer,
  InProcessTransport,
  isAlreadyExists,
  KubeClient,
  realSleep,
} from '../client/index.ts';
import { kubernetesService } from '../apiserver/admission/service-ips.ts';
import type { Authenticator } from '../apiserver/authn.ts';
import type { TokenIssuer } from '../apiserver/authn/token-issuer.ts';
import {
  bootstrapRbacObjects,
  ClusterRoleAggregationController,
  clusterAuthorizer,
} from '../apiserver/authz/index.ts';
import { Auditor, AuditFileWriter } from '../apiserver/audit/index.ts';
import {
  CronJobController,
  ResourceQuotaController,
  JobController,
  DaemonSetController,
  DisruptionController,
  EndpointsController,
  EndpointSliceController,
  NodeLifecycleController,
  StatefulSetController,
  TaintEvictionController,
  DeploymentController,
  GarbageCollector,
  NamespaceController,
  ReplicaSetController,
  ServiceAccountController,
} from '../controllers/index.ts';
import {
  FargateControlPlane,
  type FargateIpSource,
  type FargateProfileSource,
  type FargateThrottleOptions,
} from '../fargate/index.ts';
import { sleepOn, TimerScheduler, type Scheduler } from '../runtime/index.ts';
import { SimRuntime } from '../runtime/sim/index.ts';
import { MeteringController, type UsageLedger } from '../metering/index.ts';
import { DefaultScheduler } from '../scheduler/index.ts';
import { CachedStore, noPersistence, SqlitePersistence, type Store } from '../store/index.ts';
import type { ClusterMetrics } from '../telemetry/index.ts';
import type { Clock, IdSource } from '../util/index.ts';

/**
 * Who the embedded controllers, scheduler and node agent act as. In `system:masters`: they are
 * part of the control plane, which on EKS holds its own credentials outside RBAC's reach.
 */
export const CONTROLLER_USER: UserInfo = {
  username: 'system:kube-controller-manager',
  groups: ['system:masters', 'system:authenticated'],
};

/** What a cluster's Fargate control plane is built from. */
export interface FargateWiring {
  readonly region: string;
  readonly profiles: FargateProfileSource;
  /** Built over the cluster's own store (to skip addresses its nodes already hold). */
  readonly ips: (clusterStore: Store) => FargateIpSource;
  readonly tls: { readonly cert: string; readonly key: string; readonly caPem: string };
  readonly throttle?: FargateThrottleOptions;
}

/** A cluster's authenticator chain and ServiceAccount token issuer, made over its store. */
export type AuthenticationFactory = (store: Store) => {
  readonly authenticator: Authenticator;
  readonly issuer: TokenIssuer;
};

export interface ClusterOptions {
  readonly name: string;
  /** Where the cluster's state lives; undefined keeps it in memory. */
  readonly dataDir: string | undefined;
  /** The URL path prefix the cluster is served under ('' for the default cluster). */
  readonly pathPrefix: string;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly fsync?: boolean;
  /** Published as `kube-root-ca.crt` in every namespace. */
  readonly rootCaPem?: string;
  /** Worker nodes hosted by this cluster's node agent on the sim runtime. */
  readonly nodes?: readonly NodeSpec[];
  /**
   * What the node agent and the sim runtime wait on; defaults to real timers on `clock`. Tests
   * pass a ManualScheduler to move kubelet time (back-offs, probes) by hand.
   */
  readonly timers?: Scheduler;
  /**
   * Builds the cluster's authentication (the daemon owns the keys). Without it the cluster's
   * authorizer still runs, but TokenRequest, TokenReview and OIDC discovery are not served.
   */
  readonly authentication?: AuthenticationFactory;
  /** The API server's port, which the `kubernetes` Service in `default` targets. */
  readonly apiPort?: number;
  /**
   * Runs EKS's Fargate control plane (the mutation webhook and fargate-scheduler) with Fargate
   * nodes hosted by a node agent of their own.
   */
  readonly fargate?: FargateWiring;
  /** Where the audit log goes (JSON lines, rotated); none when undefined. */
  readonly auditLog?: string;
  /** Install EKS's kube-system add-ons (CoreDNS, kube-proxy, aws-node) for this region. */
  readonly eksAddons?: { readonly region: string };
  /** Meters Fargate pods and node-group nodes into the usage ledger, under this EKS name. */
  readonly metering?: {
    readonly ledger: UsageLedger;
    readonly cluster: string;
    readonly region: string;
  };
  /** Where the cluster's pod and Fargate metrics go; closed with the cluster. */
  readonly metrics?: ClusterMetrics;
}

/** Feeds the cluster's pods (a live informer cache) to its metrics until the signal aborts. */
function podMetricsFeed(
  client: KubeClient,
  metrics: ClusterMetrics,
): { run(signal: AbortSignal): Promise<void> } {
  // SAFETY: the pods informer holds core/v1 Pods as the API server serves them.
  const asPod = (obj: KubeObject): Pod => obj as unknown as Pod;
  const pods: Informer = new Informer({
    client,
    path: '/api/v1/pods',
    sleep: realSleep,
    handlers: {
      onChange: (p) => {
        metrics.podChanged(asPod(p), { existing: !pods.hasSynced() });
      },
      onDelete: (p) => {
        metrics.podDeleted(asPod(p));
      },
    },
  });
  metrics.watchPods(() => pods.list().map(asPod));
  return pods;
}

/** The objects every cluster starts with, as kube-apiserver's bootstrap controllers create them. */
function bootstrapObjects(): { path: string; object: KubeObject }[] {
  const ns = (name: string): { path: string; object: KubeObject } => ({
    path: '/api/v1/namespaces',
    object: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    },
  });
  const pc = (
    name: string,
    value: number,
    description: string,
  ): { path: string; object: KubeObject } => ({
    path: '/apis/scheduling.k8s.io/v1/priorityclasses',
    object: {
      apiVersion: 'scheduling.k8s.io/v1',
      kind: 'PriorityClass',
      metadata: { name },
      value,
      globalDefault: false,
      preemptionPolicy: 'PreemptLowerPriority',
      description,
    },
  });
  return [
    ...bootstrapRbacObjects(),
    ns('default'),
    ns('kube-system'),
    ns('kube-public'),
    ns('kube-node-lease'),
    pc(
      'system-node-critical',
      2000001000,
      'Used for system critical pods that must not be moved from their current node.',
    ),
    pc(
      'system-cluster-critical',
      2000000000,
      'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
    ),
  ];
}

/**
 * One Kubernetes cluster: its own store (keyspace), API server and controllers. The daemon
 * hosts several; the default cluster is the first.
 */
export class Cluster {
  readonly name: string;
  readonly pathPrefix: string;
  readonly store: Store;
  readonly api: ApiServer;
  readonly client: KubeClient;
  /** Authenticates requests for this cluster; undefined without an authentication factory. */
  readonly authenticator: Authenticator | undefined;
  readonly #authz: ReturnType<typeof clusterAuthorizer>;
  readonly #closing = new AbortController();
  readonly #apiPort: number;
  readonly #addonsRegion: string | undefined;
  readonly #fargate: FargateWiring | undefined;
  readonly #rootCaPem: string | undefined;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  /** The worker agent's nodes in the order they joined: configured ones, then added ones. */
  readonly #workers = new Map<string, NodeSpec>();
  /**
   * Hosts the worker nodes. Built with no nodes (an agent built with exactly one narrows its
   * pod watch to it) so node groups can add nodes later; configured ones join in run().
   */
  readonly #workerAgent: NodeAgent;
  readonly #timers: Scheduler;
  readonly #logs = new LogSources();
  readonly #streams = new StreamSources();
  readonly #metering: ClusterOptions['metering'];
  readonly #metrics: ClusterMetrics | undefined;

  constructor(opts: ClusterOptions) {
    this.#clock = opts.clock;
    this.#ids = opts.ids;
    for (const spec of opts.nodes ?? []) this.#workers.set(spec.name, spec);
    this.#timers = opts.timers ?? new TimerScheduler(opts.clock);
    this.#rootCaPem = opts.rootCaPem;
    this.name = opts.name;
    this.pathPrefix = opts.pathPrefix;
    let persistence = noPersistence;
    if (opts.dataDir !== undefined) {
      mkdirSync(opts.dataDir, { recursive: true });
      persistence = new SqlitePersistence({
        path: join(opts.dataDir, 'state.db'),
        fsync: opts.fsync ?? false,
      });
    }
    this.store = new CachedStore({ persistence });
    this.#apiPort = opts.apiPort ?? 443;
    this.#addonsRegion = opts.eksAddons?.region;
    this.#fargate = opts.fargate;
    this.#metering = opts.metering;
    this.#metrics = opts.metrics;
    this.#authz = clusterAuthorizer(this.store);
    this.#authz.start(this.#closing.signal);
    const authn = opts.authentication?.(this.store);
    this.authenticator = authn?.authenticator;
    this.api = new ApiServer({
      store: this.store,
      clock: opts.clock,
      ids: opts.ids,
      pathPrefix: opts.pathPrefix,
      logs: this.#logs,
      streams: this.#streams,
      ...(opts.auditLog === undefined
        ? {}
        : {
            auditor: new Auditor({
              sink: new AuditFileWriter({ path: opts.auditLog, clock: opts.clock }),
              clock: opts.clock,
            }),
          }),
      ...(authn
        ? {
            security: {
              authorizer: this.#authz.authorizer,
              authenticator: authn.authenticator,
              tokens: authn.issuer,
            },
          }
        : {}),
    });
    this.client = new KubeClient(new InProcessTransport(this.api, CONTROLLER_USER));
    this.#workerAgent = this.#nodeAgent();
  }

  /** A node agent on the sim runtime whose pods' logs and streams the API server serves. */
  #nodeAgent(): NodeAgent {
    const agent = new NodeAgent({
      client: this.client,
      clock: this.#clock,
      sleep: this.#timers instanceof TimerScheduler ? realSleep : sleepOn(this.#timers),
      runtime: new SimRuntime({ scheduler: this.#timers }),
      nodes: [],
    });
    this.#logs.add(agent);
    this.#streams.add(agent.streams);
    return agent;
  }

  /** The worker nodes this cluster hosts (not Fargate ones), oldest first. */
  workerNodes(): readonly NodeSpec[] {
    return [...this.#workers.values()];
  }

  /** Starts hosting a worker node and registers it. Idempotent for a hosted name. */
  async addWorkerNode(spec: NodeSpec): Promise<void> {
    if (this.#workers.has(spec.name)) return;
    this.#workers.set(spec.name, spec);
    try {
      await this.#workerAgent.addNode(spec);
    } catch (e: unknown) {
      this.#workers.delete(spec.name);
      throw e;
    }
  }

  /** Stops hosting a worker node and deletes its Node and Lease. Idempotent. */
  async removeWorkerNode(name: string): Promise<void> {
    this.#workers.delete(name);
    await this.#workerAgent.removeNode(name);
  }

  /** Creates the system namespaces and priority classes that are missing. Idempotent. */
  async bootstrap(): Promise<void> {
    const objects = [
      ...bootstrapObjects(),
      {
        path: '/api/v1/namespaces/default/services',
        object: kubernetesService({ targetPort: this.#apiPort }),
      },
      ...(this.#addonsRegion === undefined
        ? []
        : eksSystemObjects(this.#addonsRegion).map((object) => ({
            path: collectionPath(object),
            object,
          }))),
    ];
    for (const { path, object } of objects) {
      try {
        await this.client.create(path, object);
      } catch (e: unknown) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  }

  /** Runs the cluster's controllers until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const controllers: { run(signal: AbortSignal): Promise<void> }[] = [
      new NamespaceController({ client: this.client, sleep: realSleep }),
      new GarbageCollector({ client: this.client, sleep: realSleep }),
      new ReplicaSetController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new DefaultScheduler({
        client: this.client,
        sleep: realSleep,
        clock: this.#clock,
        ids: this.#ids,
      }),
      new DeploymentController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new ClusterRoleAggregationController({ client: this.client, sleep: realSleep }),
      new ResourceQuotaController({ store: this.store, client: this.client, clock: this.#clock }),
      new JobController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new CronJobController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new DaemonSetController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new StatefulSetController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new EndpointsController({ client: this.client, sleep: realSleep }),
      new EndpointSliceController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new DisruptionController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new NodeLifecycleController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new TaintEvictionController({ client: this.client, sleep: realSleep, clock: this.#clock }),
      new ServiceAccountController({
        client: this.client,
        sleep: realSleep,
        ...(this.#rootCaPem === undefined ? {} : { rootCaPem: this.#rootCaPem }),
      }),
    ];
    for (const spec of this.#workers.values()) await this.#workerAgent.addNode(spec);
    controllers.push(this.#workerAgent);
    if (this.#metering) {
      const { ledger, cluster, region } = this.#metering;
      controllers.push(
        new MeteringController({
          client: this.client,
          clock: this.#clock,
          sleep: realSleep,
          ledger,
          where: { cluster, region },
        }),
      );
    }
    if (this.#metrics) controllers.push(podMetricsFeed(this.client, this.#metrics));
    controllers.push(...this.#fargateControllers());
    await Promise.all(controllers.map((c) => c.run(signal)));
  }

  /** A node agent for Fargate nodes (one pod each) and the Fargate control plane. */
  #fargateControllers(): { run(signal: AbortSignal): Promise<void> }[] {
    const f = this.#fargate;
    if (!f) return [];
    const agent = this.#nodeAgent();
    const plane = new FargateControlPlane({
      client: this.client,
      clock: this.#clock,
      sleep: realSleep,
      ids: this.#ids,
      region: f.region,
      profiles: f.profiles,
      ips: f.ips(this.store),
      launcher: agentNodeLauncher(agent),
      tls: f.tls,
      ...(this.#metrics === undefined ? {} : { metrics: this.#metrics }),
      ...(f.throttle === undefined ? {} : { throttle: f.throttle }),
    });
    return [agent, plane];
  }

  close(): void {
    this.#metrics?.close();
    this.#closing.abort();
    this.store.close();
  }
}

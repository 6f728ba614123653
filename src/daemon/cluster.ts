import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../api/index.ts';
import { NodeAgent, type NodeSpec } from '../agent/index.ts';
import { ApiServer, LogSources, type UserInfo } from '../apiserver/index.ts';
import { InProcessTransport, isAlreadyExists, KubeClient, realSleep } from '../client/index.ts';
import {
  DeploymentController,
  GarbageCollector,
  NamespaceController,
  ReplicaSetController,
  ServiceAccountController,
} from '../controllers/index.ts';
import { sleepOn, TimerScheduler, type Scheduler } from '../runtime/index.ts';
import { SimRuntime } from '../runtime/sim/index.ts';
import { DefaultScheduler } from '../scheduler/index.ts';
import { CachedStore, noPersistence, SqlitePersistence, type Store } from '../store/index.ts';
import type { Clock, IdSource } from '../util/index.ts';

export const CONTROLLER_USER: UserInfo = {
  username: 'system:kube-controller-manager',
  groups: ['system:authenticated'],
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
  readonly #rootCaPem: string | undefined;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #nodes: readonly NodeSpec[];
  readonly #timers: Scheduler;
  readonly #logs = new LogSources();

  constructor(opts: ClusterOptions) {
    this.#clock = opts.clock;
    this.#ids = opts.ids;
    this.#nodes = opts.nodes ?? [];
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
    this.api = new ApiServer({
      store: this.store,
      clock: opts.clock,
      ids: opts.ids,
      pathPrefix: opts.pathPrefix,
      logs: this.#logs,
    });
    this.client = new KubeClient(new InProcessTransport(this.api, CONTROLLER_USER));
  }

  /** Creates the system namespaces and priority classes that are missing. Idempotent. */
  async bootstrap(): Promise<void> {
    for (const { path, object } of bootstrapObjects()) {
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
      new ServiceAccountController({
        client: this.client,
        sleep: realSleep,
        ...(this.#rootCaPem === undefined ? {} : { rootCaPem: this.#rootCaPem }),
      }),
    ];
    if (this.#nodes.length > 0) {
      const runtime = new SimRuntime({ scheduler: this.#timers });
      const agent = new NodeAgent({
        client: this.client,
        clock: this.#clock,
        sleep: this.#timers instanceof TimerScheduler ? realSleep : sleepOn(this.#timers),
        runtime,
        nodes: this.#nodes,
      });
      this.#logs.add(agent);
      controllers.push(agent);
    }
    await Promise.all(controllers.map((c) => c.run(signal)));
  }

  close(): void {
    this.store.close();
  }
}

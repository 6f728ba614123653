import type { Pod } from 'kubernetes-types/core/v1.js';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Clock } from '../util/index.ts';
import { countPods, FargateLatencyTracker, provisionedCapacity } from './metrics-pods.ts';

/** A cluster as metrics label it: the EKS cluster's region and name. */
export interface ClusterRef {
  readonly region: string;
  readonly name: string;
}

/**
 * Where the accumulated cost comes from (the metering ledger). `totalUsd` returns the USD billed
 * so far for the cluster's Fargate pods; it is called at every scrape, must be cheap and must
 * not decrease while the daemon runs. A throw leaves the cluster's series out of that scrape.
 */
export interface CostSource {
  totalUsd(cluster: ClusterRef): number;
}

export interface KilnMetricsOptions {
  readonly clock: Clock;
  /** Without it `kiln_fargate_cost_usd_total` is not exported at all. */
  readonly costs?: CostSource;
  /** Node.js process metrics (`process_*`, `nodejs_*`); on unless false. */
  readonly processMetrics?: boolean;
}

/** Fargate launch and start-up times: from milliseconds (Kiln) to minutes (AWS under load). */
const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const CLUSTER_LABELS = ['cluster', 'region'] as const;
type ClusterLabel = (typeof CLUSTER_LABELS)[number];
type PodLabel = ClusterLabel | 'compute_type' | 'phase';

interface ClusterState {
  readonly ref: ClusterRef;
  readonly labels: Record<ClusterLabel, string>;
  pods?: () => Iterable<Pod>;
  tokens?: () => number;
}

function clusterKey(ref: ClusterRef): string {
  return `${ref.region}/${ref.name}`;
}

/** The metrics both the daemon's registry and each cluster's handle update. */
interface Instruments {
  readonly launches: Counter<ClusterLabel>;
  readonly throttled: Counter<ClusterLabel>;
  readonly scheduling: Histogram<ClusterLabel>;
  readonly running: Histogram<ClusterLabel>;
}

/**
 * One daemon's Prometheus registry (never prom-client's global one): pod counts, Fargate
 * provisioned capacity and launch-token gauges computed at scrape time from each cluster's live
 * views, launch counters and latency histograms fed by each cluster's handle, and the cost
 * counter when a cost source is given. Construction starts the process-metrics observers.
 */
export class KilnMetrics {
  readonly registry = new Registry();
  readonly #clock: Clock;
  readonly #costs: CostSource | undefined;
  readonly #clusters = new Map<string, ClusterState>();
  readonly #i: Instruments;

  constructor(opts: KilnMetricsOptions) {
    this.#clock = opts.clock;
    this.#costs = opts.costs;
    const registers = [this.registry];
    if (opts.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const pods = new Gauge<PodLabel>({
      name: 'kiln_pods',
      help: 'Pods by cluster, compute type (fargate or ec2) and phase.',
      labelNames: [...CLUSTER_LABELS, 'compute_type', 'phase'],
      registers,
      collect: () => {
        this.#collectPods(pods);
      },
    });
    this.#capacityGauges(registers);
    this.#i = {
      launches: new Counter({
        name: 'kiln_fargate_launches_total',
        help: 'Fargate micro-VM launches the fargate-scheduler started (one per pod).',
        labelNames: CLUSTER_LABELS,
        registers,
      }),
      throttled: new Counter({
        name: 'kiln_fargate_launches_throttled_total',
        help: 'Fargate launches deferred because the launch token bucket was empty.',
        labelNames: CLUSTER_LABELS,
        registers,
      }),
      scheduling: new Histogram({
        name: 'kiln_fargate_scheduling_duration_seconds',
        help: 'Time from a Fargate pod’s creation until the fargate-scheduler bound it to its node.',
        labelNames: CLUSTER_LABELS,
        buckets: LATENCY_BUCKETS,
        registers,
      }),
      running: new Histogram({
        name: 'kiln_fargate_pod_running_latency_seconds',
        help: 'Time from a Fargate pod’s creation until it was Running.',
        labelNames: CLUSTER_LABELS,
        buckets: LATENCY_BUCKETS,
        registers,
      }),
    };
    if (opts.costs !== undefined) this.#costCounter(registers);
  }

  #capacityGauges(registers: Registry[]): void {
    const gauge = (name: string, help: string, read: (s: ClusterState) => number | undefined) => {
      const g = new Gauge<ClusterLabel>({
        name,
        help,
        labelNames: CLUSTER_LABELS,
        registers,
        collect: () => {
          g.reset();
          for (const s of this.#clusters.values()) {
            const v = read(s);
            if (v !== undefined) g.set(s.labels, v);
          }
        },
      });
    };
    gauge(
      'kiln_fargate_vcpu_provisioned',
      'vCPU provisioned for running Fargate pods (the sum of their CapacityProvisioned).',
      (s) => (s.pods === undefined ? undefined : provisionedCapacity(s.pods()).vcpu),
    );
    gauge(
      'kiln_fargate_memory_provisioned_bytes',
      'Memory provisioned for running Fargate pods (the sum of their CapacityProvisioned).',
      (s) => (s.pods === undefined ? undefined : provisionedCapacity(s.pods()).memoryBytes),
    );
    gauge(
      'kiln_fargate_launch_tokens_available',
      'Tokens in the Fargate launch token bucket (one is taken per launch).',
      (s) => s.tokens?.(),
    );
  }

  #collectPods(g: Gauge<PodLabel>): void {
    g.reset();
    for (const s of this.#clusters.values()) {
      if (s.pods === undefined) continue;
      for (const c of countPods(s.pods())) {
        g.set({ ...s.labels, compute_type: c.computeType, phase: c.phase }, c.count);
      }
    }
  }

  #costCounter(registers: Registry[]): void {
    const c = new Counter<ClusterLabel>({
      name: 'kiln_fargate_cost_usd_total',
      help: 'USD billed so far for the cluster’s Fargate pods (per second, one-minute minimum).',
      labelNames: CLUSTER_LABELS,
      registers,
      collect: () => {
        // The ledger holds the running total; the counter mirrors it at each scrape.
        c.reset();
        for (const s of this.#clusters.values()) {
          const usd = this.#totalUsd(s.ref);
          if (usd !== undefined) c.inc(s.labels, usd);
        }
      },
    });
  }

  #totalUsd(ref: ClusterRef): number | undefined {
    try {
      const usd = this.#costs?.totalUsd(ref);
      return usd !== undefined && Number.isFinite(usd) && usd >= 0 ? usd : undefined;
    } catch {
      // No figure is better than a made-up one; the next scrape asks again.
      return undefined;
    }
  }

  /** The text exposition format, and its Content-Type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * Starts exporting a cluster's metrics; the handle feeds them. A cluster added again gets a
   * fresh handle over the same series.
   */
  addCluster(ref: ClusterRef): ClusterMetrics {
    const state: ClusterState = { ref, labels: { cluster: ref.name, region: ref.region } };
    this.#clusters.set(clusterKey(ref), state);
    // Series exist from the start, so rates and increases see the first launch.
    this.#i.launches.inc(state.labels, 0);
    this.#i.throttled.inc(state.labels, 0);
    this.#i.scheduling.zero(state.labels);
    this.#i.running.zero(state.labels);
    return new ClusterMetrics({
      state,
      instruments: this.#i,
      clock: this.#clock,
      remove: () => {
        this.#remove(state);
      },
    });
  }

  #remove(state: ClusterState): void {
    const key = clusterKey(state.ref);
    if (this.#clusters.get(key) !== state) return;
    this.#clusters.delete(key);
    const { launches, throttled, scheduling, running } = this.#i;
    for (const m of [launches, throttled]) m.remove(state.labels);
    for (const m of [scheduling, running]) m.remove(state.labels);
  }
}

/**
 * One cluster's side of the metrics: the fargate-scheduler's launch sink (`launched`,
 * `throttled`, `watchTokens`), and the pods informer's feed (`watchPods`, `podChanged`,
 * `podDeleted`). `close` drops the cluster's series. Not thread-safe; one cluster owns it.
 */
export class ClusterMetrics {
  readonly #state: ClusterState;
  readonly #i: Instruments;
  readonly #latency: FargateLatencyTracker;
  readonly #remove: () => void;

  constructor(o: {
    state: ClusterState;
    instruments: Instruments;
    clock: Clock;
    remove: () => void;
  }) {
    this.#state = o.state;
    this.#i = o.instruments;
    this.#remove = o.remove;
    const labels = o.state.labels;
    this.#latency = new FargateLatencyTracker({
      clock: o.clock,
      observe: {
        scheduled: (s) => {
          this.#i.scheduling.observe(labels, s);
        },
        running: (s) => {
          this.#i.running.observe(labels, s);
        },
      },
    });
  }

  launched(): void {
    this.#i.launches.inc(this.#state.labels);
  }

  throttled(): void {
    this.#i.throttled.inc(this.#state.labels);
  }

  /** How many launch tokens the scheduler's bucket holds, read at scrape time. */
  watchTokens(read: () => number): void {
    this.#state.tokens = read;
  }

  /** The cluster's pods (a live cache), counted at scrape time. */
  watchPods(list: () => Iterable<Pod>): void {
    this.#state.pods = list;
  }

  /** A pod the cluster's pods informer saw; `existing` while its first list is applied. */
  podChanged(pod: Pod, o: { existing: boolean }): void {
    this.#latency.seen(pod, o);
  }

  podDeleted(pod: Pod): void {
    this.#latency.gone(pod);
  }

  close(): void {
    this.#remove();
  }
}

import type { Pod } from 'kubernetes-types/core/v1.js';
// The Fargate metrics read the names and the size annotation the fargate module writes, so
// telemetry imports them from there rather than restating them.
import {
  CAPACITY_PROVISIONED_ANNOTATION,
  FARGATE_NODE_PREFIX,
  FARGATE_SCHEDULER_NAME,
  parseCapacityProvisioned,
} from '../fargate/index.ts';
import type { Clock } from '../util/index.ts';

/** Fargate sizes memory in GB of 2^30 bytes, as its `memory: 1024` task sizes show. */
const BYTES_PER_GB = 1024 ** 3;

export type ComputeType = 'fargate' | 'ec2';

/** Where a pod runs: on Fargate when the fargate-scheduler owns it or a Fargate node hosts it. */
export function computeTypeOf(pod: Pod): ComputeType {
  if (pod.spec?.schedulerName === FARGATE_SCHEDULER_NAME) return 'fargate';
  return (pod.spec?.nodeName ?? '').startsWith(FARGATE_NODE_PREFIX) ? 'fargate' : 'ec2';
}

/** The pod's phase as kube-state-metrics reports it: a pod without status yet is Pending. */
export function phaseOf(pod: Pod): string {
  const phase = pod.status?.phase;
  return phase === undefined || phase === '' ? 'Pending' : phase;
}

export interface PodCount {
  readonly computeType: ComputeType;
  readonly phase: string;
  readonly count: number;
}

/** Pods by compute type and phase; combinations with no pod are left out. */
export function countPods(pods: Iterable<Pod>): PodCount[] {
  const counts = new Map<string, { computeType: ComputeType; phase: string; count: number }>();
  for (const pod of pods) {
    const computeType = computeTypeOf(pod);
    const phase = phaseOf(pod);
    const key = `${computeType}\u0000${phase}`;
    const c = counts.get(key);
    if (c === undefined) counts.set(key, { computeType, phase, count: 1 });
    else c.count += 1;
  }
  return [...counts.values()];
}

/**
 * What the running Fargate pods are billed on: the sum of their `CapacityProvisioned` sizes.
 * Pods not yet Running (their micro-VM may not be up) and finished ones are not counted.
 */
export function provisionedCapacity(pods: Iterable<Pod>): { vcpu: number; memoryBytes: number } {
  let vcpu = 0;
  let memoryBytes = 0;
  for (const pod of pods) {
    if (computeTypeOf(pod) !== 'fargate' || phaseOf(pod) !== 'Running') continue;
    const size = parseCapacityProvisioned(
      pod.metadata?.annotations?.[CAPACITY_PROVISIONED_ANNOTATION],
    );
    if (size === undefined) continue;
    vcpu += size.vcpu;
    memoryBytes += Math.round(size.memoryGb * BYTES_PER_GB);
  }
  return { vcpu, memoryBytes };
}

/** Where the latencies a tracker measures go (histograms, in seconds). */
export interface FargateLatencyObserver {
  /** From the pod's creation until it was bound to its Fargate node. */
  scheduled(seconds: number): void;
  /** From the pod's creation until it was Running. */
  running(seconds: number): void;
}

interface Tracked {
  readonly firstSeenMs: number;
  bound: boolean;
  running: boolean;
}

/**
 * Measures Fargate pods' scheduling and start latency from a pod watch: a pod first seen (its
 * creation, as a watch delivers it) is timed until it is seen bound and seen Running. Pods that
 * existed before the watch started are not timed: their creation was not seen. Feed it every
 * change (`seen`) and deletion (`gone`) of a pods informer.
 */
export class FargateLatencyTracker {
  readonly #clock: Clock;
  readonly #observe: FargateLatencyObserver;
  readonly #pods = new Map<string, Tracked>();

  constructor(o: { clock: Clock; observe: FargateLatencyObserver }) {
    this.#clock = o.clock;
    this.#observe = o.observe;
  }

  /** A pod as the watch delivered it; `existing` for pods listed before the watch ran. */
  seen(pod: Pod, o: { existing: boolean }): void {
    const uid = pod.metadata?.uid ?? '';
    if (uid === '' || computeTypeOf(pod) !== 'fargate') return;
    const bound = (pod.spec?.nodeName ?? '') !== '';
    const running = phaseOf(pod) === 'Running';
    const tracked = this.#pods.get(uid);
    if (tracked === undefined) {
      // Already bound at first sight: the binding was not seen, so nothing is timed.
      const untimed = o.existing || bound;
      this.#pods.set(uid, {
        firstSeenMs: this.#clock.now(),
        bound: untimed,
        running: untimed || running,
      });
      return;
    }
    this.#advance(tracked, { bound, running });
  }

  #advance(tracked: Tracked, now: { bound: boolean; running: boolean }): void {
    const seconds = (this.#clock.now() - tracked.firstSeenMs) / 1000;
    if (!tracked.bound && now.bound) {
      tracked.bound = true;
      this.#observe.scheduled(seconds);
    }
    if (!tracked.running && now.running) {
      tracked.running = true;
      this.#observe.running(seconds);
    }
  }

  gone(pod: Pod): void {
    this.#pods.delete(pod.metadata?.uid ?? '');
  }
}

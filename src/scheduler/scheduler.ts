import { setImmediate as yieldToIo } from 'node:timers/promises';
import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isConflict,
  isNotFound,
  objectKey,
  type InformerHandlers,
  type KubeClient,
  type Sleep,
} from '../client/index.ts';
import { randomIds, rfc3339, sameStringMap, type Clock, type IdSource } from '../util/index.ts';
import { findFeasible, fitErrorMessage, scoreNodes, selectHost } from './algorithm.ts';
import { SchedulerCache } from './cache.ts';
import type { CycleContext } from './framework.ts';
import { newPodInfo, type PodInfo } from './model.ts';
import { preempt } from './preemption.ts';
import { SchedulingQueue } from './queue.ts';
import type { Labels } from './selectors.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

export interface DefaultSchedulerOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** Breaks ties between equally scored nodes; random by default, as kube-scheduler. */
  readonly ids?: IdSource;
  /** Pods whose spec.schedulerName is this are ours. */
  readonly schedulerName?: string;
  /** How often backoffs and long-unschedulable pods are flushed back to the active queue. */
  readonly flushIntervalMs?: number;
}

/** The outcome of one scheduling attempt, for tests and metrics. */
export type ScheduleOutcome =
  | { readonly kind: 'bound'; readonly node: string }
  | { readonly kind: 'unschedulable'; readonly message: string; readonly nominated?: string }
  | { readonly kind: 'skipped' };

const TERMINAL = new Set(['Succeeded', 'Failed']);
/** Filters whose verdict can change when another pod is bound or relabelled. */
const POD_SENSITIVE = ['InterPodAffinity', 'PodTopologySpread'];
const NO_NODES = 'no nodes available to schedule pods';

function asPod(obj: KubeObject): Pod {
  // SAFETY: objects from the pods informer are core/v1 Pods as the API server serves them.
  return obj as unknown as Pod;
}

function asNode(obj: KubeObject): Node {
  // SAFETY: objects from the nodes informer are core/v1 Nodes.
  return obj as unknown as Node;
}

function isTerminal(pod: Pod): boolean {
  return TERMINAL.has(pod.status?.phase ?? '');
}

function schedulingView(n: Node | undefined): string {
  return JSON.stringify([
    n?.metadata?.labels,
    n?.spec?.taints,
    n?.spec?.unschedulable,
    n?.status?.allocatable,
  ]);
}

function specView(p: Pod | undefined): string {
  return JSON.stringify([p?.metadata?.labels, p?.metadata?.annotations, p?.spec]);
}

interface Failure {
  readonly message: string;
  readonly reason: string;
  readonly nominated?: string;
}

/** The status patch for a failed attempt, or undefined when the pod already says so. */
function failureStatus(pod: Pod, f: Failure, now: number): object | undefined {
  const current = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled');
  const wasFalse = current?.status === 'False';
  const sameNomination = f.nominated === undefined || f.nominated === pod.status?.nominatedNodeName;
  if (wasFalse && current.reason === f.reason && current.message === f.message && sameNomination)
    return undefined;
  const condition = {
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: wasFalse ? current.lastTransitionTime : rfc3339(now),
    reason: f.reason,
    message: f.message,
  };
  return {
    conditions: [condition],
    ...(f.nominated === undefined ? {} : { nominatedNodeName: f.nominated }),
  };
}

/**
 * kube-scheduler's default profile: watches nodes and pods, places pending pods one at a time
 * (filter → score → assume → bind asynchronously), reports failures as kube-scheduler does and
 * preempts lower-priority pods when that helps.
 */
export class DefaultScheduler {
  readonly #opts: DefaultSchedulerOptions;
  readonly #name: string;
  readonly #ids: IdSource;
  readonly #cache = new SchedulerCache();
  readonly #queue: SchedulingQueue;
  readonly #recorder: EventRecorder;
  readonly #pending = new Set<Promise<void>>();
  readonly #priorityClasses = new Map<string, { value: number; globalDefault: boolean }>();
  readonly #pods: Informer;
  readonly #nodes: Informer;
  readonly #namespaces: Informer;
  readonly #classes: Informer;
  #nextStart = 0;

  constructor(opts: DefaultSchedulerOptions) {
    this.#opts = opts;
    this.#name = opts.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.#ids = opts.ids ?? randomIds;
    this.#queue = new SchedulingQueue(opts.clock);
    this.#recorder = new EventRecorder({
      client: opts.client,
      clock: opts.clock,
      source: { component: this.#name },
    });
    const informer = (path: string, handlers: InformerHandlers): Informer =>
      new Informer({ client: opts.client, path, sleep: opts.sleep, handlers });
    this.#pods = informer('/api/v1/pods', {
      onChange: (p, old) => {
        this.#onPod(asPod(p), old === undefined ? undefined : asPod(old));
      },
      onDelete: (p) => {
        this.#onPodGone(asPod(p));
      },
    });
    this.#nodes = informer('/api/v1/nodes', {
      onChange: (n, old) => {
        this.#cache.setNode(asNode(n));
        if (old === undefined || schedulingView(asNode(n)) !== schedulingView(asNode(old)))
          this.#queue.moveAll();
      },
      onDelete: (n) => {
        this.#cache.removeNode(n.metadata.name ?? '');
      },
    });
    this.#namespaces = informer('/api/v1/namespaces', {});
    this.#classes = informer('/apis/scheduling.k8s.io/v1/priorityclasses', {
      onChange: (pc) => {
        this.#priorityClasses.set(pc.metadata.name ?? '', {
          value: typeof pc['value'] === 'number' ? pc['value'] : 0,
          globalDefault: pc['globalDefault'] === true,
        });
      },
      onDelete: (pc) => this.#priorityClasses.delete(pc.metadata.name ?? ''),
    });
  }

  /** Runs informers, the scheduling loop and the queue flusher until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const informers = [this.#classes, this.#namespaces, this.#nodes, this.#pods];
    const running = informers.map((i) => i.run(signal));
    try {
      await Promise.all(informers.map((i) => i.waitForSync()));
      await Promise.all([this.#loop(signal), this.#flushLoop(signal)]);
    } finally {
      await Promise.all(running);
      await Promise.all(this.#pending);
    }
  }

  async #loop(signal: AbortSignal): Promise<void> {
    let n = 0;
    for (;;) {
      const key = await this.#queue.pop(signal);
      if (key === undefined) return;
      this.scheduleOne(key);
      // Informer events and binding answers arrive as I/O; let them in regularly.
      if (++n % 32 === 0) await yieldToIo();
    }
  }

  async #flushLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.#opts.sleep(this.#opts.flushIntervalMs ?? 1000, signal);
      this.#queue.flush();
    }
  }

  #responsible(pod: Pod): boolean {
    const spec = pod.spec;
    return (
      (spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.#name &&
      (spec?.nodeName ?? '') === '' &&
      pod.metadata?.deletionTimestamp === undefined &&
      (spec?.schedulingGates ?? []).length === 0 &&
      !isTerminal(pod)
    );
  }

  #priority(pod: Pod): number {
    if (typeof pod.spec?.priority === 'number') return pod.spec.priority;
    const cls = pod.spec?.priorityClassName ?? '';
    if (cls !== '') return this.#priorityClasses.get(cls)?.value ?? 0;
    for (const pc of this.#priorityClasses.values()) if (pc.globalDefault) return pc.value;
    return 0;
  }

  #onPod(pod: Pod, old: Pod | undefined): void {
    const key = objectKey(pod as unknown as KubeObject);
    if (isTerminal(pod)) {
      this.#onPodGone(pod);
      return;
    }
    if ((pod.spec?.nodeName ?? '') !== '') {
      this.#onAssignedPod(key, pod, old);
      return;
    }
    if (this.#cache.isAssumed(key)) return;
    if (!this.#responsible(pod)) {
      this.#queue.delete(key);
      return;
    }
    this.#queue.add(key, this.#priority(pod), { changed: specView(pod) !== specView(old) });
  }

  #onAssignedPod(key: string, pod: Pod, old: Pod | undefined): void {
    this.#queue.delete(key);
    this.#cache.setPod(newPodInfo(pod, this.#priority(pod)));
    const newlyBound = (old?.spec?.nodeName ?? '') === '';
    const relabelled = !sameStringMap(old?.metadata?.labels, pod.metadata?.labels);
    if (newlyBound || relabelled)
      this.#queue.moveAll((plugins) => POD_SENSITIVE.some((p) => plugins.has(p)));
  }

  #onPodGone(pod: Pod): void {
    const key = objectKey(pod as unknown as KubeObject);
    this.#queue.delete(key);
    if (this.#cache.node(pod.spec?.nodeName ?? '')?.pods.has(key) !== true) return;
    this.#cache.removePod(key);
    this.#queue.moveAll();
  }

  #namespaceLabels = (ns: string): Labels => this.#namespaces.get(ns)?.metadata.labels ?? {};

  /** Tracks background work so `run` can wait for it on shutdown. */
  #track(p: Promise<void>): void {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
  }

  /**
   * One scheduling cycle for the pod under `key`: decides synchronously and assumes the pod onto
   * the chosen node; binding and reporting continue in the background.
   */
  scheduleOne(key: string): ScheduleOutcome {
    const obj = this.#pods.get(key);
    const pod = obj === undefined ? undefined : asPod(obj);
    if (pod === undefined || !this.#responsible(pod) || this.#cache.isAssumed(key)) {
      this.#queue.done(key);
      return { kind: 'skipped' };
    }
    const info = newPodInfo(pod, this.#priority(pod));
    const nodes = this.#cache.nodes();
    if (nodes.length === 0) {
      this.#queue.retry(key);
      this.#track(this.#reportFailure(info, { message: NO_NODES, reason: 'SchedulerError' }));
      return { kind: 'unschedulable', message: NO_NODES };
    }
    const ctx: CycleContext = {
      pod: info,
      cache: this.#cache,
      namespaceLabels: this.#namespaceLabels,
      state: new Map(),
    };
    const start = this.#nextStart % nodes.length;
    const found = findFeasible(ctx, nodes, start);
    this.#nextStart = (start + found.processed) % nodes.length;
    if (found.feasible.length === 0) return this.#unschedulable(ctx, nodes, found.statuses);
    const host =
      found.feasible.length === 1
        ? found.feasible[0]
        : selectHost(found.feasible, scoreNodes(ctx, found.feasible), (m) => this.#ids.int(m));
    if (host === undefined) return { kind: 'skipped' };
    this.#cache.assume({ ...info, nodeName: host.name });
    this.#queue.done(key);
    this.#track(this.#bind(info, host.name));
    return { kind: 'bound', node: host.name };
  }

  #unschedulable(
    ctx: CycleContext,
    nodes: Parameters<typeof preempt>[1],
    statuses: Parameters<typeof preempt>[2],
  ): ScheduleOutcome {
    const pod = ctx.pod;
    const result = preempt(ctx, nodes, statuses);
    let message = fitErrorMessage(nodes.length, statuses.values());
    if (result.message !== '') message += ` ${result.message}`;
    const plugins = new Set([...statuses.values()].map((s) => s.plugin));
    this.#queue.unschedulable(pod.key, plugins);
    const nominated = result.candidate?.node;
    this.#track(
      this.#reportFailure(pod, {
        message,
        reason: 'Unschedulable',
        ...(nominated === undefined ? {} : { nominated }),
      }),
    );
    if (result.candidate !== undefined) {
      for (const v of result.candidate.victims)
        this.#track(this.#evict(v, { preemptor: pod, node: result.candidate.node }));
    }
    return { kind: 'unschedulable', message, ...(nominated === undefined ? {} : { nominated }) };
  }

  #podPath(p: PodInfo): string {
    return `/api/v1/namespaces/${p.namespace}/pods/${p.name}`;
  }

  #eventObject(p: PodInfo): KubeObject {
    // SAFETY: a Pod is a KubeObject; list items may lack kind, which events need.
    return { ...(p.pod as unknown as KubeObject), apiVersion: 'v1', kind: 'Pod' };
  }

  async #bind(p: PodInfo, node: string): Promise<void> {
    try {
      await this.#opts.client.create(`${this.#podPath(p)}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: p.name, namespace: p.namespace, uid: p.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
    } catch (e: unknown) {
      this.#cache.forget(p.key);
      // Gone, or bound by someone else: the informer brings the truth.
      if (isNotFound(e) || isConflict(e)) return;
      const obj = this.#pods.get(p.key);
      if (obj !== undefined && this.#responsible(asPod(obj))) {
        this.#queue.add(p.key, p.priority);
        this.#queue.retry(p.key);
      }
      return;
    }
    await this.#recorder.record({
      object: this.#eventObject(p),
      type: 'Normal',
      reason: 'Scheduled',
      message: `Successfully assigned ${p.namespace}/${p.name} to ${node}`,
    });
  }

  async #reportFailure(p: PodInfo, f: Failure): Promise<void> {
    await this.#recorder.record({
      object: this.#eventObject(p),
      type: 'Warning',
      reason: 'FailedScheduling',
      message: f.message,
    });
    const status = failureStatus(p.pod, f, this.#opts.clock.now());
    if (status === undefined) return;
    await this.#ignoreMissing(
      this.#opts.client.patch(`${this.#podPath(p)}/status`, { status }, 'strategic'),
    );
  }

  /** Preemption's eviction: mark the victim's DisruptionTarget, tell why, then delete it. */
  async #evict(victim: PodInfo, why: { preemptor: PodInfo; node: string }): Promise<void> {
    const condition = {
      type: 'DisruptionTarget',
      status: 'True',
      lastProbeTime: null,
      lastTransitionTime: rfc3339(this.#opts.clock.now()),
      reason: 'PreemptionByScheduler',
      message: `${this.#name}: preempting to accommodate a higher priority pod`,
    };
    await this.#ignoreMissing(
      this.#opts.client.patch(
        `${this.#podPath(victim)}/status`,
        { status: { conditions: [condition] } },
        'strategic',
      ),
    );
    await this.#ignoreMissing(this.#opts.client.delete(this.#podPath(victim)));
    await this.#recorder.record({
      object: this.#eventObject(victim),
      type: 'Normal',
      reason: 'Preempted',
      message: `Preempted by pod ${why.preemptor.uid} on node ${why.node}`,
    });
  }

  async #ignoreMissing(p: Promise<unknown>): Promise<void> {
    try {
      await p;
    } catch (e: unknown) {
      // The pod went away meanwhile; anything else is retried by the next attempt.
      if (!isNotFound(e)) return;
    }
  }
}

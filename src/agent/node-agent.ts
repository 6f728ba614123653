import { isJsonObject, type KubeObject } from '../api/index.ts';
import {
  errors,
  type PodLogOptions,
  type PodLogSource,
  type ResponseSink,
} from '../apiserver/index.ts';
import {
  EventRecorder,
  Informer,
  isAlreadyExists,
  isConflict,
  isNotFound,
  objectKey,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import { hasLogs, type ContainerRuntime } from '../runtime/index.ts';
import { rfc3339Micro, type Clock } from '../util/index.ts';
import { IpAllocator } from './ip-allocator.ts';
import { leaseObject, nodeObject, nodeStatus, type NodeSpec } from './node-object.ts';
import { podRecord, type PodRecord } from './pod-record.ts';
import { buildPodStatus } from './pod-status.ts';
import { PodStreams } from './pod-streams.ts';
import { PodSync } from './pod-sync.ts';

export interface NodeAgentOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly runtime: ContainerRuntime;
  readonly nodes: readonly NodeSpec[];
  /** How often each node's Lease is renewed (the kubelet: a quarter of its 40 s duration). */
  readonly leaseRenewMs?: number;
  /** How often node status is posted when nothing changed (the kubelet: 5 min). */
  readonly nodeStatusReportMs?: number;
  readonly workers?: number;
}

interface HostedNode {
  readonly spec: NodeSpec;
  /** Undefined when the node's pod takes `spec.podIp`. */
  readonly ips: IpAllocator | undefined;
  readonly recorder: EventRecorder;
  readySince: number;
}

/**
 * A kubelet for many nodes at once (virtual-kubelet style): registers each node, keeps its
 * Lease and status fresh, and runs the pods bound to it through the runtime, writing their
 * status and events as the kubelet does. It also serves those pods' logs to the API server.
 */
export class NodeAgent implements PodLogSource {
  readonly #o: NodeAgentOptions;
  readonly #nodes = new Map<string, HostedNode>();
  readonly #records = new Map<string, PodRecord>();
  /** Each node's Lease as last written, so a renewal is one update. */
  readonly #leases = new Map<string, KubeObject>();
  readonly #bySandbox = new Map<string, string>();
  readonly #sync: PodSync;
  #informer: Informer | undefined;
  #queue: WorkQueue | undefined;
  /** exec, attach and port-forward into this agent's pods, for the API server. */
  readonly streams: PodStreams;

  constructor(opts: NodeAgentOptions) {
    this.#o = opts;
    this.streams = new PodStreams({
      runtime: opts.runtime,
      servesNode: (node) => this.servesNode(node),
      record: (pod) => {
        const rec = this.#records.get(objectKey(pod));
        return rec?.uid === pod.metadata.uid ? rec : undefined;
      },
    });
    for (const spec of opts.nodes) this.#host(spec);
    this.#sync = new PodSync({
      runtime: opts.runtime,
      clock: opts.clock,
      recorder: (node) => this.#nodes.get(node)?.recorder,
      enqueue: (key) => this.#queue?.add(key),
      allocateIp: (node, hostNetwork) => {
        const n = this.#node(node);
        if (n.spec.podIp !== undefined) return n.spec.podIp;
        return hostNetwork || n.ips === undefined ? n.spec.internalIp : n.ips.allocate();
      },
    });
  }

  #host(spec: NodeSpec): HostedNode {
    const hosted: HostedNode = {
      spec,
      ips: spec.podIp === undefined ? new IpAllocator(spec.podCidr) : undefined,
      recorder: new EventRecorder({
        client: this.#o.client,
        clock: this.#o.clock,
        source: { component: 'kubelet', host: spec.name },
      }),
      readySince: 0,
    };
    this.#nodes.set(spec.name, hosted);
    return hosted;
  }

  /**
   * Starts hosting a node while running (a Fargate node): registers the Node and its Lease.
   * Idempotent: a node already hosted is left as it is. The agent must not have been built
   * with exactly one node, whose pod watch is narrowed to that node.
   */
  async addNode(spec: NodeSpec): Promise<void> {
    if (this.#nodes.has(spec.name)) return;
    const hosted = this.#host(spec);
    try {
      const node = await this.#register(hosted);
      await this.#firstLease(node, this.#o.clock.now());
    } catch (e: unknown) {
      this.#nodes.delete(spec.name);
      throw e;
    }
    for (const pod of this.#informer?.byIndex(BY_NODE, spec.name) ?? []) {
      this.#queue?.add(objectKey(pod));
    }
  }

  /**
   * Stops hosting a node: tears down what still runs there, then deletes its Lease and Node.
   * Succeeds when they are already gone or the node was never hosted here.
   */
  async removeNode(name: string): Promise<void> {
    for (const rec of [...this.#records.values()]) if (rec.node === name) await this.#forget(rec);
    this.#nodes.delete(name);
    this.#leases.delete(name);
    for (const path of [
      `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`,
      `/api/v1/nodes/${name}`,
    ]) {
      try {
        await this.#o.client.delete(path);
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  #node(name: string): HostedNode {
    const n = this.#nodes.get(name);
    // Records are only made for hosted nodes (see #reconcile).
    if (!n) throw new Error(`node ${name} is not hosted by this agent`);
    return n;
  }

  servesNode(nodeName: string): boolean {
    return this.#nodes.has(nodeName);
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#o.sleep, signal });
    this.#queue = queue;
    await this.#registerAll(signal);
    const single = this.#o.nodes.length === 1 ? this.#o.nodes[0]?.name : undefined;
    const enqueue = (pod: KubeObject): void => {
      if (this.servesNode(nodeNameOf(pod))) queue.add(objectKey(pod));
    };
    const informer = new Informer({
      client: this.#o.client,
      path: '/api/v1/pods',
      query: {
        fieldSelector: single === undefined ? 'spec.nodeName!=' : `spec.nodeName=${single}`,
      },
      sleep: this.#o.sleep,
      // addNode looks up the pods of one node; with one node per pod a scan would be O(n²).
      indexers: { [BY_NODE]: (pod) => [nodeNameOf(pod)] },
      handlers: { onChange: enqueue, onDelete: enqueue },
    });
    this.#informer = informer;
    const unwatch = this.#o.runtime.watch((change) => {
      const key = this.#bySandbox.get(change.sandboxId);
      if (key !== undefined) queue.add(key);
    });
    try {
      await Promise.all([
        informer.run(signal),
        informer.waitForSync().then(() =>
          runWorkers({
            queue,
            workers: this.#o.workers ?? 4,
            reconcile: (k) => this.reconcile(k),
          }),
        ),
        this.#every(this.#o.leaseRenewMs ?? 10_000, signal, () => this.#renewLeases()),
        this.#every(this.#o.nodeStatusReportMs ?? 300_000, signal, () => this.#postNodeStatus()),
      ]);
    } finally {
      unwatch();
    }
  }

  async #every(ms: number, signal: AbortSignal, fn: () => Promise<void>): Promise<void> {
    // A call, not a property read: the awaits below can flip it.
    const stopped = (): boolean => signal.aborted;
    while (!stopped()) {
      await this.#o.sleep(ms, signal);
      if (stopped()) return;
      try {
        await fn();
      } catch {
        // The next round retries; a missed heartbeat is what the node lifecycle controller watches for.
      }
    }
  }

  async #registerAll(signal: AbortSignal): Promise<void> {
    for (const n of this.#nodes.values()) {
      for (let backoff = 100; !signal.aborted; backoff = Math.min(backoff * 2, 10_000)) {
        try {
          await this.#register(n);
          break;
        } catch {
          await this.#o.sleep(backoff, signal);
        }
      }
    }
    await this.#renewLeases();
  }

  /** Creates the Node, or refreshes the status of one registered before; returns it. */
  async #register(n: HostedNode): Promise<KubeObject> {
    const now = this.#o.clock.now();
    n.readySince = now;
    const obj = nodeObject(n.spec, { now, runtimeVersion: this.#o.runtime.version });
    try {
      return await this.#o.client.create('/api/v1/nodes', obj);
    } catch (e: unknown) {
      if (!isAlreadyExists(e)) throw e;
      return this.#o.client.patch(`/api/v1/nodes/${n.spec.name}/status`, {
        status: obj['status'],
      });
    }
  }

  /**
   * A node registered just now gets its Lease created outright (owned by the Node just
   * written), saving renewal's read-and-update; one left by an earlier run is renewed.
   */
  async #firstLease(node: KubeObject, now: number): Promise<void> {
    const name = node.metadata.name ?? '';
    try {
      this.#leases.set(
        name,
        await this.#o.client.create(
          '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
          leaseObject(node, now),
        ),
      );
    } catch (e: unknown) {
      if (!isAlreadyExists(e)) throw e;
      await this.#renewLease(name, now);
    }
  }

  async #renewLeases(): Promise<void> {
    const now = this.#o.clock.now();
    for (const name of this.#nodes.keys()) await this.#renewLease(name, now);
  }

  async #renewLease(name: string, now: number): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${name}`;
    try {
      // As the kubelet's lease controller: update the lease it last wrote, and read it back
      // only when that copy is missing or stale (a conflict).
      const lease = this.#leases.get(name) ?? (await this.#o.client.get(path));
      const spec = isJsonObject(lease['spec']) ? lease['spec'] : {};
      this.#leases.set(
        name,
        await this.#o.client.update(path, {
          ...lease,
          spec: { ...spec, renewTime: rfc3339Micro(now) },
        }),
      );
    } catch (e: unknown) {
      this.#leases.delete(name);
      if (isConflict(e)) return;
      if (!isNotFound(e)) throw e;
      const node = await this.#o.client.get(`/api/v1/nodes/${name}`);
      this.#leases.set(
        name,
        await this.#o.client.create(
          '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases',
          leaseObject(node, now),
        ),
      );
    }
  }

  async #postNodeStatus(): Promise<void> {
    const now = this.#o.clock.now();
    for (const n of this.#nodes.values()) {
      const status = nodeStatus(n.spec, {
        now,
        since: n.readySince,
        runtimeVersion: this.#o.runtime.version,
      });
      await this.#o.client.patch(`/api/v1/nodes/${n.spec.name}/status`, { status });
    }
  }

  /** Level-triggered: compares the pod (from the cache) with what runs, and closes the gap. */
  async reconcile(key: string): Promise<ReconcileResult> {
    const pod = this.#informer?.get(key);
    const rec = await this.#recordFor(key, pod);
    if (pod === undefined || rec === undefined) return undefined;
    rec.pod = pod;
    if (pod.metadata.deletionTimestamp !== undefined) {
      this.#terminate(rec);
      return undefined;
    }
    const phase = isJsonObject(pod['status']) ? pod['status']['phase'] : undefined;
    // A pod that reached its end stays as it is; only deletion moves it on.
    if ((phase === 'Succeeded' || phase === 'Failed') && rec.lastWritten !== '') return undefined;
    const wake = await this.#sync.sync(rec);
    if (rec.sandbox) this.#bySandbox.set(rec.sandbox.id, key);
    await this.#writeStatus(rec, false);
    return wake === undefined ? undefined : { requeueAfterMs: wake };
  }

  /** The record for the pod, made on first sight; an old one for a replaced pod is torn down. */
  async #recordFor(key: string, pod: KubeObject | undefined): Promise<PodRecord | undefined> {
    const rec = this.#records.get(key);
    if (rec && pod?.metadata.uid !== rec.uid) await this.#forget(rec);
    else if (rec) return rec;
    if (pod === undefined || !this.servesNode(nodeNameOf(pod))) return undefined;
    const fresh = podRecord({ key, pod, now: this.#o.clock.now() });
    this.#records.set(key, fresh);
    return fresh;
  }

  async #writeStatus(rec: PodRecord, terminating: boolean): Promise<void> {
    const status = buildPodStatus(rec, {
      now: this.#o.clock.now(),
      hostIp: this.#node(rec.node).spec.internalIp,
      runtime: this.#o.runtime.name,
      terminating,
    });
    const text = JSON.stringify(status);
    if (text === rec.lastWritten) return;
    const ns = rec.pod.metadata.namespace ?? '';
    try {
      await this.#o.client.patch(
        `/api/v1/namespaces/${ns}/pods/${rec.pod.metadata.name ?? ''}/status`,
        { status },
      );
      rec.lastWritten = text;
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** Graceful termination: stop with the grace period, report, then delete with grace 0. */
  #terminate(rec: PodRecord): void {
    if (rec.terminating) return;
    const grace =
      rec.pod.metadata.deletionGracePeriodSeconds ?? rec.spec.terminationGracePeriodSeconds;
    rec.terminating = (async () => {
      await this.#sync.refresh(rec);
      await this.#sync.stopAll(rec, grace * 1000);
      await this.#writeStatus(rec, true);
      await this.#release(rec);
      const ns = rec.pod.metadata.namespace ?? '';
      try {
        await this.#o.client.delete(
          `/api/v1/namespaces/${ns}/pods/${rec.pod.metadata.name ?? ''}`,
          { gracePeriodSeconds: 0 },
        );
      } catch (e: unknown) {
        if (!isNotFound(e)) throw e;
      }
    })().catch(() => {
      rec.terminating = undefined;
      this.#queue?.addAfter(rec.key, 1000);
    });
  }

  async #release(rec: PodRecord): Promise<void> {
    const sb = rec.sandbox;
    if (sb === undefined) return;
    this.#bySandbox.delete(sb.id);
    await this.#o.runtime.removeSandbox(sb.id);
    const n = this.#nodes.get(rec.node);
    if (n !== undefined && sb.ip !== n.spec.internalIp) n.ips?.release(sb.ip);
  }

  /** A pod that vanished (or was replaced) without a graceful end: tear its sandbox down. */
  async #forget(rec: PodRecord): Promise<void> {
    this.#records.delete(rec.key);
    if (rec.terminating) await rec.terminating;
    else await this.#release(rec);
  }

  /** The runtime container whose log a request means, or the kubelet's error for it. */
  #logContainer(pod: KubeObject, opts: PodLogOptions): string {
    const name = pod.metadata.name ?? '';
    const rec = this.#records.get(objectKey(pod));
    const c =
      rec !== undefined && rec.uid === pod.metadata.uid
        ? rec.containers.find((x) => x.spec.name === opts.container)
        : undefined;
    const id = opts.previous ? c?.previousId : c?.id;
    if (id !== undefined) return id;
    if (opts.previous) {
      throw errors.badRequest(
        `previous terminated container "${opts.container}" in pod "${name}" not found`,
      );
    }
    const reason = c?.waiting?.reason ?? 'ContainerCreating';
    throw errors.badRequest(
      `container "${opts.container}" in pod "${name}" is waiting to start: ${reason}`,
    );
  }

  #sinceMs(opts: PodLogOptions): number | undefined {
    if (opts.sinceSeconds !== undefined) return this.#o.clock.now() - opts.sinceSeconds * 1000;
    return opts.sinceTime === undefined ? undefined : Date.parse(opts.sinceTime);
  }

  async streamLogs(pod: KubeObject, opts: PodLogOptions, sink: ResponseSink): Promise<void> {
    const id = this.#logContainer(pod, opts);
    const rt = this.#o.runtime;
    if (!hasLogs(rt)) throw errors.badRequest(`the ${rt.name} runtime keeps no container logs`);
    const sinceMs = this.#sinceMs(opts);
    const stop = new AbortController();
    const onAbort = (): void => {
      stop.abort();
    };
    sink.signal.addEventListener('abort', onAbort, { once: true });
    const limit = limitBytes(opts.limitBytes, (line) => sink.write(line), stop);
    try {
      await rt.readLogs(
        id,
        {
          timestamps: opts.timestamps,
          follow: opts.follow,
          signal: stop.signal,
          ...(opts.tailLines === undefined ? {} : { tailLines: opts.tailLines }),
          ...(sinceMs === undefined ? {} : { sinceMs }),
        },
        limit,
      );
    } finally {
      sink.signal.removeEventListener('abort', onAbort);
    }
  }
}

/** Cuts the stream after `limit` bytes (limitBytes), then stops reading. */
function limitBytes(
  limit: number | undefined,
  write: (chunk: string) => boolean,
  stop: AbortController,
): (line: string) => boolean {
  let budget = limit ?? Infinity;
  return (line) => {
    if (budget <= 0) return false;
    const bytes = Buffer.byteLength(line);
    const out = bytes <= budget ? line : Buffer.from(line).subarray(0, budget).toString('utf8');
    budget -= bytes;
    if (budget <= 0) stop.abort();
    return write(out);
  };
}

const BY_NODE = 'nodeName';

function nodeNameOf(pod: KubeObject): string {
  const name = isJsonObject(pod['spec']) ? pod['spec']['nodeName'] : undefined;
  return typeof name === 'string' ? name : '';
}

import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isConflict,
  isNotFound,
  type KubeClient,
  type Sleep,
} from '../client/index.ts';
import { rfc3339, type Clock } from '../util/index.ts';
import { parseTime } from './deployment-objects.ts';
import {
  asNode,
  asTaintedPod,
  desiredTaints,
  readyCondition,
  type Node,
  type NodeCondition,
} from './node-lifecycle-taints.ts';

export interface NodeLifecycleControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly clock: Clock;
  /** How long a node may go without a heartbeat before it is Unknown (node-monitor-grace-period). */
  readonly gracePeriodMs?: number;
  /** The same for a node that never reported Ready (node-startup-grace-period). */
  readonly startupGracePeriodMs?: number;
  /** How often nodes are checked (node-monitor-period). */
  readonly monitorPeriodMs?: number;
}

/** The conditions the controller turns Unknown when the kubelet goes silent. */
const WATCHED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

interface Health {
  /** When the controller last saw the node alive, by its clock. */
  probe: number;
  heartbeat: string | undefined;
  transition: string | undefined;
  renew: number;
}

/**
 * kube-controller-manager's node lifecycle controller: watches node status heartbeats and
 * Leases in kube-node-lease; a node silent past the grace period gets Unknown conditions, its
 * pods become not ready, and the unreachable / not-ready taints follow the Ready condition.
 */
export class NodeLifecycleController {
  readonly #opts: NodeLifecycleControllerOptions;
  readonly #events: EventRecorder;
  readonly #health = new Map<string, Health>();
  #nodes: Informer | undefined;
  #leases: Informer | undefined;
  #pods: Informer | undefined;

  constructor(opts: NodeLifecycleControllerOptions) {
    this.#opts = opts;
    this.#events = new EventRecorder({
      client: opts.client,
      source: { component: 'node-controller' },
      clock: opts.clock,
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const informer = (path: string): Informer =>
      new Informer({ client: this.#opts.client, path, sleep: this.#opts.sleep, handlers: {} });
    const nodes = informer('/api/v1/nodes');
    const leases = informer('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
    const pods = informer('/api/v1/pods');
    this.#nodes = nodes;
    this.#leases = leases;
    this.#pods = pods;
    const loop = async (): Promise<void> => {
      await Promise.all([nodes.waitForSync(), leases.waitForSync(), pods.waitForSync()]);
      while (!signal.aborted) {
        await this.monitorNodes();
        await this.#opts.sleep(this.#opts.monitorPeriodMs ?? 5000, signal);
      }
    };
    await Promise.all([nodes.run(signal), leases.run(signal), pods.run(signal), loop()]);
  }

  /** One pass of monitorNodeHealth over every node. Failures are retried on the next pass. */
  async monitorNodes(): Promise<void> {
    const nodes = this.#nodes?.list() ?? [];
    const names = new Set(nodes.map((n) => n.metadata.name ?? ''));
    for (const name of this.#health.keys()) if (!names.has(name)) this.#health.delete(name);
    for (const n of nodes) {
      try {
        await this.#monitor(asNode(n));
      } catch (e: unknown) {
        if (!isConflict(e) && !isNotFound(e)) throw e;
      }
    }
  }

  async #monitor(node: Node): Promise<void> {
    const now = this.#opts.clock.now();
    const observed = readyCondition(node)?.status;
    let current = node;
    if (this.#silent(node, now)) current = await this.#markUnknown(node, now);
    if (observed === 'True' && readyCondition(current)?.status !== 'True') {
      const name = node.metadata.name ?? '';
      await this.#events.record({
        object: { ...node, metadata: { ...node.metadata, uid: name } },
        type: 'Normal',
        reason: 'NodeNotReady',
        message: `Node ${name} status is now: NodeNotReady`,
      });
      await this.#markPodsNotReady(name);
    }
    const taints = desiredTaints(current, rfc3339(now));
    if (isDeepStrictEqual(taints, current.spec?.taints ?? [])) return;
    await this.#opts.client.update(`/api/v1/nodes/${node.metadata.name ?? ''}`, {
      ...current,
      spec: { ...current.spec, taints },
    });
  }

  /** tryUpdateNodeHealth's bookkeeping: whether the node is past its grace period. */
  #silent(node: Node, now: number): boolean {
    const name = node.metadata.name ?? '';
    const ready = readyCondition(node);
    const renew = parseTime(leaseRenewTime(this.#leases?.get(`kube-node-lease/${name}`))) ?? 0;
    const h = this.#health.get(name);
    if (!h) {
      this.#health.set(name, { probe: now, ...heartbeatOf(ready), renew });
      return false;
    }
    const beat = heartbeatOf(ready);
    if (h.heartbeat !== beat.heartbeat || h.transition !== beat.transition) {
      Object.assign(h, beat);
      h.probe = now;
    }
    if (renew > h.renew) {
      h.probe = now;
      h.renew = renew;
    }
    const grace = ready
      ? (this.#opts.gracePeriodMs ?? 40_000)
      : (this.#opts.startupGracePeriodMs ?? 60_000);
    return now > h.probe + grace;
  }

  async #markUnknown(node: Node, now: number): Promise<Node> {
    const conditions = unknownConditions(node, rfc3339(now));
    if (!conditions) return node;
    const updated = asNode(
      await this.#opts.client.update(`/api/v1/nodes/${node.metadata.name ?? ''}/status`, {
        ...node,
        status: { ...node.status, conditions },
      }),
    );
    // Our own write is not a heartbeat.
    const h = this.#health.get(node.metadata.name ?? '');
    if (h) Object.assign(h, heartbeatOf(readyCondition(updated)));
    return updated;
  }

  /** controllerutil.MarkPodsNotReady. */
  async #markPodsNotReady(nodeName: string): Promise<void> {
    const at = rfc3339(this.#opts.clock.now());
    for (const obj of this.#pods?.list() ?? []) {
      const pod = asTaintedPod(obj);
      if (pod.spec?.nodeName !== nodeName) continue;
      const conditions = pod.status?.conditions ?? [];
      if (!conditions.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
      const next = conditions.map((c) =>
        c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: at } : c,
      );
      const path = `${podPath(pod)}/status`;
      try {
        await this.#opts.client.patch(path, { status: { conditions: next } }, 'strategic');
      } catch (e: unknown) {
        if (isNotFound(e)) continue;
        throw e;
      }
      await this.#events.record({
        object: pod,
        type: 'Warning',
        reason: 'NodeNotReady',
        message: 'Node is not ready',
      });
    }
  }
}

function podPath(pod: KubeObject): string {
  return `/api/v1/namespaces/${pod.metadata.namespace ?? ''}/pods/${pod.metadata.name ?? ''}`;
}

function heartbeatOf(ready: NodeCondition | undefined): Pick<Health, 'heartbeat' | 'transition'> {
  return { heartbeat: ready?.lastHeartbeatTime, transition: ready?.lastTransitionTime };
}

/** The watched conditions turned Unknown; undefined when they all already are. */
function unknownConditions(node: Node, at: string): NodeCondition[] | undefined {
  const conditions = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of WATCHED_CONDITIONS) {
    const i = conditions.findIndex((c) => c.type === type);
    const c = conditions[i];
    if (c?.status === 'Unknown') continue;
    changed = true;
    const next: NodeCondition = c
      ? {
          ...c,
          status: 'Unknown',
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
          lastTransitionTime: at,
        }
      : {
          type,
          status: 'Unknown',
          reason: 'NodeStatusNeverUpdated',
          message: 'Kubelet never posted node status.',
          lastHeartbeatTime: node.metadata.creationTimestamp ?? at,
          lastTransitionTime: at,
        };
    if (i < 0) conditions.push(next);
    else conditions[i] = next;
  }
  return changed ? conditions : undefined;
}

function leaseRenewTime(lease: KubeObject | undefined): string | undefined {
  const spec = lease?.['spec'];
  if (typeof spec !== 'object' || spec === null) return undefined;
  const t: unknown = Reflect.get(spec, 'renewTime');
  return typeof t === 'string' ? t : undefined;
}

import type { Node, Pod } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.ts';
import {
  EventRecorder,
  Informer,
  isConflict,
  isNotFound,
  objectKey,
  runWorkers,
  WorkQueue,
  type EventInput,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import type { Clock } from '../util/index.ts';
import { fargateIncompatibilities, fargateUnsupportedMessage } from './compatibility.ts';
import {
  FARGATE_NODE_PREFIX,
  fargateNodeName,
  fargateNodeSpec,
  ipOfFargateNode,
  type FargateLauncher,
  type FargatePodRef,
} from './launcher.ts';
import { COMPUTE_TYPE_KEY, FARGATE_PROFILE_LABEL, FARGATE_SCHEDULER_NAME } from './matching.ts';
import type {
  FargateIpAssignment,
  FargateIpSource,
  FargateProfileSource,
} from './profile-source.ts';
import {
  asNode,
  asPod,
  eventObject,
  FARGATE_EVENTS,
  internalIpOf,
  isNodeReady,
  isTerminal,
  LOGGING_ANNOTATION,
  LOGGING_DISABLED_NOT_FOUND,
  LOGGING_ENABLED,
  AWS_LOGGING_CONFIGMAP,
  AWS_OBSERVABILITY_NAMESPACE,
  profileProblem,
  provisionedVcpu,
  volumeLookups,
} from './scheduler-support.ts';
import { LaunchTable, type Launch } from './launch-table.ts';
import { CAPACITY_PROVISIONED_ANNOTATION, sizeFargatePod } from './sizing.ts';
import {
  FARGATE_LAUNCH_BURST,
  FARGATE_LAUNCH_RATE_PER_SECOND,
  TokenBucket,
  type FargateLaunchMetrics,
  type FargateThrottleOptions,
} from './throttle.ts';
import { FargateSizingError, type FargatePlatform, type FargatePodSize } from './types.ts';

export interface FargateSchedulerOptions {
  readonly client: KubeClient;
  readonly clock: Clock;
  readonly sleep: Sleep;
  /** The cluster's region: node names and topology labels carry it. */
  readonly region: string;
  readonly profiles: FargateProfileSource;
  readonly ips: FargateIpSource;
  readonly launcher: FargateLauncher;
  readonly throttle?: FargateThrottleOptions;
  /** The size table in force (`current` unless a legacy platform version is selected). */
  readonly platform?: FargatePlatform;
  readonly kubeletVersion?: string;
  readonly workers?: number;
  /** How long a pod waits before a blocked launch (profile, quota, addresses) is tried again. */
  readonly retryMs?: number;
  readonly metrics?: FargateLaunchMetrics;
}

const POD_KEY = 'pod:';
const NODE_KEY = 'node:';
const DEFAULT_RETRY_MS = 10_000;
/** How many addresses in use elsewhere (after a restart) an allocation may skip. */
const MAX_ALLOCATION_SKIPS = 64;

function nodeNameOf(pod: Pod): string {
  return pod.spec?.nodeName ?? '';
}

/** Pods by the node they are bound to: one node per pod makes a scan per node event O(n²). */
const BY_NODE = 'nodeName';

function byNodeIndex(p: KubeObject): string[] {
  const node = nodeNameOf(asPod(p));
  return node === '' ? [] : [node];
}

/**
 * EKS's fargate-scheduler: for each pending pod the webhook gave to it, checks what Fargate
 * supports, sizes it, launches one node (micro-VM) per pod through the launcher under AWS's
 * launch throttling, and binds the pod once the node is Ready; when the pod is gone it stops the
 * node and frees the address. Level-triggered: after a restart it adopts bound pods, deletes
 * pods whose node is gone and stops nodes no pod needs.
 */
export class FargateScheduler {
  readonly #o: FargateSchedulerOptions;
  readonly #pods: Informer;
  readonly #nodes: Informer;
  /** The aws-logging ConfigMap, which Fargate's log router reads at launch [UG-log]. */
  readonly #logging: Informer;
  readonly #recorder: EventRecorder;
  readonly #bucket: TokenBucket;
  readonly #launches = new LaunchTable();
  /** Pods Fargate refused (unsupported or too large): EKS never looks at them again. */
  readonly #rejected = new Set<string>();
  #queue: WorkQueue | undefined;

  constructor(opts: FargateSchedulerOptions) {
    this.#o = opts;
    this.#recorder = new EventRecorder({
      client: opts.client,
      clock: opts.clock,
      source: { component: FARGATE_SCHEDULER_NAME },
    });
    this.#bucket = new TokenBucket({
      clock: opts.clock,
      burst: opts.throttle?.burst ?? FARGATE_LAUNCH_BURST,
      ratePerSecond: opts.throttle?.ratePerSecond ?? FARGATE_LAUNCH_RATE_PER_SECOND,
    });
    opts.metrics?.watchTokens(() => this.#bucket.available());
    this.#pods = new Informer({
      client: opts.client,
      path: '/api/v1/pods',
      // Bound pods too: their deletion is what stops their node.
      query: { fieldSelector: `spec.schedulerName=${FARGATE_SCHEDULER_NAME}` },
      sleep: opts.sleep,
      indexers: { [BY_NODE]: byNodeIndex },
      handlers: {
        onChange: (p) => this.#queue?.add(POD_KEY + objectKey(p)),
        onDelete: (p) => this.#queue?.add(POD_KEY + objectKey(p)),
      },
    });
    this.#logging = new Informer({
      client: opts.client,
      path: `/api/v1/namespaces/${AWS_OBSERVABILITY_NAMESPACE}/configmaps`,
      query: { fieldSelector: `metadata.name=${AWS_LOGGING_CONFIGMAP}` },
      sleep: opts.sleep,
      handlers: {},
    });
    this.#nodes = new Informer({
      client: opts.client,
      path: '/api/v1/nodes',
      query: { labelSelector: `${COMPUTE_TYPE_KEY}=fargate` },
      sleep: opts.sleep,
      handlers: {
        onChange: (n) => {
          this.#onNode(n);
        },
        onDelete: (n) => {
          this.#onNode(n);
        },
      },
    });
  }

  #onNode(n: KubeObject): void {
    const name = n.metadata.name ?? '';
    this.#queue?.add(NODE_KEY + name);
    const owner = this.#launches.podOf(name);
    if (owner !== undefined) this.#queue?.add(POD_KEY + owner);
    for (const p of this.#pods.byIndex(BY_NODE, name)) this.#queue?.add(POD_KEY + objectKey(p));
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#o.sleep, signal });
    this.#queue = queue;
    const informers = [this.#pods, this.#nodes, this.#logging];
    const running = informers.map((i) => i.run(signal));
    try {
      await Promise.all(informers.map((i) => i.waitForSync()));
      for (const p of this.#pods.list()) queue.add(POD_KEY + objectKey(p));
      for (const n of this.#nodes.list()) queue.add(NODE_KEY + (n.metadata.name ?? ''));
      await runWorkers({
        queue,
        workers: this.#o.workers ?? 8,
        reconcile: (key) => this.reconcile(key),
      });
    } finally {
      await Promise.all(running);
    }
  }

  /** Level-triggered: one pod (`pod:<ns>/<name>`) or one Fargate node (`node:<name>`). */
  reconcile(key: string): Promise<ReconcileResult> {
    if (key.startsWith(NODE_KEY)) return this.#reconcileNode(key.slice(NODE_KEY.length));
    return this.#reconcilePod(key.slice(POD_KEY.length));
  }

  async #reconcilePod(key: string): Promise<ReconcileResult> {
    const obj = this.#pods.get(key);
    const launch = this.#launches.get(key);
    if (launch !== undefined && obj?.metadata.uid !== launch.uid) {
      // Gone, or replaced by a pod of the same name: its micro-VM goes with it.
      await this.#teardown(key, launch);
      return this.#reconcilePod(key);
    }
    if (obj === undefined) return undefined;
    const pod = asPod(obj);
    if (nodeNameOf(pod) !== '') return this.#reconcileBound(key, obj);
    if (pod.metadata?.deletionTimestamp !== undefined || isTerminal(pod)) return undefined;
    return this.#schedule(key, obj);
  }

  async #teardown(key: string, launch: Launch): Promise<void> {
    await this.#o.launcher.terminate(launch.node);
    this.#o.ips.release(launch.ip);
    this.#launches.deleteIf(key, launch);
  }

  /** A bound pod: adopt its node after a restart, or delete it when its node is gone. */
  async #reconcileBound(key: string, obj: KubeObject): Promise<ReconcileResult> {
    const pod = asPod(obj);
    const nodeName = nodeNameOf(pod);
    if (!nodeName.startsWith(FARGATE_NODE_PREFIX)) return undefined;
    const nodeObj = this.#nodes.get(nodeName);
    if (nodeObj === undefined) {
      // As the pod GC controller: a pod bound to a node that no longer exists is deleted.
      await this.#deletePod(pod);
      return undefined;
    }
    if (this.#launches.get(key)?.bound === true) return undefined;
    await this.#adopt(key, { obj, node: asNode(nodeObj) });
    return undefined;
  }

  /** Takes over a bound pod's node (after a restart) and makes sure the launcher runs it. */
  async #adopt(key: string, a: { obj: KubeObject; node: Node }): Promise<void> {
    const pod = asPod(a.obj);
    const nodeName = a.node.metadata?.name ?? '';
    const ip = internalIpOf(a.node) ?? ipOfFargateNode(nodeName) ?? '';
    const zone = a.node.metadata?.labels?.['topology.kubernetes.io/zone'] ?? '';
    const vcpu = provisionedVcpu(pod.metadata?.annotations?.[CAPACITY_PROVISIONED_ANNOTATION]);
    const uid = a.obj.metadata.uid ?? '';
    this.#launches.set(key, { uid, node: nodeName, ip, vcpu, bound: true });
    const size = sizeFargatePod(pod, this.#platform());
    const spec = fargateNodeSpec({
      ip,
      zone,
      region: this.#o.region,
      size: size instanceof FargateSizingError ? { vcpu, memoryGb: 0 } : size,
      ...this.#kubelet(),
    });
    // Idempotent: after a restart the launcher may no longer run the node the pod is bound to.
    await this.#o.launcher.launch(spec, podRef(a.obj));
  }

  async #deletePod(pod: Pod): Promise<void> {
    const path = `/api/v1/namespaces/${pod.metadata?.namespace ?? ''}/pods/${pod.metadata?.name ?? ''}`;
    try {
      await this.#o.client.delete(path, { gracePeriodSeconds: 0 });
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }

  async #reconcileNode(name: string): Promise<ReconcileResult> {
    const node = this.#nodes.get(name);
    if (node === undefined) return undefined;
    if (this.#launches.podOf(name) !== undefined) return undefined;
    const bound = this.#pods.byIndex(BY_NODE, name).length > 0;
    if (bound) return undefined;
    // No pod needs this node (its pod went away while Kiln was down, or a launch was cut off).
    await this.#o.launcher.terminate(name);
    const ip = internalIpOf(asNode(node));
    if (ip !== undefined) this.#o.ips.release(ip);
    return undefined;
  }

  #platform(): { platform?: FargatePlatform } {
    return this.#o.platform === undefined ? {} : { platform: this.#o.platform };
  }

  #kubelet(): { kubeletVersion?: string } {
    return this.#o.kubeletVersion === undefined ? {} : { kubeletVersion: this.#o.kubeletVersion };
  }

  async #event(obj: KubeObject, e: Omit<EventInput, 'object'>): Promise<void> {
    await this.#recorder.record({ ...e, object: eventObject(obj) });
  }

  async #fail(obj: KubeObject, message: string): Promise<void> {
    await this.#event(obj, { type: 'Warning', reason: 'FailedScheduling', message });
  }

  /** A pending pod: check, size, launch its node, and bind it once the node is Ready. */
  async #schedule(key: string, obj: KubeObject): Promise<ReconcileResult> {
    const uid = obj.metadata.uid ?? '';
    if (this.#rejected.has(uid)) return undefined;
    const launch = this.#launches.get(key);
    if (launch?.bound === true) return undefined;
    const pod = asPod(obj);
    const size = await this.#admit(obj, pod);
    if (size === 'rejected') {
      this.#rejected.add(uid);
      return undefined;
    }
    if (typeof size === 'number') return { requeueAfterMs: size };
    if (launch === undefined) return this.#launch(key, obj, size);
    const node = this.#nodes.get(launch.node);
    // The node's informer event brings the pod back here.
    if (node === undefined || !isNodeReady(asNode(node))) return undefined;
    await this.#bind(obj, { launch, size });
    return undefined;
  }

  /** The pod's size when Fargate will run it; 'rejected' for good; ms to wait otherwise. */
  async #admit(obj: KubeObject, pod: Pod): Promise<FargatePodSize | 'rejected' | number> {
    const parts = fargateIncompatibilities(pod, await volumeLookups(this.#o.client, pod));
    if (parts.length > 0) {
      await this.#fail(obj, fargateUnsupportedMessage(parts));
      return 'rejected';
    }
    const profileName = pod.metadata?.labels?.[FARGATE_PROFILE_LABEL] ?? '';
    const profile = this.#o.profiles.list().find((p) => p.fargateProfileName === profileName);
    const problem = profileProblem(profileName, profile);
    if (problem !== undefined) {
      await this.#fail(obj, problem.message);
      return this.#o.retryMs ?? DEFAULT_RETRY_MS;
    }
    const size = sizeFargatePod(pod, this.#platform());
    if (size instanceof FargateSizingError) {
      await this.#fail(obj, size.message);
      return 'rejected';
    }
    return size;
  }

  /** Takes a launch token and an address, then starts the node; requeues when throttled. */
  async #launch(key: string, obj: KubeObject, size: FargatePodSize): Promise<ReconcileResult> {
    const retryMs = this.#o.retryMs ?? DEFAULT_RETRY_MS;
    const quota = this.#o.throttle?.vcpuQuota;
    if (quota !== undefined && this.#launches.vcpuInUse() + size.vcpu > quota) {
      await this.#fail(obj, FARGATE_EVENTS.provisioningTimedOut);
      return { requeueAfterMs: retryMs };
    }
    const wait = this.#bucket.take();
    if (wait > 0) {
      this.#o.metrics?.throttled();
      return { requeueAfterMs: wait };
    }
    const subnets = this.#subnetsOf(obj);
    const address = this.#allocate(subnets);
    if (address === undefined) {
      this.#bucket.refund();
      await this.#fail(obj, FARGATE_EVENTS.noFreeAddress(subnets));
      return { requeueAfterMs: retryMs };
    }
    const spec = fargateNodeSpec({
      ip: address.ip,
      zone: address.zone,
      region: this.#o.region,
      size,
      ...this.#kubelet(),
    });
    const launch: Launch = {
      uid: obj.metadata.uid ?? '',
      node: spec.name,
      ip: address.ip,
      vcpu: size.vcpu,
      bound: false,
    };
    this.#launches.set(key, launch);
    try {
      await this.#o.launcher.launch(spec, podRef(obj));
    } catch (e: unknown) {
      await this.#teardown(key, launch);
      throw e;
    }
    this.#o.metrics?.launched();
    return undefined;
  }

  #subnetsOf(obj: KubeObject): readonly string[] {
    const profileName = asPod(obj).metadata?.labels?.[FARGATE_PROFILE_LABEL] ?? '';
    const profile = this.#o.profiles.list().find((p) => p.fargateProfileName === profileName);
    return profile?.subnets ?? [];
  }

  /** An address no existing node holds (after a restart the source may not know them). */
  #allocate(subnets: readonly string[]): FargateIpAssignment | undefined {
    for (let k = 0; k < MAX_ALLOCATION_SKIPS; k++) {
      const a = this.#o.ips.allocate(subnets);
      if (a === undefined) return undefined;
      // An address a node already holds stays taken in the source; try the next one.
      if (this.#nodes.get(fargateNodeName(a.ip, this.#o.region)) === undefined) return a;
    }
    return undefined;
  }

  /** Reports logging, binds and annotates through pods/binding, and reports Scheduled. */
  async #bind(obj: KubeObject, a: { launch: Launch; size: FargatePodSize }): Promise<void> {
    const pod = asPod(obj);
    const namespace = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const path = `/api/v1/namespaces/${namespace}/pods/${name}`;
    const logging =
      this.#logging.get(`${AWS_OBSERVABILITY_NAMESPACE}/${AWS_LOGGING_CONFIGMAP}`) !== undefined;
    try {
      await this.#event(
        obj,
        logging
          ? { type: 'Normal', reason: 'LoggingEnabled', message: FARGATE_EVENTS.loggingEnabled }
          : { type: 'Warning', reason: 'LoggingDisabled', message: FARGATE_EVENTS.loggingDisabled },
      );
      // The binding carries the annotations: the API server sets them with the node, in one
      // write, as it does for any Binding's annotations.
      await this.#o.client.create(`${path}/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: {
          name,
          namespace,
          uid: obj.metadata.uid ?? '',
          annotations: {
            [CAPACITY_PROVISIONED_ANNOTATION]: a.size.annotation,
            [LOGGING_ANNOTATION]: logging ? LOGGING_ENABLED : LOGGING_DISABLED_NOT_FOUND,
          },
        },
        target: { apiVersion: 'v1', kind: 'Node', name: a.launch.node },
      });
    } catch (e: unknown) {
      // Gone (its node follows on the next reconcile), or bound already.
      if (isNotFound(e) || isConflict(e)) return;
      throw e;
    }
    a.launch.bound = true;
    await this.#event(obj, {
      type: 'Normal',
      reason: 'Scheduled',
      message: FARGATE_EVENTS.scheduled(namespace, name, a.launch.node),
    });
  }
}

function podRef(obj: KubeObject): FargatePodRef {
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    uid: obj.metadata.uid ?? '',
  };
}

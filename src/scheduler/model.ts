import type {
  ContainerPort,
  Node,
  Pod,
  PodAffinityTerm,
  Taint,
  WeightedPodAffinityTerm,
} from 'kubernetes-types/core/v1.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1.js';
import { quantityValue } from './quantity.ts';
import {
  CPU,
  EPHEMERAL_STORAGE,
  MEMORY,
  parseResourceList,
  podRequests,
  type Resources,
} from './resources.ts';
import type { Labels } from './selectors.ts';

export interface HostPort {
  readonly ip: string;
  readonly protocol: string;
  readonly port: number;
}

/** A PodAffinityTerm with its namespaces resolved as the scheduler's framework.AffinityTerm. */
export interface AffinityTerm {
  readonly namespaces: ReadonlySet<string>;
  readonly namespaceSelector: LabelSelector | undefined;
  readonly selector: LabelSelector | undefined;
  readonly topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  readonly weight: number;
}

/** A pod with everything the plugins need precomputed once (framework.PodInfo). */
export interface PodInfo {
  readonly key: string;
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly labels: Labels;
  readonly nodeName: string;
  readonly priority: number;
  readonly pod: Pod;
  readonly requests: Resources;
  readonly nonZeroRequests: Resources;
  /** The positive requests in the order NodeResourcesFit checks them: computed once per pod. */
  readonly fitRequests: readonly (readonly [string, number])[];
  /** `fitRequests` beyond cpu and memory, which the fit filter reads from `cpu`/`memory`. */
  readonly otherFitRequests: readonly (readonly [string, number])[];
  /** cpu (millicores) and memory of `requests` and `nonZeroRequests`, for the per-node hot paths. */
  readonly cpu: number;
  readonly memory: number;
  readonly nonZeroCpu: number;
  readonly nonZeroMemory: number;
  readonly hostPorts: readonly HostPort[];
  readonly requiredAffinity: readonly AffinityTerm[];
  readonly requiredAntiAffinity: readonly AffinityTerm[];
  readonly preferredAffinity: readonly WeightedAffinityTerm[];
  readonly preferredAntiAffinity: readonly WeightedAffinityTerm[];
  readonly terminating: boolean;
}

function affinityTerm(pod: Pod, t: PodAffinityTerm): AffinityTerm {
  const ns = t.namespaces ?? [];
  const own = ns.length === 0 && t.namespaceSelector === undefined;
  return {
    namespaces: new Set(own ? [pod.metadata?.namespace ?? ''] : ns),
    namespaceSelector: t.namespaceSelector,
    selector: t.labelSelector,
    topologyKey: t.topologyKey,
  };
}

function toHostPort(p: ContainerPort): HostPort | undefined {
  const port = p.hostPort ?? 0;
  if (port <= 0) return undefined;
  const ip = p.hostIP ?? '';
  return { ip: ip === '' ? '0.0.0.0' : ip, protocol: p.protocol ?? 'TCP', port };
}

function hostPortsOf(pod: Pod): HostPort[] {
  const spec = pod.spec;
  const containers = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
  return containers
    .flatMap((c) => c.ports ?? [])
    .map(toHostPort)
    .filter((hp) => hp !== undefined);
}

type AffinityParts = Pick<
  PodInfo,
  'requiredAffinity' | 'requiredAntiAffinity' | 'preferredAffinity' | 'preferredAntiAffinity'
>;

function affinityParts(pod: Pod): AffinityParts {
  const aff = pod.spec?.affinity;
  const required = (terms: PodAffinityTerm[] | undefined): AffinityTerm[] =>
    (terms ?? []).map((t) => affinityTerm(pod, t));
  const preferred = (terms: WeightedPodAffinityTerm[] | undefined): WeightedAffinityTerm[] =>
    (terms ?? []).map((w) => ({ ...affinityTerm(pod, w.podAffinityTerm), weight: w.weight }));
  return {
    requiredAffinity: required(aff?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: required(
      aff?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution,
    ),
    preferredAffinity: preferred(aff?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: preferred(
      aff?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution,
    ),
  };
}

/** noderesources.fitsRequest's order: cpu, memory, ephemeral storage, then scalars by name. */
function fitOrder(requests: Resources): [string, number][] {
  const fixed = [CPU, MEMORY, EPHEMERAL_STORAGE];
  const scalars = [...requests.keys()].filter((k) => !fixed.includes(k)).sort();
  return [...fixed, ...scalars]
    .map((k): [string, number] => [k, requests.get(k) ?? 0])
    .filter(([, v]) => v > 0);
}

/** Builds the PodInfo; `priority` is resolved by the caller (spec.priority or its class). */
export function newPodInfo(pod: Pod, priority: number): PodInfo {
  const meta = pod.metadata ?? {};
  const namespace = meta.namespace ?? '';
  const name = meta.name ?? '';
  const requests = podRequests(pod);
  const nonZeroRequests = podRequests(pod, true);
  const fitRequests = fitOrder(requests);
  return {
    key: `${namespace}/${name}`,
    uid: meta.uid ?? '',
    namespace,
    name,
    labels: meta.labels ?? {},
    nodeName: pod.spec?.nodeName ?? '',
    priority,
    pod,
    requests,
    nonZeroRequests,
    fitRequests,
    otherFitRequests: fitRequests.filter(([k]) => k !== CPU && k !== MEMORY),
    cpu: requests.get(CPU) ?? 0,
    memory: requests.get(MEMORY) ?? 0,
    nonZeroCpu: nonZeroRequests.get(CPU) ?? 0,
    nonZeroMemory: nonZeroRequests.get(MEMORY) ?? 0,
    hostPorts: hostPortsOf(pod),
    ...affinityParts(pod),
    terminating: meta.deletionTimestamp !== undefined,
  };
}

/** Slots of NodeInfo's compact numbers. */
const ALLOCATABLE_CPU = 0;
const ALLOCATABLE_MEMORY = 1;
const REQUESTED_CPU = 2;
const REQUESTED_MEMORY = 3;
const NON_ZERO_CPU = 4;
const NON_ZERO_MEMORY = 5;
const ALLOWED_PODS = 6;
const POD_COUNT = 7;

function portKey(protocol: string, port: number): string {
  return `${protocol}/${port}`;
}

/**
 * One node and the aggregates of the pods bound (or assumed) to it, kept up to date
 * incrementally so a filter never walks the node's pods (framework.NodeInfo).
 */
export class NodeInfo {
  // What every filter reads first; declared first, so it sits at the start of the object.
  unschedulable = false;
  /** Whether `taints` has any: most nodes have none, and filters need not look further. */
  tainted = false;
  /**
   * What the per-node hot paths read (pod count and limit; cpu and memory of `allocatable`,
   * `requested` and `nonZeroRequested`), side by side in one small array: a filter touches one
   * place per node instead of a Map and a boxed number per field.
   */
  readonly #numbers = new Float64Array(8);
  readonly name: string;
  node: Node | undefined;
  labels: Labels = {};
  taints: readonly Taint[] = [];
  allocatable: Resources = new Map();
  readonly pods = new Map<string, PodInfo>();
  readonly requested: Resources = new Map();
  readonly nonZeroRequested: Resources = new Map();
  /** protocol/port → hostIP → count. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** Pods on this node with any pod affinity or anti-affinity, for the affinity plugins. */
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();

  constructor(name: string) {
    this.name = name;
  }

  setNode(node: Node | undefined): void {
    this.node = node;
    this.labels = node?.metadata?.labels ?? {};
    this.taints = node?.spec?.taints ?? [];
    this.tainted = this.taints.length > 0;
    this.unschedulable = node?.spec?.unschedulable === true;
    this.#setAllocatable(node?.status?.allocatable);
  }

  #setAllocatable(alloc: Readonly<Record<string, unknown>> | undefined): void {
    this.allocatable = parseResourceList(alloc);
    this.#numbers[ALLOCATABLE_CPU] = this.allocatable.get(CPU) ?? 0;
    this.#numbers[ALLOCATABLE_MEMORY] = this.allocatable.get(MEMORY) ?? 0;
    this.#numbers[ALLOWED_PODS] = quantityValue(alloc?.['pods']);
  }

  #number(slot: number): number {
    return this.#numbers[slot] ?? 0;
  }

  /** The pods the node may hold (allocatable `pods`). */
  get allowedPods(): number {
    return this.#number(ALLOWED_PODS);
  }
  /** How many pods are on the node (`pods.size`). */
  get podCount(): number {
    return this.#number(POD_COUNT);
  }
  get allocatableCpu(): number {
    return this.#number(ALLOCATABLE_CPU);
  }
  get allocatableMemory(): number {
    return this.#number(ALLOCATABLE_MEMORY);
  }
  get requestedCpu(): number {
    return this.#number(REQUESTED_CPU);
  }
  get requestedMemory(): number {
    return this.#number(REQUESTED_MEMORY);
  }
  get nonZeroCpu(): number {
    return this.#number(NON_ZERO_CPU);
  }
  get nonZeroMemory(): number {
    return this.#number(NON_ZERO_MEMORY);
  }

  addPod(p: PodInfo): void {
    this.#update(p, 1);
    this.pods.set(p.key, p);
    this.#numbers[POD_COUNT] = this.pods.size;
  }

  removePod(key: string): void {
    const p = this.pods.get(key);
    if (p === undefined) return;
    this.pods.delete(key);
    this.#numbers[POD_COUNT] = this.pods.size;
    this.#update(p, -1);
  }

  #update(p: PodInfo, sign: 1 | -1): void {
    for (const [k, v] of p.requests) this.requested.set(k, (this.requested.get(k) ?? 0) + sign * v);
    for (const [k, v] of p.nonZeroRequests)
      this.nonZeroRequested.set(k, (this.nonZeroRequested.get(k) ?? 0) + sign * v);
    this.#numbers[REQUESTED_CPU] = this.requested.get(CPU) ?? 0;
    this.#numbers[REQUESTED_MEMORY] = this.requested.get(MEMORY) ?? 0;
    this.#numbers[NON_ZERO_CPU] = this.nonZeroRequested.get(CPU) ?? 0;
    this.#numbers[NON_ZERO_MEMORY] = this.nonZeroRequested.get(MEMORY) ?? 0;
    for (const hp of p.hostPorts) this.#updatePort(hp, sign);
    const hasAffinity =
      p.requiredAffinity.length + p.requiredAntiAffinity.length > 0 ||
      p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
    const set = (s: Set<PodInfo>, on: boolean): void => {
      if (on && sign > 0) s.add(p);
      else if (on) s.delete(p);
    };
    set(this.podsWithAffinity, hasAffinity);
    set(this.podsWithRequiredAntiAffinity, p.requiredAntiAffinity.length > 0);
  }

  #updatePort(hp: HostPort, sign: 1 | -1): void {
    const k = portKey(hp.protocol, hp.port);
    const ips = this.usedPorts.get(k) ?? new Map<string, number>();
    const n = (ips.get(hp.ip) ?? 0) + sign;
    if (n > 0) ips.set(hp.ip, n);
    else ips.delete(hp.ip);
    if (ips.size > 0) this.usedPorts.set(k, ips);
    else this.usedPorts.delete(k);
  }

  /** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address on the same port. */
  portConflicts(hp: HostPort): boolean {
    const ips = this.usedPorts.get(portKey(hp.protocol, hp.port));
    if (ips === undefined) return false;
    if (hp.ip === '0.0.0.0') return ips.size > 0;
    return ips.has(hp.ip) || ips.has('0.0.0.0');
  }

  /** A copy for preemption's what-if: same node, independent aggregates. */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name);
    c.setNode(this.node);
    for (const p of this.pods.values()) c.addPod(p);
    return c;
  }
}

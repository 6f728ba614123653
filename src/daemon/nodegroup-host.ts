import type { KubeObject } from '../api/index.ts';
import type { NodeSpec, Taint } from '../agent/index.ts';
import {
  cidrHas,
  INSTANCE_SHAPES,
  parseCidr,
  parseIp,
  type Cidr,
  type Ec2Instance,
  type Ec2Service,
  type InstanceSource,
} from '../aws/ec2/index.ts';
import type { NodegroupHost, NodegroupReconcileRequest } from '../aws/eks/index.ts';
import type { KubeClient, Sleep } from '../client/index.ts';
import type { Store } from '../store/index.ts';
import type { Clock, IdSource } from '../util/index.ts';
import { drainNode } from './node-drain.ts';
import { hostName, KUBELET_VERSION, nodeCapacity, podPrefixLength } from './node-pool.ts';

const NEVER = new AbortController().signal;

/** The label EKS puts on every node of a managed node group. */
export const NODEGROUP_LABEL = 'eks.amazonaws.com/nodegroup';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** What a node group needs of a Kiln cluster: its worker nodes (Cluster implements it). */
export interface WorkerPool {
  readonly client: KubeClient;
  /** Oldest first. */
  workerNodes(): readonly NodeSpec[];
  addWorkerNode(spec: NodeSpec): Promise<void>;
  removeWorkerNode(name: string): Promise<void>;
}

export interface Ec2NodegroupHostOptions {
  readonly ec2: Ec2Service;
  readonly ids: IdSource;
  readonly clock: Clock;
  /** The AWS store, whose EKS node-group records say which subnets a group's nodes are in. */
  readonly awsStore: Store;
  /** The Kiln cluster behind an EKS cluster; undefined when none is hosted. */
  readonly cluster: (region: string, name: string) => WorkerPool | undefined;
  readonly sleep: Sleep;
  /** How long a node leaving the group may take to drain (default EKS's 5 minutes). */
  readonly drainTimeoutMs?: number;
  /** Cuts drains short when the daemon stops. */
  readonly signal?: AbortSignal;
}

const EFFECTS: Readonly<Record<string, Taint['effect']>> = {
  NO_SCHEDULE: 'NoSchedule',
  NO_EXECUTE: 'NoExecute',
  PREFER_NO_SCHEDULE: 'PreferNoSchedule',
};

interface SubnetPlace {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly zone: string;
  readonly cidr: Cidr | undefined;
}

function nodeZone(spec: NodeSpec): string {
  return spec.labels?.[ZONE_LABEL] ?? '';
}

function holds(place: SubnetPlace, ip: string): boolean {
  const n = parseIp(ip);
  return place.cidr !== undefined && n !== undefined && cidrHas(place.cidr, n);
}

/**
 * The subnet a node's address is in; else (a node from before addresses came from subnets)
 * its zone's.
 */
function placeOf(places: readonly SubnetPlace[], spec: NodeSpec): SubnetPlace | undefined {
  return (
    places.find((p) => holds(p, spec.internalIp)) ?? places.find((p) => p.zone === nodeZone(spec))
  );
}

/** What a node holds in its subnet: its address, and its pods' block when that is the subnet's. */
function heldAddresses(place: SubnetPlace, spec: NodeSpec): string[] {
  if (!holds(place, spec.internalIp)) return [];
  const podsBase = spec.podCidr.split('/')[0] ?? '';
  return holds(place, podsBase) ? [spec.internalIp, spec.podCidr] : [spec.internalIp];
}

function instanceIdOf(spec: NodeSpec): string {
  return /\/(i-[0-9a-f]+)$/.exec(spec.providerId ?? '')?.[1] ?? '';
}

/**
 * Hosts EKS managed node groups as worker nodes of the Kiln cluster behind their EKS cluster,
 * with addresses from the group's EC2 subnets, and lists those nodes as EC2 instances.
 * Nodes carry the node-group label, so nodes a cluster was configured with that carry a
 * group's name are that group's nodes (adopted, not duplicated).
 */
export class Ec2NodegroupHost implements NodegroupHost, InstanceSource {
  readonly #o: Ec2NodegroupHostOptions;

  constructor(o: Ec2NodegroupHostOptions) {
    this.#o = o;
  }

  async reconcile(req: NodegroupReconcileRequest): Promise<void> {
    const pool = this.#o.cluster(req.region, req.cluster);
    if (!pool) return;
    await adoptRegistered(pool, req.nodegroup);
    const members = (): NodeSpec[] =>
      pool.workerNodes().filter((n) => n.labels?.[NODEGROUP_LABEL] === req.nodegroup);
    const places = this.#places(req.region, req.subnets);
    // Scaling in terminates the newest instances first.
    for (const node of members().slice(req.desiredSize).reverse()) {
      // As EKS before it terminates the instance: drained, or given up on after the timeout.
      await drainNode(pool.client, node.name, {
        clock: this.#o.clock,
        sleep: this.#o.sleep,
        signal: this.#o.signal ?? NEVER,
        ...(this.#o.drainTimeoutMs === undefined ? {} : { timeoutMs: this.#o.drainTimeoutMs }),
      });
      await pool.removeWorkerNode(node.name);
      const place = placeOf(places, node);
      for (const ip of place ? heldAddresses(place, node) : []) {
        await this.#o.ec2
          .releaseAddress(req.region, { subnetId: place?.subnetId ?? '', ip })
          .catch(() => undefined);
      }
    }
    while (members().length < req.desiredSize) {
      await pool.addWorkerNode(await this.#newNode(req, { pool, places, members: members() }));
    }
  }

  /**
   * Reconciles every node group EKS stores whose cluster Kiln hosts, e.g. after a restart,
   * when the nodes groups added are Node objects no agent hosts yet. Deleted groups (DELETING)
   * go to zero.
   */
  async resync(): Promise<void> {
    for (const item of this.#o.awsStore.list('/eks/').items) {
      const m = /^\/eks\/([^/]+)\/nodegroups\//.exec(item.key);
      const ng = nodegroupOf(item.object);
      if (!m || !ng) continue;
      await this.reconcile({ ...ng.request, region: m[1] ?? '' });
    }
  }

  async listInstances(region: string): Promise<readonly Ec2Instance[]> {
    const out: Ec2Instance[] = [];
    for (const ng of this.#nodegroups(region)) {
      const pool = this.#o.cluster(region, ng.cluster);
      if (!pool) continue;
      const places = this.#places(region, ng.subnets);
      for (const spec of pool.workerNodes()) {
        if (spec.labels?.[NODEGROUP_LABEL] !== ng.name) continue;
        const place = placeOf(places, spec);
        out.push({
          instanceId: instanceIdOf(spec),
          instanceType: spec.labels['node.kubernetes.io/instance-type'] ?? '',
          privateIpAddress: spec.internalIp,
          privateDnsName: spec.name,
          subnetId: place?.subnetId ?? '',
          vpcId: place?.vpcId ?? '',
          availabilityZone: nodeZone(spec),
          state: 'running',
          launchTime: await launchTime(pool.client, spec.name, this.#o.clock),
          tags: [
            { key: 'eks:cluster-name', value: ng.cluster },
            { key: 'eks:nodegroup-name', value: ng.name },
            { key: `kubernetes.io/cluster/${ng.cluster}`, value: 'owned' },
          ],
        });
      }
    }
    return out;
  }

  /** The node groups EKS stores for the region: cluster, name and subnets. */
  #nodegroups(region: string): { cluster: string; name: string; subnets: string[] }[] {
    return this.#o.awsStore.list(`/eks/${region}/nodegroups/`).items.flatMap((item) => {
      const ng = nodegroupOf(item.object);
      return ng ? [ng] : [];
    });
  }

  #places(region: string, subnets: readonly string[]): SubnetPlace[] {
    return subnets.flatMap((id) => {
      const s = this.#o.ec2.subnet(region, id);
      if (!s) return [];
      const cidr = parseCidr(s.cidrBlock);
      return [{ subnetId: s.subnetId, vpcId: s.vpcId, zone: s.availabilityZone, cidr }];
    });
  }

  /** A node in the group's least-used subnet, named and labelled as EKS names its nodes. */
  async #newNode(
    req: NodegroupReconcileRequest,
    at: { pool: WorkerPool; places: readonly SubnetPlace[]; members: readonly NodeSpec[] },
  ): Promise<NodeSpec> {
    const type = INSTANCE_SHAPES[req.instanceType];
    if (!type) throw new Error(`Kiln does not model instance type ${req.instanceType}`);
    const count = (p: SubnetPlace): number =>
      at.members.filter((m) => nodeZone(m) === p.zone).length;
    const place = [...at.places].sort((a, b) => count(a) - count(b))[0];
    if (!place) throw new Error(`node group ${req.nodegroup} has no existing subnet`);
    const ip = await this.#o.ec2.allocateAddress(req.region, place.subnetId);
    let podCidr: string;
    try {
      // The node's pods get an IPv4 prefix of its subnet, as the VPC CNI assigns one.
      podCidr = await this.#o.ec2.allocatePrefix(
        req.region,
        place.subnetId,
        podPrefixLength(type.maxPods),
      );
    } catch (e: unknown) {
      await this.#o.ec2.releaseAddress(req.region, { subnetId: place.subnetId, ip });
      throw e;
    }
    const name = hostName(ip, req.region);
    let hex = '';
    for (let i = 0; i < 17; i++) hex += this.#o.ids.int(16).toString(16);
    return {
      name,
      internalIp: ip,
      podCidr,
      capacity: nodeCapacity(type),
      kubeletVersion: KUBELET_VERSION,
      providerId: `aws:///${place.zone}/i-${hex}`,
      labels: {
        ...req.labels,
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': req.instanceType,
        'topology.kubernetes.io/region': req.region,
        [ZONE_LABEL]: place.zone,
        [NODEGROUP_LABEL]: req.nodegroup,
        'eks.amazonaws.com/capacityType': 'ON_DEMAND',
      },
      taints: req.taints.map((t) => ({
        key: t.key,
        ...(t.value === undefined ? {} : { value: t.value }),
        effect: EFFECTS[t.effect] ?? 'NoSchedule',
      })),
    };
  }
}

/** When the node registered (its Node's creationTimestamp), else now. */
async function launchTime(client: KubeClient, name: string, clock: Clock): Promise<number> {
  try {
    const node: KubeObject = await client.get(`/api/v1/nodes/${name}`);
    const at = Date.parse(node.metadata.creationTimestamp ?? '');
    return Number.isNaN(at) ? clock.now() : at;
  } catch {
    return clock.now();
  }
}

interface StoredNodegroup {
  readonly cluster: string;
  readonly name: string;
  readonly subnets: string[];
  /** What reconciling it asks for, less the region. */
  readonly request: Omit<NodegroupReconcileRequest, 'region'>;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function resourceOf(object: unknown): Record<string, unknown> | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const resource: unknown = (object as { resource?: unknown }).resource;
  // SAFETY: a non-null object; its fields are checked where read.
  return typeof resource === 'object' && resource !== null
    ? (resource as Record<string, unknown>)
    : undefined;
}

function nodegroupOf(object: unknown): StoredNodegroup | undefined {
  const r = resourceOf(object);
  const cluster = r?.['clusterName'];
  const name = r?.['nodegroupName'];
  if (!r || typeof cluster !== 'string' || typeof name !== 'string') return undefined;
  const subnets = strings(r['subnets']);
  // SAFETY: the stored scaling config, labels and taints are as EKS validated them.
  const scaling = r['scalingConfig'] as { desiredSize?: number } | undefined;
  const request = {
    cluster,
    nodegroup: name,
    desiredSize: r['status'] === 'DELETING' ? 0 : (scaling?.desiredSize ?? 0),
    instanceType: strings(r['instanceTypes'])[0] ?? 't3.medium',
    // SAFETY: as above.
    labels: (r['labels'] ?? {}) as Record<string, string>,
    // SAFETY: as above.
    taints: (r['taints'] ?? []) as NodegroupReconcileRequest['taints'],
    subnets,
  };
  return { cluster, name, subnets, request };
}

/** Kubelet-set taints are not the group's; the node lifecycle controller sets them. */
function groupTaints(node: KubeObject): Taint[] {
  // SAFETY: a Node's spec.taints is a list of core/v1 Taints.
  const taints = (node['spec'] as { taints?: Taint[] } | undefined)?.taints ?? [];
  return taints
    .filter((t) => !t.key.startsWith('node.kubernetes.io/'))
    .map((t) => ({
      key: t.key,
      ...(t.value === undefined ? {} : { value: t.value }),
      effect: t.effect,
    }));
}

interface NodeParts {
  readonly spec: { podCIDR?: string; providerID?: string };
  readonly status: {
    addresses?: { type: string; address: string }[];
    capacity?: Record<string, string>;
    nodeInfo?: { kubeletVersion?: string };
  };
}

function internalIpOf(addresses: readonly { type: string; address: string }[]) {
  return addresses.find((a) => a.type === 'InternalIP')?.address;
}

function capacityOf(c: Readonly<Record<string, string>>): NodeSpec['capacity'] {
  return { cpu: c['cpu'] ?? '0', memory: c['memory'] ?? '0', pods: Number(c['pods'] ?? '0') };
}

/** The worker node a registered Node object describes (one a previous run hosted). */
function specOfNode(node: KubeObject): NodeSpec | undefined {
  // SAFETY: Node objects the API server stores have these shapes; absent parts are checked.
  const { spec, status } = { spec: node['spec'] ?? {}, status: node['status'] ?? {} } as NodeParts;
  const ip = internalIpOf(status.addresses ?? []);
  const name = node.metadata.name;
  if (name === undefined || ip === undefined || spec.podCIDR === undefined) return undefined;
  return {
    name,
    internalIp: ip,
    podCidr: spec.podCIDR,
    capacity: capacityOf(status.capacity ?? {}),
    kubeletVersion: status.nodeInfo?.kubeletVersion ?? KUBELET_VERSION,
    ...(spec.providerID === undefined ? {} : { providerId: spec.providerID }),
    labels: node.metadata.labels ?? {},
    taints: groupTaints(node),
  };
}

/** Hosts again the group's registered Nodes the pool does not host, oldest first. */
async function adoptRegistered(pool: WorkerPool, nodegroup: string): Promise<void> {
  const hosted = new Set(pool.workerNodes().map((n) => n.name));
  const list = await pool.client.list('/api/v1/nodes', {
    labelSelector: `${NODEGROUP_LABEL}=${nodegroup}`,
  });
  const orphans = list.items
    .filter((n) => !hosted.has(n.metadata.name ?? ''))
    .sort((a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? ''),
    );
  for (const node of orphans) {
    const spec = specOfNode(node);
    if (spec) await pool.addWorkerNode(spec);
  }
}

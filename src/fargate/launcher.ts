import { COMPUTE_TYPE_KEY } from './matching.ts';
import type { FargatePodSize } from './types.ts';

/** The taint every Fargate node carries, so only the fargate-scheduler's pods land there. */
export const FARGATE_NODE_TAINT = {
  key: COMPUTE_TYPE_KEY,
  value: 'fargate',
  effect: 'NoSchedule',
} as const;

/** The prefix eksctl (and Kiln) recognise Fargate nodes by. */
export const FARGATE_NODE_PREFIX = 'fargate-';

/** A kubelet version shaped like EKS's Fargate nodes report (`v1.x.y-eks-<hash>`). */
export const FARGATE_KUBELET_VERSION = 'v1.32.4-eks-2d98532';

/**
 * The node that hosts one Fargate pod. Structurally the node agent's NodeSpec, so an agent can
 * be the launcher without this module importing it.
 */
export interface FargateNodeSpec {
  readonly name: string;
  readonly capacity: { readonly cpu: string; readonly memory: string; readonly pods: number };
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly {
    readonly key: string;
    readonly value?: string;
    readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  }[];
  readonly internalIp: string;
  /** The pod's address, equal to `internalIp`: the micro-VM's one ENI serves both. */
  readonly podIp: string;
  /** `<ip>/32`: the node's pod range is its one address. */
  readonly podCidr: string;
  readonly kubeletVersion: string;
}

/** The pod a node is launched for. */
export interface FargatePodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/**
 * Starts and stops Fargate nodes (one micro-VM per pod). `launch` registers the Node object and
 * resolves once it is registered; calling it again for a node already running is a no-op.
 * `terminate` stops the node and deletes its Node and Lease; it succeeds when they are already
 * gone, whether or not this launcher started them. Both reject on API failures (retried by the
 * caller).
 */
export interface FargateLauncher {
  launch(node: FargateNodeSpec, pod: FargatePodRef): Promise<void>;
  terminate(nodeName: string): Promise<void>;
}

/** `fargate-ip-10-0-1-5.<region>.compute.internal`, or `.ec2.internal` in us-east-1, as EC2 names hosts. */
export function fargateNodeName(ip: string, region: string): string {
  const domain = region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`;
  return `${FARGATE_NODE_PREFIX}ip-${ip.replaceAll('.', '-')}.${domain}`;
}

/** The IP a Fargate node name encodes, or undefined for other names. */
export function ipOfFargateNode(name: string): string | undefined {
  const m = /^fargate-ip-(\d{1,3})-(\d{1,3})-(\d{1,3})-(\d{1,3})\./.exec(name);
  return m === null ? undefined : m.slice(1, 5).join('.');
}

const GIB_KI = 1024 * 1024;
/** What a small Fargate node's kubelet reports: the VM's memory, larger than the pod's size. */
const MIN_MEMORY_KI = 3_997_464;

/**
 * What the node reports as capacity: not the pod's size (that is `CapacityProvisioned`) but
 * the micro-VM's, at least 2 vCPU and ~4 GiB, one pod.
 */
export function fargateNodeCapacity(size: Pick<FargatePodSize, 'vcpu' | 'memoryGb'>): {
  cpu: string;
  memory: string;
  pods: number;
} {
  const cpu = Math.max(2, Math.ceil(size.vcpu));
  const memoryKi = Math.max(MIN_MEMORY_KI, Math.ceil(size.memoryGb * GIB_KI));
  return { cpu: String(cpu), memory: `${String(memoryKi)}Ki`, pods: 1 };
}

export interface FargateNodeInput {
  readonly ip: string;
  readonly zone: string;
  readonly region: string;
  readonly size: Pick<FargatePodSize, 'vcpu' | 'memoryGb'>;
  readonly kubeletVersion?: string;
}

/** The Node EKS registers for a Fargate pod: its name, labels, taint and addresses. */
export function fargateNodeSpec(input: FargateNodeInput): FargateNodeSpec {
  const name = fargateNodeName(input.ip, input.region);
  return {
    name,
    capacity: fargateNodeCapacity(input.size),
    labels: {
      [COMPUTE_TYPE_KEY]: 'fargate',
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'failure-domain.beta.kubernetes.io/region': input.region,
      'failure-domain.beta.kubernetes.io/zone': input.zone,
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': name,
      'kubernetes.io/os': 'linux',
      'topology.kubernetes.io/region': input.region,
      'topology.kubernetes.io/zone': input.zone,
    },
    taints: [FARGATE_NODE_TAINT],
    internalIp: input.ip,
    podIp: input.ip,
    podCidr: `${input.ip}/32`,
    kubeletVersion: input.kubeletVersion ?? FARGATE_KUBELET_VERSION,
  };
}

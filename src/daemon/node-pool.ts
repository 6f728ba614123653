import type { NodeSpec } from '../agent/index.ts';
import {
  eksctlSubnetLayout,
  formatCidr,
  formatIp,
  INSTANCE_SHAPES,
  parseCidr,
  type InstanceShape,
} from '../aws/ec2/index.ts';

/** A node's capacity as the kubelet reports it on an instance of the shape. */
export function nodeCapacity(type: InstanceShape): NodeSpec['capacity'] {
  return {
    cpu: String(type.vcpu),
    memory: `${String(type.capacityMemoryMi)}Mi`,
    pods: type.maxPods,
  };
}

export interface NodePoolOptions {
  readonly count: number;
  readonly instanceType: string;
  readonly region: string;
  /** The pool's name, as EKS labels nodes of a managed node group. */
  readonly nodegroup: string;
  /** The eksctl VPC's block the pool's public subnets are cut from (eksctl's default). */
  readonly vpcCidr?: string;
}

/** Where one node of a pool sits in the VPC: its address, AZ, and its pods' block. */
export interface NodePlacement {
  readonly ip: string;
  readonly zone: string;
  /** An IPv4 prefix of the node's subnet, as the VPC CNI gives pods addresses of the subnet. */
  readonly podCidr: string;
}

/** Node addresses start here in their subnet, clear of EC2's reserved ones and the NAT's. */
const NODE_IP_OFFSET = 10;

/** The smallest prefix (at most a /28, EC2's prefix size) whose pod addresses cover `maxPods`. */
export function podPrefixLength(maxPods: number): number {
  let prefix = 28;
  // The node agent gives pods a block's addresses less its first two and its last.
  while (prefix > 16 && 2 ** (32 - prefix) - 3 < maxPods) prefix--;
  return prefix;
}

/**
 * Where eksctl's default managed node group puts `count` nodes: its public subnets, one AZ
 * after another as the group's Auto Scaling group balances them. In its subnet the k-th node
 * has address `NODE_IP_OFFSET + k`, and its pods the k-th block from the subnet's midpoint, so
 * neither meets the low addresses EC2 hands out first. Pure: the same inputs give the same
 * nodes, before the VPC exists and after every restart.
 */
export function eksctlPoolPlacement(o: {
  readonly region: string;
  readonly count: number;
  readonly maxPods: number;
  readonly vpcCidr?: string;
}): NodePlacement[] {
  const layout = eksctlSubnetLayout({
    region: o.region,
    ...(o.vpcCidr === undefined ? {} : { cidr: o.vpcCidr }),
  });
  const podPrefix = podPrefixLength(o.maxPods);
  const podBlock = 2 ** (32 - podPrefix);
  return Array.from({ length: o.count }, (_, i) => {
    const zone = layout[i % layout.length];
    const subnet = zone && parseCidr(zone.publicCidr);
    if (!zone || !subnet) throw new Error(`no eksctl public subnet for node ${String(i)}`);
    const k = Math.floor(i / layout.length);
    const half = 2 ** (32 - subnet.prefix) / 2;
    // The subnet's last address is EC2's, so its top block is not the pods'.
    const podBase = subnet.base + half + k * podBlock;
    if (NODE_IP_OFFSET + k >= half || podBase + podBlock >= subnet.base + 2 * half) {
      throw new Error(`${String(o.count)} nodes do not fit the public subnets of ${zone.zone}`);
    }
    return {
      ip: formatIp(subnet.base + NODE_IP_OFFSET + k),
      zone: zone.zone,
      podCidr: formatCidr({ base: podBase, prefix: podPrefix }),
    };
  });
}

/** The kubelet version Kiln's worker nodes report. */
export const KUBELET_VERSION = 'v1.32.4-eks-kiln';

/** EC2's private DNS name for an address: `ec2.internal` in us-east-1. */
export function hostName(ip: string, region: string): string {
  const dashed = `ip-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${dashed}.ec2.internal` : `${dashed}.${region}.compute.internal`;
}

/**
 * The worker nodes of eksctl's default managed node group, placed in the eksctl VPC's public
 * subnets (see `eksctlPoolPlacement`), named and labelled as EKS names and labels them.
 */
export function nodePool(o: NodePoolOptions): NodeSpec[] {
  const type = INSTANCE_SHAPES[o.instanceType];
  if (!type)
    throw new Error(
      `unknown instance type ${o.instanceType}: use one of ${Object.keys(INSTANCE_SHAPES).join(', ')}`,
    );
  const placements = eksctlPoolPlacement({
    region: o.region,
    count: o.count,
    maxPods: type.maxPods,
    ...(o.vpcCidr === undefined ? {} : { vpcCidr: o.vpcCidr }),
  });
  return placements.map(({ ip, zone, podCidr }, i) => {
    const name = hostName(ip, o.region);
    return {
      name,
      internalIp: ip,
      podCidr,
      capacity: nodeCapacity(type),
      kubeletVersion: KUBELET_VERSION,
      providerId: `aws:///${zone}/i-${(0x0a00000000 + i).toString(16).padStart(17, '0')}`,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'node.kubernetes.io/instance-type': o.instanceType,
        'topology.kubernetes.io/region': o.region,
        'topology.kubernetes.io/zone': zone,
        'eks.amazonaws.com/nodegroup': o.nodegroup,
        'eks.amazonaws.com/capacityType': 'ON_DEMAND',
      },
    };
  });
}

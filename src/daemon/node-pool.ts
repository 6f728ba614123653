import type { NodeSpec } from '../agent/index.ts';
import { INSTANCE_SHAPES, type InstanceShape } from '../aws/ec2/index.ts';

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
  /** Third octet base for node IPs in 10.0.0.0/16. */
  readonly subnetBase?: number;
}

/** The kubelet version Kiln's worker nodes report. */
export const KUBELET_VERSION = 'v1.32.4-eks-kiln';

/** EC2's private DNS name for an address: `ec2.internal` in us-east-1. */
export function hostName(ip: string, region: string): string {
  const dashed = `ip-${ip.replaceAll('.', '-')}`;
  return region === 'us-east-1' ? `${dashed}.ec2.internal` : `${dashed}.${region}.compute.internal`;
}

/** The worker nodes of one node group, named and labelled as EKS names and labels them. */
export function nodePool(o: NodePoolOptions): NodeSpec[] {
  const type = INSTANCE_SHAPES[o.instanceType];
  if (!type)
    throw new Error(
      `unknown instance type ${o.instanceType}: use one of ${Object.keys(INSTANCE_SHAPES).join(', ')}`,
    );
  const zones = ['a', 'b', 'c'].map((z) => `${o.region}${z}`);
  return Array.from({ length: o.count }, (_, i) => {
    const ip = `10.0.${(o.subnetBase ?? 1) + i}.10`;
    const name = hostName(ip, o.region);
    const zone = zones[i % zones.length] ?? `${o.region}a`;
    return {
      name,
      internalIp: ip,
      podCidr: `10.0.${(o.subnetBase ?? 1) + i}.0/24`,
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

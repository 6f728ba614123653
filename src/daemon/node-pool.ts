import type { NodeSpec } from '../agent/index.ts';

/** An EC2 instance type as a node group offers it: what the kubelet reports as capacity. */
interface InstanceType {
  readonly cpu: number;
  readonly memoryMi: number;
  /** EKS's max pods for the type (ENI-limited, from the AMI's eni-max-pods.txt). */
  readonly maxPods: number;
}

export const INSTANCE_TYPES: Readonly<Record<string, InstanceType>> = {
  'm5.large': { cpu: 2, memoryMi: 7_803, maxPods: 29 },
  'm5.xlarge': { cpu: 4, memoryMi: 15_811, maxPods: 58 },
  'm5.2xlarge': { cpu: 8, memoryMi: 31_628, maxPods: 58 },
  't3.medium': { cpu: 2, memoryMi: 3_854, maxPods: 17 },
  't3.large': { cpu: 2, memoryMi: 7_859, maxPods: 35 },
};

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
  const type = INSTANCE_TYPES[o.instanceType];
  if (!type)
    throw new Error(
      `unknown instance type ${o.instanceType}: use one of ${Object.keys(INSTANCE_TYPES).join(', ')}`,
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
      capacity: { cpu: String(type.cpu), memory: `${type.memoryMi}Mi`, pods: type.maxPods },
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

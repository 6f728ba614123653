import type { Pod } from 'kubernetes-types/core/v1.js';
import { INSTANCE_SHAPES } from '../../aws/ec2/index.ts';
import type { Ec2Price } from '../../pricing/index.ts';

/** What one pod asks of a node: cpu in millicores, memory in MiB. */
export interface PodNeed {
  milliCpu: number;
  memoryMi: number;
}

/** A node's room for pods: resources and pod slots. */
export interface NodeRoom extends PodNeed {
  pods: number;
}

/** The kubelet's hard cap on pods per node, whatever the ENI table allows. */
export const KUBELET_MAX_PODS = 110;

/** The eviction threshold EKS AMIs configure (`memory.available<100Mi`). */
const EVICTION_HARD_MEMORY_MI = 100;

/** kube-reserved cpu by the EKS AMI's tiers: 6% of core 1, 1% of core 2, 0.5% of 3–4, 0.25% above. */
const CPU_RESERVE_TIERS: readonly { upToMilli: number; fraction: number }[] = [
  { upToMilli: 1000, fraction: 0.06 },
  { upToMilli: 2000, fraction: 0.01 },
  { upToMilli: 4000, fraction: 0.005 },
  { upToMilli: Number.POSITIVE_INFINITY, fraction: 0.0025 },
];

export function kubeReservedMilliCpu(capacityMilli: number): number {
  let reserved = 0;
  let from = 0;
  for (const tier of CPU_RESERVE_TIERS) {
    const slice = Math.max(0, Math.min(capacityMilli, tier.upToMilli) - from);
    reserved += slice * tier.fraction;
    from = tier.upToMilli;
  }
  return Math.floor(reserved);
}

/** kube-reserved memory by the EKS AMI: 11 MiB per pod the node may run, plus 255 MiB. */
export function kubeReservedMemoryMi(maxPods: number): number {
  return 11 * maxPods + 255;
}

/** Allocatable on one node of the type, as the EKS AMI's kubelet computes it. */
export function allocatable(instanceType: string, price: Ec2Price): NodeRoom {
  const capacityMilli = price.vcpu * 1000;
  // Types known only from a price override report 95% of their nominal memory.
  const memoryMi =
    INSTANCE_SHAPES[instanceType]?.capacityMemoryMi ?? Math.floor(price.memoryGib * 1024 * 0.95);
  const maxPods = Math.min(price.maxPods, KUBELET_MAX_PODS);
  return {
    milliCpu: capacityMilli - kubeReservedMilliCpu(capacityMilli),
    memoryMi: memoryMi - kubeReservedMemoryMi(price.maxPods) - EVICTION_HARD_MEMORY_MI,
    pods: maxPods,
  };
}

/** The DaemonSets every EKS node runs, with the requests their add-on manifests set. */
export const EKS_SYSTEM_DAEMONSETS: readonly { name: string; pod: Pod }[] = [
  {
    name: 'kube-system/kube-proxy',
    pod: {
      spec: { containers: [{ name: 'kube-proxy', resources: { requests: { cpu: '100m' } } }] },
    },
  },
  {
    name: 'kube-system/aws-node',
    pod: {
      spec: {
        initContainers: [{ name: 'aws-vpc-cni-init', resources: { requests: { cpu: '25m' } } }],
        containers: [
          { name: 'aws-node', resources: { requests: { cpu: '25m' } } },
          { name: 'aws-eks-nodeagent', resources: { requests: { cpu: '25m' } } },
        ],
      },
    },
  },
];

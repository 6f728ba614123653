import type { Pod } from 'kubernetes-types/core/v1.js';
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

/**
 * Memory the kubelet reports as capacity, in MiB (less than the nominal GiB: the kernel keeps
 * some). Same figures as Kiln's node pool; other types fall back to 95% of nominal.
 */
const REPORTED_MEMORY_MI: Readonly<Record<string, number>> = {
  'm5.large': 7_803,
  'm5.xlarge': 15_811,
  'm5.2xlarge': 31_628,
  't3.medium': 3_854,
  't3.large': 7_859,
};

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
  const memoryMi = REPORTED_MEMORY_MI[instanceType] ?? Math.floor(price.memoryGib * 1024 * 0.95);
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

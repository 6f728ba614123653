/** An EC2 instance type's shape, the same in every region. */
export interface InstanceShape {
  readonly vcpu: number;
  /** Nominal memory, as EC2's instance-type pages list it. */
  readonly memoryGib: number;
  /**
   * Memory the kubelet reports as node capacity, in MiB: less than the nominal GiB, as the
   * kernel keeps some.
   */
  readonly capacityMemoryMi: number;
  /** eni-max-pods.txt of the EKS AMI (INSTANCE_SHAPES_URL): ENIs × (IPv4 per ENI − 1) + 2. */
  readonly maxPods: number;
}

/** Where the max-pods figures come from. */
export const INSTANCE_SHAPES_URL =
  'https://github.com/awslabs/amazon-eks-ami/blob/main/templates/shared/runtime/eni-max-pods.txt';

/**
 * The instance types Kiln's node groups offer: what their nodes report, what the price
 * catalogue prices and what cost compare packs pods onto. Prices live in the price catalogue.
 */
export const INSTANCE_SHAPES: Readonly<Record<string, InstanceShape>> = {
  'm5.large': { vcpu: 2, memoryGib: 8, capacityMemoryMi: 7_803, maxPods: 29 },
  'm5.xlarge': { vcpu: 4, memoryGib: 16, capacityMemoryMi: 15_811, maxPods: 58 },
  'm5.2xlarge': { vcpu: 8, memoryGib: 32, capacityMemoryMi: 31_628, maxPods: 58 },
  't3.medium': { vcpu: 2, memoryGib: 4, capacityMemoryMi: 3_854, maxPods: 17 },
  't3.large': { vcpu: 2, memoryGib: 8, capacityMemoryMi: 7_859, maxPods: 35 },
};

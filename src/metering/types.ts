/** What every usage record carries: which object, in which cluster, for how long. */
interface UsageBase {
  /** The EKS name of the cluster the object lives in. */
  readonly cluster: string;
  /** The AWS region the cluster runs in: prices are per region. */
  readonly region: string;
  /** The object's metadata.uid; with `cluster`, the record's key. */
  readonly uid: string;
  readonly name: string;
  /** Milliseconds since the epoch when billing starts. */
  readonly startMs: number;
  /** When billing stops; undefined while the object exists. */
  readonly endMs: number | undefined;
  /** When the metering controller last saw the object; an open record is closed here after a crash. */
  readonly lastSeenMs: number;
}

/** One Fargate pod, billed from its start (image pull) until the object is gone. */
export interface FargatePodUsage extends UsageBase {
  readonly kind: 'fargate-pod';
  readonly namespace: string;
  /** The `eks.amazonaws.com/fargate-profile` label. */
  readonly profile: string;
  /** The Fargate node the pod ran on. */
  readonly node: string;
  /** Provisioned size, from `CapacityProvisioned`. */
  readonly vcpu: number;
  readonly memoryGb: number;
  /** The pod's effective requests; memory includes Fargate's 256 MB of system memory. */
  readonly requestedVcpu: number;
  readonly requestedGb: number;
  /** Provisioned ephemeral storage (20 GB unless the pod asked for more). */
  readonly storageGb: number;
}

/** One node-group node (an EC2 instance), billed from creation until the Node is deleted. */
export interface NodeUsage extends UsageBase {
  readonly kind: 'node';
  /** `node.kubernetes.io/instance-type`. */
  readonly instanceType: string;
  /** `eks.amazonaws.com/nodegroup`; '' for a node outside a managed node group. */
  readonly nodegroup: string;
}

export type UsageRecord = FargatePodUsage | NodeUsage;

/** A record as the controller opens it: not closed yet. */
export type OpenUsage =
  Omit<FargatePodUsage, 'endMs' | 'lastSeenMs'> | Omit<NodeUsage, 'endMs' | 'lastSeenMs'>;

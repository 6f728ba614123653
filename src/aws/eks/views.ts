/**
 * The narrow views of other parts of Kiln that the EKS service needs. The composition root
 * adapts the IAM and EC2 services and the daemon's cluster and node machinery to them; tests
 * use fakes.
 */

/** An IAM role as EKS inspects it. */
export interface IamRoleView {
  readonly arn: string;
  /** The role's path, `/` unless created with another one. */
  readonly path: string;
  /** The trust policy as a JSON document (already URL-decoded). */
  readonly assumeRolePolicyDocument: string;
  /** ARNs of the managed policies attached to the role. */
  readonly attachedPolicyArns: readonly string[];
}

export interface IamView {
  /** The role with this ARN, or undefined when no such role exists. Never throws for absence. */
  role(arn: string): Promise<IamRoleView | undefined>;
}

export interface SubnetView {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
}

export interface Ec2View {
  /** The subnet, or undefined when the region has no such subnet. */
  subnet(region: string, subnetId: string): Promise<SubnetView | undefined>;
  /** True when the subnet's route table routes to an internet gateway. */
  isPublicSubnet(region: string, subnetId: string): Promise<boolean>;
  /** The security group's VPC, or undefined when it does not exist. */
  securityGroupVpc(region: string, groupId: string): Promise<string | undefined>;
  /**
   * Creates the EKS-managed cluster security group (`eks-cluster-sg-<cluster>-<suffix>`) in the
   * VPC and returns its id. Called once per cluster; the result is stored with the cluster.
   */
  createClusterSecurityGroup(opts: {
    readonly region: string;
    readonly vpcId: string;
    readonly clusterName: string;
  }): Promise<string>;
  /** Deletes the cluster security group when its cluster is deleted. Absent groups are fine. */
  deleteClusterSecurityGroup(opts: {
    readonly region: string;
    readonly groupId: string;
  }): Promise<void>;
}

/** Where an EKS cluster's Kubernetes API lives. */
export interface ClusterHost {
  /**
   * Brings up (or finds) the Kiln cluster behind an EKS cluster. Idempotent: after a restart
   * the reconciler calls it again for a cluster whose creation was not recorded as finished.
   * `caData` is the base64 PEM bundle `certificateAuthority.data` carries.
   */
  create(opts: {
    readonly region: string;
    readonly name: string;
    readonly version: string;
  }): Promise<{ readonly endpoint: string; readonly caData: string }>;
  /** Tears the cluster down. Idempotent: deleting an absent cluster succeeds. */
  delete(opts: { readonly region: string; readonly name: string }): Promise<void>;
}

export interface NodegroupReconcileRequest {
  readonly region: string;
  readonly cluster: string;
  readonly nodegroup: string;
  /** 0 when the node group is being deleted. */
  readonly desiredSize: number;
  readonly instanceType: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly taints: readonly { key: string; value?: string; effect: string }[];
  readonly subnets: readonly string[];
}

/** Makes a cluster's node set match a managed node group. */
export interface NodegroupHost {
  /** Level-triggered and idempotent: creates or removes nodes until the group matches. */
  reconcile(req: NodegroupReconcileRequest): Promise<void>;
}

/**
 * The IAM roles eksctl's CloudFormation stacks make, shared by Kiln's eksctl-compatible CLI and
 * by the daemon, which registers `kiln up`'s cluster and node group as eksctl would have.
 */

/** A role's trust policy document (JSON text) and the AWS managed policies attached to it. */
export interface EksctlRole {
  readonly trustPolicy: string;
  readonly policyArns: readonly string[];
}

/**
 * A trust policy letting one AWS service principal call sts:AssumeRole, with an optional
 * condition block (the Fargate pod execution role limits it to the cluster's profiles).
 */
export function serviceTrustPolicy(service: string, condition?: Record<string, unknown>): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        ...(condition === undefined ? {} : { Condition: condition }),
      },
    ],
  });
}

/** The cluster stack's service role, `eksctl-<cluster>-cluster-ServiceRole`. */
export const EKSCTL_CLUSTER_ROLE: EksctlRole = {
  trustPolicy: serviceTrustPolicy('eks.amazonaws.com'),
  policyArns: ['arn:aws:iam::aws:policy/AmazonEKSClusterPolicy'],
};

/** A managed node group stack's `eksctl-<cluster>-nodegroup-<name>-NodeInstanceRole`. */
export const EKSCTL_NODE_ROLE: EksctlRole = {
  trustPolicy: serviceTrustPolicy('ec2.amazonaws.com'),
  policyArns: [
    'arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy',
    'arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy',
    'arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly',
  ],
};

export function eksctlClusterRoleName(cluster: string): string {
  return `eksctl-${cluster}-cluster-ServiceRole`;
}

export function eksctlNodeRoleName(cluster: string, nodegroup: string): string {
  return `eksctl-${cluster}-nodegroup-${nodegroup}-NodeInstanceRole`;
}

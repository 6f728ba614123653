/**
 * The AWS managed policies the EKS walkthroughs attach, as data (`arn:aws:iam::aws:policy/…`).
 * Names, descriptions, paths and creation dates follow AWS's published policy reference; the
 * documents are the published statements (the larger ones abridged to their EKS-relevant
 * actions). Policy ids are fixed per name so that every run reports the same ones.
 */
export interface ManagedPolicy {
  readonly name: string;
  readonly id: string;
  readonly path: string;
  readonly description: string;
  readonly created: string;
  readonly updated: string;
  readonly versionId: string;
  readonly document: Readonly<Record<string, unknown>>;
}

const allow = (action: readonly string[], resource: string | readonly string[] = '*') => ({
  Effect: 'Allow',
  Action: action,
  Resource: resource,
});

export const AWS_MANAGED_POLICIES: readonly ManagedPolicy[] = [
  {
    name: 'AmazonEKSFargatePodExecutionRolePolicy',
    id: 'ANPAJ3QEZDVVIY7OTUGMA',
    path: '/',
    description:
      'Provides access to other AWS service resources that are required to run Amazon EKS pods on AWS Fargate',
    created: '2019-11-22T23:46:21Z',
    updated: '2019-11-22T23:46:21Z',
    versionId: 'v1',
    document: {
      Version: '2012-10-17',
      Statement: [
        allow([
          'ecr:GetAuthorizationToken',
          'ecr:BatchCheckLayerAvailability',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchGetImage',
        ]),
      ],
    },
  },
  {
    name: 'AmazonEKSClusterPolicy',
    id: 'ANPAIBTLDQMIC6UOIGFWA',
    path: '/',
    description:
      'This policy provides Kubernetes the permissions it requires to manage resources on your behalf. Kubernetes requires Ec2:CreateTags permissions to place identifying information on EC2 resources including but not limited to Instances, Security Groups, and Elastic Network Interfaces.',
    created: '2018-05-27T21:06:14Z',
    updated: '2024-04-24T16:12:41Z',
    versionId: 'v7',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AmazonEKSClusterPolicy',
          ...allow([
            'autoscaling:DescribeAutoScalingGroups',
            'autoscaling:UpdateAutoScalingGroup',
            'ec2:AttachVolume',
            'ec2:AuthorizeSecurityGroupIngress',
            'ec2:CreateRoute',
            'ec2:CreateSecurityGroup',
            'ec2:CreateTags',
            'ec2:CreateVolume',
            'ec2:DeleteRoute',
            'ec2:DeleteSecurityGroup',
            'ec2:DeleteVolume',
            'ec2:DescribeInstances',
            'ec2:DescribeRouteTables',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVolumes',
            'ec2:DescribeVpcs',
            'ec2:DetachVolume',
            'ec2:ModifyInstanceAttribute',
            'ec2:ModifyVolume',
            'ec2:RevokeSecurityGroupIngress',
            'elasticloadbalancing:*',
            'kms:DescribeKey',
          ]),
        },
        {
          Sid: 'AmazonEKSClusterPolicySLRCreate',
          ...allow(
            ['iam:CreateServiceLinkedRole'],
            'arn:aws:iam::*:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing',
          ),
          Condition: {
            StringEquals: { 'iam:AWSServiceName': 'elasticloadbalancing.amazonaws.com' },
          },
        },
      ],
    },
  },
  {
    name: 'AmazonEKSWorkerNodePolicy',
    id: 'ANPAIBVMOY52IPQ6HD3PO',
    path: '/',
    description: 'This policy allows Amazon EKS worker nodes to connect to Amazon EKS Clusters.',
    created: '2018-05-27T21:09:01Z',
    updated: '2024-02-07T20:51:44Z',
    versionId: 'v3',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'WorkerNodePermissions',
          ...allow([
            'ec2:DescribeInstances',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeRouteTables',
            'ec2:DescribeSecurityGroups',
            'ec2:DescribeSubnets',
            'ec2:DescribeVolumes',
            'ec2:DescribeVolumesModifications',
            'ec2:DescribeVpcs',
            'eks:DescribeCluster',
            'eks-auth:AssumeRoleForPodIdentity',
          ]),
        },
      ],
    },
  },
  {
    name: 'AmazonEKS_CNI_Policy',
    id: 'ANPAJWLAS474LDBXNNTM4',
    path: '/',
    description:
      'This policy provides the Amazon VPC CNI Plugin (amazon-vpc-cni-k8s) the permissions it requires to modify the IP address configuration on your EKS worker nodes. This permission set allows the CNI to list, describe, and modify Elastic Network Interfaces on your behalf. More information on the AWS VPC CNI Plugin is available here: https://github.com/aws/amazon-vpc-cni-k8s',
    created: '2018-05-27T21:07:42Z',
    updated: '2021-05-17T21:40:15Z',
    versionId: 'v4',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'AmazonEKSCNIPolicy',
          ...allow([
            'ec2:AssignPrivateIpAddresses',
            'ec2:AttachNetworkInterface',
            'ec2:CreateNetworkInterface',
            'ec2:DeleteNetworkInterface',
            'ec2:DescribeInstances',
            'ec2:DescribeTags',
            'ec2:DescribeNetworkInterfaces',
            'ec2:DescribeInstanceTypes',
            'ec2:DescribeSubnets',
            'ec2:DetachNetworkInterface',
            'ec2:ModifyNetworkInterfaceAttribute',
            'ec2:UnassignPrivateIpAddresses',
          ]),
        },
        {
          Sid: 'AmazonEKSCNIPolicyENITag',
          ...allow(['ec2:CreateTags'], ['arn:aws:ec2:*:*:network-interface/*']),
        },
      ],
    },
  },
  {
    name: 'AmazonEC2ContainerRegistryReadOnly',
    id: 'ANPAIFYZPA37OOHVIH7KQ',
    path: '/',
    description: 'Provides read-only access to Amazon EC2 Container Registry repositories.',
    created: '2015-12-21T17:06:48Z',
    updated: '2019-12-12T20:30:35Z',
    versionId: 'v3',
    document: {
      Version: '2012-10-17',
      Statement: [
        allow([
          'ecr:GetAuthorizationToken',
          'ecr:BatchCheckLayerAvailability',
          'ecr:GetDownloadUrlForLayer',
          'ecr:GetRepositoryPolicy',
          'ecr:DescribeRepositories',
          'ecr:ListImages',
          'ecr:DescribeImages',
          'ecr:BatchGetImage',
          'ecr:GetLifecyclePolicy',
          'ecr:GetLifecyclePolicyPreview',
          'ecr:ListTagsForResource',
          'ecr:DescribeImageScanFindings',
        ]),
      ],
    },
  },
  {
    name: 'AmazonEKSServicePolicy',
    id: 'ANPAJFCNXU6HPGCIVXYDI',
    path: '/',
    description:
      'This policy allows Amazon Elastic Container Service for Kubernetes to create and manage the necessary resources to operate EKS Clusters.',
    created: '2018-05-27T21:08:21Z',
    updated: '2020-02-19T21:35:49Z',
    versionId: 'v4',
    document: {
      Version: '2012-10-17',
      Statement: [
        allow([
          'ec2:CreateNetworkInterface',
          'ec2:CreateNetworkInterfacePermission',
          'ec2:DeleteNetworkInterface',
          'ec2:DescribeInstances',
          'ec2:DescribeNetworkInterfaces',
          'ec2:DetachNetworkInterface',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs',
          'ec2:ModifyNetworkInterfaceAttribute',
          'iam:ListAttachedRolePolicies',
          'eks:UpdateClusterVersion',
        ]),
        allow(
          ['ec2:CreateTags', 'ec2:DeleteTags'],
          ['arn:aws:ec2:*:*:vpc/*', 'arn:aws:ec2:*:*:subnet/*'],
        ),
        allow(['route53:AssociateVPCWithHostedZone']),
        allow(['logs:CreateLogGroup']),
        allow(
          ['logs:CreateLogStream', 'logs:DescribeLogStreams'],
          'arn:aws:logs:*:*:log-group:/aws/eks/*:*',
        ),
        allow(['logs:PutLogEvents'], 'arn:aws:logs:*:*:log-group:/aws/eks/*:*:*'),
        {
          ...allow(['iam:CreateServiceLinkedRole']),
          Condition: { StringLike: { 'iam:AWSServiceName': 'eks.amazonaws.com' } },
        },
      ],
    },
  },
  {
    name: 'AmazonEKSVPCResourceController',
    id: 'ANPAZKAPJZG4NIXSVHRXL',
    path: '/',
    description: 'Policy used by VPC Resource Controller to manage ENI and IPs for worker nodes.',
    created: '2020-08-20T20:06:18Z',
    updated: '2020-08-20T20:06:18Z',
    versionId: 'v1',
    document: {
      Version: '2012-10-17',
      Statement: [
        {
          ...allow(['ec2:CreateNetworkInterfacePermission']),
          Condition: {
            ForAnyValue: {
              StringEquals: { 'ec2:ResourceTag/eks:eni:owner': 'eks-vpc-resource-controller' },
            },
          },
        },
        allow([
          'ec2:CreateNetworkInterface',
          'ec2:DetachNetworkInterface',
          'ec2:ModifyNetworkInterfaceAttribute',
          'ec2:DeleteNetworkInterface',
          'ec2:AttachNetworkInterface',
          'ec2:UnassignPrivateIpAddresses',
          'ec2:AssignPrivateIpAddresses',
        ]),
      ],
    },
  },
];

export const AWS_MANAGED_POLICY_PREFIX = 'arn:aws:iam::aws:policy/';

export function awsManagedPolicyArn(p: ManagedPolicy): string {
  return `${AWS_MANAGED_POLICY_PREFIX}${p.path.slice(1)}${p.name}`;
}

export function findAwsManagedPolicy(arn: string): ManagedPolicy | undefined {
  return AWS_MANAGED_POLICIES.find((p) => awsManagedPolicyArn(p) === arn);
}

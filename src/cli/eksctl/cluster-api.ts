import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
  ModifyVpcAttributeCommand,
  type ResourceType,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateNodegroupCommand,
  DeleteNodegroupCommand,
  DescribeClusterCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListClustersCommand,
  ListNodegroupsCommand,
  UpdateNodegroupConfigCommand,
  type Cluster,
  type Nodegroup,
} from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { awsCall, ensureIamRole, listAllPages, sdkConfig, type AwsTarget } from './sdk-call.ts';

export type Tags = Readonly<Record<string, string>>;

export interface ClusterInput {
  readonly name: string;
  readonly version: string;
  readonly roleArn: string;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly tags: Tags;
}

export interface NodegroupInput {
  readonly cluster: string;
  readonly name: string;
  readonly nodeRole: string;
  readonly subnets: readonly string[];
  readonly instanceTypes: readonly string[];
  readonly amiType: string;
  readonly diskSize: number;
  readonly scaling: { readonly min: number; readonly max: number; readonly desired: number };
  readonly labels: Tags;
  readonly tags: Tags;
}

export interface Scaling {
  readonly min?: number;
  readonly max?: number;
  readonly desired?: number;
}

/** The EC2 calls that build an eksctl-shaped VPC. */
export interface Ec2Api {
  zones(): Promise<string[]>;
  createVpc(cidr: string, tags: Tags): Promise<string>;
  enableDns(vpcId: string): Promise<void>;
  createSubnet(o: {
    vpcId: string;
    cidr: string;
    zone: string;
    public: boolean;
    tags: Tags;
  }): Promise<string>;
  createInternetGateway(vpcId: string, tags: Tags): Promise<string>;
  createRouteTable(o: {
    vpcId: string;
    tags: Tags;
    route: { gatewayId: string } | { natGatewayId: string };
    subnets: readonly string[];
  }): Promise<string>;
  createNatGateway(subnetId: string, tags: Tags): Promise<string>;
  createSecurityGroup(o: {
    vpcId: string;
    name: string;
    description: string;
    tags: Tags;
    selfIngress: boolean;
  }): Promise<string>;
  /** Subnet id → whether it maps public IPs on launch (eksctl's public subnets do). */
  subnetPublicity(ids: readonly string[]): Promise<Map<string, boolean>>;
}

/** The EKS, IAM and STS calls of `create|get cluster` and the node group commands. */
export interface ClusterApi {
  readonly ec2: Ec2Api;
  callerArn(): Promise<string>;
  ensureRole(o: {
    name: string;
    trustPolicy: string;
    policyArns: readonly string[];
  }): Promise<string>;
  createCluster(c: ClusterInput): Promise<void>;
  describeCluster(name: string): Promise<Cluster>;
  listClusters(): Promise<string[]>;
  createNodegroup(n: NodegroupInput): Promise<void>;
  describeNodegroup(cluster: string, name: string): Promise<Nodegroup>;
  listNodegroups(cluster: string): Promise<string[]>;
  updateNodegroupScaling(cluster: string, name: string, s: Scaling): Promise<void>;
  deleteNodegroup(cluster: string, name: string): Promise<void>;
}

const tagSpec = (type: ResourceType, tags: Tags): TagSpecification[] => [
  { ResourceType: type, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) },
];

function sdkEc2(ec2: EC2Client): Ec2Api {
  return {
    zones: async () => {
      const out = await awsCall('DescribeAvailabilityZones', () =>
        ec2.send(new DescribeAvailabilityZonesCommand({})),
      );
      return (out.AvailabilityZones ?? [])
        .filter((z) => (z.ZoneType ?? 'availability-zone') === 'availability-zone')
        .map((z) => z.ZoneName ?? '');
    },
    createVpc: async (cidr, tags) => {
      const out = await awsCall('CreateVpc', () =>
        ec2.send(
          new CreateVpcCommand({ CidrBlock: cidr, TagSpecifications: tagSpec('vpc', tags) }),
        ),
      );
      return out.Vpc?.VpcId ?? '';
    },
    enableDns: async (vpcId) => {
      await awsCall('ModifyVpcAttribute', () =>
        ec2.send(
          new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }),
        ),
      );
      await awsCall('ModifyVpcAttribute', () =>
        ec2.send(
          new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }),
        ),
      );
    },
    createSubnet: async (o) => {
      const out = await awsCall('CreateSubnet', () =>
        ec2.send(
          new CreateSubnetCommand({
            VpcId: o.vpcId,
            CidrBlock: o.cidr,
            AvailabilityZone: o.zone,
            TagSpecifications: tagSpec('subnet', o.tags),
          }),
        ),
      );
      const id = out.Subnet?.SubnetId ?? '';
      if (o.public) {
        await awsCall('ModifySubnetAttribute', () =>
          ec2.send(
            new ModifySubnetAttributeCommand({
              SubnetId: id,
              MapPublicIpOnLaunch: { Value: true },
            }),
          ),
        );
      }
      return id;
    },
    createInternetGateway: async (vpcId, tags) => {
      const out = await awsCall('CreateInternetGateway', () =>
        ec2.send(
          new CreateInternetGatewayCommand({
            TagSpecifications: tagSpec('internet-gateway', tags),
          }),
        ),
      );
      const id = out.InternetGateway?.InternetGatewayId ?? '';
      await awsCall('AttachInternetGateway', () =>
        ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: id, VpcId: vpcId })),
      );
      return id;
    },
    createRouteTable: async (o) => {
      const out = await awsCall('CreateRouteTable', () =>
        ec2.send(
          new CreateRouteTableCommand({
            VpcId: o.vpcId,
            TagSpecifications: tagSpec('route-table', o.tags),
          }),
        ),
      );
      const id = out.RouteTable?.RouteTableId ?? '';
      await awsCall('CreateRoute', () =>
        ec2.send(
          new CreateRouteCommand({
            RouteTableId: id,
            DestinationCidrBlock: '0.0.0.0/0',
            ...('gatewayId' in o.route
              ? { GatewayId: o.route.gatewayId }
              : { NatGatewayId: o.route.natGatewayId }),
          }),
        ),
      );
      for (const subnetId of o.subnets) {
        await awsCall('AssociateRouteTable', () =>
          ec2.send(new AssociateRouteTableCommand({ RouteTableId: id, SubnetId: subnetId })),
        );
      }
      return id;
    },
    createNatGateway: async (subnetId, tags) => {
      const eip = await awsCall('AllocateAddress', () =>
        ec2.send(
          new AllocateAddressCommand({
            Domain: 'vpc',
            TagSpecifications: tagSpec('elastic-ip', tags),
          }),
        ),
      );
      const out = await awsCall('CreateNatGateway', () =>
        ec2.send(
          new CreateNatGatewayCommand({
            SubnetId: subnetId,
            AllocationId: eip.AllocationId ?? '',
            TagSpecifications: tagSpec('natgateway', tags),
          }),
        ),
      );
      return out.NatGateway?.NatGatewayId ?? '';
    },
    createSecurityGroup: async (o) => {
      const out = await awsCall('CreateSecurityGroup', () =>
        ec2.send(
          new CreateSecurityGroupCommand({
            GroupName: o.name,
            Description: o.description,
            VpcId: o.vpcId,
            TagSpecifications: tagSpec('security-group', o.tags),
          }),
        ),
      );
      const id = out.GroupId ?? '';
      if (o.selfIngress) {
        await awsCall('AuthorizeSecurityGroupIngress', () =>
          ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: id,
              IpPermissions: [
                {
                  IpProtocol: '-1',
                  UserIdGroupPairs: [
                    {
                      GroupId: id,
                      Description: 'Allow nodes to communicate with each other (all ports)',
                    },
                  ],
                },
              ],
            }),
          ),
        );
      }
      return id;
    },
    subnetPublicity: async (ids) => {
      if (ids.length === 0) return new Map();
      const out = await awsCall('DescribeSubnets', () =>
        ec2.send(new DescribeSubnetsCommand({ SubnetIds: [...ids] })),
      );
      return new Map(
        (out.Subnets ?? []).map((s) => [s.SubnetId ?? '', s.MapPublicIpOnLaunch === true]),
      );
    },
  };
}

/** ClusterApi over the AWS SDK v3 clients, pointed at Kiln's endpoint. */
export function sdkClusterApi(t: AwsTarget): ClusterApi {
  const config = sdkConfig(t);
  const eks = new EKSClient(config);
  const iam = new IAMClient(config);
  const sts = new STSClient(config);
  return {
    ec2: sdkEc2(new EC2Client(config)),
    callerArn: async () => {
      const out = await awsCall('GetCallerIdentity', () =>
        sts.send(new GetCallerIdentityCommand({})),
      );
      return out.Arn ?? '';
    },
    ensureRole: (o) => ensureIamRole(iam, o),
    createCluster: async (c) => {
      await awsCall('CreateCluster', () =>
        eks.send(
          new CreateClusterCommand({
            name: c.name,
            version: c.version,
            roleArn: c.roleArn,
            resourcesVpcConfig: {
              subnetIds: [...c.subnetIds],
              securityGroupIds: [...c.securityGroupIds],
              endpointPublicAccess: true,
              endpointPrivateAccess: false,
            },
            tags: { ...c.tags },
          }),
        ),
      );
    },
    describeCluster: async (name) => {
      const out = await awsCall('DescribeCluster', () =>
        eks.send(new DescribeClusterCommand({ name })),
      );
      return out.cluster ?? {};
    },
    listClusters: () =>
      listAllPages(async (nextToken) => {
        const out = await awsCall('ListClusters', () =>
          eks.send(new ListClustersCommand(nextToken === undefined ? {} : { nextToken })),
        );
        return { items: out.clusters, nextToken: out.nextToken };
      }),
    createNodegroup: async (n) => {
      await awsCall('CreateNodegroup', () =>
        eks.send(
          new CreateNodegroupCommand({
            clusterName: n.cluster,
            nodegroupName: n.name,
            nodeRole: n.nodeRole,
            subnets: [...n.subnets],
            instanceTypes: [...n.instanceTypes],
            // SAFETY: eksctl's AMI family names are EKS AMITypes values.
            amiType: n.amiType as 'AL2023_x86_64_STANDARD',
            diskSize: n.diskSize,
            scalingConfig: {
              minSize: n.scaling.min,
              maxSize: n.scaling.max,
              desiredSize: n.scaling.desired,
            },
            labels: { ...n.labels },
            tags: { ...n.tags },
          }),
        ),
      );
    },
    describeNodegroup: async (cluster, name) => {
      const out = await awsCall('DescribeNodegroup', () =>
        eks.send(new DescribeNodegroupCommand({ clusterName: cluster, nodegroupName: name })),
      );
      return out.nodegroup ?? {};
    },
    listNodegroups: (cluster) =>
      listAllPages(async (nextToken) => {
        const out = await awsCall('ListNodegroups', () =>
          eks.send(
            new ListNodegroupsCommand({
              clusterName: cluster,
              ...(nextToken === undefined ? {} : { nextToken }),
            }),
          ),
        );
        return { items: out.nodegroups, nextToken: out.nextToken };
      }),
    updateNodegroupScaling: async (cluster, name, s) => {
      await awsCall('UpdateNodegroupConfig', () =>
        eks.send(
          new UpdateNodegroupConfigCommand({
            clusterName: cluster,
            nodegroupName: name,
            scalingConfig: {
              ...(s.min === undefined ? {} : { minSize: s.min }),
              ...(s.max === undefined ? {} : { maxSize: s.max }),
              ...(s.desired === undefined ? {} : { desiredSize: s.desired }),
            },
          }),
        ),
      );
    },
    deleteNodegroup: async (cluster, name) => {
      await awsCall('DeleteNodegroup', () =>
        eks.send(new DeleteNodegroupCommand({ clusterName: cluster, nodegroupName: name })),
      );
    },
  };
}

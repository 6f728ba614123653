import { randomSuffix } from '../../util/index.ts';
import { formatCidr, parseCidr, subdivide } from './cidr.ts';
import type { Scope } from './context.ts';
import { invalidCidr } from './errors.ts';
import {
  allocateElasticIp,
  attachInternetGateway,
  createInternetGateway,
  createNatGateway,
} from './gateways.ts';
import type { Tag } from './params.ts';
import { associateRouteTable, createRoute, createRouteTable } from './route-tables.ts';
import { authorize, createSecurityGroup } from './security-groups.ts';
import { createSubnet } from './subnets.ts';
import { createVpc } from './vpcs.ts';
import { zonesOf } from './zones.ts';

export interface EksctlVpcOptions {
  readonly region: string;
  readonly clusterName: string;
  /** eksctl's default is `EKSCTL_VPC_CIDR`. */
  readonly cidr?: string;
}

/** eksctl's default VPC block. */
export const EKSCTL_VPC_CIDR = '192.168.0.0/16';

/** The description EKS gives the cluster security group it creates. */
export const EKS_CLUSTER_SG_DESCRIPTION =
  'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.';

/** The ids of what `createEksctlVpc` made, public/private lists in AZ order. */
export interface EksctlVpc {
  readonly vpcId: string;
  readonly availabilityZones: readonly string[];
  readonly publicSubnetIds: readonly string[];
  readonly privateSubnetIds: readonly string[];
  readonly internetGatewayId: string;
  readonly natGatewayId: string;
  readonly publicRouteTableId: string;
  readonly privateRouteTableIds: readonly string[];
  /** The group EKS creates, `eks-cluster-sg-<cluster>-<digits>`. */
  readonly clusterSecurityGroupId: string;
  readonly controlPlaneSecurityGroupId: string;
  readonly sharedNodeSecurityGroupId: string;
}

/** `ap-northeast-2a` → `APNORTHEAST2A`, as eksctl names its CloudFormation resources. */
function azSuffix(zone: string): string {
  return zone.replace(/-/g, '').toUpperCase();
}

/** The tags CloudFormation and eksctl put on every resource of the cluster stack. */
function stackTags(cluster: string, logicalId: string): Tag[] {
  return [
    { key: 'Name', value: `eksctl-${cluster}-cluster/${logicalId}` },
    { key: 'alpha.eksctl.io/cluster-name', value: cluster },
    { key: 'eksctl.cluster.k8s.io/v1alpha1/cluster-name', value: cluster },
    { key: 'alpha.eksctl.io/cluster-oidc-enabled', value: 'false' },
    { key: 'aws:cloudformation:stack-name', value: `eksctl-${cluster}-cluster` },
    { key: 'aws:cloudformation:logical-id', value: logicalId },
  ];
}

/** CloudFormation's physical-name suffix: 13 upper-case alphanumerics. */
function cfnSuffix(scope: Scope): string {
  return randomSuffix(scope.env.ids, 13).toUpperCase();
}

/** One AZ of the eksctl layout: its zone and its public and private subnet blocks. */
export interface EksctlZoneLayout {
  readonly zone: string;
  readonly publicCidr: string;
  readonly privateCidr: string;
}

/**
 * How `eksctl create cluster` cuts its VPC: the region's first three AZs, each with a public
 * and a private subnet, the VPC cut into eighths (/19s of a /16), public ones first. Pure, so
 * what lives in those subnets can be placed before (or without) the VPC being built.
 */
export function eksctlSubnetLayout(o: {
  readonly region: string;
  readonly cidr?: string;
}): EksctlZoneLayout[] {
  const cidr = o.cidr ?? EKSCTL_VPC_CIDR;
  const block = parseCidr(cidr);
  if (!block) throw invalidCidr(cidr);
  const prefix = Math.min(block.prefix + 3, 28);
  const zones = zonesOf(o.region)
    .slice(0, 3)
    .map((z) => z.zoneName);
  const cut = (index: number): string => formatCidr(subdivide(block, { prefix, index }));
  return zones.map((zone, i) => ({
    zone,
    publicCidr: cut(i),
    privateCidr: cut(zones.length + i),
  }));
}

async function createSubnets(
  scope: Scope,
  input: { readonly vpcId: string; readonly cidr: string; readonly cluster: string },
) {
  const layout = eksctlSubnetLayout({ region: scope.region, cidr: input.cidr });
  const make = async (kind: 'Public' | 'Private', zone: EksctlZoneLayout) => {
    const role = kind === 'Public' ? 'kubernetes.io/role/elb' : 'kubernetes.io/role/internal-elb';
    const subnet = await createSubnet(scope, {
      vpcId: input.vpcId,
      cidrBlock: kind === 'Public' ? zone.publicCidr : zone.privateCidr,
      availabilityZone: zone.zone,
      mapPublicIpOnLaunch: kind === 'Public',
      tags: [
        { key: role, value: '1' },
        ...stackTags(input.cluster, `Subnet${kind}${azSuffix(zone.zone)}`),
      ],
    });
    return subnet.subnetId;
  };
  const publicIds: string[] = [];
  const privateIds: string[] = [];
  for (const zone of layout) publicIds.push(await make('Public', zone));
  for (const zone of layout) privateIds.push(await make('Private', zone));
  return { publicIds, privateIds, zones: layout.map((z) => z.zone) };
}

async function createSecurityGroups(
  scope: Scope,
  input: { readonly vpcId: string; readonly cluster: string },
) {
  const { vpcId, cluster } = input;
  const digits = Array.from({ length: 10 }, () => scope.env.ids.int(10)).join('');
  const clusterSgName = `eks-cluster-sg-${cluster}-${digits}`;
  const clusterSg = await createSecurityGroup(scope, {
    groupName: clusterSgName,
    description: EKS_CLUSTER_SG_DESCRIPTION,
    vpcId,
    tags: [
      { key: 'Name', value: clusterSgName },
      { key: `kubernetes.io/cluster/${cluster}`, value: 'owned' },
      { key: 'aws:eks:cluster-name', value: cluster },
    ],
  });
  const all = { isEgress: false, ipProtocol: '-1', fromPort: -1, toPort: -1 } as const;
  await authorize(scope, {
    groupId: clusterSg.groupId,
    rules: [{ ...all, referencedGroupId: clusterSg.groupId }],
  });
  const controlPlane = await createSecurityGroup(scope, {
    groupName: `eksctl-${cluster}-cluster-ControlPlaneSecurityGroup-${cfnSuffix(scope)}`,
    description: 'Communication between the control plane and worker nodegroups',
    vpcId,
    tags: stackTags(cluster, 'ControlPlaneSecurityGroup'),
  });
  const shared = await createSecurityGroup(scope, {
    groupName: `eksctl-${cluster}-cluster-ClusterSharedNodeSecurityGroup-${cfnSuffix(scope)}`,
    description: 'Communication between all nodes in the cluster',
    vpcId,
    tags: stackTags(cluster, 'ClusterSharedNodeSecurityGroup'),
  });
  await authorize(scope, {
    groupId: shared.groupId,
    rules: [
      {
        ...all,
        referencedGroupId: shared.groupId,
        description: 'Allow nodes to communicate with each other (all ports)',
      },
      {
        ...all,
        referencedGroupId: clusterSg.groupId,
        description: 'Allow managed and unmanaged nodes to communicate with each other (all ports)',
      },
    ],
  });
  return {
    clusterSg: clusterSg.groupId,
    controlPlane: controlPlane.groupId,
    shared: shared.groupId,
  };
}

/**
 * Builds what `eksctl create cluster` builds for a new cluster: a VPC with DNS support and
 * hostnames over the region's first three AZs, a public and a private subnet in each,
 * an internet gateway with the public route table, one NAT gateway (in the first public
 * subnet) that every private route table routes 0.0.0.0/0 to, and the cluster, control
 * plane and shared-node security groups. Not idempotent: each call builds a new VPC.
 */
export async function createEksctlVpc(
  scope: Scope,
  opts: Omit<EksctlVpcOptions, 'region'>,
): Promise<EksctlVpc> {
  const cluster = opts.clusterName;
  const cidr = opts.cidr ?? EKSCTL_VPC_CIDR;
  const vpc = await createVpc(scope, { cidrBlock: cidr, tags: stackTags(cluster, 'VPC') });
  await scope.env.state.update(scope.region, { kind: 'vpc', id: vpc.vpcId }, (v) => ({
    ...v,
    enableDnsHostnames: true,
    enableDnsSupport: true,
  }));
  const { publicIds, privateIds, zones } = await createSubnets(scope, {
    vpcId: vpc.vpcId,
    cidr,
    cluster,
  });
  const igw = await createInternetGateway(scope, stackTags(cluster, 'InternetGateway'));
  await attachInternetGateway(scope, {
    internetGatewayId: igw.internetGatewayId,
    vpcId: vpc.vpcId,
  });
  const publicTable = await createRouteTable(scope, {
    vpcId: vpc.vpcId,
    tags: stackTags(cluster, 'PublicRouteTable'),
  });
  await createRoute(scope, {
    routeTableId: publicTable.routeTableId,
    destinationCidrBlock: '0.0.0.0/0',
    gatewayId: igw.internetGatewayId,
  });
  for (const subnetId of publicIds) {
    await associateRouteTable(scope, { routeTableId: publicTable.routeTableId, subnetId });
  }
  const eip = await allocateElasticIp(scope, stackTags(cluster, 'NATIP'));
  const nat = await createNatGateway(scope, {
    subnetId: publicIds[0] ?? '',
    allocationId: eip.allocationId,
    tags: stackTags(cluster, 'NATGateway'),
  });
  const privateTables: string[] = [];
  for (const [i, subnetId] of privateIds.entries()) {
    const zone = azSuffix(zones[i] ?? '');
    const table = await createRouteTable(scope, {
      vpcId: vpc.vpcId,
      tags: stackTags(cluster, `PrivateRouteTable${zone}`),
    });
    await createRoute(scope, {
      routeTableId: table.routeTableId,
      destinationCidrBlock: '0.0.0.0/0',
      natGatewayId: nat.natGatewayId,
    });
    await associateRouteTable(scope, { routeTableId: table.routeTableId, subnetId });
    privateTables.push(table.routeTableId);
  }
  const groups = await createSecurityGroups(scope, { vpcId: vpc.vpcId, cluster });
  return {
    vpcId: vpc.vpcId,
    availabilityZones: zones,
    publicSubnetIds: publicIds,
    privateSubnetIds: privateIds,
    internetGatewayId: igw.internetGatewayId,
    natGatewayId: nat.natGatewayId,
    publicRouteTableId: publicTable.routeTableId,
    privateRouteTableIds: privateTables,
    clusterSecurityGroupId: groups.clusterSg,
    controlPlaneSecurityGroupId: groups.controlPlane,
    sharedNodeSecurityGroupId: groups.shared,
  };
}

import { CliError } from './config-file.ts';
import type { Ec2Api, Tags } from './cluster-api.ts';

/** One AZ's pair of subnets in eksctl's layout. */
export interface ZoneSubnets {
  readonly zone: string;
  readonly publicCidr: string;
  readonly privateCidr: string;
}

function ipv4(cidr: string): { base: number; prefix: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
  const parts = m?.slice(1, 5).map(Number) ?? [];
  const prefix = Number(m?.[5] ?? NaN);
  if (!m || parts.some((p) => p > 255) || prefix > 32) {
    throw new CliError(`invalid CIDR ${JSON.stringify(cidr)}`);
  }
  const base = parts.reduce((acc, p) => acc * 256 + p, 0);
  return { base, prefix };
}

const dotted = (n: number): string =>
  [24, 16, 8, 0].map((shift) => String(Math.floor(n / 2 ** shift) % 256)).join('.');

/**
 * eksctl's default subnet layout: the VPC cut into 8 equal blocks (/19s of a /16), public
 * subnets take the first blocks in AZ order, private ones the blocks after them.
 */
export function planSubnets(cidr: string, zones: readonly string[]): ZoneSubnets[] {
  const { base, prefix } = ipv4(cidr);
  const sub = prefix + 3;
  if (sub > 28) throw new CliError(`VPC CIDR ${cidr} is too small for eksctl's subnets`);
  const size = 2 ** (32 - sub);
  const block = (i: number): string => `${dotted(base + i * size)}/${String(sub)}`;
  return zones.map((zone, i) => ({
    zone,
    publicCidr: block(i),
    privateCidr: block(zones.length + i),
  }));
}

/** `ap-northeast-2a` → `APNORTHEAST2A`, as eksctl names its CloudFormation resources. */
const azSuffix = (zone: string): string => zone.replace(/-/g, '').toUpperCase();

export interface BuiltVpc {
  readonly vpcId: string;
  readonly zones: readonly string[];
  readonly publicSubnetIds: readonly string[];
  readonly privateSubnetIds: readonly string[];
  readonly controlPlaneSecurityGroupId: string;
  readonly sharedNodeSecurityGroupId: string;
}

/** A CloudFormation-style physical-name suffix (13 upper-case alphanumerics). */
export type Suffix = () => string;

/**
 * Builds the VPC of eksctl's cluster stack through EC2: DNS support and hostnames, a public
 * and a private subnet per AZ, an internet gateway for the public route table, one NAT
 * gateway in the first public subnet for every private route table, and the control-plane
 * and shared-node security groups (EKS itself adds the cluster security group).
 */
export async function buildEksctlVpc(
  ec2: Ec2Api,
  o: { cluster: string; cidr: string; plan: readonly ZoneSubnets[]; suffix: Suffix },
): Promise<BuiltVpc> {
  const { cluster } = o;
  const tags = (logicalId: string): Tags => ({
    Name: `eksctl-${cluster}-cluster/${logicalId}`,
    'alpha.eksctl.io/cluster-name': cluster,
    'eksctl.cluster.k8s.io/v1alpha1/cluster-name': cluster,
    'alpha.eksctl.io/cluster-oidc-enabled': 'false',
    'aws:cloudformation:stack-name': `eksctl-${cluster}-cluster`,
    'aws:cloudformation:logical-id': logicalId,
  });
  const vpcId = await ec2.createVpc(o.cidr, tags('VPC'));
  await ec2.enableDns(vpcId);
  const subnet = (kind: 'Public' | 'Private', z: ZoneSubnets): Promise<string> =>
    ec2.createSubnet({
      vpcId,
      cidr: kind === 'Public' ? z.publicCidr : z.privateCidr,
      zone: z.zone,
      public: kind === 'Public',
      tags: {
        [kind === 'Public' ? 'kubernetes.io/role/elb' : 'kubernetes.io/role/internal-elb']: '1',
        ...tags(`Subnet${kind}${azSuffix(z.zone)}`),
      },
    });
  const publicSubnetIds: string[] = [];
  for (const z of o.plan) publicSubnetIds.push(await subnet('Public', z));
  const privateSubnetIds: string[] = [];
  for (const z of o.plan) privateSubnetIds.push(await subnet('Private', z));
  const igw = await ec2.createInternetGateway(vpcId, tags('InternetGateway'));
  await ec2.createRouteTable({
    vpcId,
    tags: tags('PublicRouteTable'),
    route: { gatewayId: igw },
    subnets: publicSubnetIds,
  });
  const nat = await ec2.createNatGateway(publicSubnetIds[0] ?? '', tags('NATGateway'));
  for (const [i, z] of o.plan.entries()) {
    await ec2.createRouteTable({
      vpcId,
      tags: tags(`PrivateRouteTable${azSuffix(z.zone)}`),
      route: { natGatewayId: nat },
      subnets: [privateSubnetIds[i] ?? ''],
    });
  }
  const controlPlaneSecurityGroupId = await ec2.createSecurityGroup({
    vpcId,
    name: `eksctl-${cluster}-cluster-ControlPlaneSecurityGroup-${o.suffix()}`,
    description: 'Communication between the control plane and worker nodegroups',
    tags: tags('ControlPlaneSecurityGroup'),
    selfIngress: false,
  });
  const sharedNodeSecurityGroupId = await ec2.createSecurityGroup({
    vpcId,
    name: `eksctl-${cluster}-cluster-ClusterSharedNodeSecurityGroup-${o.suffix()}`,
    description: 'Communication between all nodes in the cluster',
    tags: tags('ClusterSharedNodeSecurityGroup'),
    selfIngress: true,
  });
  return {
    vpcId,
    zones: o.plan.map((z) => z.zone),
    publicSubnetIds,
    privateSubnetIds,
    controlPlaneSecurityGroupId,
    sharedNodeSecurityGroupId,
  };
}

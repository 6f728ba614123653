import type { Tag } from './params.ts';

/**
 * The records Kiln's EC2 service keeps in the store, one per resource, under
 * `/ec2/<region>/<kind>/<id>`. Field names follow EC2's XML names so that describing a
 * resource is mostly a copy.
 */

export interface VpcRecord {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly cidrAssociationId: string;
  readonly isDefault: boolean;
  readonly enableDnsSupport: boolean;
  readonly enableDnsHostnames: boolean;
  readonly tags: readonly Tag[];
}

export interface SubnetRecord {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId: string;
  readonly mapPublicIpOnLaunch: boolean;
  readonly tags: readonly Tag[];
}

export interface RouteRecord {
  readonly destinationCidrBlock: string;
  readonly gatewayId?: string;
  readonly natGatewayId?: string;
  /** `CreateRouteTable` for the VPC's local route, `CreateRoute` for the rest. */
  readonly origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface AssociationRecord {
  readonly routeTableAssociationId: string;
  /** Absent for the main association. */
  readonly subnetId?: string;
  readonly main: boolean;
}

export interface RouteTableRecord {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly routes: readonly RouteRecord[];
  readonly associations: readonly AssociationRecord[];
  readonly tags: readonly Tag[];
}

export interface InternetGatewayRecord {
  readonly internetGatewayId: string;
  /** The attached VPC, if any (an IGW attaches to at most one). */
  readonly vpcId?: string;
  readonly tags: readonly Tag[];
}

export interface NatGatewayRecord {
  readonly natGatewayId: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly allocationId: string;
  readonly publicIp: string;
  readonly privateIp: string;
  readonly networkInterfaceId: string;
  readonly createTime: string;
  readonly state: 'available' | 'deleted';
  readonly tags: readonly Tag[];
}

export interface AddressRecord {
  readonly allocationId: string;
  readonly publicIp: string;
  /** The NAT gateway using it, if any. */
  readonly natGatewayId?: string;
  readonly tags: readonly Tag[];
}

/** One security group rule: a single peer, as DescribeSecurityGroupRules lists them. */
export interface RuleRecord {
  readonly securityGroupRuleId: string;
  readonly isEgress: boolean;
  /** `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or a protocol number. */
  readonly ipProtocol: string;
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  readonly prefixListId?: string;
  readonly referencedGroupId?: string;
  readonly referencedUserId?: string;
  readonly description?: string;
}

export interface SecurityGroupRecord {
  readonly groupId: string;
  readonly groupName: string;
  readonly description: string;
  readonly vpcId: string;
  readonly rules: readonly RuleRecord[];
  readonly tags: readonly Tag[];
}

/**
 * A private address handed out from a subnet (`Ec2Service.allocateAddress`), or with
 * `prefixLength` a whole block of them, as EC2 assigns an IPv4 prefix to an instance's
 * interface for its pods (`Ec2Service.reserveAddress`).
 */
export interface IpRecord {
  readonly subnetId: string;
  readonly ip: string;
  readonly prefixLength?: number;
}

/** Store kinds and the records under them. */
export interface Records {
  vpc: VpcRecord;
  subnet: SubnetRecord;
  rtb: RouteTableRecord;
  igw: InternetGatewayRecord;
  nat: NatGatewayRecord;
  eipalloc: AddressRecord;
  sg: SecurityGroupRecord;
  ip: IpRecord;
}

export type Kind = keyof Records;

/** The kinds that carry tags, by id prefix (`vpc-…` → `vpc`). */
export type TaggableKind = Exclude<Kind, 'ip'>;
export const TAGGABLE_KINDS: readonly TaggableKind[] = [
  'vpc',
  'subnet',
  'rtb',
  'igw',
  'nat',
  'eipalloc',
  'sg',
];

/** EC2's `resourceType` names, as DescribeTags and TagSpecification use them. */
export const RESOURCE_TYPES: Readonly<Record<TaggableKind, string>> = {
  vpc: 'vpc',
  subnet: 'subnet',
  rtb: 'route-table',
  igw: 'internet-gateway',
  nat: 'natgateway',
  eipalloc: 'elastic-ip',
  sg: 'security-group',
};

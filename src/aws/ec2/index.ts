export { Ec2Service, type Ec2ServiceOptions, type SubnetInfo } from './ec2-service.ts';
export type { Ec2Instance, InstanceSource } from './context.ts';
export {
  EKS_CLUSTER_SG_DESCRIPTION,
  EKSCTL_VPC_CIDR,
  eksctlSubnetLayout,
  type EksctlVpc,
  type EksctlVpcOptions,
  type EksctlZoneLayout,
} from './eksctl-vpc.ts';
export {
  cidrContains,
  cidrHas,
  cidrSize,
  formatCidr,
  formatIp,
  parseCidr,
  parseIp,
  type Cidr,
} from './cidr.ts';
export { zonesOf, type Zone } from './zones.ts';
export { INSTANCE_SHAPES, INSTANCE_SHAPES_URL, type InstanceShape } from './instance-types.ts';

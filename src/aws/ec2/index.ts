export { Ec2Service, type Ec2ServiceOptions, type SubnetInfo } from './ec2-service.ts';
export type { Ec2Instance, InstanceSource } from './context.ts';
export { EKS_CLUSTER_SG_DESCRIPTION, type EksctlVpc, type EksctlVpcOptions } from './eksctl-vpc.ts';
export { zonesOf, type Zone } from './zones.ts';
export { INSTANCE_SHAPES, INSTANCE_SHAPES_URL, type InstanceShape } from './instance-types.ts';

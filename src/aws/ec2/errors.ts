import { AwsError } from '../types.ts';

/**
 * The EC2 error catalogue: every code and message Kiln's EC2 service sends, worded as EC2
 * words them, so scripts that match on messages behave as they do against AWS.
 */

export function missingParameter(name: string): AwsError {
  return new AwsError('MissingParameter', `The request must contain the parameter ${name}`);
}

export function invalidParameterValue(value: string, name: string): AwsError {
  return new AwsError(
    'InvalidParameterValue',
    `Value (${value}) for parameter ${lowerFirst(name)} is invalid.`,
  );
}

export function invalidCidr(value: string): AwsError {
  return new AwsError(
    'InvalidParameterValue',
    `Value (${value}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`,
  );
}

/** `InvalidVpcID.NotFound` and its kin: the resource words EC2 puts in its messages. */
const NOT_FOUND: Readonly<Record<string, readonly [code: string, noun: string]>> = {
  vpc: ['InvalidVpcID.NotFound', 'vpc'],
  subnet: ['InvalidSubnetID.NotFound', 'subnet'],
  rtb: ['InvalidRouteTableID.NotFound', 'routeTable'],
  igw: ['InvalidInternetGatewayID.NotFound', 'internetGateway'],
  eipalloc: ['InvalidAllocationID.NotFound', 'allocation'],
  sgr: ['InvalidSecurityGroupRuleId.NotFound', 'security group rule'],
  rtbassoc: ['InvalidAssociationID.NotFound', 'association'],
};

export function notFound(kind: string, id: string): AwsError {
  if (kind === 'sg') {
    return new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist`);
  }
  if (kind === 'nat') {
    return new AwsError('NatGatewayNotFound', `The Nat Gateway ${id} was not found`);
  }
  if (kind === 'i') {
    return new AwsError('InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
  }
  const [code, noun] = NOT_FOUND[kind] ?? ['InvalidID', kind];
  return new AwsError(code, `The ${noun} ID '${id}' does not exist`);
}

/** A malformed id: `Invalid id: "x" (expecting "vpc-...")`. */
export function malformedId(code: string, id: string, prefix: string): AwsError {
  return new AwsError(code, `Invalid id: "${id}" (expecting "${prefix}-...")`);
}

export function dependencyViolation(noun: string, id: string): AwsError {
  return new AwsError(
    'DependencyViolation',
    `The ${noun} '${id}' has dependencies and cannot be deleted.`,
  );
}

export function invalidFilter(name: string): AwsError {
  return new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
}

export function invalidAction(action: string): AwsError {
  return new AwsError('InvalidAction', `The action ${action} is not valid for this web service.`);
}

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

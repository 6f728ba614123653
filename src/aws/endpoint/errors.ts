import { AwsError, type AwsCall, type AwsProtocol } from '../types.ts';

/**
 * The error a service throws for an action or route it does not serve, as AWS words it per
 * protocol: query `InvalidAction`, EC2 `InvalidAction`, rest-json `UnknownOperationException`.
 */
export function unknownOperation(protocol: AwsProtocol, call: AwsCall): AwsError {
  if (protocol === 'rest-json') {
    return new AwsError('UnknownOperationException', 'Unknown operation', { httpStatus: 404 });
  }
  if (protocol === 'ec2') {
    return new AwsError(
      'InvalidAction',
      `The action ${call.action} is not valid for this web service.`,
    );
  }
  const version = call.params.get('Version') ?? '';
  return new AwsError(
    'InvalidAction',
    `Could not find operation ${call.action} for version ${version}`,
  );
}

import { AwsError } from '../types.ts';

/**
 * The EKS error catalogue: each modeled exception with the HTTP status botocore's model gives
 * it. Every EKS error the service throws is built here.
 */
type Fields = Readonly<Record<string, unknown>>;

function eksError(code: string, httpStatus: number) {
  return (message: string, fields: Fields = {}) =>
    new AwsError(code, message, { httpStatus, fields });
}

export const invalidParameter = eksError('InvalidParameterException', 400);
export const invalidRequest = eksError('InvalidRequestException', 400);
export const resourceLimitExceeded = eksError('ResourceLimitExceededException', 400);
export const badRequest = eksError('BadRequestException', 400);
export const resourceNotFound = eksError('ResourceNotFoundException', 404);
export const notFound = eksError('NotFoundException', 404);
export const resourceInUse = eksError('ResourceInUseException', 409);

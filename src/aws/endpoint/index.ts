export { AwsEndpoint, type AwsEndpointOptions, type EndpointRequest } from './endpoint.ts';
export type { AwsCredentialEntry, AwsCredentials } from './credentials.ts';
export { unknownOperation } from './errors.ts';
export {
  QUERY_SHAPE,
  EC2_SHAPE,
  isoDate,
  renderXml,
  type XmlDocument,
  type XmlShape,
} from './xml.ts';
export {
  ec2Response,
  errorResponse,
  queryResponse,
  xmlNamespace,
  type WireResponse,
} from './protocols.ts';
export { uriEncode, verifySigV4, SigV4Failure, MAX_CLOCK_SKEW_MS } from './sigv4.ts';
export {
  memberList,
  memberStrings,
  memberName,
  optionalInt,
  requireParam,
  validationError,
} from './params.ts';

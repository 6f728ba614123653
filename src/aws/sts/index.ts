export { StsService, type StsServiceOptions } from './sts-service.ts';
export { StsCredentials, type TemporaryCredential } from './sts-credentials.ts';

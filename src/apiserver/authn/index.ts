export * from './types.ts';
export { UnionAuthenticator, fromAuthenticator, type UnionOptions } from './union.ts';
export * from './token-issuer.ts';
export * from './service-account-authn.ts';
export { tokenRequestHandler, serviceAccountIssuerDiscovery } from './token-request.ts';
export * from './client-cert.ts';
export * from './aws-token.ts';
export * from './aws-auth.ts';
export * from './cluster-authn.ts';

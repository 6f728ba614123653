export { ApiServer, type ApiServerOptions, type ServerSecurity } from './server.ts';
export * from './http-types.ts';
export { ApiError, errors, toApiError } from './errors.ts';
export { StaticTokenAuthenticator, ANONYMOUS, type Authenticator } from './authn.ts';
export {
  requestListener,
  upgradeListener,
  type Route,
  type Router,
  type RequestHandler,
} from './http-adapter.ts';
export { ResourceRegistry } from './resources/registry.ts';
export { builtinResources } from './resources/builtin.ts';
export type { ResourceDefinition } from './resources/types.ts';
export {
  AdmissionChain,
  type AdmissionPlugin,
  type AdmissionAttributes,
} from './admission/index.ts';
export { LogSources, type PodLogOptions, type PodLogSource } from './pod-logs.ts';
export {
  StreamRefused,
  StreamSources,
  type AttachOptions,
  type CommandOutcome,
  type ExecOptions,
  type PodStreamSource,
  type PortDialer,
  type ProcessRun,
} from './streaming/index.ts';

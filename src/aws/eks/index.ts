export { EksService } from './service.ts';
export {
  defaultDelays,
  defaultLimits,
  type EksDelays,
  type EksLimits,
  type EksServiceOptions,
  type ProfileDeletedEvent,
  type ValidationMode,
} from './context.ts';
export { FARGATE_POD_EXECUTION_POLICY, MISCONFIGURED_ROLE_MESSAGE } from './fargate-profiles.ts';
export * from './model.ts';
export { activeFargateProfiles, fargateProfiles, watchFargateProfiles } from './read.ts';
export type * from './views.ts';

export * from './types.ts';
export * from './sizing-table.ts';
export { effectiveRequest } from './sizing-requests.ts';
export * from './sizing.ts';
export { globMatches } from './matching-glob.ts';
export * from './matching.ts';
export * from './matching-mutation.ts';
export * from './compatibility-volumes.ts';
export {
  FARGATE_ALLOWED_ADDED_CAPABILITIES,
  FARGATE_UNSUPPORTED_PREFIX,
  fargateIncompatibilities,
  fargateUnsupportedMessage,
} from './compatibility.ts';
export * from './profile-source.ts';
export * from './launcher.ts';
export * from './throttle.ts';
export * from './webhook.ts';
export { reviewPodAdmission, type WebhookAnswer } from './webhook-review.ts';
export { FargateScheduler, type FargateSchedulerOptions } from './scheduler.ts';
export { FARGATE_EVENTS } from './scheduler-support.ts';
export * from './control-plane.ts';

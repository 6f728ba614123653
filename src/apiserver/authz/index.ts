import type { Store } from '../../store/index.ts';
import { RbacIndex } from './rbac-index.ts';
import { PrivilegedGroupsAuthorizer, RbacAuthorizer, UnionAuthorizer } from './rbac-authorizer.ts';

export * from './types.ts';
export { attributesFor, attributesForUser } from './attributes.ts';
export { forbiddenError, forbiddenMessage } from './forbidden.ts';
export { impersonate, isImpersonating } from './impersonation.ts';
export { bootstrapRbacObjects } from './bootstrap-policy.ts';
export { ClusterRoleAggregationController } from './aggregation-controller.ts';
export { createReviewHandlers, type ReviewHandler, type ReviewOptions } from './reviews.ts';
export { RbacIndex, RbacAuthorizer, PrivilegedGroupsAuthorizer, UnionAuthorizer };
export { ruleAllows, parsePolicyRule, type PolicyRule } from './rules.ts';

/** The group whose members may do anything, ahead of RBAC. */
export const SYSTEM_MASTERS = 'system:masters';

/**
 * kube-apiserver's default authorization chain for one cluster's store: `system:masters`
 * first, then RBAC. Call `start(signal)` once before serving (it loads and watches RBAC
 * objects); the returned authorizer also resolves rules for SelfSubjectRulesReview.
 */
export function clusterAuthorizer(store: Store): {
  readonly authorizer: UnionAuthorizer;
  start(signal: AbortSignal): void;
} {
  const index = new RbacIndex({ store });
  const rbac = new RbacAuthorizer({ index });
  const authorizer = new UnionAuthorizer({
    authorizers: [new PrivilegedGroupsAuthorizer([SYSTEM_MASTERS]), rbac],
    resolvers: [rbac],
  });
  return {
    authorizer,
    start: (signal) => {
      index.start(signal);
    },
  };
}

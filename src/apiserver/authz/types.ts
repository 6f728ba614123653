import type { UserInfo } from '../http-types.ts';

/**
 * What a request asks to do, as kube-apiserver's `authorizer.Attributes`: a resource request
 * (verb on group/resource[/subresource][/name] in a namespace) or a non-resource request
 * (lower-case HTTP method on a path).
 */
export interface Attributes {
  readonly user: UserInfo;
  readonly verb: string;
  readonly resourceRequest: boolean;
  /** '' for cluster-scoped resources and non-resource requests. */
  readonly namespace: string;
  readonly apiGroup: string;
  readonly apiVersion: string;
  readonly resource: string;
  readonly subresource: string;
  readonly name: string;
  /** The request path; only meaningful for non-resource requests. */
  readonly path: string;
}

export type DecisionKind = 'allow' | 'deny' | 'no-opinion';

/** An authorizer's answer. `reason` explains an allow or a denial (may be ''). */
export interface Decision {
  readonly decision: DecisionKind;
  readonly reason: string;
}

/**
 * Decides whether a request may proceed. Synchronous and side-effect free: it reads only
 * in-memory state, so it can run on every request. Never throws for any input.
 */
export interface Authorizer {
  authorize(attrs: Attributes): Decision;
}

export interface ResourceRuleInfo {
  readonly verbs: readonly string[];
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly resourceNames: readonly string[];
}

export interface NonResourceRuleInfo {
  readonly verbs: readonly string[];
  readonly nonResourceURLs: readonly string[];
}

export interface RulesResult {
  readonly resourceRules: readonly ResourceRuleInfo[];
  readonly nonResourceRules: readonly NonResourceRuleInfo[];
  /** True when some authorizer could not list what it would allow. */
  readonly incomplete: boolean;
  readonly evaluationError?: string;
}

/** Lists what a user may do in a namespace (SelfSubjectRulesReview), as `authorizer.RuleResolver`. */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): RulesResult;
}

export const ALLOW = (reason = ''): Decision => ({ decision: 'allow', reason });
export const NO_OPINION = (reason = ''): Decision => ({ decision: 'no-opinion', reason });

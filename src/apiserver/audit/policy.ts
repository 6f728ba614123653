import type { UserInfo } from '../http-types.ts';

/** How much of a request the audit log keeps (audit.k8s.io/v1 Level). */
export type AuditLevel = 'None' | 'Metadata' | 'Request' | 'RequestResponse';

export interface GroupResources {
  /** '' is the core group. */
  readonly group?: string;
  /** `pods`, `pods/log`, `*\/status`, `pods/*`; empty means every resource of the group. */
  readonly resources?: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** One rule of an audit Policy; the first rule that matches a request sets its level. */
export interface PolicyRule {
  readonly level: AuditLevel;
  readonly users?: readonly string[];
  readonly userGroups?: readonly string[];
  readonly verbs?: readonly string[];
  readonly resources?: readonly GroupResources[];
  /** '' selects cluster-scoped resources. */
  readonly namespaces?: readonly string[];
  /** Paths, with a trailing `*` as a prefix match. */
  readonly nonResourceURLs?: readonly string[];
}

export interface AuditPolicy {
  readonly rules: readonly PolicyRule[];
}

/** What the policy looks at in a request. */
export interface PolicyAttributes {
  readonly user: UserInfo;
  readonly verb: string;
  readonly resourceRequest: boolean;
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource: string;
  readonly namespace: string;
  readonly name: string;
  readonly path: string;
}

const anyOf = <T>(list: readonly T[] | undefined, pred: (x: T) => boolean): boolean =>
  list === undefined || list.length === 0 || list.some(pred);

function resourceMatches(gr: GroupResources, a: PolicyAttributes): boolean {
  if ((gr.group ?? '') !== a.apiGroup) return false;
  const combined = a.subresource === '' ? a.resource : `${a.resource}/${a.subresource}`;
  const resourceOk = anyOf(
    gr.resources,
    (r) =>
      r === combined ||
      (a.subresource !== '' && (r === `*/${a.subresource}` || r === `${a.resource}/*`)) ||
      r === '*',
  );
  return resourceOk && anyOf(gr.resourceNames, (n) => n === a.name);
}

function pathMatches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern === path;
}

function ruleMatches(rule: PolicyRule, a: PolicyAttributes): boolean {
  if (!anyOf(rule.users, (u) => u === a.user.username)) return false;
  if (!anyOf(rule.userGroups, (g) => a.user.groups.includes(g))) return false;
  if (!anyOf(rule.verbs, (v) => v === a.verb)) return false;
  if (a.resourceRequest) {
    if ((rule.nonResourceURLs ?? []).length > 0) return false;
    if (!anyOf(rule.namespaces, (n) => n === a.namespace)) return false;
    return anyOf(rule.resources, (gr) => resourceMatches(gr, a));
  }
  if ((rule.resources ?? []).length > 0 || (rule.namespaces ?? []).length > 0) return false;
  return anyOf(rule.nonResourceURLs, (p) => pathMatches(p, a.path));
}

/** The level of the first matching rule; None when none matches, as upstream. */
export function auditLevel(policy: AuditPolicy, a: PolicyAttributes): AuditLevel {
  return policy.rules.find((r) => ruleMatches(r, a))?.level ?? 'None';
}

const SYSTEM_USERS = [
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:kube-proxy',
  'system:apiserver',
];

/**
 * Kiln's default policy: no noise from the control plane reading events and leases or from
 * health checks; metadata only for secrets, configmaps and token reviews (never their
 * contents); request bodies for writes; metadata for everything else.
 */
export const DEFAULT_AUDIT_POLICY: AuditPolicy = {
  rules: [
    {
      level: 'None',
      users: SYSTEM_USERS,
      verbs: ['get', 'list', 'watch'],
      resources: [
        { group: '', resources: ['events'] },
        { group: 'events.k8s.io', resources: ['events'] },
        { group: 'coordination.k8s.io', resources: ['leases'] },
      ],
    },
    {
      level: 'None',
      userGroups: ['system:nodes'],
      verbs: ['get', 'list', 'watch'],
      resources: [
        { group: '', resources: ['events'] },
        { group: 'coordination.k8s.io', resources: ['leases'] },
      ],
    },
    { level: 'None', nonResourceURLs: ['/healthz*', '/livez*', '/readyz*', '/version'] },
    {
      level: 'Metadata',
      resources: [
        { group: '', resources: ['secrets', 'configmaps', 'serviceaccounts/token'] },
        { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
      ],
    },
    { level: 'Request', verbs: ['create', 'update', 'patch', 'delete', 'deletecollection'] },
    { level: 'Metadata' },
  ],
};

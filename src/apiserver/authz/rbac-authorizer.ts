import type { UserInfo } from '../http-types.ts';
import type { AppliedBinding, RbacIndex, Subject } from './rbac-index.ts';
import { ruleAllows, type PolicyRule } from './rules.ts';
import {
  ALLOW,
  NO_OPINION,
  type Attributes,
  type Authorizer,
  type Decision,
  type NonResourceRuleInfo,
  type ResourceRuleInfo,
  type RuleResolver,
  type RulesResult,
} from './types.ts';

/** `"a"`, or `[a, b]` for several distinct messages, as utilerrors.NewAggregate prints them. */
export function aggregateMessages(messages: readonly string[]): string {
  const distinct = [...new Set(messages)];
  return distinct.length === 1 ? (distinct[0] ?? '') : `[${distinct.join(', ')}]`;
}

function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') {
    const ns = s.namespace === '' ? bindingNamespace : s.namespace;
    return `${s.kind} "${s.name}/${ns}"`;
  }
  return `${s.kind} "${s.name}"`;
}

/** Where a permission came from, worded as rbac's binding describers (it is the allow reason). */
function describe({ binding: b, subject }: AppliedBinding): string {
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} "${name}" of ${b.roleRef.kind} "${b.roleRef.name}" to ${describeSubject(subject, b.namespace)}`;
}

type Resolved = { rules: readonly PolicyRule[] } | { error: string };

/**
 * kube-apiserver's RBAC authorizer: allows what some bound role's rules allow, and otherwise
 * has no opinion (RBAC never denies). Bindings to missing roles are reported in the reason.
 */
export class RbacAuthorizer implements Authorizer, RuleResolver {
  readonly #index: RbacIndex;

  constructor(opts: { readonly index: RbacIndex }) {
    this.#index = opts.index;
  }

  authorize(attrs: Attributes): Decision {
    const problems: string[] = [];
    for (const applied of this.#index.bindingsFor(attrs.user, attrs.namespace)) {
      const resolved = this.#rulesOf(applied);
      if ('error' in resolved) {
        problems.push(resolved.error);
        continue;
      }
      if (resolved.rules.some((r) => ruleAllows(attrs, r)))
        return ALLOW(`RBAC: allowed by ${describe(applied)}`);
    }
    return NO_OPINION(problems.length === 0 ? '' : `RBAC: ${aggregateMessages(problems)}`);
  }

  rulesFor(user: UserInfo, namespace: string): RulesResult {
    const problems: string[] = [];
    const resourceRules: ResourceRuleInfo[] = [];
    const nonResourceRules: NonResourceRuleInfo[] = [];
    for (const applied of this.#index.bindingsFor(user, namespace)) {
      const resolved = this.#rulesOf(applied);
      if ('error' in resolved) {
        problems.push(resolved.error);
        continue;
      }
      for (const r of resolved.rules) {
        if (r.resources.length > 0) {
          const { verbs, apiGroups, resources, resourceNames } = r;
          resourceRules.push({ verbs, apiGroups, resources, resourceNames });
        }
        if (r.nonResourceURLs.length > 0)
          nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs });
      }
    }
    return {
      resourceRules,
      nonResourceRules,
      incomplete: false,
      ...(problems.length === 0 ? {} : { evaluationError: aggregateMessages(problems) }),
    };
  }

  #rulesOf({ binding }: AppliedBinding): Resolved {
    const { kind, name } = binding.roleRef;
    if (kind === 'ClusterRole') {
      const rules = this.#index.clusterRoleRules(name);
      return rules
        ? { rules }
        : { error: `clusterrole.rbac.authorization.k8s.io "${name}" not found` };
    }
    if (kind === 'Role') {
      const rules = this.#index.roleRules(binding.namespace, name);
      return rules ? { rules } : { error: `role.rbac.authorization.k8s.io "${name}" not found` };
    }
    return { error: `unsupported role reference kind: "${kind}"` };
  }
}

/**
 * Allows everything for members of the given groups (`system:masters`), ahead of RBAC, as
 * kube-apiserver's privileged-groups authorizer. It lists no rules.
 */
export class PrivilegedGroupsAuthorizer implements Authorizer {
  readonly #groups: ReadonlySet<string>;
  constructor(groups: readonly string[]) {
    this.#groups = new Set(groups);
  }
  authorize(attrs: Attributes): Decision {
    return attrs.user.groups.some((g) => this.#groups.has(g)) ? ALLOW() : NO_OPINION();
  }
}

/**
 * Asks each authorizer in turn; the first allow or deny wins, otherwise no opinion with the
 * reasons joined by newlines (union.New). Rules are the union of every resolver's rules.
 */
export class UnionAuthorizer implements Authorizer, RuleResolver {
  readonly #authorizers: readonly Authorizer[];
  readonly #resolvers: readonly RuleResolver[];

  constructor(opts: { authorizers: readonly Authorizer[]; resolvers: readonly RuleResolver[] }) {
    this.#authorizers = opts.authorizers;
    this.#resolvers = opts.resolvers;
  }

  authorize(attrs: Attributes): Decision {
    const reasons: string[] = [];
    for (const a of this.#authorizers) {
      const d = a.authorize(attrs);
      if (d.decision !== 'no-opinion') return d;
      if (d.reason !== '') reasons.push(d.reason);
    }
    return NO_OPINION(reasons.join('\n'));
  }

  rulesFor(user: UserInfo, namespace: string): RulesResult {
    const results = this.#resolvers.map((r) => r.rulesFor(user, namespace));
    const errors = results.flatMap((r) =>
      r.evaluationError === undefined ? [] : [r.evaluationError],
    );
    return {
      resourceRules: results.flatMap((r) => r.resourceRules),
      nonResourceRules: results.flatMap((r) => r.nonResourceRules),
      incomplete: results.some((r) => r.incomplete),
      ...(errors.length === 0 ? {} : { evaluationError: aggregateMessages(errors) }),
    };
  }
}

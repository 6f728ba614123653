import { isDeepStrictEqual } from 'node:util';
import { isJsonObject, type KubeObject } from '../../api/index.ts';
import { fromLabelSelectorObject, matchesLabels } from '../selectors.ts';
import { parsePolicyRule, policyRuleJson } from './rules.ts';

type RuleJson = Record<string, string[]>;

/** Go's string order (by code unit), not the locale's. */
const byteCompare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The clusterRoleSelectors of a ClusterRole, or undefined if it does not aggregate. */
export function aggregationSelectors(role: KubeObject): unknown[] | undefined {
  const rule = role['aggregationRule'];
  if (!isJsonObject(rule)) return undefined;
  const selectors = rule['clusterRoleSelectors'];
  return Array.isArray(selectors) ? selectors : [];
}

/**
 * The rules an aggregated ClusterRole should hold, as the clusterrole-aggregation controller
 * computes them: for each selector in order, the matching roles (other than itself) by name,
 * each rule once. A selector that does not parse matches nothing.
 */
export function aggregatedRules(role: KubeObject, all: readonly KubeObject[]): RuleJson[] {
  const out: RuleJson[] = [];
  const name = role.metadata.name ?? '';
  const sorted = [...all].sort((a, b) => byteCompare(a.metadata.name ?? '', b.metadata.name ?? ''));
  for (const raw of aggregationSelectors(role) ?? []) {
    const selector = fromLabelSelectorObject(raw);
    if (selector === undefined) continue;
    for (const other of sorted) {
      if (other.metadata.name === name || !matchesLabels(selector, other.metadata.labels)) continue;
      const rules = Array.isArray(other['rules']) ? other['rules'] : [];
      for (const r of rules) {
        const rule = policyRuleJson(parsePolicyRule(r));
        if (!out.some((o) => isDeepStrictEqual(o, rule))) out.push(rule);
      }
    }
  }
  return out;
}

/** Whether a role's stored rules already equal what aggregation would give it. */
export function rulesEqual(role: KubeObject, rules: readonly RuleJson[]): boolean {
  const current = Array.isArray(role['rules']) ? role['rules'] : [];
  return isDeepStrictEqual(
    current.map((r) => policyRuleJson(parsePolicyRule(r))),
    rules,
  );
}

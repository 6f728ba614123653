import type { KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { ApiError, errors } from '../errors.ts';
import { selectorEmpty, selectorMatches, type Selector } from '../validation/label-selector.ts';
import type { AdmissionAttributes } from './types.ts';
import type { Webhook, WebhookRule } from './webhook-config.ts';

/**
 * Which webhooks a request calls (k8s.io/apiserver/pkg/admission/plugin/webhook/predicates
 * and generic.Webhook.ShouldCallHook). matchPolicy Equivalent adds nothing here: Kiln serves
 * each resource under one group/version, so there is no equivalent resource to try.
 */

/** The parts of a request the rules look at. */
export type MatchAttributes = Pick<
  AdmissionAttributes,
  'operation' | 'def' | 'subresource' | 'namespace' | 'object' | 'oldObject' | 'name'
>;

function isNamespaceResource(a: MatchAttributes): boolean {
  return a.def.group === '' && a.def.resource === 'namespaces';
}

function exactOrWildcard(items: readonly string[], requested: string): boolean {
  return items.some((i) => i === '*' || i === requested);
}

function scopeMatches(scope: string, a: MatchAttributes): boolean {
  // Namespace objects are cluster-scoped even though their requests carry a namespace.
  switch (scope) {
    case '*':
      return true;
    case 'Namespaced':
      return !isNamespaceResource(a) && a.namespace !== '';
    case 'Cluster':
      return isNamespaceResource(a) || a.namespace === '';
    default:
      return false;
  }
}

function resourceMatches(resources: readonly string[], a: MatchAttributes): boolean {
  return resources.some((r) => {
    const slash = r.indexOf('/');
    const res = slash < 0 ? r : r.slice(0, slash);
    const sub = slash < 0 ? '' : r.slice(slash + 1);
    return (res === '*' || res === a.def.resource) && (sub === '*' || sub === a.subresource);
  });
}

/** rules.Matcher.Matches. */
export function ruleMatches(rule: WebhookRule, a: MatchAttributes): boolean {
  return (
    scopeMatches(rule.scope, a) &&
    exactOrWildcard(rule.operations, a.operation) &&
    exactOrWildcard(rule.apiGroups, a.def.group) &&
    exactOrWildcard(rule.apiVersions, a.def.version) &&
    resourceMatches(rule.resources, a)
  );
}

const EXEMPT_KINDS = new Set([
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
]);

/** Admission configuration is never sent to webhooks, so a bad webhook cannot lock it. */
export function isExemptResource(a: Pick<MatchAttributes, 'def'>): boolean {
  return a.def.group === 'admissionregistration.k8s.io' && EXEMPT_KINDS.has(a.def.kind);
}

function labelsOf(obj: KubeObject | undefined): Readonly<Record<string, string>> {
  return obj?.metadata.labels ?? {};
}

/** The labels a namespaceSelector sees: the namespace's own for namespace writes. */
function namespaceLabels(store: Store, a: MatchAttributes): Readonly<Record<string, string>> {
  const own = isNamespaceResource(a) && a.subresource === '';
  if (own && (a.operation === 'CREATE' || a.operation === 'UPDATE')) return labelsOf(a.object);
  const ns = own ? a.name : a.namespace;
  const stored = store.get(`/namespaces/${ns}`);
  if (!stored) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
  return labelsOf(stored.object);
}

type Verdict = boolean | ApiError;

function matchNamespace(store: Store, hook: Webhook, a: MatchAttributes): Verdict {
  if (a.namespace === '' && !isNamespaceResource(a)) return true;
  const sel = hook.namespaceSelector;
  if (sel === 'error') return errors.internal('invalid namespaceSelector');
  if (selectorEmpty(sel)) return true;
  try {
    return selectorMatches(sel, namespaceLabels(store, a));
  } catch (e: unknown) {
    if (e instanceof ApiError) return e;
    throw e;
  }
}

function objectMatches(sel: Selector, obj: KubeObject | undefined): boolean {
  return obj !== undefined && selectorMatches(sel, labelsOf(obj));
}

function matchObject(hook: Webhook, a: MatchAttributes): Verdict {
  const sel = hook.objectSelector;
  if (sel === 'error') return errors.internal('invalid objectSelector');
  if (selectorEmpty(sel)) return true;
  return objectMatches(sel, a.object) || objectMatches(sel, a.oldObject);
}

/**
 * ShouldCallHook: true to call, false to skip; throws the ApiError of a selector that
 * cannot be evaluated, but only for a webhook whose rules match the request.
 */
export function shouldCallHook(store: Store, hook: Webhook, a: MatchAttributes): boolean {
  const ns = matchNamespace(store, hook, a);
  if (ns === false) return false;
  const obj = matchObject(hook, a);
  if (obj === false) return false;
  if (!hook.rules.some((r) => ruleMatches(r, a))) return false;
  if (ns instanceof ApiError) throw ns;
  if (obj instanceof ApiError) throw obj;
  return true;
}

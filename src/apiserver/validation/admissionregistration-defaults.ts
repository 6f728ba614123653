import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';

/**
 * SetDefaults_* of admissionregistration.k8s.io/v1 (pkg/apis/admissionregistration/v1).
 * v1 leaves sideEffects and admissionReviewVersions undefaulted: validation requires them.
 */

function setIfAbsent(o: JsonObject, k: string, v: JsonObject[string]): void {
  o[k] ??= v;
}

function defaultRule(rule: JsonObject): void {
  setIfAbsent(rule, 'scope', '*');
}

function defaultClientConfig(cc: JsonObject): void {
  const svc = cc['service'];
  if (isJsonObject(svc)) setIfAbsent(svc, 'port', 443);
}

function defaultWebhook(hook: JsonObject, mutating: boolean): void {
  setIfAbsent(hook, 'failurePolicy', 'Fail');
  setIfAbsent(hook, 'matchPolicy', 'Equivalent');
  setIfAbsent(hook, 'namespaceSelector', {});
  setIfAbsent(hook, 'objectSelector', {});
  setIfAbsent(hook, 'timeoutSeconds', 10);
  if (mutating) setIfAbsent(hook, 'reinvocationPolicy', 'Never');
  const rules = hook['rules'];
  if (Array.isArray(rules)) for (const r of rules) if (isJsonObject(r)) defaultRule(r);
  const cc = hook['clientConfig'];
  if (isJsonObject(cc)) defaultClientConfig(cc);
}

function defaultWebhooks(obj: KubeObject, mutating: boolean): void {
  const hooks = obj['webhooks'];
  if (!Array.isArray(hooks)) return;
  for (const h of hooks) if (isJsonObject(h)) defaultWebhook(h, mutating);
}

/** Defaulter for mutatingwebhookconfigurations.admissionregistration.k8s.io. */
export function defaultMutatingWebhookConfiguration(obj: KubeObject): void {
  defaultWebhooks(obj, true);
}

/** Defaulter for validatingwebhookconfigurations.admissionregistration.k8s.io. */
export function defaultValidatingWebhookConfiguration(obj: KubeObject): void {
  defaultWebhooks(obj, false);
}

import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';
import type { Store, StoreEvent } from '../../store/index.ts';
import {
  labelSelectorAsSelector,
  type LabelSelectorValue,
  type Selector,
} from '../validation/label-selector.ts';

/**
 * Webhook configurations as the dispatchers use them: parsed once per stored revision from
 * the (already defaulted and validated) MutatingWebhookConfiguration and
 * ValidatingWebhookConfiguration objects, and kept current from a store watch.
 */

export const MUTATING_PREFIX = '/mutatingwebhookconfigurations.admissionregistration.k8s.io/';
export const VALIDATING_PREFIX = '/validatingwebhookconfigurations.admissionregistration.k8s.io/';

export interface WebhookRule {
  readonly operations: readonly string[];
  readonly apiGroups: readonly string[];
  readonly apiVersions: readonly string[];
  readonly resources: readonly string[];
  readonly scope: string;
}

export interface ServiceReference {
  readonly namespace: string;
  readonly name: string;
  readonly path: string;
  readonly port: number;
}

export interface ClientConfig {
  readonly url?: string;
  readonly service?: ServiceReference;
  /** PEM certificates (decoded from caBundle); absent means the system roots. */
  readonly caPem?: string;
}

export interface Webhook {
  /** Unique within the dispatcher: configuration name and webhook index. */
  readonly uid: string;
  readonly configuration: string;
  readonly name: string;
  readonly rules: readonly WebhookRule[];
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly matchPolicy: string;
  /** `error` when the stored selector does not convert (upstream answers 500). */
  readonly namespaceSelector: Selector | 'error';
  readonly objectSelector: Selector | 'error';
  /** undefined only for objects stored without validation. */
  readonly sideEffects: string | undefined;
  readonly timeoutSeconds: number;
  readonly admissionReviewVersions: readonly string[];
  readonly reinvocationPolicy: 'Never' | 'IfNeeded';
  readonly matchConditionCount: number;
  readonly clientConfig: ClientConfig;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

function str(o: JsonObject, k: string, fallback: string): string {
  const v = o[k];
  return typeof v === 'string' ? v : fallback;
}

function num(o: JsonObject, k: string, fallback: number): number {
  const v = o[k];
  return typeof v === 'number' ? v : fallback;
}

function parseRule(o: JsonObject): WebhookRule {
  return {
    operations: strings(o['operations']),
    apiGroups: strings(o['apiGroups']),
    apiVersions: strings(o['apiVersions']),
    resources: strings(o['resources']),
    scope: str(o, 'scope', '*'),
  };
}

function parseSelector(v: unknown): Selector | 'error' {
  if (!isJsonObject(v)) return { kind: 'everything' };
  const labels = v['matchLabels'];
  const exprs = Array.isArray(v['matchExpressions']) ? v['matchExpressions'] : [];
  const sel: LabelSelectorValue = {
    ...(isJsonObject(labels)
      ? {
          matchLabels: Object.fromEntries(
            Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
          ),
        }
      : {}),
    matchExpressions: exprs.filter(isJsonObject).map((e) => ({
      key: str(e, 'key', ''),
      operator: str(e, 'operator', ''),
      values: strings(e['values']),
    })),
  };
  return labelSelectorAsSelector(sel);
}

function decodeCaBundle(v: unknown): string | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  return Buffer.from(v, 'base64').toString('utf8');
}

function parseClientConfig(v: unknown): ClientConfig {
  const cc = isJsonObject(v) ? v : {};
  const caPem = decodeCaBundle(cc['caBundle']);
  const ca = caPem === undefined ? {} : { caPem };
  const url = cc['url'];
  if (typeof url === 'string') return { url, ...ca };
  const svc = cc['service'];
  if (!isJsonObject(svc)) return ca;
  return {
    service: {
      namespace: str(svc, 'namespace', ''),
      name: str(svc, 'name', ''),
      path: str(svc, 'path', ''),
      port: num(svc, 'port', 443),
    },
    ...ca,
  };
}

function parseWebhook(o: JsonObject, at: { configuration: string; i: number }): Webhook {
  const rules = Array.isArray(o['rules']) ? o['rules'].filter(isJsonObject) : [];
  const side = o['sideEffects'];
  const conditions = o['matchConditions'];
  return {
    uid: `${at.configuration}/${at.i}`,
    configuration: at.configuration,
    name: str(o, 'name', ''),
    rules: rules.map(parseRule),
    failurePolicy: o['failurePolicy'] === 'Ignore' ? 'Ignore' : 'Fail',
    matchPolicy: str(o, 'matchPolicy', 'Equivalent'),
    namespaceSelector: parseSelector(o['namespaceSelector']),
    objectSelector: parseSelector(o['objectSelector']),
    sideEffects: typeof side === 'string' ? side : undefined,
    timeoutSeconds: num(o, 'timeoutSeconds', 10),
    admissionReviewVersions: strings(o['admissionReviewVersions']),
    reinvocationPolicy: o['reinvocationPolicy'] === 'IfNeeded' ? 'IfNeeded' : 'Never',
    matchConditionCount: Array.isArray(conditions) ? conditions.length : 0,
    clientConfig: parseClientConfig(o['clientConfig']),
  };
}

/** The webhooks of one configuration object, in their declared order. */
export function parseWebhooks(obj: KubeObject): Webhook[] {
  const hooks = obj['webhooks'];
  if (!Array.isArray(hooks)) return [];
  const configuration = obj.metadata.name ?? '';
  return hooks.filter(isJsonObject).map((h, i) => parseWebhook(h, { configuration, i }));
}

/**
 * The webhooks of one kind of configuration, in upstream's order: configurations sorted by
 * name, then each configuration's webhooks in order. Kept current by a store watch that
 * runs until `signal` aborts; the store calls watchers before a write returns, so a
 * configuration is in effect as soon as its create or update has answered.
 */
export class WebhookSource {
  readonly #byName = new Map<string, readonly Webhook[]>();
  #sorted: readonly Webhook[] | undefined;

  constructor(store: Store, opts: { prefix: string; signal: AbortSignal }) {
    const listed = store.list(opts.prefix);
    for (const item of listed.items) this.#put(item.object);
    store.watch(
      opts.prefix,
      { fromRevision: listed.revision, signal: opts.signal },
      (e: StoreEvent) => {
        if (e.type === 'DELETED') this.#byName.delete(e.object.metadata.name ?? '');
        else this.#put(e.object);
        this.#sorted = undefined;
      },
    );
  }

  #put(obj: KubeObject): void {
    this.#byName.set(obj.metadata.name ?? '', parseWebhooks(obj));
  }

  webhooks(): readonly Webhook[] {
    this.#sorted ??= [...this.#byName.keys()]
      .sort()
      .flatMap((name) => this.#byName.get(name) ?? []);
    return this.#sorted;
  }
}

import type { Store } from '../../store/index.ts';
import { noopLogger, type Logger } from '../../telemetry/index.ts';
import { randomIds, type Clock, type IdSource } from '../../util/index.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';
import {
  httpsTransport,
  storeServiceResolver,
  type ServiceResolver,
  type WebhookTransport,
} from './webhook-client.ts';
import { MUTATING_PREFIX, VALIDATING_PREFIX, WebhookSource } from './webhook-config.ts';
import {
  dispatchMutating,
  dispatchValidating,
  type Annotations,
  type DispatchDeps,
} from './webhook-dispatch.ts';
import { isExemptResource } from './webhook-match.ts';

export interface WebhookAdmissionOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Request uids of AdmissionReviews (default: random UUIDs). */
  readonly ids?: IdSource;
  /** How POSTs are sent (default: node:https trusting each webhook's caBundle). */
  readonly transport?: WebhookTransport;
  /** Where `service` references go (default: the Service's endpoints in the store). */
  readonly resolver?: ServiceResolver;
  readonly logger?: Logger;
  /** Stops the configuration watches; without it they live as long as the store. */
  readonly signal?: AbortSignal;
}

/** The webhook plugin; `auditAnnotations` exposes what it recorded for a request. */
export interface WebhookAdmission extends AdmissionPlugin {
  auditAnnotations(attrs: AdmissionAttributes): Readonly<Record<string, string>>;
}

/**
 * MutatingAdmissionWebhook (in `admit`) and ValidatingAdmissionWebhook (in `validate`) as
 * one plugin: add it last to the chain, where kube-apiserver runs them, after the
 * built-in plugins of each phase.
 */
export function webhookAdmission(opts: WebhookAdmissionOptions): WebhookAdmission {
  const signal = opts.signal ?? new AbortController().signal;
  const mutating = new WebhookSource(opts.store, { prefix: MUTATING_PREFIX, signal });
  const validating = new WebhookSource(opts.store, { prefix: VALIDATING_PREFIX, signal });
  const deps: DispatchDeps = {
    store: opts.store,
    transport: opts.transport ?? httpsTransport(),
    resolver: opts.resolver ?? storeServiceResolver(opts.store),
    ids: opts.ids ?? randomIds,
    logger: opts.logger ?? noopLogger,
  };
  const annotations = new WeakMap<AdmissionAttributes, Annotations>();
  const annotationsOf = (attrs: AdmissionAttributes): Annotations => {
    let a = annotations.get(attrs);
    if (!a) {
      a = {};
      annotations.set(attrs, a);
    }
    return a;
  };
  return {
    name: 'MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
    async admit(attrs) {
      if (isExemptResource(attrs)) return;
      const hooks = mutating.webhooks();
      if (hooks.length === 0) return;
      await dispatchMutating(deps, hooks, { attrs, annotations: annotationsOf(attrs) });
    },
    async validate(attrs) {
      if (isExemptResource(attrs)) return;
      const hooks = validating.webhooks();
      if (hooks.length === 0) return;
      await dispatchValidating(deps, hooks, { attrs, annotations: annotationsOf(attrs) });
    },
    auditAnnotations: (attrs) => annotations.get(attrs) ?? {},
  };
}

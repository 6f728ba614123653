import type { Store } from '../../store/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import { defaultTolerationSeconds } from './default-toleration-seconds.ts';
import { limitRanger } from './limit-ranger.ts';
import { namespaceLifecycle } from './namespace-lifecycle.ts';
import { podSecurity, type PodSecurityOptions } from './pod-security.ts';
import { priorityAdmission } from './priority.ts';
import { resourceQuotaAdmission } from './resource-quota.ts';
import { serviceAccountAdmission } from './service-account.ts';
import { serviceIpAllocation } from './service-ips.ts';
import { webhookAdmission } from './webhook.ts';
import type { AdmissionPlugin } from './types.ts';

export interface DefaultAdmissionOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  /**
   * Whether pods must run as an existing ServiceAccount (the ServiceAccount plugin). Clusters
   * turn it on; tests of the REST machinery, which run no ServiceAccount controller, leave it off.
   */
  readonly serviceAccounts: boolean;
  /** Receives PodSecurity's audit annotations. */
  readonly audit?: PodSecurityOptions['audit'];
}

/** kube-apiserver's default plugins, in its order; the webhooks and then ResourceQuota last. */
export function defaultAdmissionPlugins(o: DefaultAdmissionOptions): AdmissionPlugin[] {
  const { store, clock, ids } = o;
  return [
    namespaceLifecycle(store),
    limitRanger(store),
    ...(o.serviceAccounts ? [serviceAccountAdmission({ store, ids })] : []),
    priorityAdmission(store),
    defaultTolerationSeconds(),
    podSecurity({ store, ...(o.audit ? { audit: o.audit } : {}) }),
    serviceIpAllocation(store, { clock, ids }),
    webhookAdmission({ store, clock, ids }),
    resourceQuotaAdmission({ store, clock }),
  ];
}

export { NamespaceController, type NamespaceControllerOptions } from './namespace.ts';
export { GarbageCollector, type GarbageCollectorOptions } from './garbage-collector.ts';
export {
  ServiceAccountController,
  type ServiceAccountControllerOptions,
} from './serviceaccount.ts';
export * from './workloads.ts';
export { DaemonSetController, type DaemonSetControllerOptions } from './daemonset.ts';
export { StatefulSetController, type StatefulSetControllerOptions } from './statefulset.ts';
export { EndpointsController } from './endpoints.ts';
export { EndpointSliceController } from './endpointslice.ts';
export { DisruptionController } from './disruption.ts';
export { NodeLifecycleController } from './node-lifecycle.ts';
export { TaintEvictionController } from './node-lifecycle-eviction.ts';
export { JobController } from './job.ts';
export { CronJobController } from './cronjob.ts';
export { ResourceQuotaController } from './resource-quota.ts';

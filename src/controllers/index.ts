export { NamespaceController, type NamespaceControllerOptions } from './namespace.ts';
export { GarbageCollector, type GarbageCollectorOptions } from './garbage-collector.ts';
export {
  ServiceAccountController,
  type ServiceAccountControllerOptions,
} from './serviceaccount.ts';
export * from './workloads.ts';

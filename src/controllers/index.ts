export { NamespaceController, type NamespaceControllerOptions } from './namespace.ts';
export { GarbageCollector, type GarbageCollectorOptions } from './garbage-collector.ts';

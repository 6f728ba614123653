export * from './transport.ts';
export * from './client.ts';
export { InProcessTransport, type InProcessHandler } from './in-process.ts';
export {
  Informer,
  objectKey,
  realSleep,
  type InformerHandlers,
  type InformerOptions,
  type Sleep,
} from './informer.ts';
export { WorkQueue, runWorkers, type ReconcileResult } from './workqueue.ts';
export { discoverResources, collectionPath, type DiscoveredResource } from './discovery.ts';
export { EventRecorder, type EventInput, type EventSource } from './events.ts';

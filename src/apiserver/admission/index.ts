export * from './types.ts';
export { namespaceLifecycle } from './namespace-lifecycle.ts';

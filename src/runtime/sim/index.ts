export { SimRuntime, rfc3339Nano, type SimRuntimeOptions } from './sim-runtime.ts';
export { ANNOTATION_PREFIX, parseDuration, parseQuantity, resolveBehaviour } from './behaviour.ts';
export type { Behaviour, BehaviourInput } from './behaviour.ts';

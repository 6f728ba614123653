export { applyStrategicMergePatch, hasStrategicMergeSchema } from './strategic.ts';
export { PatchError, type PatchErrorCode } from './errors.ts';

import { COMPUTE_TYPE_KEY, FARGATE_PROFILE_LABEL, FARGATE_SCHEDULER_NAME } from './matching.ts';
import type { FargatePod, JsonPatchOperation, MatchableFargateProfile } from './types.ts';

/** The priority class EKS gives every Fargate pod, overriding the user's. */
export const FARGATE_PRIORITY_CLASS = 'system-node-critical';
export const FARGATE_PRIORITY = 2000001000;

/** RFC 6901: `~` becomes `~0` and `/` becomes `~1` inside one reference token. */
export function escapeJsonPointer(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/**
 * Ops that set entries of a string map under `/metadata/<field>`: one op creating the map when
 * the pod has none (a path into a missing map would fail), else one op per entry.
 */
export function setMetadataMapOps(
  pod: FargatePod,
  field: 'labels' | 'annotations',
  entries: Readonly<Record<string, string>>,
): JsonPatchOperation[] {
  if (pod.metadata?.[field] === undefined) {
    return [{ op: 'add', path: `/metadata/${field}`, value: { ...entries } }];
  }
  return Object.entries(entries).map(([key, value]) => ({
    op: 'add',
    path: `/metadata/${field}/${escapeJsonPointer(key)}`,
    value,
  }));
}

/**
 * The JSONPatch EKS's mutating webhook applies to a pod matched to `profile`: the
 * fargate-scheduler, the profile label, the compute-type annotation and the
 * system-node-critical priority. `add` on an object member replaces an existing value.
 */
export function mutationFor(
  pod: FargatePod,
  profile: Pick<MatchableFargateProfile, 'fargateProfileName'>,
): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  if (pod.metadata === undefined) ops.push({ op: 'add', path: '/metadata', value: {} });
  ops.push(
    ...setMetadataMapOps(pod, 'labels', { [FARGATE_PROFILE_LABEL]: profile.fargateProfileName }),
    ...setMetadataMapOps(pod, 'annotations', { [COMPUTE_TYPE_KEY]: 'fargate' }),
    { op: 'add', path: '/spec/schedulerName', value: FARGATE_SCHEDULER_NAME },
    { op: 'add', path: '/spec/priorityClassName', value: FARGATE_PRIORITY_CLASS },
    { op: 'add', path: '/spec/priority', value: FARGATE_PRIORITY },
  );
  if (pod.spec?.preemptionPolicy !== undefined) {
    // The Priority admission plugin already copied the user's class policy; keep it consistent.
    ops.push({ op: 'add', path: '/spec/preemptionPolicy', value: 'PreemptLowerPriority' });
  }
  return ops;
}

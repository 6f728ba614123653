import type { KubeObject } from '../../api/index.ts';
import type { Conversion } from './types.ts';

/** events.k8s.io/v1 field ↔ core/v1 field. Fields absent here have the same name in both. */
const RENAMES: readonly (readonly [string, string])[] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

/**
 * A copy of `obj` with fields renamed. A renamed field wins over one already carrying its new
 * name, as the served version's field is the one the client meant.
 */
function rename(
  obj: KubeObject,
  pairs: readonly (readonly [string, string])[],
  apiVersion: string,
): KubeObject {
  const renames = new Map(pairs.filter(([from]) => from in obj));
  const kept = Object.entries(obj).filter(([k]) => !renames.has(k));
  const moved = [...renames].map(([from, to]) => [to, obj[from]] as const);
  const base: KubeObject = {
    ...Object.fromEntries(kept),
    metadata: obj.metadata,
    apiVersion,
    kind: 'Event',
  };
  return { ...base, ...Object.fromEntries(moved) };
}

/** The events.k8s.io/v1 view of core/v1 events: the same objects, as upstream stores them. */
export const eventsV1Conversion: Conversion = {
  toStorage: (obj) => rename(obj, RENAMES, 'v1'),
  fromStorage: (obj) =>
    rename(
      obj,
      RENAMES.map(([a, b]) => [b, a] as const),
      'events.k8s.io/v1',
    ),
};

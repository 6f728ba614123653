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

function rename(obj: KubeObject, pairs: readonly (readonly [string, string])[], apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
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

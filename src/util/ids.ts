import { randomInt, randomUUID } from 'node:crypto';

/** Random identifiers. Injected so tests can be deterministic. */
export interface IdSource {
  /** A new RFC 4122 UUID. */
  uuid(): string;
  /** An integer in [0, max). */
  int(max: number): number;
}

export const randomIds: IdSource = { uuid: () => randomUUID(), int: (max) => randomInt(max) };

/** A deterministic source for tests: counters, not randomness. */
export function sequentialIds(): IdSource {
  let n = 0;
  let i = 0;
  return {
    uuid: () => {
      n++;
      return `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
    },
    int: (max) => i++ % max,
  };
}

/** The alphabet of apimachinery's utilrand.String: no vowels, no confusable digits. */
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** A suffix as kube-apiserver appends for generateName (5 characters). */
export function randomSuffix(ids: IdSource, length = 5): string {
  let s = '';
  for (let k = 0; k < length; k++) s += ALPHANUMS[ids.int(ALPHANUMS.length)] ?? 'x';
  return s;
}

/**
 * Whether two string maps (labels, annotations) hold the same entries, in any order; an absent
 * map equals an empty one. Controllers ask it on every watch event, so it does not serialise.
 */
export function sameStringMap(
  a: Readonly<Record<string, string>> = {},
  b: Readonly<Record<string, string>> = {},
): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const k of keys) if (!Object.hasOwn(b, k) || a[k] !== b[k]) return false;
  return true;
}

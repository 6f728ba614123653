import type { PodTemplate } from './deployment-objects.ts';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** apimachinery's utilrand alphabet: no vowels, so no words; no confusable digits. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** JSON with object keys sorted, so equal values always serialize the same. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++)
    out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length] ?? 'x';
  return out;
}

/**
 * The pod-template hash, shaped as controller.ComputeHash: FNV-32a over the template (here its
 * canonical JSON rather than Go's deep-hash printer) and then the collision count as 8 bytes,
 * printed in decimal and mapped into the safe alphabet.
 */
export function computeTemplateHash(template: PodTemplate, collisionCount?: number): string {
  let h = fnv32a(new TextEncoder().encode(canonicalJson(template)));
  if (collisionCount !== undefined) {
    const extra = new Uint8Array(8);
    new DataView(extra.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

function withoutHash(t: PodTemplate): unknown {
  const labels = Object.fromEntries(
    Object.entries(t.metadata?.labels ?? {}).filter(([k]) => k !== POD_TEMPLATE_HASH_LABEL),
  );
  // An empty label map and no labels are the same template.
  const shown = Object.keys(labels).length > 0 ? labels : undefined;
  return { ...t, metadata: { ...t.metadata, labels: shown } };
}

/** deploymentutil.EqualIgnoreHash: templates equal once the hash label is set aside. */
export function equalIgnoreHash(a: PodTemplate, b: PodTemplate): boolean {
  return canonicalJson(withoutHash(a)) === canonicalJson(withoutHash(b));
}

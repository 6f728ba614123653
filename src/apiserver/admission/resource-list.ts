import { isJsonObject, type JsonObject, type JsonValue } from '../../api/index.ts';
import {
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  tryParseQuantity,
  type Quantity,
} from '../validation/quantity.ts';

/** A ResourceList (`{cpu: "500m", memory: "1Gi"}`) with its quantities parsed. */
export type ResourceList = Map<string, Quantity>;

/** Parses a ResourceList; entries that are not quantities are skipped (validation rejects them). */
export function parseResourceList(v: JsonValue | undefined): ResourceList {
  const out: ResourceList = new Map();
  if (!isJsonObject(v)) return out;
  for (const [k, raw] of Object.entries(v)) {
    if (typeof raw !== 'string' && typeof raw !== 'number') continue;
    const q = tryParseQuantity(String(raw));
    if (typeof q !== 'string') out.set(k, q);
  }
  return out;
}

export function quantityOf(value: bigint, scale = 0): Quantity {
  return { unscaled: value, scale, format: 'DecimalSI', fast: false };
}

function aligned(a: Quantity, b: Quantity): [bigint, bigint, number] {
  const s = Math.min(a.scale, b.scale);
  return [a.unscaled * 10n ** BigInt(a.scale - s), b.unscaled * 10n ** BigInt(b.scale - s), s];
}

/** Quantity.Add: the sum keeps the first operand's format (the second's if the first is 0). */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, scale] = aligned(a, b);
  const format = a.unscaled === 0n ? b.format : a.format;
  return { unscaled: x + y, scale, format, fast: false };
}

export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  const [x, y, scale] = aligned(a, b);
  const format = a.unscaled === 0n ? b.format : a.format;
  return { unscaled: x - y, scale, format, fast: false };
}

export const maxQuantity = (a: Quantity, b: Quantity): Quantity =>
  compareQuantities(a, b) >= 0 ? a : b;

/** quota.Add over lists. */
export function addLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, q] of b) {
    const cur = out.get(k);
    out.set(k, cur ? addQuantities(cur, q) : q);
  }
  return out;
}

/** SubtractWithNonNegativeResult: keys of `a`; negative differences become zero. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map();
  for (const [k, q] of a) {
    const other = b.get(k);
    const d = other ? subtractQuantities(q, other) : q;
    out.set(k, d.unscaled < 0n ? quantityOf(0n) : d);
  }
  return out;
}

/** The entries of `list` whose names are in `names`. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = new Map();
  for (const n of names) {
    const q = list.get(n);
    if (q) out.set(n, q);
  }
  return out;
}

/** `k=v` pairs sorted by name, as the quota plugin prints a ResourceList. */
export function prettyList(list: ResourceList): string {
  return [...list.keys()]
    .sort()
    .map((k) => {
      const q = list.get(k);
      return q ? `${k}=${formatQuantity(q)}` : k;
    })
    .join(',');
}

/** The JSON form of a list, with canonical quantities (as the API serializes computed sums). */
export function listToJson(list: ResourceList): JsonObject {
  const out: JsonObject = {};
  for (const k of [...list.keys()].sort()) {
    const q = list.get(k);
    if (q) out[k] = q.text ?? canonicalQuantity(q);
  }
  return out;
}

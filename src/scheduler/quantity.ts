const SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const QUANTITY = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** Guards against binary float noise (0.1 * 1000) before rounding up, as Quantity does. */
const EPSILON = 1e-9;

function parseScaled(q: string, scale: number): number {
  const m = QUANTITY.exec(q.trim());
  if (!m) return 0;
  const mantissa = Number(m[1]);
  const multiplier = m[2] === undefined ? (SUFFIXES[m[3] ?? ''] ?? 1) : 10 ** Number(m[2].slice(1));
  const v = mantissa * multiplier * scale;
  const nearest = Math.round(v);
  return Math.abs(v - nearest) <= EPSILON * Math.max(1, Math.abs(v)) ? nearest : Math.ceil(v);
}

/** resource.Quantity.Value(): rounded up to a whole unit. Unparseable input counts as 0. */
export function quantityValue(q: unknown): number {
  if (typeof q === 'number') return Math.ceil(q);
  return typeof q === 'string' ? parseScaled(q, 1) : 0;
}

/** resource.Quantity.MilliValue(), used for cpu. */
export function quantityMilli(q: unknown): number {
  if (typeof q === 'number') return Math.ceil(q * 1000);
  return typeof q === 'string' ? parseScaled(q, 1000) : 0;
}

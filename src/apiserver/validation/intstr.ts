import { invalid } from './field.ts';
import { goQuote } from './go-format.ts';
import { isValidPercent } from './names.ts';
import { IS_NEGATIVE } from './object-meta.ts';
import type { Walker } from './walker.ts';

/** intstr.IntOrString checks shared by apps and policy (pkg/apis/apps/validation). */

export type IntOrString = number | string;

export function goIntOrString(v: IntOrString): { goSyntax: string } {
  return typeof v === 'number'
    ? { goSyntax: `intstr.IntOrString{Type:0, IntVal:${v}, StrVal:""}` }
    : { goSyntax: `intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}` };
}

function percentValue(v: IntOrString): number | undefined {
  return typeof v === 'string' && isValidPercent(v).length === 0
    ? Number(v.slice(0, -1))
    : undefined;
}

/** getIntOrPercentValue: a non-percent string counts as its integer value, else 0. */
export function intOrPercentValue(v: IntOrString): number {
  if (typeof v === 'number') return v;
  const p = percentValue(v);
  if (p !== undefined) return p;
  return /^[+-]?[0-9]+$/.test(v) ? Number(v) : 0;
}

/** ValidatePositiveIntOrPercent. */
export function validatePositiveIntOrPercent(w: Walker, v: IntOrString, field: string): void {
  if (typeof v === 'string') {
    for (const msg of isValidPercent(v)) w.add(invalid(field, goIntOrString(v), msg));
  } else if (v < 0) w.add(invalid(field, v, IS_NEGATIVE));
}

/** IsNotMoreThan100Percent. */
export function notMoreThan100(w: Walker, v: IntOrString, field: string): void {
  const p = percentValue(v);
  if (p !== undefined && p > 100)
    w.add(invalid(field, goIntOrString(v), 'must not be greater than 100%'));
}

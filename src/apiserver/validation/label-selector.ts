import type { FieldError } from '../../api/index.ts';
import { child, forbidden, index, invalid, invalidEach, required } from './field.ts';
import { isQualifiedName, isValidLabelValue } from './names.ts';
import { validateLabelName, validateLabels } from './object-meta.ts';
import type { At, Walker } from './walker.ts';

/**
 * metav1.LabelSelector: ValidateLabelSelector and LabelSelectorAsSelector (the conversion
 * the workload validators use to check that a selector matches its template's labels).
 */

export interface Requirement {
  readonly key: string;
  readonly op: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Equals';
  readonly values: readonly string[];
}

/** labels.Nothing(), labels.Everything() or a conjunction of requirements. */
export type Selector =
  | { readonly kind: 'nothing' }
  | { readonly kind: 'everything' }
  | { readonly kind: 'requirements'; readonly reqs: readonly Requirement[] };

/** A selector read from JSON, with its parts typed. */
export interface LabelSelectorValue {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions: readonly { key: string; operator: string; values: string[] }[];
}

/** Reads `parent[k]` as a LabelSelector, reporting type errors; undefined when absent. */
export function readLabelSelector(w: Walker, at: At, k: string): LabelSelectorValue | undefined {
  const path = child(at.path, k);
  const sel = w.obj(at.o, at.path, k);
  if (sel === undefined) return undefined;
  const matchLabels = w.strMap(sel, path, 'matchLabels');
  const matchExpressions = w.items(sel, path, 'matchExpressions').map(({ o, path: p }) => ({
    key: w.text(o, p, 'key'),
    operator: w.text(o, p, 'operator'),
    values: w.strArr(o, p, 'values') ?? [],
  }));
  return matchLabels === undefined ? { matchExpressions } : { matchLabels, matchExpressions };
}

/** ValidateLabelSelector (AllowInvalidLabelValueInSelector false). */
export function validateLabelSelector(
  sel: LabelSelectorValue | undefined,
  field: string,
): FieldError[] {
  if (sel === undefined) return [];
  const errs = validateLabels(sel.matchLabels, child(field, 'matchLabels'));
  sel.matchExpressions.forEach((expr, i) => {
    const p = index(child(field, 'matchExpressions'), i);
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (expr.values.length === 0) {
          errs.push(
            required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"),
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (expr.values.length > 0) {
          errs.push(
            forbidden(
              child(p, 'values'),
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        errs.push(invalid(child(p, 'operator'), expr.operator, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(expr.key, child(p, 'key')));
    expr.values.forEach((v, j) => {
      errs.push(...invalidEach(index(child(p, 'values'), j), v, isValidLabelValue(v)));
    });
  });
  return errs;
}

function requirementOk(req: Requirement): boolean {
  if (isQualifiedName(req.key).length > 0) return false;
  if (req.values.some((v) => isValidLabelValue(v).length > 0)) return false;
  switch (req.op) {
    case 'In':
    case 'NotIn':
      return req.values.length > 0;
    case 'Equals':
      return req.values.length === 1;
    default:
      return req.values.length === 0;
  }
}

const SELECTOR_OPS: Readonly<Record<string, Requirement['op']>> = {
  In: 'In',
  NotIn: 'NotIn',
  Exists: 'Exists',
  DoesNotExist: 'DoesNotExist',
};

/** LabelSelectorAsSelector; 'error' where it would return an error. */
export function labelSelectorAsSelector(sel: LabelSelectorValue | undefined): Selector | 'error' {
  if (sel === undefined) return { kind: 'nothing' };
  const labels = sel.matchLabels ?? {};
  if (Object.keys(labels).length + sel.matchExpressions.length === 0) return { kind: 'everything' };
  const reqs: Requirement[] = Object.entries(labels).map(([key, v]) => ({
    key,
    op: 'Equals',
    values: [v],
  }));
  for (const e of sel.matchExpressions) {
    const op = SELECTOR_OPS[e.operator];
    if (op === undefined) return 'error';
    reqs.push({ key: e.key, op, values: e.values });
  }
  return reqs.every(requirementOk) ? { kind: 'requirements', reqs } : 'error';
}

/** selector.Empty(). */
export function selectorEmpty(s: Selector): boolean {
  return s.kind === 'everything' || (s.kind === 'requirements' && s.reqs.length === 0);
}

function requirementMatches(req: Requirement, labels: Readonly<Record<string, string>>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const v = labels[req.key];
  switch (req.op) {
    case 'In':
    case 'Equals':
      return has && v !== undefined && req.values.includes(v);
    case 'NotIn':
      return !has || v === undefined || !req.values.includes(v);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

/** selector.Matches(labels.Set(labels)). */
export function selectorMatches(
  s: Selector,
  labels: Readonly<Record<string, string>> | undefined,
): boolean {
  if (s.kind === 'nothing') return false;
  if (s.kind === 'everything') return true;
  return s.reqs.every((r) => requirementMatches(r, labels ?? {}));
}

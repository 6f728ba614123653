import type {
  NodeSelectorRequirement,
  NodeSelectorTerm,
  Taint,
  Toleration,
} from 'kubernetes-types/core/v1.js';
import type { LabelSelector, LabelSelectorRequirement } from 'kubernetes-types/meta/v1.js';

export type Labels = Readonly<Record<string, string>>;

const LABEL_OPERATORS: Readonly<
  Record<string, (has: boolean, value: string, values: readonly string[]) => boolean>
> = {
  In: (has, value, values) => has && values.includes(value),
  NotIn: (has, value, values) => !has || !values.includes(value),
  Exists: (has) => has,
  DoesNotExist: (has) => !has,
};

function matchesRequirement(r: LabelSelectorRequirement, labels: Labels): boolean {
  const op = LABEL_OPERATORS[r.operator];
  if (op === undefined) return false;
  const value = labels[r.key];
  return op(value !== undefined, value ?? '', r.values ?? []);
}

/**
 * A metav1.LabelSelector as LabelSelectorAsSelector reads it: undefined selects nothing,
 * an empty selector selects everything.
 */
export function matchesLabelSelector(sel: LabelSelector | undefined, labels: Labels): boolean {
  if (sel === undefined) return false;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  return (sel.matchExpressions ?? []).every((r) => matchesRequirement(r, labels));
}

function parseInteger(s: string): number | undefined {
  return /^-?\d+$/.test(s) ? Number(s) : undefined;
}

function compareInt(value: string | undefined, values: readonly string[]): number | undefined {
  if (value === undefined || values.length !== 1) return undefined;
  const a = parseInteger(value);
  const b = parseInteger(values[0] ?? '');
  return a === undefined || b === undefined ? undefined : a - b;
}

function matchesNodeRequirement(r: NodeSelectorRequirement, labels: Labels): boolean {
  const values = r.values ?? [];
  if (r.operator === 'Gt') return (compareInt(labels[r.key], values) ?? 0) > 0;
  if (r.operator === 'Lt') return (compareInt(labels[r.key], values) ?? 0) < 0;
  return matchesRequirement({ key: r.key, operator: r.operator, values }, labels);
}

export interface NodeIdentity {
  readonly name: string;
  readonly labels: Labels;
}

/**
 * One NodeSelectorTerm: its expressions and fields are ANDed; a term with neither matches
 * nothing (nodeaffinity.NodeSelector semantics). matchFields supports only metadata.name.
 */
export function matchesNodeSelectorTerm(term: NodeSelectorTerm, node: NodeIdentity): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  if (!exprs.every((r) => matchesNodeRequirement(r, node.labels))) return false;
  return fields.every(
    (r) =>
      r.key === 'metadata.name' &&
      matchesNodeRequirement(
        { key: 'metadata.name', operator: r.operator, values: r.values ?? [] },
        { 'metadata.name': node.name },
      ),
  );
}

/** Terms are ORed. */
export function matchesNodeSelectorTerms(
  terms: readonly NodeSelectorTerm[],
  node: NodeIdentity,
): boolean {
  return terms.some((t) => matchesNodeSelectorTerm(t, node));
}

/** v1.Toleration.ToleratesTaint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect !== undefined && t.effect !== '' && t.effect !== taint.effect) return false;
  if (t.key !== undefined && t.key !== '' && t.key !== taint.key) return false;
  const op = t.operator ?? 'Equal';
  if (op === 'Exists') return true;
  return op === 'Equal' && (t.value ?? '') === (taint.value ?? '');
}

export function tolerationsTolerate(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((t) => toleratesTaint(t, taint));
}

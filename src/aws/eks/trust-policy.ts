/**
 * Just enough IAM policy evaluation to decide whether a role's trust policy lets a service
 * principal assume it for a given source ARN (the confused-deputy condition EKS recommends).
 */

function asList(v: unknown): unknown[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function strings(v: unknown): string[] {
  return asList(v).filter((x): x is string => typeof x === 'string');
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

function record(v: unknown): Readonly<Record<string, unknown>> | undefined {
  // SAFETY: a non-array object from JSON.parse is a string-keyed record.
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function principalMatches(principal: unknown, service: string): boolean {
  if (principal === '*') return true;
  const p = record(principal);
  if (!p) return false;
  return strings(p['Service']).includes(service) || strings(p['AWS']).includes('*');
}

function actionMatches(action: unknown): boolean {
  return strings(action).some((a) => ['sts:assumerole', 'sts:*', '*'].includes(a.toLowerCase()));
}

const CONDITION_TESTS: Readonly<Record<string, (pattern: string, value: string) => boolean>> = {
  arnlike: (p, v) => globToRegExp(p).test(v),
  stringlike: (p, v) => globToRegExp(p).test(v),
  arnequals: (p, v) => p === v,
  stringequals: (p, v) => p === v,
};

interface ConditionContext {
  readonly sourceArn: string;
  readonly sourceAccount: string;
}

/** Conditions on keys EKS sets must hold; operators and keys it does not know are ignored. */
function conditionHolds(condition: unknown, ctx: ConditionContext): boolean {
  const c = record(condition);
  if (!c) return true;
  for (const [op, block] of Object.entries(c)) {
    const test = CONDITION_TESTS[op.toLowerCase().replace(/ifexists$/, '')];
    const keys = record(block);
    if (!test || !keys) continue;
    for (const [key, values] of Object.entries(keys)) {
      const k = key.toLowerCase();
      const actual =
        k === 'aws:sourcearn'
          ? ctx.sourceArn
          : k === 'aws:sourceaccount'
            ? ctx.sourceAccount
            : undefined;
      if (actual === undefined) continue;
      if (!strings(values).some((p) => test(p, actual))) return false;
    }
  }
  return true;
}

/**
 * Whether `document` lets `service` call sts:AssumeRole with `aws:SourceArn` = `sourceArn`.
 * A document that does not parse trusts nobody.
 */
export function trustsService(
  document: string,
  opts: { readonly service: string; readonly sourceArn: string },
): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    return false;
  }
  const sourceAccount = opts.sourceArn.split(':')[4] ?? '';
  const ctx = { sourceArn: opts.sourceArn, sourceAccount };
  return asList(record(parsed)?.['Statement']).some((s) => {
    const st = record(s);
    return (
      st?.['Effect'] === 'Allow' &&
      principalMatches(st['Principal'], opts.service) &&
      actionMatches(st['Action']) &&
      conditionHolds(st['Condition'], ctx)
    );
  });
}

import { AwsError } from '../types.ts';

/** One statement of a trust (assume-role) policy, normalised to lists. */
export interface TrustStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions: readonly string[];
  /** `Principal.AWS` entries (`*`, account ids, ARNs). */
  readonly aws: readonly string[];
  /** `Principal.Service` entries, e.g. `eks-fargate-pods.amazonaws.com`. */
  readonly services: readonly string[];
  readonly federated: readonly string[];
  /** `Principal: "*"`. */
  readonly anyone: boolean;
  readonly condition: Readonly<Record<string, unknown>>;
}

export interface TrustPolicy {
  readonly version: string | undefined;
  readonly statements: readonly TrustStatement[];
}

const VERSIONS = new Set(['2012-10-17', '2008-10-17']);

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function strings(v: unknown): string[] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
  throw malformed('Syntax errors in policy.');
}

/** Parses a policy JSON document; MalformedPolicyDocument as IAM reports bad ones. */
export function parsePolicyJson(document: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw malformed('This policy contains invalid Json');
  }
  if (!isRecord(parsed)) throw malformed('This policy contains invalid Json');
  const version = parsed['Version'];
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) {
    throw malformed('The policy failed legacy parsing');
  }
  checkStatements(parsed['Statement']);
  return parsed;
}

function checkStatements(statement: unknown): void {
  if (statement === undefined) throw malformed('Syntax errors in policy.');
  const list: unknown[] = Array.isArray(statement) ? statement : [statement];
  if (list.length === 0 || !list.every(isRecord)) throw malformed('Syntax errors in policy.');
  for (const s of list) {
    const effect = s['Effect'];
    if (effect !== 'Allow' && effect !== 'Deny') throw malformed('Syntax errors in policy.');
  }
}

function principalOf(
  s: Record<string, unknown>,
): Pick<TrustStatement, 'aws' | 'services' | 'federated' | 'anyone'> {
  const p = s['Principal'];
  if (p === '*') return { aws: [], services: [], federated: [], anyone: true };
  if (!isRecord(p)) throw malformed('Syntax errors in policy.');
  return {
    aws: strings(p['AWS']),
    services: strings(p['Service']),
    federated: strings(p['Federated']),
    anyone: false,
  };
}

function statementOf(s: Record<string, unknown>): TrustStatement {
  if ('Resource' in s || 'NotResource' in s) throw malformed('Has prohibited field Resource');
  if (!('Principal' in s)) throw malformed('Missing required field Principal');
  const sid = s['Sid'];
  const condition = s['Condition'];
  return {
    ...(typeof sid === 'string' ? { sid } : {}),
    // SAFETY: parsePolicyJson checked Effect is Allow or Deny.
    effect: s['Effect'] as 'Allow' | 'Deny',
    actions: strings(s['Action']),
    ...principalOf(s),
    condition: isRecord(condition) ? condition : {},
  };
}

/**
 * Parses and checks a trust policy as IAM does at CreateRole/UpdateAssumeRolePolicy: valid
 * JSON, a known Version, statements with a Principal and without Resource.
 */
export function parseTrustPolicy(document: string): TrustPolicy {
  const json = parsePolicyJson(document);
  const raw = json['Statement'];
  const list: unknown[] = Array.isArray(raw) ? raw : [raw];
  const version = json['Version'];
  return {
    version: typeof version === 'string' ? version : undefined,
    statements: list.filter(isRecord).map(statementOf),
  };
}

function actionMatches(patterns: readonly string[], action: string): boolean {
  return patterns.some((p) => {
    const re = new RegExp(
      `^${p
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    );
    return re.test(action);
  });
}

/** Who asks to assume the role: an AWS principal (caller) or a service. */
export type TrustSubject =
  | { readonly kind: 'aws'; readonly accountId: string; readonly arns: readonly string[] }
  | { readonly kind: 'service'; readonly service: string };

function principalMatches(s: TrustStatement, who: TrustSubject): boolean {
  if (s.anyone) return true;
  if (who.kind === 'service') return s.services.includes(who.service);
  return s.aws.some(
    (p) =>
      p === '*' ||
      p === who.accountId ||
      p === `arn:aws:iam::${who.accountId}:root` ||
      who.arns.includes(p),
  );
}

/**
 * Whether the policy lets `who` perform `sts:AssumeRole`: an Allow statement names the
 * principal (account id, account root, the caller's ARN, or `*`) and no Deny statement does.
 * Conditions are not evaluated here; callers that need one (EKS's SourceArn) read
 * `statement.condition`.
 */
export function trustsPrincipal(
  policy: TrustPolicy,
  who: TrustSubject,
  action = 'sts:AssumeRole',
): boolean {
  const applies = (s: TrustStatement): boolean =>
    actionMatches(s.actions, action) && principalMatches(s, who);
  if (policy.statements.some((s) => s.effect === 'Deny' && applies(s))) return false;
  return policy.statements.some((s) => s.effect === 'Allow' && applies(s));
}

import { parse } from 'yaml';
import { isJsonObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { bearerToken } from '../authn.ts';
import type { UserInfo } from '../http-types.ts';
import {
  AWS_TOKEN_PREFIX,
  AwsTokenError,
  AwsTokenVerifier,
  type AwsIdentity,
  type AwsTokenVerifierOptions,
} from './aws-token.ts';
import {
  accepted,
  rejected,
  SKIP,
  type AuthnOutcome,
  type CredentialAuthenticator,
  type Credentials,
} from './types.ts';

/** Where EKS reads its IAM mappings. */
export const AWS_AUTH_KEY = '/configmaps/kube-system/aws-auth';

interface Mapping {
  readonly arn: string;
  readonly username: string | undefined;
  readonly groups: readonly string[];
}

/** The parsed `aws-auth` ConfigMap: ARNs lower-cased, as aws-iam-authenticator compares them. */
export interface AwsAuthMappings {
  readonly roles: ReadonlyMap<string, Mapping>;
  readonly users: ReadonlyMap<string, Mapping>;
  readonly accounts: ReadonlySet<string>;
}

/** A principal with cluster-admin access regardless of aws-auth (EKS's cluster-creator access entry). */
export interface AwsAdminEntry {
  readonly arn: string;
  readonly username?: string;
  readonly groups?: readonly string[];
}

function yamlList(text: unknown): unknown[] {
  if (typeof text !== 'string') return [];
  try {
    const doc: unknown = parse(text);
    return Array.isArray(doc) ? doc : [];
  } catch {
    return [];
  }
}

function entries(text: unknown, arnKey: string): Mapping[] {
  const out: Mapping[] = [];
  for (const e of yamlList(text)) {
    if (!isJsonObject(e) || typeof e[arnKey] !== 'string') continue;
    const groups = Array.isArray(e['groups'])
      ? e['groups'].filter((g) => typeof g === 'string')
      : [];
    out.push({
      arn: e[arnKey],
      username: typeof e['username'] === 'string' ? e['username'] : undefined,
      groups,
    });
  }
  return out;
}

/** Reads `mapRoles`, `mapUsers` and `mapAccounts` from the ConfigMap's data; bad entries are skipped. */
export function parseAwsAuth(data: unknown): AwsAuthMappings {
  const d = isJsonObject(data) ? data : {};
  const byArn = (list: Mapping[]): Map<string, Mapping> =>
    new Map(list.map((m) => [m.arn.toLowerCase(), m]));
  return {
    roles: byArn(entries(d['mapRoles'], 'rolearn')),
    users: byArn(entries(d['mapUsers'], 'userarn')),
    accounts: new Set(yamlList(d['mapAccounts']).map(String)),
  };
}

export interface TemplateContext {
  /** Resolves `{{EC2PrivateDNSName}}` from an instance id (the session name of a node role). */
  readonly ec2PrivateDnsName?: (instanceId: string) => string | undefined;
}

/** Renders aws-iam-authenticator's username/group templates; throws if one cannot be filled. */
export function renderTemplate(
  template: string,
  id: AwsIdentity,
  ctx: TemplateContext = {},
): string {
  let out = template
    .replaceAll('{{AccountID}}', id.accountId)
    .replaceAll('{{SessionNameRaw}}', id.sessionName)
    // User names and groups must be DNS-1123-like, so '@' (common in session names) becomes '-'.
    .replaceAll('{{SessionName}}', id.sessionName.replaceAll('@', '-'))
    .replaceAll('{{AccessKeyID}}', id.accessKeyId);
  if (out.includes('{{EC2PrivateDNSName}}')) {
    const dns = ctx.ec2PrivateDnsName?.(id.sessionName);
    if (dns === undefined)
      throw new AwsTokenError(`cannot resolve EC2PrivateDNSName for ${id.sessionName}`);
    out = out.replaceAll('{{EC2PrivateDNSName}}', dns);
  }
  return out;
}

/** The user name an access entry without one gets (EKS's default): roles by session, users by ARN. */
function defaultUsername(id: AwsIdentity): string {
  const role = /^arn:([^:]+):iam::(\d+):role\/(.+)$/.exec(id.canonicalArn);
  if (role && id.sessionName !== '') {
    return `arn:${role[1] ?? ''}:sts::${role[2] ?? ''}:assumed-role/${role[3] ?? ''}/${id.sessionName}`;
  }
  return id.canonicalArn;
}

export interface MapOptions extends TemplateContext {
  readonly admins?: readonly AwsAdminEntry[];
}

/** The Kubernetes user an AWS identity maps to (admins, then mapRoles, mapUsers, mapAccounts); undefined if unmapped. */
export function mapAwsIdentity(
  id: AwsIdentity,
  mappings: AwsAuthMappings,
  opts: MapOptions = {},
): { username: string; groups: string[] } | undefined {
  const arn = id.canonicalArn.toLowerCase();
  const admin = opts.admins?.find((a) => a.arn.toLowerCase() === arn);
  if (admin)
    return {
      username: admin.username ?? 'kubernetes-admin',
      groups: [...(admin.groups ?? ['system:masters'])],
    };
  const role = mappings.roles.get(arn);
  const m = role ?? mappings.users.get(arn);
  if (m) {
    return {
      username:
        m.username === undefined ? defaultUsername(id) : renderTemplate(m.username, id, opts),
      groups: m.groups.map((g) => renderTemplate(g, id, opts)),
    };
  }
  if (mappings.accounts.has(id.accountId)) return { username: id.canonicalArn, groups: [] };
  return undefined;
}

export interface AwsIamAuthenticatorOptions extends AwsTokenVerifierOptions, MapOptions {
  /** The cluster's store, for the `aws-auth` ConfigMap. */
  readonly store: Store;
}

/**
 * `Authorization: Bearer k8s-aws-v1.…` (what `aws eks get-token` prints): verified offline
 * and mapped to a user as EKS does. Any token with the prefix is ours: invalid or unmapped
 * ones are rejected.
 */
export class AwsIamAuthenticator implements CredentialAuthenticator {
  readonly name = 'aws-iam';
  readonly #opts: AwsIamAuthenticatorOptions;
  readonly #verifier: AwsTokenVerifier;
  #cache: { revision: number; mappings: AwsAuthMappings } | undefined;

  constructor(opts: AwsIamAuthenticatorOptions) {
    this.#opts = opts;
    this.#verifier = new AwsTokenVerifier(opts);
  }

  check(c: Credentials): AuthnOutcome {
    const token = bearerToken(c.headers);
    if (token?.startsWith(AWS_TOKEN_PREFIX) !== true) return SKIP;
    try {
      const id = this.#verifier.verify(token);
      const mapped = mapAwsIdentity(id, this.#mappings(), this.#opts);
      if (!mapped) return rejected(`ARN is not mapped: ${id.canonicalArn}`);
      return accepted(userOf(id, mapped));
    } catch (e: unknown) {
      if (e instanceof AwsTokenError) return rejected(e.message);
      throw e;
    }
  }

  #mappings(): AwsAuthMappings {
    const stored = this.#opts.store.get(AWS_AUTH_KEY);
    const revision = stored?.modRevision ?? 0;
    if (this.#cache?.revision !== revision) {
      this.#cache = { revision, mappings: parseAwsAuth(stored?.object['data']) };
    }
    return this.#cache.mappings;
  }
}

function userOf(id: AwsIdentity, mapped: { username: string; groups: string[] }): UserInfo {
  return {
    username: mapped.username,
    uid: `aws-iam-authenticator:${id.accountId}:${id.userId}`,
    groups: mapped.groups,
    extra: {
      accessKeyId: [id.accessKeyId],
      arn: [id.arn],
      canonicalArn: [id.canonicalArn],
      sessionName: [id.sessionName],
      principalId: [id.userId],
    },
  };
}

import type { Store } from '../../store/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import {
  memberList,
  memberStrings,
  optionalInt,
  requireParam,
  unknownOperation,
} from '../endpoint/index.ts';
import { AwsError, type AwsCall, type AwsResult, type AwsService } from '../types.ts';
import {
  IamState,
  noSuchRole,
  type IamTag,
  type PolicyRecord,
  type RoleRecord,
} from './iam-state.ts';
import {
  AWS_MANAGED_POLICIES,
  awsManagedPolicyArn,
  findAwsManagedPolicy,
} from './managed-policies.ts';
import { parsePolicyJson, parseTrustPolicy, type TrustPolicy } from './policy-document.ts';
import {
  DESCRIPTION,
  PATH,
  PATH_PREFIX,
  POLICY_DOCUMENT,
  POLICY_NAME,
  ROLE_NAME,
  TAG_KEY,
  TAG_VALUE,
  invalidInput,
  limitExceeded,
  policySize,
  validateFields,
} from './validation.ts';

/** What other services (STS, EKS) may read from IAM. */
export interface IamReader {
  getRole(name: string): RoleRecord | undefined;
  /** The role named by an ARN `arn:aws:iam::<acct>:role/<path><name>`, if it exists. */
  getRoleByArn(arn: string): RoleRecord | undefined;
  attachedPolicyArns(roleName: string): readonly string[];
  trustPolicy(roleName: string): TrustPolicy | undefined;
}

export interface IamServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
}

const MAX_TRUST_POLICY = 2048;
const MAX_INLINE_TOTAL = 10240;
const MAX_ATTACHED = 10;
const MAX_TAGS = 50;
const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

type Body = Record<string, unknown>;
type Handler = (call: AwsCall) => Promise<Body> | Body;

/** Policy documents travel URL-encoded in IAM's XML, as AWS sends them. */
function encodeDocument(doc: string): string {
  return encodeURIComponent(doc);
}

function alreadyExists(message: string): AwsError {
  return new AwsError('EntityAlreadyExists', message, { httpStatus: 409 });
}

function deleteConflict(message: string): AwsError {
  return new AwsError('DeleteConflict', message, { httpStatus: 409 });
}

function notAttachable(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`, {
    httpStatus: 404,
  });
}

function policyNotFound(arn: string): AwsError {
  return new AwsError('NoSuchEntity', `Policy ${arn} was not found.`, { httpStatus: 404 });
}

function rolePolicyNotFound(name: string): AwsError {
  return new AwsError('NoSuchEntity', `The role policy with name ${name} cannot be found.`, {
    httpStatus: 404,
  });
}

/** A policy the account can attach: AWS managed (data) or customer managed (Store). */
interface ResolvedPolicy {
  readonly name: string;
  readonly id: string;
  readonly arn: string;
  readonly path: string;
  readonly description: string | undefined;
  readonly document: string;
  readonly created: Date;
  readonly updated: Date;
  readonly versionId: string;
}

function roleOut(r: RoleRecord): Body {
  return {
    Path: r.Path,
    RoleName: r.RoleName,
    RoleId: r.RoleId,
    Arn: r.Arn,
    CreateDate: new Date(r.CreateDate),
    AssumeRolePolicyDocument: encodeDocument(r.AssumeRolePolicyDocument),
    Description: r.Description,
    MaxSessionDuration: r.MaxSessionDuration,
    Tags: r.Tags.length > 0 ? r.Tags : undefined,
  };
}

function parseTags(params: ReadonlyMap<string, string>): IamTag[] {
  const tags = memberList(params, 'Tags.member').map((e) => ({
    Key: e.get('Key') ?? '',
    Value: e.get('Value') ?? '',
  }));
  validateFields(
    tags.flatMap((t, i) => [
      [`tags.${String(i + 1)}.member.key`, t.Key, TAG_KEY] as const,
      [`tags.${String(i + 1)}.member.value`, t.Value, TAG_VALUE] as const,
    ]),
  );
  if (tags.length > MAX_TAGS)
    throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${String(MAX_TAGS)}`);
  return tags;
}

function mergeTags(existing: readonly IamTag[], added: readonly IamTag[]): IamTag[] {
  const byKey = new Map(existing.map((t) => [t.Key, t]));
  for (const t of added) byKey.set(t.Key, t);
  return [...byKey.values()];
}

/** Marker/MaxItems/IsTruncated over a sorted list, as every IAM List call pages. */
function paginate<T>(
  items: readonly T[],
  keyOf: (t: T) => string,
  params: ReadonlyMap<string, string>,
): { page: T[]; truncation: Body } {
  const max = optionalInt(params, 'MaxItems', { min: 1, max: 1000 }) ?? 100;
  const marker = params.get('Marker');
  let start = 0;
  if (marker !== undefined) {
    const after = Buffer.from(marker, 'base64url').toString('utf8');
    start = items.findIndex((t) => keyOf(t) > after);
    if (start < 0) start = items.length;
  }
  const page = items.slice(start, start + max);
  const last = page.at(-1);
  const truncated = start + max < items.length && last !== undefined;
  return {
    page,
    truncation: {
      IsTruncated: truncated,
      Marker: truncated ? Buffer.from(keyOf(last)).toString('base64url') : undefined,
    },
  };
}

/**
 * IAM (query protocol, API 2010-05-08; global, so the signing region is ignored): roles with
 * trust policies, tags, managed and inline policies; the AWS managed policies EKS uses as
 * data; customer managed policies. State lives in the Store under `/iam/`.
 */
export class IamService implements AwsService, IamReader {
  readonly signingName = 'iam';
  readonly protocol = 'query' as const;
  readonly #state: IamState;
  readonly #clock: Clock;
  readonly #ids: IdSource;
  readonly #actions: Readonly<Record<string, Handler>>;

  constructor(opts: IamServiceOptions) {
    this.#state = new IamState(opts.store);
    this.#clock = opts.clock;
    this.#ids = opts.ids;
    this.#actions = {
      CreateRole: (c) => this.#createRole(c),
      GetRole: (c) => ({ Role: { ...roleOut(this.#role(c)), RoleLastUsed: {} } }),
      ListRoles: (c) => this.#listRoles(c),
      DeleteRole: (c) => this.#deleteRole(c),
      UpdateRole: (c) => this.#updateRole(c),
      UpdateAssumeRolePolicy: (c) => this.#updateAssumeRolePolicy(c),
      TagRole: (c) => this.#tagRole(c),
      UntagRole: (c) => this.#untagRole(c),
      ListRoleTags: (c) => this.#listRoleTags(c),
      AttachRolePolicy: (c) => this.#attachRolePolicy(c),
      DetachRolePolicy: (c) => this.#detachRolePolicy(c),
      ListAttachedRolePolicies: (c) => this.#listAttachedRolePolicies(c),
      PutRolePolicy: (c) => this.#putRolePolicy(c),
      GetRolePolicy: (c) => this.#getRolePolicy(c),
      DeleteRolePolicy: (c) => this.#deleteRolePolicy(c),
      ListRolePolicies: (c) => this.#listRolePolicies(c),
      GetPolicy: (c) => this.#getPolicy(c),
      GetPolicyVersion: (c) => this.#getPolicyVersion(c),
      ListPolicies: (c) => this.#listPolicies(c),
      CreatePolicy: (c) => this.#createPolicy(c),
      DeletePolicy: (c) => this.#deletePolicy(c),
    };
  }

  async handle(call: AwsCall): Promise<AwsResult> {
    const handler = this.#actions[call.action];
    if (!handler) throw unknownOperation('query', call);
    return { body: await handler(call) };
  }

  // ---- IamReader ----

  getRole(name: string): RoleRecord | undefined {
    return this.#state.getRole(name);
  }

  getRoleByArn(arn: string): RoleRecord | undefined {
    const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
    const role = m ? this.#state.getRole(m[2] ?? '') : undefined;
    return role?.Arn === arn ? role : undefined;
  }

  attachedPolicyArns(roleName: string): readonly string[] {
    return this.#state.getRole(roleName)?.AttachedPolicyArns ?? [];
  }

  trustPolicy(roleName: string): TrustPolicy | undefined {
    const role = this.#state.getRole(roleName);
    return role ? parseTrustPolicy(role.AssumeRolePolicyDocument) : undefined;
  }

  // ---- helpers ----

  #newId(prefix: string): string {
    let s = prefix;
    for (let i = 0; i < 17; i++) s += ID_ALPHABET[this.#ids.int(ID_ALPHABET.length)] ?? 'A';
    return s;
  }

  #role(call: AwsCall): RoleRecord {
    const name = requireParam(call.params, 'RoleName');
    validateFields([['RoleName', name, ROLE_NAME]]);
    const role = this.#state.getRole(name);
    if (!role) throw noSuchRole(name);
    return role;
  }

  #checkTrustPolicy(document: string): void {
    validateFields([['PolicyDocument', document, POLICY_DOCUMENT]]);
    parseTrustPolicy(document);
    if (policySize(document) > MAX_TRUST_POLICY) {
      throw limitExceeded(`Cannot exceed quota for ACLSizePerRole: ${String(MAX_TRUST_POLICY)}`);
    }
  }

  #resolvePolicy(arn: string, accountId: string): ResolvedPolicy | undefined {
    const managed = findAwsManagedPolicy(arn);
    if (managed) {
      return {
        name: managed.name,
        id: managed.id,
        arn,
        path: managed.path,
        description: managed.description,
        document: JSON.stringify(managed.document),
        created: new Date(managed.created),
        updated: new Date(managed.updated),
        versionId: managed.versionId,
      };
    }
    const m = /^arn:aws:iam::(\d{12}):policy\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
    if (m?.[1] !== accountId) return undefined;
    const p = this.#state.getPolicy(m[2] ?? '');
    return p?.Arn === arn ? customerPolicy(p) : undefined;
  }

  #attachmentCount(arn: string): number {
    return this.#state.listRoles().filter((r) => r.AttachedPolicyArns.includes(arn)).length;
  }

  // ---- roles ----

  async #createRole(call: AwsCall): Promise<Body> {
    const p = call.params;
    const name = requireParam(p, 'RoleName');
    const document = requireParam(p, 'AssumeRolePolicyDocument');
    const path = p.get('Path') ?? '/';
    const description = p.get('Description');
    validateFields([
      ['RoleName', name, ROLE_NAME],
      ['Path', path, PATH],
      ['AssumeRolePolicyDocument', document, POLICY_DOCUMENT],
      ['Description', description, DESCRIPTION],
    ]);
    const maxSession = optionalInt(p, 'MaxSessionDuration', { min: 3600, max: 43200 }) ?? 3600;
    const tags = parseTags(p);
    this.#checkTrustPolicy(document);
    const role: RoleRecord = {
      RoleName: name,
      RoleId: this.#newId('AROA'),
      Arn: `arn:aws:iam::${call.caller.accountId}:role${path}${name}`,
      Path: path,
      CreateDate: Math.floor(this.#clock.now() / 1000) * 1000,
      AssumeRolePolicyDocument: document,
      ...(description === undefined ? {} : { Description: description }),
      MaxSessionDuration: maxSession,
      Tags: tags,
      AttachedPolicyArns: [],
      InlinePolicies: {},
    };
    if (!(await this.#state.createRole(role))) {
      throw alreadyExists(`Role with name ${name} already exists.`);
    }
    const { MaxSessionDuration: _omit, ...created } = roleOut(role);
    return { Role: created };
  }

  #listRoles(call: AwsCall): Body {
    const prefix = call.params.get('PathPrefix') ?? '/';
    validateFields([['PathPrefix', prefix, PATH_PREFIX]]);
    const roles = this.#state.listRoles().filter((r) => r.Path.startsWith(prefix));
    const { page, truncation } = paginate(roles, (r) => r.RoleName.toLowerCase(), call.params);
    return { Roles: page.map(roleOut), ...truncation };
  }

  async #deleteRole(call: AwsCall): Promise<Body> {
    const name = requireParam(call.params, 'RoleName');
    validateFields([['RoleName', name, ROLE_NAME]]);
    await this.#state.deleteRole(name, (r) => {
      if (r.AttachedPolicyArns.length > 0) {
        throw deleteConflict('Cannot delete entity, must detach all policies first.');
      }
      if (Object.keys(r.InlinePolicies).length > 0) {
        throw deleteConflict('Cannot delete entity, must delete policies first.');
      }
    });
    return {};
  }

  async #updateRole(call: AwsCall): Promise<Body> {
    const role = this.#role(call);
    const description = call.params.get('Description');
    validateFields([['Description', description, DESCRIPTION]]);
    const maxSession = optionalInt(call.params, 'MaxSessionDuration', { min: 3600, max: 43200 });
    await this.#state.updateRole(role.RoleName, (r) => ({
      ...r,
      ...(description === undefined ? {} : { Description: description }),
      ...(maxSession === undefined ? {} : { MaxSessionDuration: maxSession }),
    }));
    return {};
  }

  async #updateAssumeRolePolicy(call: AwsCall): Promise<Body> {
    const role = this.#role(call);
    const document = requireParam(call.params, 'PolicyDocument');
    this.#checkTrustPolicy(document);
    await this.#state.updateRole(role.RoleName, (r) => ({
      ...r,
      AssumeRolePolicyDocument: document,
    }));
    return {};
  }

  async #tagRole(call: AwsCall): Promise<Body> {
    const role = this.#role(call);
    const tags = parseTags(call.params);
    await this.#state.updateRole(role.RoleName, (r) => {
      const merged = mergeTags(r.Tags, tags);
      if (merged.length > MAX_TAGS) {
        throw limitExceeded(`Cannot exceed quota for TagsPerRole: ${String(MAX_TAGS)}`);
      }
      return { ...r, Tags: merged };
    });
    return {};
  }

  async #untagRole(call: AwsCall): Promise<Body> {
    const role = this.#role(call);
    const keys = new Set(memberStrings(call.params, 'TagKeys.member'));
    await this.#state.updateRole(role.RoleName, (r) => ({
      ...r,
      Tags: r.Tags.filter((t) => !keys.has(t.Key)),
    }));
    return {};
  }

  #listRoleTags(call: AwsCall): Body {
    const { page, truncation } = paginate(this.#role(call).Tags, (t) => t.Key, call.params);
    return { Tags: page, ...truncation };
  }

  // ---- managed policies on roles ----

  async #attachRolePolicy(call: AwsCall): Promise<Body> {
    const role = this.#role(call);
    const arn = requireParam(call.params, 'PolicyArn');
    if (!/^arn:aws:iam::(aws|\d{12}):policy\/.+$/.test(arn)) {
      throw invalidInput(`ARN ${arn} is not valid.`);
    }
    if (!this.#resolvePolicy(arn, call.caller.accountId)) throw notAttachable(arn);
    await this.#state.updateRole(role.RoleName, (r) => {
      if (r.AttachedPolicyArns.includes(arn)) return r;
      if (r.AttachedPolicyArns.length >= MAX_ATTACHED) {
        throw limitExceeded(`Cannot exceed quota for PoliciesPerRole: ${String(MAX_ATTACHED)}`);
      }
      return { ...r, AttachedPolicyArns: [...r.AttachedPolicyArns, arn] };
    });
    return {};
  }

  async #detachRolePolicy(call: AwsCall): Promise<Body> {
    const role = this.#role(call);
    const arn = requireParam(call.params, 'PolicyArn');
    await this.#state.updateRole(role.RoleName, (r) => {
      if (!r.AttachedPolicyArns.includes(arn)) throw policyNotFound(arn);
      return { ...r, AttachedPolicyArns: r.AttachedPolicyArns.filter((a) => a !== arn) };
    });
    return {};
  }

  #listAttachedRolePolicies(call: AwsCall): Body {
    const role = this.#role(call);
    const prefix = call.params.get('PathPrefix') ?? '/';
    const attached = role.AttachedPolicyArns.map((arn) =>
      this.#resolvePolicy(arn, call.caller.accountId),
    )
      .filter((p): p is ResolvedPolicy => p?.path.startsWith(prefix) === true)
      .map((p) => ({ PolicyName: p.name, PolicyArn: p.arn }));
    const { page, truncation } = paginate(attached, (p) => p.PolicyArn, call.params);
    return { AttachedPolicies: page, ...truncation };
  }

  // ---- inline policies ----

  async #putRolePolicy(call: AwsCall): Promise<Body> {
    const role = this.#role(call);
    const name = requireParam(call.params, 'PolicyName');
    const document = requireParam(call.params, 'PolicyDocument');
    validateFields([
      ['PolicyName', name, POLICY_NAME],
      ['PolicyDocument', document, POLICY_DOCUMENT],
    ]);
    parsePolicyJson(document);
    await this.#state.updateRole(role.RoleName, (r) => {
      const inline = { ...r.InlinePolicies, [name]: document };
      const total = Object.values(inline).reduce((n, d) => n + policySize(d), 0);
      if (total > MAX_INLINE_TOTAL) {
        throw limitExceeded(
          `Maximum policy size of ${String(MAX_INLINE_TOTAL)} bytes exceeded for role ${r.RoleName}`,
        );
      }
      return { ...r, InlinePolicies: inline };
    });
    return {};
  }

  #getRolePolicy(call: AwsCall): Body {
    const role = this.#role(call);
    const name = requireParam(call.params, 'PolicyName');
    const document = Object.hasOwn(role.InlinePolicies, name)
      ? role.InlinePolicies[name]
      : undefined;
    if (document === undefined) throw rolePolicyNotFound(name);
    return {
      RoleName: role.RoleName,
      PolicyName: name,
      PolicyDocument: encodeDocument(document),
    };
  }

  async #deleteRolePolicy(call: AwsCall): Promise<Body> {
    const role = this.#role(call);
    const name = requireParam(call.params, 'PolicyName');
    await this.#state.updateRole(role.RoleName, (r) => {
      if (!Object.hasOwn(r.InlinePolicies, name)) throw rolePolicyNotFound(name);
      const { [name]: _removed, ...rest } = r.InlinePolicies;
      return { ...r, InlinePolicies: rest };
    });
    return {};
  }

  #listRolePolicies(call: AwsCall): Body {
    const names = Object.keys(this.#role(call).InlinePolicies).sort();
    const { page, truncation } = paginate(names, (n) => n, call.params);
    return { PolicyNames: page, ...truncation };
  }

  // ---- policies ----

  #policyOut(p: ResolvedPolicy): Body {
    return {
      PolicyName: p.name,
      PolicyId: p.id,
      Arn: p.arn,
      Path: p.path,
      DefaultVersionId: p.versionId,
      AttachmentCount: this.#attachmentCount(p.arn),
      PermissionsBoundaryUsageCount: 0,
      IsAttachable: true,
      CreateDate: p.created,
      UpdateDate: p.updated,
    };
  }

  #getPolicy(call: AwsCall): Body {
    const arn = requireParam(call.params, 'PolicyArn');
    const p = this.#resolvePolicy(arn, call.caller.accountId);
    if (!p) throw policyNotFound(arn);
    return { Policy: { ...this.#policyOut(p), Description: p.description } };
  }

  #getPolicyVersion(call: AwsCall): Body {
    const arn = requireParam(call.params, 'PolicyArn');
    const versionId = requireParam(call.params, 'VersionId');
    const p = this.#resolvePolicy(arn, call.caller.accountId);
    if (!p) throw policyNotFound(arn);
    if (p.versionId !== versionId) {
      throw new AwsError(
        'NoSuchEntity',
        `Policy ${arn} version ${versionId} does not exist or is not attachable.`,
        { httpStatus: 404 },
      );
    }
    return {
      PolicyVersion: {
        Document: encodeDocument(p.document),
        VersionId: p.versionId,
        IsDefaultVersion: true,
        CreateDate: p.updated,
      },
    };
  }

  #listPolicies(call: AwsCall): Body {
    const scope = call.params.get('Scope') ?? 'All';
    const onlyAttached = call.params.get('OnlyAttached') === 'true';
    const prefix = call.params.get('PathPrefix') ?? '/';
    const aws =
      scope === 'Local'
        ? []
        : AWS_MANAGED_POLICIES.map((m) => this.#resolvePolicy(awsManagedPolicyArn(m), ''));
    const local = scope === 'AWS' ? [] : this.#state.listPolicies().map((p) => customerPolicy(p));
    const all = [...aws, ...local]
      .filter((p): p is ResolvedPolicy => p?.path.startsWith(prefix) === true)
      .filter((p) => !onlyAttached || this.#attachmentCount(p.arn) > 0)
      .sort((a, b) => (a.arn < b.arn ? -1 : a.arn > b.arn ? 1 : 0));
    const { page, truncation } = paginate(all, (p) => p.arn, call.params);
    return { Policies: page.map((p) => this.#policyOut(p)), ...truncation };
  }

  async #createPolicy(call: AwsCall): Promise<Body> {
    const p = call.params;
    const name = requireParam(p, 'PolicyName');
    const document = requireParam(p, 'PolicyDocument');
    const path = p.get('Path') ?? '/';
    const description = p.get('Description');
    validateFields([
      ['PolicyName', name, POLICY_NAME],
      ['Path', path, PATH],
      ['PolicyDocument', document, POLICY_DOCUMENT],
      ['Description', description, DESCRIPTION],
    ]);
    parsePolicyJson(document);
    const now = Math.floor(this.#clock.now() / 1000) * 1000;
    const record: PolicyRecord = {
      PolicyName: name,
      PolicyId: this.#newId('ANPA'),
      Arn: `arn:aws:iam::${call.caller.accountId}:policy${path}${name}`,
      Path: path,
      ...(description === undefined ? {} : { Description: description }),
      CreateDate: now,
      UpdateDate: now,
      Document: document,
      Tags: parseTags(p),
    };
    if (!(await this.#state.createPolicy(record))) {
      throw alreadyExists(
        `A policy called ${name} already exists. Duplicate names are not allowed.`,
      );
    }
    const { AttachmentCount: _count, ...out } = this.#policyOut(customerPolicy(record));
    return { Policy: { ...out, AttachmentCount: 0 } };
  }

  async #deletePolicy(call: AwsCall): Promise<Body> {
    const arn = requireParam(call.params, 'PolicyArn');
    const p = findAwsManagedPolicy(arn)
      ? undefined
      : this.#resolvePolicy(arn, call.caller.accountId);
    if (!p) throw policyNotFound(arn);
    if (this.#attachmentCount(arn) > 0) {
      throw deleteConflict('Cannot delete a policy attached to entities.');
    }
    await this.#state.deletePolicy(p.name);
    return {};
  }
}

function customerPolicy(p: PolicyRecord): ResolvedPolicy {
  return {
    name: p.PolicyName,
    id: p.PolicyId,
    arn: p.Arn,
    path: p.Path,
    description: p.Description,
    document: p.Document,
    created: new Date(p.CreateDate),
    updated: new Date(p.UpdateDate),
    versionId: 'v1',
  };
}

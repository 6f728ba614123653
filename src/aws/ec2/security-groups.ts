import { AwsError } from '../types.ts';
import { mustGet, newId, selectByIds, tagSet, type Ec2Handler, type Scope } from './context.ts';
import { notFound } from './errors.ts';
import type { RuleRecord, SecurityGroupRecord } from './model.ts';
import {
  memberList,
  optional,
  required,
  tagSpecifications,
  type Params,
  type Tag,
} from './params.ts';
import { checkFilterNames, matchesFilters, paginate, parseFilters } from './query.ts';
import {
  describePermissions,
  describeRule,
  parseRules,
  ruleText,
  sameRule,
  type RuleSpec,
} from './security-group-rules.ts';

const ALL_TRAFFIC_OUT: RuleSpec = {
  isEgress: true,
  ipProtocol: '-1',
  fromPort: -1,
  toPort: -1,
  cidrIpv4: '0.0.0.0/0',
};

function withIds(scope: Scope, specs: readonly RuleSpec[]): RuleRecord[] {
  return specs.map((s) => ({ ...s, securityGroupRuleId: newId(scope.env.ids, 'sgr') }));
}

export interface SecurityGroupInput {
  readonly groupName: string;
  readonly description: string;
  readonly vpcId: string;
  readonly tags?: readonly Tag[];
}

/** Creates a group with EC2's default rule: all traffic out to 0.0.0.0/0. */
export async function createSecurityGroup(
  scope: Scope,
  input: SecurityGroupInput,
): Promise<SecurityGroupRecord> {
  mustGet(scope, 'vpc', input.vpcId);
  if (input.groupName.startsWith('sg-')) {
    throw new AwsError('InvalidParameterValue', 'Group names may not be in the format sg-*.');
  }
  if (findByName(scope, input)) {
    throw new AwsError(
      'InvalidGroup.Duplicate',
      `The security group '${input.groupName}' already exists for VPC '${input.vpcId}'`,
    );
  }
  const group: SecurityGroupRecord = {
    groupId: newId(scope.env.ids, 'sg'),
    groupName: input.groupName,
    description: input.description,
    vpcId: input.vpcId,
    rules: withIds(scope, [ALL_TRAFFIC_OUT]),
    tags: input.tags ?? [],
  };
  await scope.env.state.create(scope.region, { kind: 'sg', id: group.groupId }, group);
  return group;
}

/** The `default` group of a new VPC: all traffic in from itself, all traffic out. */
export async function createDefaultSecurityGroup(scope: Scope, vpcId: string): Promise<void> {
  const groupId = newId(scope.env.ids, 'sg');
  const self: RuleSpec = { isEgress: false, ipProtocol: '-1', fromPort: -1, toPort: -1 };
  const group: SecurityGroupRecord = {
    groupId,
    groupName: 'default',
    description: 'default VPC security group',
    vpcId,
    rules: withIds(scope, [
      { ...self, referencedGroupId: groupId, referencedUserId: scope.env.accountId },
      ALL_TRAFFIC_OUT,
    ]),
    tags: [],
  };
  await scope.env.state.create(scope.region, { kind: 'sg', id: groupId }, group);
}

function findByName(
  scope: Scope,
  q: { readonly groupName: string; readonly vpcId?: string },
): SecurityGroupRecord | undefined {
  return scope.env.state
    .list(scope.region, 'sg')
    .find((g) => g.groupName === q.groupName && (q.vpcId === undefined || g.vpcId === q.vpcId));
}

/** Resolves a call's `GroupId` or `GroupName` to its group. */
function targetGroup(scope: Scope, params: Params): SecurityGroupRecord {
  const groupId = optional(params, 'GroupId');
  if (groupId !== undefined) return mustGet(scope, 'sg', groupId);
  const groupName = optional(params, 'GroupName');
  if (groupName === undefined) {
    throw new AwsError('MissingParameter', 'The request must contain the parameter groupId');
  }
  const g = findByName(scope, { groupName });
  if (!g) throw notFound('sg', groupName);
  return g;
}

/** Turns `name:x` placeholders into group ids and checks referenced groups exist. */
function resolvePeers(scope: Scope, group: SecurityGroupRecord, specs: RuleSpec[]): RuleSpec[] {
  return specs.map((s) => {
    const ref = s.referencedGroupId;
    if (ref === undefined) return s;
    if (ref.startsWith('name:')) {
      const name = ref.slice(5);
      const g = findByName(scope, { groupName: name, vpcId: group.vpcId });
      if (!g) throw notFound('sg', name);
      return { ...s, referencedGroupId: g.groupId };
    }
    if (!scope.env.state.get(scope.region, 'sg', ref)) throw notFound('sg', ref);
    return s;
  });
}

/** Adds rules; any already present fails the whole call with `InvalidPermission.Duplicate`. */
export async function authorize(
  scope: Scope,
  input: { readonly groupId: string; readonly rules: readonly RuleSpec[] },
): Promise<RuleRecord[]> {
  const group = mustGet(scope, 'sg', input.groupId);
  const specs = resolvePeers(scope, group, [...input.rules]);
  const added = withIds(scope, specs);
  await scope.env.state.update(scope.region, { kind: 'sg', id: group.groupId }, (g) => {
    const seen: RuleSpec[] = [...g.rules];
    for (const r of specs) {
      if (seen.some((x) => sameRule(x, r))) {
        throw new AwsError(
          'InvalidPermission.Duplicate',
          `the specified rule "${ruleText(r)}" already exists`,
        );
      }
      seen.push(r);
    }
    return { ...g, rules: [...g.rules, ...added] };
  });
  return added;
}

function authorizeAction(isEgress: boolean): Ec2Handler {
  return async (scope, params) => {
    const group = targetGroup(scope, params);
    const rules = parseRules(params, isEgress);
    if (rules.length === 0) {
      throw new AwsError(
        'MissingParameter',
        'The request must contain the parameter ipPermissions',
      );
    }
    const added = await authorize(scope, { groupId: group.groupId, rules });
    const ctx = { groupId: group.groupId, accountId: scope.env.accountId, region: scope.region };
    return { return: true, securityGroupRuleSet: added.map((r) => describeRule(r, ctx)) };
  };
}

function revokeAction(isEgress: boolean): Ec2Handler {
  return async (scope, params) => {
    const group = targetGroup(scope, params);
    const ruleIds = memberList(params, 'SecurityGroupRuleId');
    const specs =
      ruleIds.length > 0 ? [] : resolvePeers(scope, group, parseRules(params, isEgress));
    await scope.env.state.update(scope.region, { kind: 'sg', id: group.groupId }, (g) => {
      const doomed = new Set<RuleRecord>();
      for (const id of ruleIds) {
        const r = g.rules.find((x) => x.securityGroupRuleId === id && x.isEgress === isEgress);
        if (!r) throw notFound('sgr', id);
        doomed.add(r);
      }
      for (const spec of specs) {
        const r = g.rules.find((x) => sameRule(x, spec));
        if (!r) {
          throw new AwsError(
            'InvalidPermission.NotFound',
            'The specified rule does not exist in this security group.',
          );
        }
        doomed.add(r);
      }
      return { ...g, rules: g.rules.filter((r) => !doomed.has(r)) };
    });
    return { return: true };
  };
}

export function describeGroup(scope: Scope, g: SecurityGroupRecord): Record<string, unknown> {
  const { accountId } = scope.env;
  return {
    ownerId: accountId,
    groupId: g.groupId,
    groupName: g.groupName,
    groupDescription: g.description,
    vpcId: g.vpcId,
    securityGroupArn: `arn:aws:ec2:${scope.region}:${accountId}:security-group/${g.groupId}`,
    ipPermissions: describePermissions(
      g.rules.filter((r) => !r.isEgress),
      accountId,
    ),
    ipPermissionsEgress: describePermissions(
      g.rules.filter((r) => r.isEgress),
      accountId,
    ),
    ...tagSet(g.tags),
  };
}

const SG_FILTERS = ['group-id', 'group-name', 'vpc-id', 'description', 'owner-id'];

const describeSecurityGroups: Ec2Handler = (scope, params) => {
  const filters = parseFilters(params);
  checkFilterNames(filters, SG_FILTERS);
  const names = memberList(params, 'GroupName');
  const all = scope.env.state.list(scope.region, 'sg');
  const missingName = names.find((n) => !all.some((g) => g.groupName === n));
  if (missingName !== undefined) throw notFound('sg', missingName);
  const chosen = selectByIds(all, {
    ids: memberList(params, 'GroupId'),
    idOf: (g) => g.groupId,
    kind: 'sg',
  })
    .filter((g) => names.length === 0 || names.includes(g.groupName))
    .filter((g) =>
      matchesFilters(
        filters,
        (name) =>
          ({
            'group-id': [g.groupId],
            'group-name': [g.groupName],
            'vpc-id': [g.vpcId],
            description: [g.description],
            'owner-id': [scope.env.accountId],
          })[name],
        g.tags,
      ),
    );
  const page = paginate(chosen, (g) => g.groupId, { params });
  return Promise.resolve({
    securityGroupInfo: page.items.map((g) => describeGroup(scope, g)),
    nextToken: page.nextToken,
  });
};

const RULE_FILTERS = ['group-id', 'security-group-rule-id'];

const describeSecurityGroupRules: Ec2Handler = (scope, params) => {
  const filters = parseFilters(params);
  checkFilterNames(filters, RULE_FILTERS);
  const ids = memberList(params, 'SecurityGroupRuleId');
  const rules = scope.env.state
    .list(scope.region, 'sg')
    .flatMap((g) => g.rules.map((rule) => ({ rule, groupId: g.groupId })))
    .sort((a, b) => (a.rule.securityGroupRuleId < b.rule.securityGroupRuleId ? -1 : 1));
  const chosen = selectByIds(rules, {
    ids,
    idOf: (x) => x.rule.securityGroupRuleId,
    kind: 'sgr',
  }).filter((x) =>
    matchesFilters(
      filters,
      (name) =>
        ({
          'group-id': [x.groupId],
          'security-group-rule-id': [x.rule.securityGroupRuleId],
        })[name],
      [],
    ),
  );
  const page = paginate(chosen, (x) => x.rule.securityGroupRuleId, { params });
  const { accountId } = scope.env;
  return Promise.resolve({
    securityGroupRuleSet: page.items.map((x) =>
      describeRule(x.rule, { groupId: x.groupId, accountId, region: scope.region }),
    ),
    nextToken: page.nextToken,
  });
};

const deleteSecurityGroup: Ec2Handler = async (scope, params) => {
  const group = targetGroup(scope, params);
  if (group.groupName === 'default') {
    throw new AwsError(
      'CannotDelete',
      `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`,
    );
  }
  const referenced = scope.env.state
    .list(scope.region, 'sg')
    .some(
      (g) =>
        g.groupId !== group.groupId && g.rules.some((r) => r.referencedGroupId === group.groupId),
    );
  if (referenced) {
    throw new AwsError('DependencyViolation', `resource ${group.groupId} has a dependent object`);
  }
  await scope.env.state.remove(scope.region, 'sg', group.groupId);
  return { return: true, groupId: group.groupId };
};

const createSecurityGroupAction: Ec2Handler = async (scope, params) => {
  const vpcId = optional(params, 'VpcId');
  const groupName = required(params, 'GroupName');
  const description = required(params, 'GroupDescription');
  if (vpcId === undefined) {
    throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
  }
  const g = await createSecurityGroup(scope, {
    groupName,
    description,
    vpcId,
    tags: tagSpecifications(params, 'security-group'),
  });
  return {
    return: true,
    groupId: g.groupId,
    securityGroupArn: `arn:aws:ec2:${scope.region}:${scope.env.accountId}:security-group/${g.groupId}`,
    ...tagSet(g.tags),
  };
};

export const SECURITY_GROUP_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateSecurityGroup: createSecurityGroupAction,
  DescribeSecurityGroups: describeSecurityGroups,
  DescribeSecurityGroupRules: describeSecurityGroupRules,
  DeleteSecurityGroup: deleteSecurityGroup,
  AuthorizeSecurityGroupIngress: authorizeAction(false),
  AuthorizeSecurityGroupEgress: authorizeAction(true),
  RevokeSecurityGroupIngress: revokeAction(false),
  RevokeSecurityGroupEgress: revokeAction(true),
};

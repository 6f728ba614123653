import { AwsError } from '../types.ts';
import { formatCidr, parseCidr } from './cidr.ts';
import { invalidCidr } from './errors.ts';
import type { RuleRecord } from './model.ts';
import { integer, optional, structList, type Params } from './params.ts';

/**
 * Parsing and printing of security group permissions. A permission (`IpPermissions.N`) names
 * a protocol and port range and any number of peers; EC2 stores one rule per peer, and
 * groups rules back into permissions by protocol and ports when describing a group.
 */

/** A rule before it gets an id. */
export type RuleSpec = Omit<RuleRecord, 'securityGroupRuleId'>;

const PROTOCOL_NUMBERS: Readonly<Record<string, string>> = {
  '6': 'tcp',
  '17': 'udp',
  '1': 'icmp',
  '58': 'icmpv6',
  all: '-1',
};

function normaliseProtocol(raw: string): string {
  const p = PROTOCOL_NUMBERS[raw.toLowerCase()] ?? raw.toLowerCase();
  if (['tcp', 'udp', 'icmp', 'icmpv6', '-1'].includes(p)) return p;
  if (/^\d+$/.test(p) && Number(p) <= 255) return p;
  throw new AwsError(
    'InvalidParameterValue',
    `Invalid value '${raw}' for IP protocol. Unknown protocol.`,
  );
}

interface PortRange {
  readonly ipProtocol: string;
  readonly fromPort: number;
  readonly toPort: number;
}

function portRange(p: Params): PortRange {
  const ipProtocol = normaliseProtocol(optional(p, 'IpProtocol') ?? '');
  if (ipProtocol === '-1') return { ipProtocol, fromPort: -1, toPort: -1 };
  const fromPort = integer(p, 'FromPort');
  const toPort = integer(p, 'ToPort');
  if (ipProtocol === 'tcp' || ipProtocol === 'udp') {
    if (fromPort === undefined || toPort === undefined) {
      throw new AwsError(
        'InvalidParameterValue',
        `Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange.`,
      );
    }
    if (fromPort < 0 || toPort > 65535 || fromPort > toPort) {
      throw new AwsError(
        'InvalidParameterValue',
        `Invalid TCP/UDP port range: from port ${fromPort} to port ${toPort}`,
      );
    }
  }
  return { ipProtocol, fromPort: fromPort ?? -1, toPort: toPort ?? -1 };
}

function cidrOf(text: string): string {
  const c = parseCidr(text);
  if (!c) throw invalidCidr(text);
  return formatCidr(c);
}

function withDescription(p: Params): { description?: string } {
  const d = optional(p, 'Description');
  return d === undefined ? {} : { description: d };
}

/** The peers of one permission, each a rule. */
function peers(p: Params, base: RuleSpec): RuleSpec[] {
  return [
    ...structList(p, 'IpRanges').map((r) => ({
      ...base,
      cidrIpv4: cidrOf(optional(r, 'CidrIp') ?? ''),
      ...withDescription(r),
    })),
    ...structList(p, 'Ipv6Ranges').map((r) => ({
      ...base,
      cidrIpv6: optional(r, 'CidrIpv6') ?? '',
      ...withDescription(r),
    })),
    ...structList(p, 'PrefixListIds').map((r) => ({
      ...base,
      prefixListId: optional(r, 'PrefixListId') ?? '',
      ...withDescription(r),
    })),
    ...structList(p, 'Groups').map((r) => groupPeer(r, base)),
  ];
}

function groupPeer(r: Params, base: RuleSpec): RuleSpec {
  const groupId = optional(r, 'GroupId');
  const userId = optional(r, 'UserId');
  const groupName = optional(r, 'GroupName');
  return {
    ...base,
    referencedGroupId: groupId ?? `name:${groupName ?? ''}`,
    ...(userId === undefined ? {} : { referencedUserId: userId }),
    ...withDescription(r),
  };
}

/**
 * The rules of an Authorize/Revoke call: `IpPermissions.N.*` as the CLI sends for both
 * `--ip-permissions` and `--protocol/--port/--cidr`, or the legacy flat members
 * (`IpProtocol`, `FromPort`, `ToPort`, `CidrIp`, `SourceSecurityGroupName`) SDK callers use.
 */
export function parseRules(params: Params, isEgress: boolean): RuleSpec[] {
  const permissions = structList(params, 'IpPermissions');
  if (permissions.length > 0) {
    return permissions.flatMap((p) => {
      const base: RuleSpec = { isEgress, ...portRange(p) };
      const rules = peers(p, base);
      return rules.length > 0 ? rules : [base];
    });
  }
  return legacyRules(params, isEgress);
}

function legacyRules(params: Params, isEgress: boolean): RuleSpec[] {
  const cidr = optional(params, 'CidrIp');
  const sourceGroup = optional(params, 'SourceSecurityGroupName');
  if (optional(params, 'IpProtocol') === undefined && sourceGroup === undefined) return [];
  const base: RuleSpec = {
    isEgress,
    ...(optional(params, 'IpProtocol') === undefined
      ? { ipProtocol: '-1', fromPort: -1, toPort: -1 }
      : portRange(params)),
  };
  if (sourceGroup !== undefined) return [{ ...base, referencedGroupId: `name:${sourceGroup}` }];
  return [{ ...base, cidrIpv4: cidrOf(cidr ?? '0.0.0.0/0') }];
}

/** Two rules are the same rule when protocol, ports and peer agree (descriptions aside). */
export function sameRule(a: RuleSpec, b: RuleSpec): boolean {
  return (
    a.isEgress === b.isEgress &&
    a.ipProtocol === b.ipProtocol &&
    a.fromPort === b.fromPort &&
    a.toPort === b.toPort &&
    a.cidrIpv4 === b.cidrIpv4 &&
    a.cidrIpv6 === b.cidrIpv6 &&
    a.prefixListId === b.prefixListId &&
    a.referencedGroupId === b.referencedGroupId
  );
}

function peerText(r: RuleSpec): string {
  return r.cidrIpv4 ?? r.cidrIpv6 ?? r.prefixListId ?? r.referencedGroupId ?? '';
}

/** EC2's rendering of a rule in `InvalidPermission.Duplicate`. */
export function ruleText(r: RuleSpec): string {
  const parts = [`peer: ${peerText(r)}`];
  if (r.ipProtocol === '-1') parts.push('ALL');
  else if (r.ipProtocol === 'icmp' || r.ipProtocol === 'icmpv6') {
    parts.push(r.ipProtocol.toUpperCase(), `type: ${r.fromPort}`, `code: ${r.toPort}`);
  } else {
    parts.push(r.ipProtocol.toUpperCase(), `from port: ${r.fromPort}`, `to port: ${r.toPort}`);
  }
  parts.push('ALLOW');
  return parts.join(', ');
}

function hasPorts(protocol: string): boolean {
  return protocol !== '-1';
}

/** `ipPermissions`/`ipPermissionsEgress`: rules grouped by protocol and ports, in order. */
export function describePermissions(
  rules: readonly RuleRecord[],
  accountId: string,
): Record<string, unknown>[] {
  const groups = new Map<string, RuleRecord[]>();
  for (const r of rules) {
    const key = `${r.ipProtocol}/${r.fromPort}/${r.toPort}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  return [...groups.values()].map((rs) => {
    const [first] = rs;
    const protocol = first?.ipProtocol ?? '-1';
    const desc = (r: RuleRecord) =>
      r.description === undefined ? {} : { description: r.description };
    return {
      ipProtocol: protocol,
      ...(hasPorts(protocol) ? { fromPort: first?.fromPort, toPort: first?.toPort } : {}),
      groups: rs
        .filter((r) => r.referencedGroupId !== undefined)
        .map((r) => ({
          groupId: r.referencedGroupId,
          userId: r.referencedUserId ?? accountId,
          ...desc(r),
        })),
      ipRanges: rs.flatMap((r) =>
        r.cidrIpv4 === undefined ? [] : [{ cidrIp: r.cidrIpv4, ...desc(r) }],
      ),
      ipv6Ranges: rs.flatMap((r) =>
        r.cidrIpv6 === undefined ? [] : [{ cidrIpv6: r.cidrIpv6, ...desc(r) }],
      ),
      prefixListIds: rs.flatMap((r) =>
        r.prefixListId === undefined ? [] : [{ prefixListId: r.prefixListId, ...desc(r) }],
      ),
    };
  });
}

/** One entry of `securityGroupRuleSet` (DescribeSecurityGroupRules, Authorize responses). */
export function describeRule(
  rule: RuleRecord,
  ctx: { readonly groupId: string; readonly accountId: string; readonly region: string },
): Record<string, unknown> {
  return {
    securityGroupRuleId: rule.securityGroupRuleId,
    groupId: ctx.groupId,
    groupOwnerId: ctx.accountId,
    isEgress: rule.isEgress,
    ipProtocol: rule.ipProtocol,
    fromPort: rule.fromPort,
    toPort: rule.toPort,
    cidrIpv4: rule.cidrIpv4,
    cidrIpv6: rule.cidrIpv6,
    prefixListId: rule.prefixListId,
    referencedGroupInfo:
      rule.referencedGroupId === undefined
        ? undefined
        : { groupId: rule.referencedGroupId, userId: rule.referencedUserId ?? ctx.accountId },
    description: rule.description,
    securityGroupRuleArn: `arn:aws:ec2:${ctx.region}:${ctx.accountId}:security-group-rule/${rule.securityGroupRuleId}`,
    tagSet: [],
  };
}

import { AwsError } from '../types.ts';
import { formatCidr, parseCidr } from './cidr.ts';
import { mustGet, newId, selectByIds, tagSet, type Ec2Handler, type Scope } from './context.ts';
import { dependencyViolation, invalidCidr, invalidParameterValue } from './errors.ts';
import type { VpcRecord } from './model.ts';
import { bool, memberList, optional, required, tagSpecifications, type Tag } from './params.ts';
import { checkFilterNames, matchesFilters, paginate, parseFilters } from './query.ts';
import { createDefaultSecurityGroup } from './security-groups.ts';
import { createMainRouteTable } from './route-tables.ts';

/** Creates a VPC with what EC2 creates alongside: its main route table and default group. */
export async function createVpc(
  scope: Scope,
  input: { readonly cidrBlock: string; readonly tags?: readonly Tag[] },
): Promise<VpcRecord> {
  const cidr = parseCidr(input.cidrBlock);
  if (!cidr) throw invalidCidr(input.cidrBlock);
  const block = formatCidr(cidr);
  if (cidr.prefix < 16 || cidr.prefix > 28) {
    throw new AwsError('InvalidVpc.Range', `The CIDR '${block}' is invalid.`);
  }
  const { env, region } = scope;
  const vpc: VpcRecord = {
    vpcId: newId(env.ids, 'vpc'),
    cidrBlock: block,
    cidrAssociationId: newId(env.ids, 'vpc-cidr-assoc'),
    isDefault: false,
    enableDnsSupport: true,
    enableDnsHostnames: false,
    tags: input.tags ?? [],
  };
  await env.state.create(region, { kind: 'vpc', id: vpc.vpcId }, vpc);
  await createMainRouteTable(scope, vpc);
  await createDefaultSecurityGroup(scope, vpc.vpcId);
  return vpc;
}

export function describeVpc(scope: Scope, vpc: VpcRecord): Record<string, unknown> {
  return {
    vpcId: vpc.vpcId,
    ownerId: scope.env.accountId,
    state: 'available',
    cidrBlock: vpc.cidrBlock,
    cidrBlockAssociationSet: [
      {
        cidrBlock: vpc.cidrBlock,
        associationId: vpc.cidrAssociationId,
        cidrBlockState: { state: 'associated' },
      },
    ],
    dhcpOptionsId: 'default',
    instanceTenancy: 'default',
    isDefault: vpc.isDefault,
    ...tagSet(vpc.tags),
  };
}

const VPC_FILTERS = [
  'vpc-id',
  'cidr',
  'cidr-block-association.cidr-block',
  'is-default',
  'state',
  'owner-id',
];

function vpcAttributes(scope: Scope, vpc: VpcRecord) {
  return (name: string): readonly string[] | undefined =>
    ({
      'vpc-id': [vpc.vpcId],
      cidr: [vpc.cidrBlock],
      'cidr-block-association.cidr-block': [vpc.cidrBlock],
      'is-default': [String(vpc.isDefault)],
      state: ['available'],
      'owner-id': [scope.env.accountId],
    })[name];
}

const createVpcAction: Ec2Handler = async (scope, params) => {
  const cidrBlock = optional(params, 'CidrBlock');
  if (cidrBlock === undefined) {
    throw new AwsError(
      'MissingParameter',
      "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.",
    );
  }
  const vpc = await createVpc(scope, { cidrBlock, tags: tagSpecifications(params, 'vpc') });
  return { vpc: describeVpc(scope, vpc) };
};

const describeVpcs: Ec2Handler = (scope, params) => {
  const filters = parseFilters(params);
  checkFilterNames(filters, VPC_FILTERS);
  const all = scope.env.state.list(scope.region, 'vpc');
  const chosen = selectByIds(all, {
    ids: memberList(params, 'VpcId'),
    idOf: (v) => v.vpcId,
    kind: 'vpc',
  }).filter((v) => matchesFilters(filters, vpcAttributes(scope, v), v.tags));
  const page = paginate(chosen, (v) => v.vpcId, { params });
  return Promise.resolve({
    vpcSet: page.items.map((v) => describeVpc(scope, v)),
    nextToken: page.nextToken,
  });
};

/** What blocks DeleteVpc: anything EC2 did not create with the VPC itself. */
function hasDependencies(scope: Scope, vpcId: string): boolean {
  const { state } = scope.env;
  const r = scope.region;
  return (
    state.list(r, 'subnet').some((s) => s.vpcId === vpcId) ||
    state.list(r, 'igw').some((g) => g.vpcId === vpcId) ||
    state.list(r, 'nat').some((n) => n.vpcId === vpcId && n.state !== 'deleted') ||
    state.list(r, 'rtb').some((t) => t.vpcId === vpcId && !t.associations.some((a) => a.main)) ||
    state.list(r, 'sg').some((g) => g.vpcId === vpcId && g.groupName !== 'default')
  );
}

const deleteVpc: Ec2Handler = async (scope, params) => {
  const vpcId = required(params, 'VpcId');
  mustGet(scope, 'vpc', vpcId);
  if (hasDependencies(scope, vpcId)) throw dependencyViolation('vpc', vpcId);
  const { state } = scope.env;
  for (const t of state.list(scope.region, 'rtb').filter((x) => x.vpcId === vpcId)) {
    await state.remove(scope.region, 'rtb', t.routeTableId);
  }
  for (const g of state.list(scope.region, 'sg').filter((x) => x.vpcId === vpcId)) {
    await state.remove(scope.region, 'sg', g.groupId);
  }
  await state.remove(scope.region, 'vpc', vpcId);
  return { return: true };
};

const VPC_ATTRIBUTES = ['EnableDnsSupport', 'EnableDnsHostnames'] as const;

const modifyVpcAttribute: Ec2Handler = async (scope, params) => {
  const vpcId = required(params, 'VpcId');
  mustGet(scope, 'vpc', vpcId);
  const given = VPC_ATTRIBUTES.filter((a) => optional(params, `${a}.Value`) !== undefined);
  if (given.length !== 1) {
    throw new AwsError(
      given.length === 0 ? 'MissingParameter' : 'InvalidParameterCombination',
      given.length === 0
        ? 'The request must contain exactly one attribute to modify'
        : `Fields for multiple attribute types specified: ${given.map(lowerFirst).join(', ')}`,
    );
  }
  const [attribute] = given;
  const value = attribute && bool(params, `${attribute}.Value`);
  await scope.env.state.update(scope.region, { kind: 'vpc', id: vpcId }, (vpc) =>
    attribute === 'EnableDnsSupport'
      ? { ...vpc, enableDnsSupport: value === true }
      : { ...vpc, enableDnsHostnames: value === true },
  );
  return { return: true };
};

const describeVpcAttribute: Ec2Handler = (scope, params) => {
  const vpcId = required(params, 'VpcId');
  const attribute = required(params, 'Attribute');
  const vpc = mustGet(scope, 'vpc', vpcId);
  if (attribute !== 'enableDnsSupport' && attribute !== 'enableDnsHostnames') {
    throw invalidParameterValue(attribute, 'attribute');
  }
  return Promise.resolve({ vpcId, [attribute]: { value: vpc[attribute] } });
};

function lowerFirst(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}

export const VPC_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateVpc: createVpcAction,
  DescribeVpcs: describeVpcs,
  DeleteVpc: deleteVpc,
  ModifyVpcAttribute: modifyVpcAttribute,
  DescribeVpcAttribute: describeVpcAttribute,
};

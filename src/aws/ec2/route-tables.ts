import { AwsError } from '../types.ts';
import { formatCidr, parseCidr } from './cidr.ts';
import { mustGet, newId, selectByIds, tagSet, type Ec2Handler, type Scope } from './context.ts';
import { dependencyViolation, invalidCidr, notFound } from './errors.ts';
import type { RouteRecord, RouteTableRecord, VpcRecord } from './model.ts';
import {
  memberList,
  optional,
  required,
  tagSpecifications,
  type Params,
  type Tag,
} from './params.ts';
import { checkFilterNames, matchesFilters, paginate, parseFilters } from './query.ts';

function localRoute(vpc: VpcRecord): RouteRecord {
  return { destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', origin: 'CreateRouteTable' };
}

/** The route table EC2 creates with every VPC, associated as its main table. */
export async function createMainRouteTable(scope: Scope, vpc: VpcRecord): Promise<void> {
  const { env, region } = scope;
  const table: RouteTableRecord = {
    routeTableId: newId(env.ids, 'rtb'),
    vpcId: vpc.vpcId,
    routes: [localRoute(vpc)],
    associations: [{ routeTableAssociationId: newId(env.ids, 'rtbassoc'), main: true }],
    tags: [],
  };
  await env.state.create(region, { kind: 'rtb', id: table.routeTableId }, table);
}

export async function createRouteTable(
  scope: Scope,
  input: { readonly vpcId: string; readonly tags?: readonly Tag[] },
): Promise<RouteTableRecord> {
  const vpc = mustGet(scope, 'vpc', input.vpcId);
  const table: RouteTableRecord = {
    routeTableId: newId(scope.env.ids, 'rtb'),
    vpcId: vpc.vpcId,
    routes: [localRoute(vpc)],
    associations: [],
    tags: input.tags ?? [],
  };
  await scope.env.state.create(scope.region, { kind: 'rtb', id: table.routeTableId }, table);
  return table;
}

export interface RouteInput {
  readonly routeTableId: string;
  readonly destinationCidrBlock: string;
  readonly gatewayId?: string;
  readonly natGatewayId?: string;
}

/** The VPC a route target belongs to (undefined for a detached internet gateway). */
function targetVpcOf(
  scope: Scope,
  target: { readonly gatewayId: string | undefined; readonly natGatewayId: string | undefined },
): string | undefined {
  const { gatewayId, natGatewayId } = target;
  if (gatewayId !== undefined) {
    const igw = scope.env.state.get(scope.region, 'igw', gatewayId);
    if (!igw) {
      throw new AwsError(
        'InvalidGatewayID.NotFound',
        `The gateway ID '${gatewayId}' does not exist`,
      );
    }
    return igw.vpcId;
  }
  const nat = scope.env.state.get(scope.region, 'nat', natGatewayId ?? '');
  if (nat?.state !== 'available') throw notFound('nat', natGatewayId ?? '');
  return nat.vpcId;
}

/** Checks the route's target exists and belongs to the table's VPC. */
function checkTarget(scope: Scope, table: RouteTableRecord, input: RouteInput): RouteRecord {
  const { gatewayId, natGatewayId } = input;
  const cidr = parseCidr(input.destinationCidrBlock);
  if (!cidr) throw invalidCidr(input.destinationCidrBlock);
  const destinationCidrBlock = formatCidr(cidr);
  if ((gatewayId === undefined) === (natGatewayId === undefined)) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The request must contain exactly one of gatewayId, natGatewayId, instanceId, networkInterfaceId, vpcPeeringConnectionId, transitGatewayId',
    );
  }
  const targetVpc = targetVpcOf(scope, { gatewayId, natGatewayId });
  if (targetVpc !== table.vpcId) {
    throw new AwsError(
      'InvalidParameterValue',
      `route table ${table.routeTableId} and network gateway ${gatewayId ?? natGatewayId ?? ''} belong to different networks`,
    );
  }
  return {
    destinationCidrBlock,
    origin: 'CreateRoute',
    ...(gatewayId === undefined ? {} : { gatewayId }),
    ...(natGatewayId === undefined ? {} : { natGatewayId }),
  };
}

export async function createRoute(scope: Scope, input: RouteInput): Promise<void> {
  const table = mustGet(scope, 'rtb', input.routeTableId);
  const route = checkTarget(scope, table, input);
  await scope.env.state.update(scope.region, { kind: 'rtb', id: table.routeTableId }, (t) => {
    if (t.routes.some((r) => r.destinationCidrBlock === route.destinationCidrBlock)) {
      throw new AwsError(
        'RouteAlreadyExists',
        `The route identified by ${route.destinationCidrBlock} already exists.`,
      );
    }
    return { ...t, routes: [...t.routes, route] };
  });
}

export async function associateRouteTable(
  scope: Scope,
  input: { readonly routeTableId: string; readonly subnetId: string },
): Promise<string> {
  const table = mustGet(scope, 'rtb', input.routeTableId);
  const subnet = mustGet(scope, 'subnet', input.subnetId);
  if (subnet.vpcId !== table.vpcId) {
    throw new AwsError(
      'InvalidParameterValue',
      `Route table ${table.routeTableId} and subnet ${subnet.subnetId} belong to different networks`,
    );
  }
  const existing = explicitTable(scope, subnet.subnetId);
  if (existing) {
    throw new AwsError(
      'Resource.AlreadyAssociated',
      `the specified association for route table ${existing.routeTableId} conflicts with an existing association`,
    );
  }
  const associationId = newId(scope.env.ids, 'rtbassoc');
  await scope.env.state.update(scope.region, { kind: 'rtb', id: table.routeTableId }, (t) => ({
    ...t,
    associations: [
      ...t.associations,
      { routeTableAssociationId: associationId, subnetId: subnet.subnetId, main: false },
    ],
  }));
  return associationId;
}

function explicitTable(scope: Scope, subnetId: string): RouteTableRecord | undefined {
  return scope.env.state
    .list(scope.region, 'rtb')
    .find((t) => t.associations.some((a) => a.subnetId === subnetId));
}

/** The table a subnet routes by: its explicit association, else its VPC's main table. */
export function effectiveRouteTable(
  scope: Scope,
  subnet: { readonly subnetId: string; readonly vpcId: string },
): RouteTableRecord | undefined {
  return (
    explicitTable(scope, subnet.subnetId) ??
    scope.env.state
      .list(scope.region, 'rtb')
      .find((t) => t.vpcId === subnet.vpcId && t.associations.some((a) => a.main))
  );
}

export function describeRouteTable(scope: Scope, t: RouteTableRecord): Record<string, unknown> {
  return {
    routeTableId: t.routeTableId,
    vpcId: t.vpcId,
    ownerId: scope.env.accountId,
    routeSet: t.routes.map((r) => ({
      destinationCidrBlock: r.destinationCidrBlock,
      gatewayId: r.gatewayId,
      natGatewayId: r.natGatewayId,
      state: 'active',
      origin: r.origin,
    })),
    associationSet: t.associations.map((a) => ({
      routeTableAssociationId: a.routeTableAssociationId,
      routeTableId: t.routeTableId,
      subnetId: a.subnetId,
      main: a.main,
      associationState: { state: 'associated' },
    })),
    propagatingVgwSet: [],
    ...tagSet(t.tags),
  };
}

const RTB_FILTERS = [
  'route-table-id',
  'vpc-id',
  'owner-id',
  'association.subnet-id',
  'association.main',
  'association.route-table-association-id',
  'route.gateway-id',
  'route.nat-gateway-id',
  'route.destination-cidr-block',
];

function rtbAttributes(scope: Scope, t: RouteTableRecord) {
  const defined = (xs: readonly (string | undefined)[]) =>
    xs.filter((x): x is string => x !== undefined);
  return (name: string): readonly string[] | undefined =>
    ({
      'route-table-id': [t.routeTableId],
      'vpc-id': [t.vpcId],
      'owner-id': [scope.env.accountId],
      'association.subnet-id': defined(t.associations.map((a) => a.subnetId)),
      'association.main': t.associations.map((a) => String(a.main)),
      'association.route-table-association-id': t.associations.map(
        (a) => a.routeTableAssociationId,
      ),
      'route.gateway-id': defined(t.routes.map((r) => r.gatewayId)),
      'route.nat-gateway-id': defined(t.routes.map((r) => r.natGatewayId)),
      'route.destination-cidr-block': t.routes.map((r) => r.destinationCidrBlock),
    })[name];
}

function routeInput(params: Params): RouteInput {
  const gatewayId = optional(params, 'GatewayId');
  const natGatewayId = optional(params, 'NatGatewayId');
  return {
    routeTableId: required(params, 'RouteTableId'),
    destinationCidrBlock: required(params, 'DestinationCidrBlock'),
    ...(gatewayId === undefined ? {} : { gatewayId }),
    ...(natGatewayId === undefined ? {} : { natGatewayId }),
  };
}

const deleteRoute: Ec2Handler = async (scope, params) => {
  const routeTableId = required(params, 'RouteTableId');
  const destination = required(params, 'DestinationCidrBlock');
  mustGet(scope, 'rtb', routeTableId);
  await scope.env.state.update(scope.region, { kind: 'rtb', id: routeTableId }, (t) => {
    const route = t.routes.find((r) => r.destinationCidrBlock === destination);
    if (!route) {
      throw new AwsError(
        'InvalidRoute.NotFound',
        `no route with destination-cidr-block ${destination} in route table ${routeTableId}`,
      );
    }
    if (route.gatewayId === 'local') {
      throw new AwsError(
        'InvalidParameterValue',
        `cannot remove local route ${destination} in route table ${routeTableId}`,
      );
    }
    return { ...t, routes: t.routes.filter((r) => r !== route) };
  });
  return { return: true };
};

const disassociateRouteTable: Ec2Handler = async (scope, params) => {
  const associationId = required(params, 'AssociationId');
  const table = scope.env.state
    .list(scope.region, 'rtb')
    .find((t) => t.associations.some((a) => a.routeTableAssociationId === associationId));
  const association = table?.associations.find((a) => a.routeTableAssociationId === associationId);
  if (!table || !association) throw notFound('rtbassoc', associationId);
  if (association.main) {
    throw new AwsError(
      'InvalidParameterValue',
      `cannot disassociate the main route table association ${associationId}`,
    );
  }
  await scope.env.state.update(scope.region, { kind: 'rtb', id: table.routeTableId }, (t) => ({
    ...t,
    associations: t.associations.filter((a) => a.routeTableAssociationId !== associationId),
  }));
  return { return: true };
};

const deleteRouteTable: Ec2Handler = async (scope, params) => {
  const id = required(params, 'RouteTableId');
  const table = mustGet(scope, 'rtb', id);
  if (table.associations.length > 0) throw dependencyViolation('routeTable', id);
  await scope.env.state.remove(scope.region, 'rtb', id);
  return { return: true };
};

const describeRouteTables: Ec2Handler = (scope, params) => {
  const filters = parseFilters(params);
  checkFilterNames(filters, RTB_FILTERS);
  const chosen = selectByIds(scope.env.state.list(scope.region, 'rtb'), {
    ids: memberList(params, 'RouteTableId'),
    idOf: (t) => t.routeTableId,
    kind: 'rtb',
  }).filter((t) => matchesFilters(filters, rtbAttributes(scope, t), t.tags));
  const page = paginate(chosen, (t) => t.routeTableId, { params, max: 100 });
  return Promise.resolve({
    routeTableSet: page.items.map((t) => describeRouteTable(scope, t)),
    nextToken: page.nextToken,
  });
};

export const ROUTE_TABLE_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateRouteTable: async (scope, params) => {
    const table = await createRouteTable(scope, {
      vpcId: required(params, 'VpcId'),
      tags: tagSpecifications(params, 'route-table'),
    });
    return { routeTable: describeRouteTable(scope, table) };
  },
  DescribeRouteTables: describeRouteTables,
  DeleteRouteTable: deleteRouteTable,
  AssociateRouteTable: async (scope, params) => {
    const associationId = await associateRouteTable(scope, {
      routeTableId: required(params, 'RouteTableId'),
      subnetId: required(params, 'SubnetId'),
    });
    return { associationId, associationState: { state: 'associated' } };
  },
  DisassociateRouteTable: disassociateRouteTable,
  CreateRoute: async (scope, params) => {
    await createRoute(scope, routeInput(params));
    return { return: true };
  },
  DeleteRoute: deleteRoute,
};

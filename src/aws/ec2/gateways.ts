import { rfc3339 } from '../../util/index.ts';
import { AwsError } from '../types.ts';
import { mustGet, newId, tagSet, type Ec2Handler, type Scope } from './context.ts';
import { dependencyViolation } from './errors.ts';
import type { AddressRecord, InternetGatewayRecord, NatGatewayRecord } from './model.ts';
import { optional, required, tagSpecifications, type Tag } from './params.ts';
import { paginate, selectDescribed } from './query.ts';
import { allocateIp, releaseIp } from './subnets.ts';

// Internet gateways.

export async function createInternetGateway(
  scope: Scope,
  tags: readonly Tag[] = [],
): Promise<InternetGatewayRecord> {
  const igw: InternetGatewayRecord = { internetGatewayId: newId(scope.env.ids, 'igw'), tags };
  await scope.env.state.create(scope.region, { kind: 'igw', id: igw.internetGatewayId }, igw);
  return igw;
}

export async function attachInternetGateway(
  scope: Scope,
  input: { readonly internetGatewayId: string; readonly vpcId: string },
): Promise<void> {
  const { internetGatewayId: id, vpcId } = input;
  mustGet(scope, 'igw', id);
  mustGet(scope, 'vpc', vpcId);
  const other = scope.env.state
    .list(scope.region, 'igw')
    .find((g) => g.vpcId === vpcId && g.internetGatewayId !== id);
  if (other) {
    throw new AwsError(
      'Resource.AlreadyAssociated',
      `Network ${vpcId} already has an internet gateway attached`,
    );
  }
  await scope.env.state.update(scope.region, { kind: 'igw', id }, (g) => {
    if (g.vpcId !== undefined) {
      throw new AwsError(
        'Resource.AlreadyAssociated',
        `resource ${id} is already attached to network ${g.vpcId}`,
      );
    }
    return { ...g, vpcId };
  });
}

function describeIgw(scope: Scope, g: InternetGatewayRecord): Record<string, unknown> {
  return {
    internetGatewayId: g.internetGatewayId,
    ownerId: scope.env.accountId,
    attachmentSet: g.vpcId === undefined ? [] : [{ vpcId: g.vpcId, state: 'available' }],
    ...tagSet(g.tags),
  };
}

const IGW_FILTERS = ['internet-gateway-id', 'attachment.vpc-id', 'attachment.state', 'owner-id'];

const describeInternetGateways: Ec2Handler = (scope, params) => {
  const chosen = selectDescribed(scope.env.state.list(scope.region, 'igw'), params, {
    idParam: 'InternetGatewayId',
    idOf: (g) => g.internetGatewayId,
    kind: 'igw',
    filters: IGW_FILTERS,
    attributes: (g) => ({
      'internet-gateway-id': [g.internetGatewayId],
      'attachment.vpc-id': g.vpcId === undefined ? [] : [g.vpcId],
      'attachment.state': g.vpcId === undefined ? [] : ['available'],
      'owner-id': [scope.env.accountId],
    }),
  });
  const page = paginate(chosen, (g) => g.internetGatewayId, { params });
  return Promise.resolve({
    internetGatewaySet: page.items.map((g) => describeIgw(scope, g)),
    nextToken: page.nextToken,
  });
};

const detachInternetGateway: Ec2Handler = async (scope, params) => {
  const id = required(params, 'InternetGatewayId');
  const vpcId = required(params, 'VpcId');
  mustGet(scope, 'igw', id);
  await scope.env.state.update(scope.region, { kind: 'igw', id }, (g) => {
    if (g.vpcId !== vpcId) {
      throw new AwsError(
        'Gateway.NotAttached',
        `resource ${id} is not attached to network ${vpcId}`,
      );
    }
    return { internetGatewayId: g.internetGatewayId, tags: g.tags };
  });
  return { return: true };
};

const deleteInternetGateway: Ec2Handler = async (scope, params) => {
  const id = required(params, 'InternetGatewayId');
  const igw = mustGet(scope, 'igw', id);
  if (igw.vpcId !== undefined) throw dependencyViolation('internetGateway', id);
  await scope.env.state.remove(scope.region, 'igw', id);
  return { return: true };
};

// Elastic IP addresses.

export async function allocateElasticIp(
  scope: Scope,
  tags: readonly Tag[] = [],
): Promise<AddressRecord> {
  const { ids } = scope.env;
  // 3.34.0.0/15 and 3.36.0.0/14 are EC2's ap-northeast-2 public pools; any public-looking
  // address will do since nothing routes to it.
  const publicIp = `3.${34 + ids.int(4)}.${ids.int(256)}.${1 + ids.int(254)}`;
  const address: AddressRecord = { allocationId: newId(ids, 'eipalloc'), publicIp, tags };
  await scope.env.state.create(
    scope.region,
    { kind: 'eipalloc', id: address.allocationId },
    address,
  );
  return address;
}

function describeAddress(scope: Scope, a: AddressRecord): Record<string, unknown> {
  const nat = a.natGatewayId && scope.env.state.get(scope.region, 'nat', a.natGatewayId);
  return {
    publicIp: a.publicIp,
    allocationId: a.allocationId,
    domain: 'vpc',
    publicIpv4Pool: 'amazon',
    networkBorderGroup: scope.region,
    ...(nat
      ? {
          networkInterfaceId: nat.networkInterfaceId,
          privateIpAddress: nat.privateIp,
          networkInterfaceOwnerId: scope.env.accountId,
        }
      : {}),
    ...tagSet(a.tags),
  };
}

const ADDRESS_FILTERS = ['allocation-id', 'public-ip', 'domain', 'network-border-group'];

const describeAddresses: Ec2Handler = (scope, params) => {
  const chosen = selectDescribed(scope.env.state.list(scope.region, 'eipalloc'), params, {
    idParam: 'AllocationId',
    idOf: (a) => a.allocationId,
    kind: 'eipalloc',
    filters: ADDRESS_FILTERS,
    attributes: (a) => ({
      'allocation-id': [a.allocationId],
      'public-ip': [a.publicIp],
      domain: ['vpc'],
      'network-border-group': [scope.region],
    }),
  });
  return Promise.resolve({ addressesSet: chosen.map((a) => describeAddress(scope, a)) });
};

const releaseAddress: Ec2Handler = async (scope, params) => {
  const id = required(params, 'AllocationId');
  const address = mustGet(scope, 'eipalloc', id);
  if (address.natGatewayId !== undefined) {
    throw new AwsError('InvalidIPAddress.InUse', `Address ${address.publicIp} is in use.`);
  }
  await scope.env.state.remove(scope.region, 'eipalloc', id);
  return { return: true };
};

// NAT gateways.

/** A public NAT gateway in a subnet with an Elastic IP; it is `available` at once. */
export async function createNatGateway(
  scope: Scope,
  input: {
    readonly subnetId: string;
    readonly allocationId: string;
    readonly tags?: readonly Tag[];
  },
): Promise<NatGatewayRecord> {
  const subnet = mustGet(scope, 'subnet', input.subnetId);
  const address = mustGet(scope, 'eipalloc', input.allocationId);
  if (address.natGatewayId !== undefined) {
    throw new AwsError(
      'Resource.AlreadyAssociated',
      `Elastic IP address [${input.allocationId}] is already associated`,
    );
  }
  const { ids, clock } = scope.env;
  const natGatewayId = newId(ids, 'nat');
  const privateIp = await allocateIp(scope, subnet.subnetId);
  await scope.env.state.update(scope.region, { kind: 'eipalloc', id: input.allocationId }, (a) => {
    if (a.natGatewayId !== undefined) {
      throw new AwsError(
        'Resource.AlreadyAssociated',
        `Elastic IP address [${input.allocationId}] is already associated`,
      );
    }
    return { ...a, natGatewayId };
  });
  const nat: NatGatewayRecord = {
    natGatewayId,
    subnetId: subnet.subnetId,
    vpcId: subnet.vpcId,
    allocationId: address.allocationId,
    publicIp: address.publicIp,
    privateIp,
    networkInterfaceId: newId(ids, 'eni'),
    createTime: rfc3339(clock.now()).replace('Z', '.000Z'),
    state: 'available',
    tags: input.tags ?? [],
  };
  await scope.env.state.create(scope.region, { kind: 'nat', id: natGatewayId }, nat);
  return nat;
}

function describeNat(n: NatGatewayRecord): Record<string, unknown> {
  return {
    natGatewayId: n.natGatewayId,
    subnetId: n.subnetId,
    vpcId: n.vpcId,
    state: n.state,
    connectivityType: 'public',
    createTime: n.createTime,
    natGatewayAddressSet: [
      {
        allocationId: n.allocationId,
        networkInterfaceId: n.networkInterfaceId,
        privateIp: n.privateIp,
        publicIp: n.publicIp,
        isPrimary: true,
        status: 'succeeded',
      },
    ],
    ...tagSet(n.tags),
  };
}

const NAT_FILTERS = ['nat-gateway-id', 'state', 'subnet-id', 'vpc-id'];

const describeNatGateways: Ec2Handler = (scope, params) => {
  const chosen = selectDescribed(scope.env.state.list(scope.region, 'nat'), params, {
    idParam: 'NatGatewayId',
    idOf: (n) => n.natGatewayId,
    kind: 'nat',
    filters: NAT_FILTERS,
    attributes: (n) => ({
      'nat-gateway-id': [n.natGatewayId],
      state: [n.state],
      'subnet-id': [n.subnetId],
      'vpc-id': [n.vpcId],
    }),
  });
  const page = paginate(chosen, (n) => n.natGatewayId, { params });
  return Promise.resolve({ natGatewaySet: page.items.map(describeNat), nextToken: page.nextToken });
};

/** Deleting frees the gateway's private address and Elastic IP; the record stays `deleted`. */
const deleteNatGateway: Ec2Handler = async (scope, params) => {
  const id = required(params, 'NatGatewayId');
  const nat = mustGet(scope, 'nat', id);
  if (nat.state === 'available') {
    await scope.env.state.update(scope.region, { kind: 'nat', id }, (n) => ({
      ...n,
      state: 'deleted',
    }));
    await releaseIp(scope, { subnetId: nat.subnetId, ip: nat.privateIp });
    await scope.env.state.update(scope.region, { kind: 'eipalloc', id: nat.allocationId }, (a) => ({
      allocationId: a.allocationId,
      publicIp: a.publicIp,
      tags: a.tags,
    }));
  }
  return { natGatewayId: id };
};

export const GATEWAY_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateInternetGateway: async (scope, params) => {
    const igw = await createInternetGateway(scope, tagSpecifications(params, 'internet-gateway'));
    return { internetGateway: describeIgw(scope, igw) };
  },
  AttachInternetGateway: async (scope, params) => {
    await attachInternetGateway(scope, {
      internetGatewayId: required(params, 'InternetGatewayId'),
      vpcId: required(params, 'VpcId'),
    });
    return { return: true };
  },
  DetachInternetGateway: detachInternetGateway,
  DeleteInternetGateway: deleteInternetGateway,
  DescribeInternetGateways: describeInternetGateways,
  AllocateAddress: async (scope, params) => {
    const domain = optional(params, 'Domain') ?? 'vpc';
    if (domain !== 'vpc') {
      throw new AwsError(
        'InvalidParameterValue',
        `Value (${domain}) for parameter domain is invalid.`,
      );
    }
    const a = await allocateElasticIp(scope, tagSpecifications(params, 'elastic-ip'));
    return {
      publicIp: a.publicIp,
      allocationId: a.allocationId,
      domain: 'vpc',
      publicIpv4Pool: 'amazon',
      networkBorderGroup: scope.region,
    };
  },
  DescribeAddresses: describeAddresses,
  ReleaseAddress: releaseAddress,
  CreateNatGateway: async (scope, params) => {
    const clientToken = optional(params, 'ClientToken');
    const nat = await createNatGateway(scope, {
      subnetId: required(params, 'SubnetId'),
      allocationId: required(params, 'AllocationId'),
      tags: tagSpecifications(params, 'natgateway'),
    });
    return { clientToken, natGateway: describeNat(nat) };
  },
  DescribeNatGateways: describeNatGateways,
  DeleteNatGateway: deleteNatGateway,
};

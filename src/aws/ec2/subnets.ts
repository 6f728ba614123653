import { StoreAlreadyExistsError } from '../../store/index.ts';
import { AwsError } from '../types.ts';
import {
  cidrContains,
  cidrHas,
  cidrOverlaps,
  cidrSize,
  formatCidr,
  formatIp,
  parseCidr,
  parseIp,
  type Cidr,
} from './cidr.ts';
import { mustGet, newId, selectByIds, tagSet, type Ec2Handler, type Scope } from './context.ts';
import { dependencyViolation, invalidCidr, invalidParameterValue } from './errors.ts';
import type { IpRecord, SubnetRecord } from './model.ts';
import { bool, memberList, optional, required, tagSpecifications, type Tag } from './params.ts';
import { checkFilterNames, matchesFilters, paginate, parseFilters } from './query.ts';
import { zonesOf } from './zones.ts';

/** EC2 reserves the first four addresses and the last one of every subnet. */
const RESERVED = 5;

export interface SubnetInput {
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly availabilityZone?: string;
  readonly mapPublicIpOnLaunch?: boolean;
  readonly tags?: readonly Tag[];
}

function checkZone(scope: Scope, zone: string | undefined) {
  const zones = zonesOf(scope.region);
  if (zone === undefined) return zones[0] ?? { zoneName: `${scope.region}a`, zoneId: '' };
  const found = zones.find((z) => z.zoneName === zone || z.zoneId === zone);
  if (!found) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value (${zone}) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ${zones.map((z) => z.zoneName).join(', ')}.`,
    );
  }
  return found;
}

function checkBlock(scope: Scope, input: SubnetInput): Cidr {
  const vpc = mustGet(scope, 'vpc', input.vpcId);
  const cidr = parseCidr(input.cidrBlock);
  if (!cidr) throw invalidCidr(input.cidrBlock);
  const block = formatCidr(cidr);
  const vpcCidr = parseCidr(vpc.cidrBlock);
  if (cidr.prefix < 16 || cidr.prefix > 28 || !vpcCidr || !cidrContains(vpcCidr, cidr)) {
    throw new AwsError('InvalidSubnet.Range', `The CIDR '${block}' is invalid.`);
  }
  const clash = scope.env.state.list(scope.region, 'subnet').some((s) => {
    const other = parseCidr(s.cidrBlock);
    return s.vpcId === vpc.vpcId && other !== undefined && cidrOverlaps(other, cidr);
  });
  if (clash) {
    throw new AwsError(
      'InvalidSubnet.Conflict',
      `The CIDR '${block}' conflicts with another subnet`,
    );
  }
  return cidr;
}

export async function createSubnet(scope: Scope, input: SubnetInput): Promise<SubnetRecord> {
  const zone = checkZone(scope, input.availabilityZone);
  const cidr = checkBlock(scope, input);
  const subnet: SubnetRecord = {
    subnetId: newId(scope.env.ids, 'subnet'),
    vpcId: input.vpcId,
    cidrBlock: formatCidr(cidr),
    availabilityZone: zone.zoneName,
    availabilityZoneId: zone.zoneId,
    mapPublicIpOnLaunch: input.mapPublicIpOnLaunch ?? false,
    tags: input.tags ?? [],
  };
  await scope.env.state.create(scope.region, { kind: 'subnet', id: subnet.subnetId }, subnet);
  return subnet;
}

/** How many addresses a record holds: one, or its prefix's block. */
function heldCount(r: IpRecord): number {
  return r.prefixLength === undefined ? 1 : 2 ** (32 - r.prefixLength);
}

/** Addresses still free: the block's size less EC2's five and those handed out. */
export function availableIpAddressCount(scope: Scope, subnet: SubnetRecord): number {
  const cidr = parseCidr(subnet.cidrBlock);
  const held = scope.env.state.list(scope.region, 'ip', `${subnet.subnetId}/`);
  const used = held.reduce((n, r) => n + heldCount(r), 0);
  return cidr ? Math.max(0, cidrSize(cidr) - RESERVED - used) : 0;
}

export function describeSubnet(scope: Scope, s: SubnetRecord): Record<string, unknown> {
  const { accountId } = scope.env;
  return {
    subnetId: s.subnetId,
    subnetArn: `arn:aws:ec2:${scope.region}:${accountId}:subnet/${s.subnetId}`,
    state: 'available',
    vpcId: s.vpcId,
    ownerId: accountId,
    cidrBlock: s.cidrBlock,
    availableIpAddressCount: availableIpAddressCount(scope, s),
    availabilityZone: s.availabilityZone,
    availabilityZoneId: s.availabilityZoneId,
    defaultForAz: false,
    mapPublicIpOnLaunch: s.mapPublicIpOnLaunch,
    assignIpv6AddressOnCreation: false,
    ipv6CidrBlockAssociationSet: [],
    ...tagSet(s.tags),
  };
}

const SUBNET_FILTERS = [
  'vpc-id',
  'subnet-id',
  'availability-zone',
  'availability-zone-id',
  'cidr-block',
  'cidr',
  'cidrBlock',
  'map-public-ip-on-launch',
  'default-for-az',
  'state',
  'owner-id',
];

function subnetAttributes(scope: Scope, s: SubnetRecord) {
  return (name: string): readonly string[] | undefined => {
    if (name === 'cidr-block' || name === 'cidr' || name === 'cidrBlock') return [s.cidrBlock];
    return {
      'vpc-id': [s.vpcId],
      'subnet-id': [s.subnetId],
      'availability-zone': [s.availabilityZone],
      'availability-zone-id': [s.availabilityZoneId],
      'map-public-ip-on-launch': [String(s.mapPublicIpOnLaunch)],
      'default-for-az': ['false'],
      state: ['available'],
      'owner-id': [scope.env.accountId],
    }[name];
  };
}

/**
 * Hands out the lowest free private address of a subnet. The address is a store record of
 * its own, created exclusively, so two concurrent allocations never get the same address.
 * Throws `InsufficientFreeAddressesInSubnet` when the subnet is full.
 */
export async function allocateIp(scope: Scope, subnetId: string): Promise<string> {
  const subnet = mustGet(scope, 'subnet', subnetId);
  const cidr = parseCidr(subnet.cidrBlock);
  const { state } = scope.env;
  for (;;) {
    const ip = cidr && firstFree(cidr, heldIn(scope, subnetId));
    if (ip === undefined) {
      throw new AwsError(
        'InsufficientFreeAddressesInSubnet',
        `There are not enough free addresses in subnet '${subnetId}' to satisfy the requested number of instances.`,
      );
    }
    try {
      await state.create(scope.region, { kind: 'ip', id: `${subnetId}/${ip}` }, { subnetId, ip });
      return ip;
    } catch (e: unknown) {
      if (!(e instanceof StoreAlreadyExistsError)) throw e;
    }
  }
}

/**
 * Hands out the lowest free aligned block of `2^(32-prefix)` addresses of a subnet
 * (`a.b.c.d/prefix`), as EC2 assigns an IPv4 prefix to an instance's interface for its pods
 * (prefix delegation). Clear of EC2's five reserved addresses; created exclusively like single
 * addresses. Throws `InsufficientCidrBlocks` when no block is free.
 */
export async function allocateBlock(
  scope: Scope,
  input: { readonly subnetId: string; readonly prefix: number },
): Promise<string> {
  const subnet = mustGet(scope, 'subnet', input.subnetId);
  const cidr = parseCidr(subnet.cidrBlock);
  for (;;) {
    const block = cidr && firstFreeBlock(cidr, heldIn(scope, input.subnetId), input.prefix);
    if (block === undefined) {
      throw new AwsError(
        'InsufficientCidrBlocks',
        `There are not enough free cidr blocks in the specified subnet to satisfy the request.`,
      );
    }
    const record: IpRecord = {
      subnetId: input.subnetId,
      ip: formatIp(block.base),
      prefixLength: block.prefix,
    };
    try {
      const id = ipRecordId(input.subnetId, block);
      await scope.env.state.create(scope.region, { kind: 'ip', id }, record);
      return formatCidr(block);
    } catch (e: unknown) {
      if (!(e instanceof StoreAlreadyExistsError)) throw e;
    }
  }
}

function firstFreeBlock(cidr: Cidr, held: Held, prefix: number): Cidr | undefined {
  const size = 2 ** (32 - prefix);
  const end = cidr.base + cidrSize(cidr);
  for (let base = cidr.base; base + size <= end; base += size) {
    const block = { base, prefix };
    // EC2 keeps the subnet's first four addresses and its last.
    const reserved = base < cidr.base + 4 || base + size > end - 1;
    if (reserved || held.blocks.some((b) => cidrOverlaps(b, block))) continue;
    if ([...held.ips].some((n) => n >= base && n < base + size)) continue;
    return block;
  }
  return undefined;
}

/** What a subnet has handed out: single addresses, and blocks. */
interface Held {
  readonly ips: ReadonlySet<number>;
  readonly blocks: readonly Cidr[];
}

function heldIn(scope: Scope, subnetId: string): Held {
  const ips = new Set<number>();
  const blocks: Cidr[] = [];
  for (const r of scope.env.state.list(scope.region, 'ip', `${subnetId}/`)) {
    const n = parseIp(r.ip);
    if (n === undefined) continue;
    if (r.prefixLength === undefined) ips.add(n);
    else blocks.push({ base: n, prefix: r.prefixLength });
  }
  return { ips, blocks };
}

function isHeld(held: Held, n: number): boolean {
  return held.ips.has(n) || held.blocks.some((b) => cidrHas(b, n));
}

function firstFree(cidr: Cidr, held: Held): string | undefined {
  const last = cidr.base + cidrSize(cidr) - 1;
  for (let n = cidr.base + 4; n < last; n++) {
    if (!isHeld(held, n)) return formatIp(n);
  }
  return undefined;
}

/** The store id of an address or block: `<subnet>/<ip>`, or `<subnet>/<base>/<prefix>`. */
function ipRecordId(subnetId: string, block: Cidr): string {
  const ip = formatIp(block.base);
  return block.prefix === 32 ? `${subnetId}/${ip}` : `${subnetId}/${ip}/${String(block.prefix)}`;
}

/** `a.b.c.d` (one address) or `a.b.c.d/n` (a block) inside the subnet, else an AwsError. */
function blockIn(subnet: SubnetRecord, text: string): Cidr {
  const full = text.includes('/') ? text : `${text}/32`;
  const cidr = parseCidr(subnet.cidrBlock);
  const block = parseCidr(full);
  // Host bits set (`10.0.1.33/27`) are refused, not masked: the caller meant another block.
  if (!cidr || !block || !cidrContains(cidr, block) || formatCidr(block) !== full) {
    throw invalidParameterValue(text, 'ip');
  }
  return block;
}

/**
 * Claims exactly this address (`a.b.c.d`) or block (`a.b.c.d/n`) of a subnet, as assigning a
 * chosen private address or IPv4 prefix to an interface does. Claiming what the same claim
 * already holds is a no-op; anything else in use throws `InvalidIPAddress.InUse`, as do EC2's
 * five reserved addresses.
 */
export async function reserveIp(
  scope: Scope,
  input: { readonly subnetId: string; readonly ip: string },
): Promise<void> {
  const subnet = mustGet(scope, 'subnet', input.subnetId);
  const block = blockIn(subnet, input.ip);
  const id = ipRecordId(input.subnetId, block);
  if (scope.env.state.get(scope.region, 'ip', id)) return;
  const cidr = parseCidr(subnet.cidrBlock);
  const held = heldIn(scope, input.subnetId);
  const first = block.base;
  const last = block.base + cidrSize(block) - 1;
  const clash =
    (cidr !== undefined && (first < cidr.base + 4 || last >= cidr.base + cidrSize(cidr) - 1)) ||
    held.blocks.some((b) => cidrOverlaps(b, block)) ||
    [...held.ips].some((n) => n >= first && n <= last);
  if (clash) {
    throw new AwsError(
      'InvalidIPAddress.InUse',
      `Address ${input.ip} is in use or reserved in subnet '${input.subnetId}'.`,
    );
  }
  const record: IpRecord = {
    subnetId: input.subnetId,
    ip: formatIp(block.base),
    ...(block.prefix === 32 ? {} : { prefixLength: block.prefix }),
  };
  try {
    await scope.env.state.create(scope.region, { kind: 'ip', id }, record);
  } catch (e: unknown) {
    // The same claim made concurrently: it holds, which is what was asked.
    if (!(e instanceof StoreAlreadyExistsError)) throw e;
  }
}

/**
 * Returns an address (`a.b.c.d`) or a reserved block (`a.b.c.d/n`) to its subnet; releasing
 * a free one is a no-op.
 */
export async function releaseIp(scope: Scope, input: { subnetId: string; ip: string }) {
  const subnet = mustGet(scope, 'subnet', input.subnetId);
  const id = ipRecordId(input.subnetId, blockIn(subnet, input.ip));
  if (scope.env.state.get(scope.region, 'ip', id))
    await scope.env.state.remove(scope.region, 'ip', id);
}

const describeSubnets: Ec2Handler = (scope, params) => {
  const filters = parseFilters(params);
  checkFilterNames(filters, SUBNET_FILTERS);
  const chosen = selectByIds(scope.env.state.list(scope.region, 'subnet'), {
    ids: memberList(params, 'SubnetId'),
    idOf: (s) => s.subnetId,
    kind: 'subnet',
  }).filter((s) => matchesFilters(filters, subnetAttributes(scope, s), s.tags));
  const page = paginate(chosen, (s) => s.subnetId, { params });
  return Promise.resolve({
    subnetSet: page.items.map((s) => describeSubnet(scope, s)),
    nextToken: page.nextToken,
  });
};

const deleteSubnet: Ec2Handler = async (scope, params) => {
  const subnetId = required(params, 'SubnetId');
  mustGet(scope, 'subnet', subnetId);
  const { state } = scope.env;
  const inUse =
    state.count(scope.region, 'ip', `${subnetId}/`) > 0 ||
    state.list(scope.region, 'nat').some((n) => n.subnetId === subnetId && n.state !== 'deleted');
  if (inUse) throw dependencyViolation('subnet', subnetId);
  for (const t of state.list(scope.region, 'rtb')) {
    if (!t.associations.some((a) => a.subnetId === subnetId)) continue;
    await state.update(scope.region, { kind: 'rtb', id: t.routeTableId }, (cur) => ({
      ...cur,
      associations: cur.associations.filter((a) => a.subnetId !== subnetId),
    }));
  }
  await state.remove(scope.region, 'subnet', subnetId);
  return { return: true };
};

const modifySubnetAttribute: Ec2Handler = async (scope, params) => {
  const subnetId = required(params, 'SubnetId');
  mustGet(scope, 'subnet', subnetId);
  const map = bool(params, 'MapPublicIpOnLaunch.Value');
  if (map === undefined) {
    throw new AwsError(
      'MissingParameter',
      'The request must contain exactly one attribute to modify',
    );
  }
  await scope.env.state.update(scope.region, { kind: 'subnet', id: subnetId }, (s) => ({
    ...s,
    mapPublicIpOnLaunch: map,
  }));
  return { return: true };
};

export const SUBNET_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  CreateSubnet: async (scope, params) => {
    const zone = optional(params, 'AvailabilityZone') ?? optional(params, 'AvailabilityZoneId');
    const subnet = await createSubnet(scope, {
      vpcId: required(params, 'VpcId'),
      cidrBlock: required(params, 'CidrBlock'),
      tags: tagSpecifications(params, 'subnet'),
      ...(zone === undefined ? {} : { availabilityZone: zone }),
    });
    return { subnet: describeSubnet(scope, subnet) };
  },
  DescribeSubnets: describeSubnets,
  DeleteSubnet: deleteSubnet,
  ModifySubnetAttribute: modifySubnetAttribute,
};

import type { Store } from '../../store/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import type { AwsCall, AwsResult, AwsService } from '../types.ts';
import type { Ec2Env, Ec2Handler, InstanceSource, Scope } from './context.ts';
import { createEksctlVpc, type EksctlVpc, type EksctlVpcOptions } from './eksctl-vpc.ts';
import { invalidAction } from './errors.ts';
import { GATEWAY_ACTIONS } from './gateways.ts';
import { INSTANCE_ACTIONS } from './instances.ts';
import { REGION_ACTIONS } from './regions.ts';
import { effectiveRouteTable, ROUTE_TABLE_ACTIONS } from './route-tables.ts';
import { SECURITY_GROUP_ACTIONS } from './security-groups.ts';
import { Ec2State } from './state.ts';
import {
  allocateIp,
  availableIpAddressCount,
  allocateBlock,
  releaseIp,
  reserveIp,
  SUBNET_ACTIONS,
} from './subnets.ts';
import { TAG_ACTIONS } from './tags.ts';
import { VPC_ACTIONS } from './vpcs.ts';

export interface Ec2ServiceOptions {
  /** Shared with the other services; EC2 keeps its records under `/ec2/<region>/`. */
  readonly store: Store;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly accountId: string;
  /** Kiln's node groups, for DescribeInstances; without one, no instances exist. */
  readonly instances?: InstanceSource;
}

/** A subnet as Kiln's other components need it (EKS validation, Fargate IPs). */
export interface SubnetInfo {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly cidrBlock: string;
  readonly availabilityZone: string;
  readonly availabilityZoneId: string;
  readonly availableIpAddressCount: number;
}

const ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  ...VPC_ACTIONS,
  ...SUBNET_ACTIONS,
  ...ROUTE_TABLE_ACTIONS,
  ...GATEWAY_ACTIONS,
  ...SECURITY_GROUP_ACTIONS,
  ...TAG_ACTIONS,
  ...REGION_ACTIONS,
  ...INSTANCE_ACTIONS,
};

/**
 * EC2 (API version 2016-11-15) behind Kiln's AWS endpoint: VPCs, subnets, route tables,
 * internet and NAT gateways, Elastic IPs, security groups and rules, tags, zones, regions,
 * and node-group instances. State is regional (`call.region`) and lives in the store.
 *
 * Response bodies (`AwsResult.body`) are the content of `<{Action}Response>` as plain
 * objects, keyed by EC2's XML element names (`vpcSet`, `subnet`, `ipPermissions`,
 * `securityGroupRuleSet`, `return`). The endpoint's XML writer must:
 * - write every array as its element with one `<item>` child per entry
 *   (`{subnetSet: [{…}]}` → `<subnetSet><item>…</item></subnetSet>`; `[]` → `<subnetSet/>`);
 * - write nested objects as nested elements, booleans as `true`/`false`, numbers in decimal;
 * - find no `undefined` or `null` (this class removes them before returning).
 */
export class Ec2Service implements AwsService {
  readonly signingName = 'ec2';
  readonly protocol = 'ec2' as const;
  readonly #env: Ec2Env;

  constructor(opts: Ec2ServiceOptions) {
    this.#env = {
      state: new Ec2State(opts.store),
      clock: opts.clock,
      ids: opts.ids,
      accountId: opts.accountId,
      ...(opts.instances ? { instances: opts.instances } : {}),
    };
  }

  async handle(call: AwsCall): Promise<AwsResult> {
    const handler = Object.hasOwn(ACTIONS, call.action) ? ACTIONS[call.action] : undefined;
    if (!handler) throw invalidAction(call.action);
    const body = await handler(this.#scope(call.region), call.params);
    return { body: prune(body) };
  }

  /**
   * Hands out the lowest free private address of a subnet (for a Fargate pod or node); the
   * subnet's `availableIpAddressCount` drops by one. Throws AwsError
   * `InvalidSubnetID.NotFound` or `InsufficientFreeAddressesInSubnet`.
   */
  allocateAddress(region: string, subnetId: string): Promise<string> {
    return allocateIp(this.#scope(region), subnetId);
  }

  /**
   * Claims a chosen address (`a.b.c.d`) or block (`a.b.c.d/n`, an instance's IPv4 prefix for
   * its pods) of a subnet, so `allocateAddress` never hands it out. Idempotent for the same
   * claim; throws AwsError `InvalidIPAddress.InUse` when any of it is taken or EC2-reserved,
   * `InvalidParameterValue` when it is not inside the subnet.
   */
  reserveAddress(region: string, address: { readonly subnetId: string; readonly ip: string }) {
    return reserveIp(this.#scope(region), address);
  }

  /**
   * Hands out a free aligned block (`a.b.c.d/prefix`) of a subnet, as EC2 assigns an IPv4
   * prefix to an instance's interface for its pods. Release it with `releaseAddress`.
   */
  allocatePrefix(region: string, subnetId: string, prefix: number): Promise<string> {
    return allocateBlock(this.#scope(region), { subnetId, prefix });
  }

  /** Returns an address from `allocateAddress` or `reserveAddress`; idempotent. */
  releaseAddress(region: string, address: { readonly subnetId: string; readonly ip: string }) {
    return releaseIp(this.#scope(region), address);
  }

  /**
   * Whether the subnet is public as EKS judges it for Fargate profiles: its effective route
   * table (its explicit association, else its VPC's main table) routes to an internet
   * gateway. Throws `InvalidSubnetID.NotFound` for an unknown subnet.
   */
  isPublicSubnet(region: string, subnetId: string): boolean {
    const scope = this.#scope(region);
    const subnet = scope.env.state.get(region, 'subnet', subnetId);
    if (!subnet) return false;
    const table = effectiveRouteTable(scope, subnet);
    return table?.routes.some((r) => r.gatewayId?.startsWith('igw-') === true) ?? false;
  }

  /** The subnet, or undefined when it does not exist in the region. */
  subnet(region: string, subnetId: string): SubnetInfo | undefined {
    const scope = this.#scope(region);
    const s = scope.env.state.get(region, 'subnet', subnetId);
    if (!s) return undefined;
    return {
      subnetId: s.subnetId,
      vpcId: s.vpcId,
      cidrBlock: s.cidrBlock,
      availabilityZone: s.availabilityZone,
      availabilityZoneId: s.availabilityZoneId,
      availableIpAddressCount: availableIpAddressCount(scope, s),
    };
  }

  /** Whether a security group exists in the region, and its VPC. */
  securityGroupVpc(region: string, groupId: string): string | undefined {
    return this.#env.state.get(region, 'sg', groupId)?.vpcId;
  }

  /** Builds the network `eksctl create cluster` builds; see `EksctlVpc`. */
  createEksctlVpc(opts: EksctlVpcOptions): Promise<EksctlVpc> {
    return createEksctlVpc(this.#scope(opts.region), opts);
  }

  #scope(region: string): Scope {
    return { env: this.#env, region };
  }
}

/** Drops `undefined`/`null` members so the XML writer never sees them. */
function prune(value: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    const p = pruneValue(v);
    if (p !== undefined) out[k] = p;
  }
  return out;
}

function pruneValue(v: unknown): unknown {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(pruneValue).filter((x) => x !== undefined);
  if (typeof v === 'object') {
    // SAFETY: a non-array, non-null object from a handler is a plain record.
    return prune(v as Record<string, unknown>);
  }
  return v;
}

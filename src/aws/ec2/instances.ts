import { AwsError } from '../types.ts';
import type { Ec2Handler, Ec2Instance, Scope } from './context.ts';
import { notFound } from './errors.ts';
import { memberList } from './params.ts';
import { checkFilterNames, matchesFilters, paginate, parseFilters } from './query.ts';

/** EC2's instance state codes. */
const STATE_CODES: Readonly<Record<Ec2Instance['state'], number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

const INSTANCE_FILTERS = [
  'instance-id',
  'instance-type',
  'instance-state-name',
  'private-ip-address',
  'private-dns-name',
  'subnet-id',
  'vpc-id',
  'availability-zone',
];

function attributes(i: Ec2Instance) {
  return (name: string): readonly string[] | undefined =>
    ({
      'instance-id': [i.instanceId],
      'instance-type': [i.instanceType],
      'instance-state-name': [i.state],
      'private-ip-address': [i.privateIpAddress],
      'private-dns-name': [i.privateDnsName],
      'subnet-id': [i.subnetId],
      'vpc-id': [i.vpcId],
      'availability-zone': [i.availabilityZone],
    })[name];
}

function describeInstance(i: Ec2Instance): Record<string, unknown> {
  return {
    instanceId: i.instanceId,
    imageId: i.imageId ?? 'ami-0000000000000000',
    instanceState: { code: STATE_CODES[i.state], name: i.state },
    privateDnsName: i.privateDnsName,
    dnsName: '',
    instanceType: i.instanceType,
    launchTime: new Date(i.launchTime).toISOString(),
    placement: { availabilityZone: i.availabilityZone, groupName: '', tenancy: 'default' },
    subnetId: i.subnetId,
    vpcId: i.vpcId,
    privateIpAddress: i.privateIpAddress,
    architecture: 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: '/dev/xvda',
    hypervisor: 'xen',
    virtualizationType: 'hvm',
    groupSet: (i.securityGroupIds ?? []).map((groupId) => ({ groupId })),
    ...(i.tags.length === 0 ? {} : { tagSet: i.tags.map((t) => ({ key: t.key, value: t.value })) }),
  };
}

async function listInstances(scope: Scope): Promise<Ec2Instance[]> {
  const source = scope.env.instances;
  const all = source ? await source.listInstances(scope.region) : [];
  return [...all].sort((a, b) => (a.instanceId < b.instanceId ? -1 : 1));
}

/** One reservation per instance: Kiln launches node-group instances one at a time. */
const describeInstances: Ec2Handler = async (scope, params) => {
  const filters = parseFilters(params);
  checkFilterNames(filters, INSTANCE_FILTERS);
  const ids = memberList(params, 'InstanceId');
  if (ids.length > 0 && params.has('MaxResults')) {
    throw new AwsError(
      'InvalidParameterCombination',
      'The parameter instancesSet cannot be used with the parameter maxResults',
    );
  }
  const all = await listInstances(scope);
  const missing = ids.find((id) => !all.some((i) => i.instanceId === id));
  if (missing !== undefined) throw notFound('i', missing);
  const chosen = all
    .filter((i) => ids.length === 0 || ids.includes(i.instanceId))
    .filter((i) => matchesFilters(filters, attributes(i), i.tags));
  const page = paginate(chosen, (i) => i.instanceId, { params });
  return {
    reservationSet: page.items.map((i) => ({
      reservationId: `r-${i.instanceId.slice(2)}`,
      ownerId: scope.env.accountId,
      groupSet: [],
      instancesSet: [describeInstance(i)],
    })),
    nextToken: page.nextToken,
  };
};

export const INSTANCE_ACTIONS: Readonly<Record<string, Ec2Handler>> = {
  DescribeInstances: describeInstances,
};

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return --
   these tests walk EC2 response trees (`Body`) and assert on what they find. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ec2Instance } from './context.ts';
import { newService, rejectsWith, run, runIn, type Body } from './test-support.ts';
import { regionAbbreviation } from './zones.ts';

describe('tags', () => {
  it('creates, describes and deletes tags on any resource', async () => {
    const svc = newService();
    const vpcId = (await run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/16' })).vpc.vpcId as string;
    const sg = (
      await run(svc, 'CreateSecurityGroup', { GroupDescription: 'd', GroupName: 'g', VpcId: vpcId })
    ).groupId as string;
    assert.deepEqual(
      await run(svc, 'CreateTags', {
        'ResourceId.1': vpcId,
        'ResourceId.2': sg,
        'Tag.1.Key': 'a',
        'Tag.1.Value': 'b',
        'Tag.2.Key': 'c',
      }),
      { return: true },
    );
    const rows = async (p: Record<string, string> = {}) =>
      (await run(svc, 'DescribeTags', p)).tagSet.map(
        (t: Body) => `${t.resourceType}:${t.key}=${t.value}`,
      );
    assert.deepEqual((await rows()).sort(), [
      'security-group:a=b',
      'security-group:c=',
      'vpc:a=b',
      'vpc:c=',
    ]);
    assert.deepEqual(await rows({ 'Filter.1.Name': 'resource-id', 'Filter.1.Value.1': vpcId }), [
      'vpc:a=b',
      'vpc:c=',
    ]);
    const paged = await run(svc, 'DescribeTags', { MaxResults: '5' });
    assert.equal(paged.tagSet.length, 4);
    // Overwrite, then delete by key with a non-matching value (kept) and a matching one.
    await run(svc, 'CreateTags', { 'ResourceId.1': vpcId, 'Tag.1.Key': 'a', 'Tag.1.Value': 'z' });
    await run(svc, 'DeleteTags', { 'ResourceId.1': vpcId, 'Tag.1.Key': 'a', 'Tag.1.Value': 'b' });
    assert.deepEqual(await rows({ 'Filter.1.Name': 'resource-id', 'Filter.1.Value.1': vpcId }), [
      'vpc:a=z',
      'vpc:c=',
    ]);
    await run(svc, 'DeleteTags', { 'ResourceId.1': vpcId, 'Tag.1.Key': 'a' });
    await run(svc, 'DeleteTags', { 'ResourceId.1': sg });
    assert.deepEqual(await rows(), ['vpc:c=']);
    const vpc = (await run(svc, 'DescribeVpcs', { 'VpcId.1': vpcId })).vpcSet[0];
    assert.deepEqual(vpc.tagSet, [{ key: 'c', value: '' }]);
    await rejectsWith(
      run(svc, 'CreateTags', {
        'ResourceId.1': vpcId,
        'ResourceId.2': 'subnet-0',
        'Tag.1.Key': 'x',
      }),
      'InvalidSubnetID.NotFound',
    );
    assert.deepEqual(await rows({ 'Filter.1.Name': 'key', 'Filter.1.Value.1': 'x' }), []);
    await rejectsWith(
      run(svc, 'CreateTags', { 'ResourceId.1': 'bogus', 'Tag.1.Key': 'x' }),
      'InvalidID',
      "The ID 'bogus' is not valid",
    );
    await rejectsWith(
      run(svc, 'CreateTags', { 'ResourceId.1': vpcId, 'Tag.1.Key': 'aws:x' }),
      'InvalidParameterValue',
    );
  });
});

describe('zones and regions', () => {
  it("lists the region's zones with zone ids", async () => {
    const svc = newService();
    const zones = async (region: string) =>
      (await runIn(svc, region, { action: 'DescribeAvailabilityZones' }))
        .availabilityZoneInfo as Body[];
    const seoul = await zones('ap-northeast-2');
    assert.deepEqual(
      seoul.map((z) => `${z.zoneName}/${z.zoneId}`),
      [
        'ap-northeast-2a/apne2-az1',
        'ap-northeast-2b/apne2-az2',
        'ap-northeast-2c/apne2-az3',
        'ap-northeast-2d/apne2-az4',
      ],
    );
    assert.equal(seoul[0]?.zoneState, 'available');
    assert.equal(seoul[0]?.regionName, 'ap-northeast-2');
    assert.deepEqual(
      (await zones('us-east-1')).map((z) => z.zoneName),
      ['a', 'b', 'c', 'd', 'e', 'f'].map((l) => `us-east-1${l}`),
    );
    assert.deepEqual(
      (await zones('xx-middle-7')).map((z) => z.zoneId),
      ['xx-middle-7-az1', 'xx-middle-7-az2', 'xx-middle-7-az3'].map((z) =>
        z.replace('xx-middle-7', 'xxmiddle7'),
      ),
    );
    const one = await run(svc, 'DescribeAvailabilityZones', { 'ZoneName.1': 'ap-northeast-2c' });
    assert.equal(one.availabilityZoneInfo.length, 1);
    const byFilter = await run(svc, 'DescribeAvailabilityZones', {
      'Filter.1.Name': 'zone-id',
      'Filter.1.Value.1': 'apne2-az2',
    });
    assert.equal(byFilter.availabilityZoneInfo[0].zoneName, 'ap-northeast-2b');
    assert.equal(regionAbbreviation('eu-central-1'), 'euc1');
    assert.equal(regionAbbreviation('ap-southeast-2'), 'apse2');
  });

  it('lists regions', async () => {
    const svc = newService();
    const all = await run(svc, 'DescribeRegions');
    assert.ok(all.regionInfo.some((r: Body) => r.regionName === 'us-east-1'));
    const one = await run(svc, 'DescribeRegions', {
      'RegionName.1': 'ap-northeast-2',
      AllRegions: 'true',
    });
    assert.deepEqual(one.regionInfo, [
      {
        regionName: 'ap-northeast-2',
        regionEndpoint: 'ec2.ap-northeast-2.amazonaws.com',
        optInStatus: 'opt-in-not-required',
      },
    ]);
  });
});

describe('instances', () => {
  const node = (n: number, state: Ec2Instance['state'] = 'running'): Ec2Instance => ({
    instanceId: `i-0${n.toString(16).padStart(16, '0')}`,
    instanceType: 'm5.large',
    privateIpAddress: `192.168.96.${10 + n}`,
    privateDnsName: `ip-192-168-96-${10 + n}.ap-northeast-2.compute.internal`,
    subnetId: 'subnet-a',
    vpcId: 'vpc-a',
    availabilityZone: 'ap-northeast-2a',
    state,
    launchTime: Date.UTC(2026, 0, 1),
    tags: [{ key: 'eks:nodegroup-name', value: n < 3 ? 'ng-1' : 'ng-2' }],
  });

  it('describes the node-group instances Kiln registers, with filters and paging', async () => {
    const nodes = [0, 1, 2, 3, 4, 5].map((n) => node(n, n === 5 ? 'terminated' : 'running'));
    const regions: string[] = [];
    const svc = newService({
      listInstances: (region) => {
        regions.push(region);
        return Promise.resolve(region === 'ap-northeast-2' ? nodes : []);
      },
    });
    const all = await run(svc, 'DescribeInstances');
    assert.equal(all.reservationSet.length, 6);
    const first = all.reservationSet[0];
    assert.equal(first.ownerId, '123456789012');
    const inst = first.instancesSet[0];
    assert.equal(inst.instanceId, nodes[0]?.instanceId);
    assert.deepEqual(inst.instanceState, { code: 16, name: 'running' });
    assert.equal(inst.launchTime, '2026-01-01T00:00:00.000Z');
    assert.deepEqual(inst.placement, {
      availabilityZone: 'ap-northeast-2a',
      groupName: '',
      tenancy: 'default',
    });
    assert.equal(inst.privateIpAddress, '192.168.96.10');
    const ids = async (p: Record<string, string>) =>
      (await run(svc, 'DescribeInstances', p)).reservationSet.map(
        (r: Body) => r.instancesSet[0].instanceId as string,
      );
    assert.equal(
      (await ids({ 'Filter.1.Name': 'instance-state-name', 'Filter.1.Value.1': 'running' })).length,
      5,
    );
    assert.equal(
      (await ids({ 'Filter.1.Name': 'tag:eks:nodegroup-name', 'Filter.1.Value.1': 'ng-1' })).length,
      3,
    );
    assert.deepEqual(await ids({ 'InstanceId.1': nodes[2]?.instanceId ?? '' }), [
      nodes[2]?.instanceId,
    ]);
    await rejectsWith(
      run(svc, 'DescribeInstances', { 'InstanceId.1': 'i-0000' }),
      'InvalidInstanceID.NotFound',
      "The instance ID 'i-0000' does not exist",
    );
    await rejectsWith(
      run(svc, 'DescribeInstances', { 'InstanceId.1': 'i-0000', MaxResults: '5' }),
      'InvalidParameterCombination',
    );
    const page = await run(svc, 'DescribeInstances', { MaxResults: '5' });
    assert.equal(page.reservationSet.length, 5);
    const rest = await run(svc, 'DescribeInstances', {
      MaxResults: '5',
      NextToken: page.nextToken,
    });
    assert.equal(rest.reservationSet.length, 1);
    assert.deepEqual(
      (await runIn(svc, 'us-east-1', { action: 'DescribeInstances' })).reservationSet,
      [],
    );
    assert.ok(regions.includes('us-east-1'));
  });

  it('has no instances without a source', async () => {
    assert.deepEqual((await run(newService(), 'DescribeInstances')).reservationSet, []);
  });
});

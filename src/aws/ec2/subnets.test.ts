/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   these tests walk EC2 response trees (`Body`) and assert on what they find. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newService, rejectsWith, run, runIn, type Body } from './test-support.ts';
import type { Ec2Service } from './ec2-service.ts';

async function vpc(svc: Ec2Service, cidr = '10.0.0.0/16'): Promise<string> {
  return (await run(svc, 'CreateVpc', { CidrBlock: cidr })).vpc.vpcId as string;
}

async function subnet(svc: Ec2Service, p: Record<string, string>): Promise<Body> {
  return (await run(svc, 'CreateSubnet', p)).subnet;
}

describe('subnets', () => {
  it('creates a subnet in a zone of the region, with AWS reserving five addresses', async () => {
    const svc = newService();
    const vpcId = await vpc(svc);
    const s = await subnet(svc, {
      AvailabilityZone: 'ap-northeast-2a',
      CidrBlock: '10.0.1.0/24',
      VpcId: vpcId,
    });
    assert.match(s.subnetId, /^subnet-[0-9a-f]{17}$/);
    assert.equal(s.availabilityZone, 'ap-northeast-2a');
    assert.equal(s.availabilityZoneId, 'apne2-az1');
    assert.equal(s.availableIpAddressCount, 251);
    assert.equal(s.mapPublicIpOnLaunch, false);
    assert.equal(s.subnetArn, `arn:aws:ec2:ap-northeast-2:123456789012:subnet/${s.subnetId}`);
  });

  it('rejects blocks outside the VPC, overlapping blocks and foreign zones', async () => {
    const svc = newService();
    const vpcId = await vpc(svc);
    await subnet(svc, { VpcId: vpcId, CidrBlock: '10.0.0.0/20' });
    await rejectsWith(
      subnet(svc, { VpcId: vpcId, CidrBlock: '10.0.1.0/24' }),
      'InvalidSubnet.Conflict',
      "The CIDR '10.0.1.0/24' conflicts with another subnet",
    );
    await rejectsWith(
      subnet(svc, { VpcId: vpcId, CidrBlock: '10.1.0.0/24' }),
      'InvalidSubnet.Range',
      "The CIDR '10.1.0.0/24' is invalid.",
    );
    await rejectsWith(
      subnet(svc, { VpcId: vpcId, CidrBlock: '10.0.16.0/29' }),
      'InvalidSubnet.Range',
    );
    await rejectsWith(
      subnet(svc, { VpcId: vpcId, CidrBlock: '10.0.16.0/24', AvailabilityZone: 'us-east-1a' }),
      'InvalidParameterValue',
      'Value (us-east-1a) for parameter availabilityZone is invalid. Subnets can currently only be created in the following availability zones: ap-northeast-2a, ap-northeast-2b, ap-northeast-2c, ap-northeast-2d.',
    );
    await rejectsWith(
      subnet(svc, { VpcId: 'vpc-nope', CidrBlock: '10.0.16.0/24' }),
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-nope' does not exist",
    );
    await rejectsWith(
      subnet(svc, { CidrBlock: '10.0.16.0/24' }),
      'MissingParameter',
      'The request must contain the parameter vpcId',
    );
    // A different VPC may reuse the block.
    const other = await vpc(svc);
    await subnet(svc, { VpcId: other, CidrBlock: '10.0.1.0/24' });
  });

  it('filters as the CLI sends --filters, and pages', async () => {
    const svc = newService();
    const v1 = await vpc(svc);
    const v2 = await vpc(svc, '10.1.0.0/16');
    const zones = ['a', 'b', 'c'];
    for (const [i, z] of zones.entries()) {
      await subnet(svc, {
        VpcId: v1,
        CidrBlock: `10.0.${i}.0/24`,
        AvailabilityZone: `ap-northeast-2${z}`,
        'TagSpecification.1.ResourceType': 'subnet',
        'TagSpecification.1.Tag.1.Key': 'Name',
        'TagSpecification.1.Tag.1.Value': `s-${z}`,
      });
    }
    const lone = await subnet(svc, { VpcId: v2, CidrBlock: '10.1.0.0/24' });
    await run(svc, 'ModifySubnetAttribute', {
      SubnetId: lone.subnetId,
      'MapPublicIpOnLaunch.Value': 'true',
    });
    const names = async (p: Record<string, string>) =>
      (await run(svc, 'DescribeSubnets', p)).subnetSet.map(
        (s: Body) => s.tagSet?.[0]?.value ?? s.subnetId,
      );
    assert.deepEqual(
      (
        await names({
          'Filter.1.Name': 'vpc-id',
          'Filter.1.Value.1': v1,
          'Filter.1.Value.2': 'vpc-none',
          'Filter.2.Name': 'tag:Name',
          'Filter.2.Value.1': 's-b',
        })
      ).sort(),
      ['s-b'],
    );
    assert.equal((await names({ 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': v1 })).length, 3);
    assert.deepEqual(
      await names({ 'Filter.1.Name': 'availability-zone', 'Filter.1.Value.1': 'ap-northeast-2c' }),
      ['s-c'],
    );
    assert.deepEqual(
      await names({ 'Filter.1.Name': 'map-public-ip-on-launch', 'Filter.1.Value.1': 'true' }),
      [lone.subnetId],
    );
    assert.deepEqual(
      await names({ 'Filter.1.Name': 'subnet-id', 'Filter.1.Value.1': lone.subnetId }),
      [lone.subnetId],
    );
    assert.deepEqual(
      await names({ 'Filter.1.Name': 'tag:Name', 'Filter.1.Value.1': 's-?' }).then((x) => x.length),
      3,
    );
    await rejectsWith(
      run(svc, 'DescribeSubnets', { 'SubnetId.1': 'subnet-0' }),
      'InvalidSubnetID.NotFound',
      "The subnet ID 'subnet-0' does not exist",
    );
    const p1 = await run(svc, 'DescribeSubnets', { MaxResults: '5' });
    assert.equal(p1.subnetSet.length, 4);
    assert.equal(p1.nextToken, undefined);
    for (let i = 3; i < 8; i++) await subnet(svc, { VpcId: v1, CidrBlock: `10.0.${i}.0/24` });
    const seen: string[] = [];
    let token: string | undefined;
    do {
      const page = await run(svc, 'DescribeSubnets', {
        MaxResults: '5',
        ...(token === undefined ? {} : { NextToken: token }),
      });
      seen.push(...page.subnetSet.map((s: Body) => s.subnetId as string));
      token = page.nextToken;
    } while (token !== undefined);
    assert.equal(seen.length, 9);
    assert.equal(new Set(seen).size, 9);
  });

  it('allocates addresses for Kiln and counts them', async () => {
    const svc = newService();
    const vpcId = await vpc(svc);
    const s = await subnet(svc, { VpcId: vpcId, CidrBlock: '10.0.1.0/28' });
    const count = async () =>
      (await run(svc, 'DescribeSubnets', { 'SubnetId.1': s.subnetId })).subnetSet[0]
        .availableIpAddressCount;
    assert.equal(await count(), 11);
    const ips = await Promise.all(
      [1, 2, 3].map(() => svc.allocateAddress('ap-northeast-2', s.subnetId)),
    );
    assert.deepEqual(ips.sort(), ['10.0.1.4', '10.0.1.5', '10.0.1.6']);
    assert.equal(await count(), 8);
    assert.equal(svc.subnet('ap-northeast-2', s.subnetId)?.availableIpAddressCount, 8);
    await svc.releaseAddress('ap-northeast-2', { subnetId: s.subnetId, ip: '10.0.1.5' });
    await svc.releaseAddress('ap-northeast-2', { subnetId: s.subnetId, ip: '10.0.1.5' });
    assert.equal(await svc.allocateAddress('ap-northeast-2', s.subnetId), '10.0.1.5');
    for (let i = 0; i < 8; i++) await svc.allocateAddress('ap-northeast-2', s.subnetId);
    assert.equal(await count(), 0);
    await rejectsWith(
      svc.allocateAddress('ap-northeast-2', s.subnetId),
      'InsufficientFreeAddressesInSubnet',
    );
    await rejectsWith(
      run(svc, 'DeleteSubnet', { SubnetId: s.subnetId }),
      'DependencyViolation',
      `The subnet '${s.subnetId}' has dependencies and cannot be deleted.`,
    );
    await rejectsWith(
      svc.allocateAddress('ap-northeast-2', 'subnet-x'),
      'InvalidSubnetID.NotFound',
    );
    await rejectsWith(
      svc.releaseAddress('ap-northeast-2', { subnetId: s.subnetId, ip: '10.9.9.9' }),
      'InvalidParameterValue',
    );
    assert.equal(svc.subnet('us-east-1', s.subnetId), undefined);
  });

  it('hands out free aligned prefixes clear of reserved and taken addresses', async () => {
    const svc = newService();
    const r = 'ap-northeast-2';
    const s = await subnet(svc, { VpcId: await vpc(svc), CidrBlock: '10.0.1.0/26' });
    const id = s.subnetId as string;
    await svc.allocateAddress(r, id); // 10.0.1.4
    // The first /28 holds EC2's reserved addresses and the one taken; the last holds the
    // subnet's last address: the two in between are the ones there are.
    assert.equal(await svc.allocatePrefix(r, id, 28), '10.0.1.16/28');
    assert.equal(await svc.allocatePrefix(r, id, 28), '10.0.1.32/28');
    await rejectsWith(svc.allocatePrefix(r, id, 28), 'InsufficientCidrBlocks');
    assert.equal(svc.subnet(r, id)?.availableIpAddressCount, 59 - 1 - 32);
    // Allocation skips the blocks; a released block is handed out again.
    assert.equal(await svc.allocateAddress(r, id), '10.0.1.5');
    await svc.releaseAddress(r, { subnetId: id, ip: '10.0.1.16/28' });
    assert.equal(await svc.allocatePrefix(r, id, 28), '10.0.1.16/28');
  });

  it('reserves chosen addresses and blocks, which allocation then skips', async () => {
    const svc = newService();
    const r = 'ap-northeast-2';
    const vpcId = await vpc(svc);
    const s = await subnet(svc, { VpcId: vpcId, CidrBlock: '10.0.1.0/24' });
    const id = s.subnetId as string;
    await svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.5' });
    await svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.5' });
    await svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.32/27' });
    assert.equal(svc.subnet(r, id)?.availableIpAddressCount, 251 - 1 - 32);
    const got = [];
    for (let i = 0; i < 28; i++) got.push(await svc.allocateAddress(r, id));
    assert.deepEqual(got.slice(0, 3), ['10.0.1.4', '10.0.1.6', '10.0.1.7']);
    assert.equal(got[27], '10.0.1.64');
    assert.ok(!got.some((ip) => /^10\.0\.1\.(3[2-9]|[45]\d|6[0-3])$/.test(ip)));
    await rejectsWith(
      svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.40' }),
      'InvalidIPAddress.InUse',
    );
    await rejectsWith(
      svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.0/28' }),
      'InvalidIPAddress.InUse',
    );
    await rejectsWith(
      svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.2' }),
      'InvalidIPAddress.InUse',
    );
    await rejectsWith(
      svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.33/27' }),
      'InvalidParameterValue',
    );
    await rejectsWith(
      svc.reserveAddress(r, { subnetId: id, ip: '10.0.2.0/27' }),
      'InvalidParameterValue',
    );
    await svc.releaseAddress(r, { subnetId: id, ip: '10.0.1.32/27' });
    assert.equal(svc.subnet(r, id)?.availableIpAddressCount, 251 - 1 - 28);
    // The last address is EC2's: a block at the top of the subnet is not free.
    await rejectsWith(
      svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.224/27' }),
      'InvalidIPAddress.InUse',
    );
    await svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.192/27' });
    await rejectsWith(
      svc.reserveAddress(r, { subnetId: id, ip: '10.0.1.192/28' }),
      'InvalidIPAddress.InUse',
    );
  });

  it("creates subnets in each region's own zones", async () => {
    const svc = newService();
    const vpcId = (
      await runIn(svc, 'us-east-1', { action: 'CreateVpc', params: { CidrBlock: '10.0.0.0/16' } })
    ).vpc.vpcId as string;
    const s = await runIn(svc, 'us-east-1', {
      action: 'CreateSubnet',
      params: { VpcId: vpcId, CidrBlock: '10.0.0.0/24', AvailabilityZone: 'us-east-1f' },
    });
    assert.equal(s.subnet.availabilityZoneId, 'use1-az6');
  });
});

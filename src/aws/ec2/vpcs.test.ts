/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   these tests walk EC2 response trees (`Body`) and assert on what they find. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newService, rejectsWith, run, runIn } from './test-support.ts';

describe('VPCs', () => {
  it('creates a VPC with tags from TagSpecification, as the CLI sends them', async () => {
    const svc = newService();
    const body = await run(svc, 'CreateVpc', {
      CidrBlock: '10.0.0.0/16',
      'TagSpecification.1.ResourceType': 'vpc',
      'TagSpecification.1.Tag.1.Key': 'Name',
      'TagSpecification.1.Tag.1.Value': 'x',
    });
    assert.match(body.vpc.vpcId, /^vpc-[0-9a-f]{17}$/);
    assert.equal(body.vpc.cidrBlock, '10.0.0.0/16');
    assert.equal(body.vpc.ownerId, '123456789012');
    assert.equal(body.vpc.isDefault, false);
    assert.deepEqual(body.vpc.tagSet, [{ key: 'Name', value: 'x' }]);
    assert.equal(body.vpc.cidrBlockAssociationSet[0].cidrBlockState.state, 'associated');
  });

  it('normalises host bits and validates the block', async () => {
    const svc = newService();
    const body = await run(svc, 'CreateVpc', { CidrBlock: '10.1.2.3/16' });
    assert.equal(body.vpc.cidrBlock, '10.1.0.0/16');
    await rejectsWith(
      run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/8' }),
      'InvalidVpc.Range',
      "The CIDR '10.0.0.0/8' is invalid.",
    );
    await rejectsWith(run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/29' }), 'InvalidVpc.Range');
    await rejectsWith(
      run(svc, 'CreateVpc', { CidrBlock: '10.0.0.300/16' }),
      'InvalidParameterValue',
      'Value (10.0.0.300/16) for parameter cidrBlock is invalid. This is not a valid CIDR block.',
    );
    await rejectsWith(
      run(svc, 'CreateVpc', {}),
      'MissingParameter',
      "Either 'cidrBlock' or 'ipv4IpamPoolId' should be provided.",
    );
    await rejectsWith(
      run(svc, 'CreateVpc', {
        CidrBlock: '10.0.0.0/16',
        'TagSpecification.1.ResourceType': 'subnet',
      }),
      'InvalidParameterValue',
    );
  });

  it('describes by id and by filters; unknown ids and filters fail', async () => {
    const svc = newService();
    const a = (await run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/16' })).vpc.vpcId;
    const b = (
      await run(svc, 'CreateVpc', {
        CidrBlock: '10.1.0.0/16',
        'TagSpecification.1.ResourceType': 'vpc',
        'TagSpecification.1.Tag.1.Key': 'Name',
        'TagSpecification.1.Tag.1.Value': 'prod-vpc',
      })
    ).vpc.vpcId;
    const ids = async (p: Record<string, string>) =>
      (await run(svc, 'DescribeVpcs', p)).vpcSet.map((v: { vpcId: string }) => v.vpcId);
    assert.deepEqual(await ids({}), [a, b].sort());
    assert.deepEqual(await ids({ 'VpcId.1': b }), [b]);
    assert.deepEqual(await ids({ 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': a }), [a]);
    assert.deepEqual(await ids({ 'Filter.1.Name': 'tag:Name', 'Filter.1.Value.1': 'prod-*' }), [b]);
    assert.deepEqual(await ids({ 'Filter.1.Name': 'tag-key', 'Filter.1.Value.1': 'Name' }), [b]);
    assert.deepEqual(await ids({ 'Filter.1.Name': 'cidr', 'Filter.1.Value.1': '10.0.0.0/16' }), [
      a,
    ]);
    assert.deepEqual(await ids({ 'Filter.1.Name': 'is-default', 'Filter.1.Value.1': 'true' }), []);
    await rejectsWith(
      run(svc, 'DescribeVpcs', { 'VpcId.1': 'vpc-x' }),
      'InvalidVpcID.NotFound',
      "The vpc ID 'vpc-x' does not exist",
    );
    await rejectsWith(
      run(svc, 'DescribeVpcs', { 'Filter.1.Name': 'colour', 'Filter.1.Value.1': 'x' }),
      'InvalidParameterValue',
      "The filter 'colour' is invalid",
    );
  });

  it('is regional', async () => {
    const svc = newService();
    await run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/16' });
    const other = await runIn(svc, 'us-east-1', { action: 'DescribeVpcs' });
    assert.deepEqual(other.vpcSet, []);
  });

  it('modifies and describes DNS attributes', async () => {
    const svc = newService();
    const vpcId = (await run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/16' })).vpc.vpcId;
    const attr = (name: string) =>
      run(svc, 'DescribeVpcAttribute', { VpcId: vpcId, Attribute: name });
    assert.deepEqual(await attr('enableDnsHostnames'), {
      vpcId,
      enableDnsHostnames: { value: false },
    });
    assert.deepEqual(await attr('enableDnsSupport'), { vpcId, enableDnsSupport: { value: true } });
    assert.deepEqual(
      await run(svc, 'ModifyVpcAttribute', { VpcId: vpcId, 'EnableDnsHostnames.Value': 'true' }),
      { return: true },
    );
    assert.deepEqual((await attr('enableDnsHostnames')).enableDnsHostnames, { value: true });
    await rejectsWith(
      run(svc, 'ModifyVpcAttribute', {
        VpcId: vpcId,
        'EnableDnsHostnames.Value': 'true',
        'EnableDnsSupport.Value': 'true',
      }),
      'InvalidParameterCombination',
    );
    await rejectsWith(attr('colour'), 'InvalidParameterValue');
  });

  it('deletes a VPC only once its dependencies are gone', async () => {
    const svc = newService();
    const vpcId = (await run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/16' })).vpc.vpcId;
    const subnetId = (await run(svc, 'CreateSubnet', { VpcId: vpcId, CidrBlock: '10.0.1.0/24' }))
      .subnet.subnetId;
    await rejectsWith(
      run(svc, 'DeleteVpc', { VpcId: vpcId }),
      'DependencyViolation',
      `The vpc '${vpcId}' has dependencies and cannot be deleted.`,
    );
    await run(svc, 'DeleteSubnet', { SubnetId: subnetId });
    assert.deepEqual(await run(svc, 'DeleteVpc', { VpcId: vpcId }), { return: true });
    assert.deepEqual((await run(svc, 'DescribeVpcs')).vpcSet, []);
    // The main route table and default group went with it.
    assert.deepEqual((await run(svc, 'DescribeRouteTables')).routeTableSet, []);
    assert.deepEqual((await run(svc, 'DescribeSecurityGroups')).securityGroupInfo, []);
    await rejectsWith(run(svc, 'DeleteVpc', { VpcId: vpcId }), 'InvalidVpcID.NotFound');
  });

  it('pages with MaxResults and NextToken', async () => {
    const svc = newService();
    for (let i = 0; i < 7; i++) await run(svc, 'CreateVpc', { CidrBlock: `10.${i}.0.0/16` });
    const first = await run(svc, 'DescribeVpcs', { MaxResults: '5' });
    assert.equal(first.vpcSet.length, 5);
    assert.equal(typeof first.nextToken, 'string');
    const second = await run(svc, 'DescribeVpcs', { MaxResults: '5', NextToken: first.nextToken });
    assert.equal(second.vpcSet.length, 2);
    assert.equal(second.nextToken, undefined);
    await rejectsWith(
      run(svc, 'DescribeVpcs', { MaxResults: '2' }),
      'InvalidParameterValue',
      'Value ( 2 ) for parameter maxResults is invalid. Parameter must be between 5 and 1000.',
    );
    await rejectsWith(run(svc, 'DescribeVpcs', { NextToken: '!!' }), 'InvalidParameterValue');
  });

  it('rejects unknown actions', async () => {
    await rejectsWith(
      run(newService(), 'LaunchRockets'),
      'InvalidAction',
      'The action LaunchRockets is not valid for this web service.',
    );
    await rejectsWith(run(newService(), 'toString'), 'InvalidAction');
  });
});

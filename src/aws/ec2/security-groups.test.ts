/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-call, @typescript-eslint/no-unsafe-return, @typescript-eslint/no-unsafe-argument --
   these tests walk EC2 response trees (`Body`) and assert on what they find. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ec2Service } from './ec2-service.ts';
import { newService, rejectsWith, run, type Body } from './test-support.ts';

async function setup(svc: Ec2Service) {
  const vpcId = (await run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/16' })).vpc.vpcId as string;
  const created = await run(svc, 'CreateSecurityGroup', {
    GroupDescription: 'd',
    GroupName: 'web',
    VpcId: vpcId,
  });
  return { vpcId, groupId: created.groupId as string, created };
}

async function group(svc: Ec2Service, groupId: string): Promise<Body> {
  return (await run(svc, 'DescribeSecurityGroups', { 'GroupId.1': groupId })).securityGroupInfo[0];
}

/** What `aws ec2 authorize-security-group-ingress --protocol tcp --port 443 --cidr …` sends. */
const CLI_443 = {
  'IpPermissions.1.IpProtocol': 'tcp',
  'IpPermissions.1.FromPort': '443',
  'IpPermissions.1.ToPort': '443',
  'IpPermissions.1.IpRanges.1.CidrIp': '10.0.0.0/16',
};

describe('security groups', () => {
  it('creates a group with the default egress rule', async () => {
    const svc = newService();
    const { vpcId, groupId, created } = await setup(svc);
    assert.equal(created.return, true);
    assert.match(groupId, /^sg-[0-9a-f]{17}$/);
    const g = await group(svc, groupId);
    assert.equal(g.groupName, 'web');
    assert.equal(g.groupDescription, 'd');
    assert.equal(g.vpcId, vpcId);
    assert.deepEqual(g.ipPermissions, []);
    assert.deepEqual(g.ipPermissionsEgress, [
      {
        ipProtocol: '-1',
        groups: [],
        ipRanges: [{ cidrIp: '0.0.0.0/0' }],
        ipv6Ranges: [],
        prefixListIds: [],
      },
    ]);
    await rejectsWith(
      run(svc, 'CreateSecurityGroup', { GroupDescription: 'd', GroupName: 'web', VpcId: vpcId }),
      'InvalidGroup.Duplicate',
      `The security group 'web' already exists for VPC '${vpcId}'`,
    );
    await rejectsWith(
      run(svc, 'CreateSecurityGroup', { GroupName: 'x', VpcId: vpcId }),
      'MissingParameter',
      'The request must contain the parameter groupDescription',
    );
    await rejectsWith(
      run(svc, 'CreateSecurityGroup', { GroupDescription: 'd', GroupName: 'x' }),
      'VPCIdNotSpecified',
    );
    await rejectsWith(
      run(svc, 'CreateSecurityGroup', { GroupDescription: 'd', GroupName: 'x', VpcId: 'vpc-0' }),
      'InvalidVpcID.NotFound',
    );
  });

  it('authorizes what the CLI sends for --protocol/--port/--cidr and rejects the duplicate', async () => {
    const svc = newService();
    const { groupId } = await setup(svc);
    const res = await run(svc, 'AuthorizeSecurityGroupIngress', { GroupId: groupId, ...CLI_443 });
    assert.equal(res.return, true);
    assert.equal(res.securityGroupRuleSet.length, 1);
    const rule = res.securityGroupRuleSet[0];
    assert.match(rule.securityGroupRuleId, /^sgr-[0-9a-f]{17}$/);
    assert.equal(rule.groupId, groupId);
    assert.equal(rule.isEgress, false);
    assert.equal(rule.ipProtocol, 'tcp');
    assert.equal(rule.fromPort, 443);
    assert.equal(rule.toPort, 443);
    assert.equal(rule.cidrIpv4, '10.0.0.0/16');
    await rejectsWith(
      run(svc, 'AuthorizeSecurityGroupIngress', { GroupId: groupId, ...CLI_443 }),
      'InvalidPermission.Duplicate',
      'the specified rule "peer: 10.0.0.0/16, TCP, from port: 443, to port: 443, ALLOW" already exists',
    );
    // The legacy flat form the SDKs still accept is the same rule.
    await rejectsWith(
      run(svc, 'AuthorizeSecurityGroupIngress', {
        GroupId: groupId,
        IpProtocol: 'tcp',
        FromPort: '443',
        ToPort: '443',
        CidrIp: '10.0.0.0/16',
      }),
      'InvalidPermission.Duplicate',
    );
    await run(svc, 'AuthorizeSecurityGroupIngress', {
      GroupId: groupId,
      IpProtocol: 'tcp',
      FromPort: '80',
      ToPort: '80',
      CidrIp: '0.0.0.0/0',
    });
    const g = await group(svc, groupId);
    assert.deepEqual(
      g.ipPermissions.map((p: Body) => [p.fromPort, p.ipRanges.map((r: Body) => r.cidrIp)]),
      [
        [443, ['10.0.0.0/16']],
        [80, ['0.0.0.0/0']],
      ],
    );
  });

  it('takes every peer kind of --ip-permissions and groups rules by ports', async () => {
    const svc = newService();
    const { vpcId, groupId } = await setup(svc);
    const other = (
      await run(svc, 'CreateSecurityGroup', {
        GroupDescription: 'o',
        GroupName: 'db',
        VpcId: vpcId,
      })
    ).groupId as string;
    const res = await run(svc, 'AuthorizeSecurityGroupIngress', {
      GroupId: groupId,
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '22',
      'IpPermissions.1.ToPort': '22',
      'IpPermissions.1.IpRanges.1.CidrIp': '1.2.3.4/32',
      'IpPermissions.1.IpRanges.1.Description': 'ssh',
      'IpPermissions.1.Ipv6Ranges.1.CidrIpv6': '::/0',
      'IpPermissions.1.PrefixListIds.1.PrefixListId': 'pl-1',
      'IpPermissions.1.Groups.1.GroupId': other,
      'IpPermissions.1.Groups.1.UserId': '123456789012',
      'IpPermissions.2.IpProtocol': '-1',
      'IpPermissions.2.Groups.1.GroupId': groupId,
    });
    assert.equal(res.securityGroupRuleSet.length, 5);
    const perms = (await group(svc, groupId)).ipPermissions;
    assert.deepEqual(perms[0], {
      ipProtocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      groups: [{ groupId: other, userId: '123456789012' }],
      ipRanges: [{ cidrIp: '1.2.3.4/32', description: 'ssh' }],
      ipv6Ranges: [{ cidrIpv6: '::/0' }],
      prefixListIds: [{ prefixListId: 'pl-1' }],
    });
    assert.equal(perms[1].ipProtocol, '-1');
    assert.equal(perms[1].fromPort, undefined);
    await rejectsWith(
      run(svc, 'AuthorizeSecurityGroupIngress', {
        GroupId: groupId,
        'IpPermissions.1.IpProtocol': '-1',
        'IpPermissions.1.Groups.1.GroupId': groupId,
      }),
      'InvalidPermission.Duplicate',
      `the specified rule "peer: ${groupId}, ALL, ALLOW" already exists`,
    );
    await rejectsWith(
      run(svc, 'AuthorizeSecurityGroupIngress', {
        GroupId: groupId,
        'IpPermissions.1.IpProtocol': '-1',
        'IpPermissions.1.Groups.1.GroupId': 'sg-0',
      }),
      'InvalidGroup.NotFound',
      "The security group 'sg-0' does not exist",
    );
    await rejectsWith(
      run(svc, 'AuthorizeSecurityGroupIngress', {
        GroupId: groupId,
        'IpPermissions.1.IpProtocol': 'gre-ish',
        'IpPermissions.1.IpRanges.1.CidrIp': '1.2.3.4/32',
      }),
      'InvalidParameterValue',
    );
    await rejectsWith(
      run(svc, 'AuthorizeSecurityGroupIngress', {
        GroupId: groupId,
        'IpPermissions.1.IpProtocol': 'tcp',
        'IpPermissions.1.IpRanges.1.CidrIp': '1.2.3.4/32',
      }),
      'InvalidParameterValue',
    );
    // Referencing the peer blocks deleting it.
    await rejectsWith(
      run(svc, 'DeleteSecurityGroup', { GroupId: other }),
      'DependencyViolation',
      `resource ${other} has a dependent object`,
    );
  });

  it('revokes by permission and by rule id', async () => {
    const svc = newService();
    const { groupId } = await setup(svc);
    await run(svc, 'AuthorizeSecurityGroupIngress', { GroupId: groupId, ...CLI_443 });
    assert.deepEqual(
      await run(svc, 'RevokeSecurityGroupIngress', { GroupId: groupId, ...CLI_443 }),
      {
        return: true,
      },
    );
    await rejectsWith(
      run(svc, 'RevokeSecurityGroupIngress', { GroupId: groupId, ...CLI_443 }),
      'InvalidPermission.NotFound',
      'The specified rule does not exist in this security group.',
    );
    const egress = (
      await run(svc, 'DescribeSecurityGroupRules', {
        'Filter.1.Name': 'group-id',
        'Filter.1.Value.1': groupId,
      })
    ).securityGroupRuleSet as Body[];
    assert.equal(egress.length, 1);
    assert.equal(egress[0]?.isEgress, true);
    const ruleId = egress[0]?.securityGroupRuleId as string;
    await rejectsWith(
      run(svc, 'RevokeSecurityGroupIngress', { GroupId: groupId, 'SecurityGroupRuleId.1': ruleId }),
      'InvalidSecurityGroupRuleId.NotFound',
    );
    await run(svc, 'RevokeSecurityGroupEgress', {
      GroupId: groupId,
      'SecurityGroupRuleId.1': ruleId,
    });
    assert.deepEqual((await group(svc, groupId)).ipPermissionsEgress, []);
    await run(svc, 'AuthorizeSecurityGroupEgress', {
      GroupId: groupId,
      'IpPermissions.1.IpProtocol': '-1',
      'IpPermissions.1.IpRanges.1.CidrIp': '0.0.0.0/0',
    });
    assert.equal((await group(svc, groupId)).ipPermissionsEgress.length, 1);
    await rejectsWith(
      run(svc, 'DescribeSecurityGroupRules', { 'SecurityGroupRuleId.1': 'sgr-0' }),
      'InvalidSecurityGroupRuleId.NotFound',
      "The security group rule ID 'sgr-0' does not exist",
    );
  });

  it('describes by name, id and filters, pages, and deletes', async () => {
    const svc = newService();
    const { vpcId, groupId } = await setup(svc);
    for (let i = 0; i < 5; i++) {
      await run(svc, 'CreateSecurityGroup', {
        GroupDescription: 'd',
        GroupName: `g${i}`,
        VpcId: vpcId,
        'TagSpecification.1.ResourceType': 'security-group',
        'TagSpecification.1.Tag.1.Key': 'team',
        'TagSpecification.1.Tag.1.Value': i % 2 === 0 ? 'even' : 'odd',
      });
    }
    const names = async (p: Record<string, string>) =>
      (await run(svc, 'DescribeSecurityGroups', p)).securityGroupInfo
        .map((g: Body) => g.groupName as string)
        .sort();
    assert.deepEqual(await names({ 'GroupName.1': 'web' }), ['web']);
    assert.deepEqual(
      await names({ 'Filter.1.Name': 'group-name', 'Filter.1.Value.1': 'default' }),
      ['default'],
    );
    assert.deepEqual(await names({ 'Filter.1.Name': 'tag:team', 'Filter.1.Value.1': 'odd' }), [
      'g1',
      'g3',
    ]);
    assert.deepEqual(await names({ 'Filter.1.Name': 'group-id', 'Filter.1.Value.1': groupId }), [
      'web',
    ]);
    assert.equal((await names({ 'Filter.1.Name': 'vpc-id', 'Filter.1.Value.1': vpcId })).length, 7);
    await rejectsWith(
      run(svc, 'DescribeSecurityGroups', { 'GroupName.1': 'nope' }),
      'InvalidGroup.NotFound',
    );
    const page = await run(svc, 'DescribeSecurityGroups', { MaxResults: '5' });
    assert.equal(page.securityGroupInfo.length, 5);
    const rest = await run(svc, 'DescribeSecurityGroups', {
      MaxResults: '5',
      NextToken: page.nextToken,
    });
    assert.equal(rest.securityGroupInfo.length, 2);
    const defaultId = (await run(svc, 'DescribeSecurityGroups', { 'GroupName.1': 'default' }))
      .securityGroupInfo[0].groupId as string;
    await rejectsWith(
      run(svc, 'DeleteSecurityGroup', { GroupId: defaultId }),
      'CannotDelete',
      `the specified group: "${defaultId}" name: "default" cannot be deleted by a user`,
    );
    assert.deepEqual(await run(svc, 'DeleteSecurityGroup', { GroupName: 'web' }), {
      return: true,
      groupId,
    });
    await rejectsWith(
      run(svc, 'DeleteSecurityGroup', { GroupId: groupId }),
      'InvalidGroup.NotFound',
    );
  });
});

/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument --
   these tests walk EC2 response trees (`Body`) and assert on what they find. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { eksctlSubnetLayout } from './eksctl-vpc.ts';
import { newService, REGION, run, type Body } from './test-support.ts';

function tag(resource: Body, key: string): string | undefined {
  return (resource.tagSet as { key: string; value: string }[] | undefined)?.find(
    (t) => t.key === key,
  )?.value;
}

describe('eksctlSubnetLayout', () => {
  it('is the layout createEksctlVpc builds, without building it', async () => {
    const svc = newService();
    const net = await svc.createEksctlVpc({ region: REGION, clusterName: 'c' });
    const built = net.availabilityZones.map((zone, i) => ({
      zone,
      publicCidr: svc.subnet(REGION, net.publicSubnetIds[i] ?? '')?.cidrBlock,
      privateCidr: svc.subnet(REGION, net.privateSubnetIds[i] ?? '')?.cidrBlock,
    }));
    assert.deepEqual(eksctlSubnetLayout({ region: REGION }), built);
    assert.deepEqual(eksctlSubnetLayout({ region: 'us-west-1', cidr: '10.10.0.0/16' }), [
      { zone: 'us-west-1a', publicCidr: '10.10.0.0/19', privateCidr: '10.10.64.0/19' },
      { zone: 'us-west-1b', publicCidr: '10.10.32.0/19', privateCidr: '10.10.96.0/19' },
    ]);
  });
});

describe('createEksctlVpc', () => {
  it('builds the network eksctl create cluster builds', async () => {
    const svc = newService();
    const net = await svc.createEksctlVpc({ region: REGION, clusterName: 'wsi-eks-cluster' });
    assert.deepEqual(net.availabilityZones, [
      'ap-northeast-2a',
      'ap-northeast-2b',
      'ap-northeast-2c',
    ]);
    const vpc = (await run(svc, 'DescribeVpcs', { 'VpcId.1': net.vpcId })).vpcSet[0];
    assert.equal(vpc.cidrBlock, '192.168.0.0/16');
    assert.equal(tag(vpc, 'Name'), 'eksctl-wsi-eks-cluster-cluster/VPC');
    assert.equal(tag(vpc, 'alpha.eksctl.io/cluster-name'), 'wsi-eks-cluster');
    const dns = await run(svc, 'DescribeVpcAttribute', {
      VpcId: net.vpcId,
      Attribute: 'enableDnsHostnames',
    });
    assert.equal(dns.enableDnsHostnames.value, true);

    const subnets = (
      await run(svc, 'DescribeSubnets', {
        'Filter.1.Name': 'vpc-id',
        'Filter.1.Value.1': net.vpcId,
      })
    ).subnetSet as Body[];
    const byId = new Map(subnets.map((s) => [s.subnetId as string, s]));
    const layout = [...net.publicSubnetIds, ...net.privateSubnetIds].map((id) => {
      const s = byId.get(id);
      return `${s?.cidrBlock} ${s?.availabilityZone} ${tag(s ?? {}, 'Name')} ${s?.mapPublicIpOnLaunch}`;
    });
    assert.deepEqual(layout, [
      '192.168.0.0/19 ap-northeast-2a eksctl-wsi-eks-cluster-cluster/SubnetPublicAPNORTHEAST2A true',
      '192.168.32.0/19 ap-northeast-2b eksctl-wsi-eks-cluster-cluster/SubnetPublicAPNORTHEAST2B true',
      '192.168.64.0/19 ap-northeast-2c eksctl-wsi-eks-cluster-cluster/SubnetPublicAPNORTHEAST2C true',
      '192.168.96.0/19 ap-northeast-2a eksctl-wsi-eks-cluster-cluster/SubnetPrivateAPNORTHEAST2A false',
      '192.168.128.0/19 ap-northeast-2b eksctl-wsi-eks-cluster-cluster/SubnetPrivateAPNORTHEAST2B false',
      '192.168.160.0/19 ap-northeast-2c eksctl-wsi-eks-cluster-cluster/SubnetPrivateAPNORTHEAST2C false',
    ]);
    for (const id of net.publicSubnetIds) {
      assert.equal(tag(byId.get(id) ?? {}, 'kubernetes.io/role/elb'), '1');
      assert.equal(svc.isPublicSubnet(REGION, id), true);
    }
    for (const id of net.privateSubnetIds) {
      assert.equal(tag(byId.get(id) ?? {}, 'kubernetes.io/role/internal-elb'), '1');
      assert.equal(svc.isPublicSubnet(REGION, id), false);
    }
    // The NAT gateway took one address of the first public subnet.
    assert.equal(byId.get(net.publicSubnetIds[0] ?? '')?.availableIpAddressCount, 8186);

    const nat = (await run(svc, 'DescribeNatGateways', { 'NatGatewayId.1': net.natGatewayId }))
      .natGatewaySet[0];
    assert.equal(nat.subnetId, net.publicSubnetIds[0]);
    assert.equal(nat.state, 'available');
    const privateRoutes = await run(svc, 'DescribeRouteTables', {
      'Filter.1.Name': 'route.nat-gateway-id',
      'Filter.1.Value.1': net.natGatewayId,
    });
    assert.equal(privateRoutes.routeTableSet.length, 3);
    const privateNames = (privateRoutes.routeTableSet as Body[]).map((t) => tag(t, 'Name')).sort();
    assert.deepEqual(
      privateNames,
      ['A', 'B', 'C'].map(
        (z) => `eksctl-wsi-eks-cluster-cluster/PrivateRouteTableAPNORTHEAST2${z}`,
      ),
    );

    const sg = (
      await run(svc, 'DescribeSecurityGroups', { 'GroupId.1': net.clusterSecurityGroupId })
    ).securityGroupInfo[0];
    assert.match(sg.groupName, /^eks-cluster-sg-wsi-eks-cluster-\d{10}$/);
    assert.equal(
      sg.groupDescription,
      'EKS created security group applied to ENI that is attached to EKS Control Plane master nodes, as well as any managed workloads.',
    );
    assert.equal(tag(sg, 'kubernetes.io/cluster/wsi-eks-cluster'), 'owned');
    assert.equal(tag(sg, 'aws:eks:cluster-name'), 'wsi-eks-cluster');
    assert.deepEqual(sg.ipPermissions[0].groups, [
      { groupId: net.clusterSecurityGroupId, userId: '123456789012' },
    ]);
    assert.equal(svc.securityGroupVpc(REGION, net.clusterSecurityGroupId), net.vpcId);

    // The seed's next step works against it.
    const res = await run(svc, 'AuthorizeSecurityGroupIngress', {
      GroupId: net.clusterSecurityGroupId,
      'IpPermissions.1.IpProtocol': 'tcp',
      'IpPermissions.1.FromPort': '443',
      'IpPermissions.1.ToPort': '443',
      'IpPermissions.1.IpRanges.1.CidrIp': '192.168.0.0/16',
    });
    assert.equal(res.return, true);
  });

  it('lays a /20 VPC out in /23s in a region with three zones', async () => {
    const svc = newService();
    const net = await svc.createEksctlVpc({
      region: 'eu-west-1',
      clusterName: 'c',
      cidr: '10.0.0.0/20',
    });
    const s = svc.subnet('eu-west-1', net.privateSubnetIds[2] ?? '');
    assert.ok(s);
    assert.equal(s.cidrBlock, '10.0.10.0/23');
    assert.equal(s.availabilityZone, 'eu-west-1c');
  });
});

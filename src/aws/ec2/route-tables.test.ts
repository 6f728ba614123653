/* eslint-disable @typescript-eslint/no-unsafe-member-access, @typescript-eslint/no-unsafe-assignment, @typescript-eslint/no-unsafe-argument --
   these tests walk EC2 response trees (`Body`) and assert on what they find. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ec2Service } from './ec2-service.ts';
import { newService, REGION, rejectsWith, run } from './test-support.ts';

async function network(svc: Ec2Service) {
  const vpcId = (await run(svc, 'CreateVpc', { CidrBlock: '10.0.0.0/16' })).vpc.vpcId as string;
  const mk = async (cidr: string) =>
    (await run(svc, 'CreateSubnet', { VpcId: vpcId, CidrBlock: cidr })).subnet.subnetId as string;
  return { vpcId, pub: await mk('10.0.0.0/24'), priv: await mk('10.0.1.0/24') };
}

describe('route tables and gateways', () => {
  it('gives each VPC a main table with the local route', async () => {
    const svc = newService();
    const { vpcId } = await network(svc);
    const tables = (
      await run(svc, 'DescribeRouteTables', {
        'Filter.1.Name': 'vpc-id',
        'Filter.1.Value.1': vpcId,
        'Filter.2.Name': 'association.main',
        'Filter.2.Value.1': 'true',
      })
    ).routeTableSet;
    assert.equal(tables.length, 1);
    assert.deepEqual(tables[0].routeSet, [
      {
        destinationCidrBlock: '10.0.0.0/16',
        gatewayId: 'local',
        state: 'active',
        origin: 'CreateRouteTable',
      },
    ]);
    assert.equal(tables[0].associationSet[0].main, true);
    assert.equal(tables[0].associationSet[0].subnetId, undefined);
  });

  it('detects public subnets by their effective route table', async () => {
    const svc = newService();
    const { vpcId, pub, priv } = await network(svc);
    assert.equal(svc.isPublicSubnet(REGION, pub), false);
    const igw = (await run(svc, 'CreateInternetGateway')).internetGateway
      .internetGatewayId as string;
    assert.match(igw, /^igw-[0-9a-f]{17}$/);
    const rtb = (await run(svc, 'CreateRouteTable', { VpcId: vpcId })).routeTable
      .routeTableId as string;
    await rejectsWith(
      run(svc, 'CreateRoute', {
        RouteTableId: rtb,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: igw,
      }),
      'InvalidParameterValue',
      `route table ${rtb} and network gateway ${igw} belong to different networks`,
    );
    assert.deepEqual(
      await run(svc, 'AttachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId }),
      {
        return: true,
      },
    );
    await run(svc, 'CreateRoute', {
      RouteTableId: rtb,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: igw,
    });
    await rejectsWith(
      run(svc, 'CreateRoute', {
        RouteTableId: rtb,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: igw,
      }),
      'RouteAlreadyExists',
      'The route identified by 0.0.0.0/0 already exists.',
    );
    assert.equal(svc.isPublicSubnet(REGION, pub), false, 'not associated yet');
    const assoc = await run(svc, 'AssociateRouteTable', { RouteTableId: rtb, SubnetId: pub });
    assert.match(assoc.associationId, /^rtbassoc-/);
    assert.equal(svc.isPublicSubnet(REGION, pub), true);
    assert.equal(svc.isPublicSubnet(REGION, priv), false);
    assert.equal(svc.isPublicSubnet(REGION, 'subnet-unknown'), false);
    await rejectsWith(
      run(svc, 'AssociateRouteTable', { RouteTableId: rtb, SubnetId: pub }),
      'Resource.AlreadyAssociated',
    );
    // A route to the IGW in the main table makes every unassociated subnet public.
    const main = (
      await run(svc, 'DescribeRouteTables', {
        'Filter.1.Name': 'association.main',
        'Filter.1.Value.1': 'true',
      })
    ).routeTableSet[0].routeTableId as string;
    await run(svc, 'CreateRoute', {
      RouteTableId: main,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: igw,
    });
    assert.equal(svc.isPublicSubnet(REGION, priv), true);
    await run(svc, 'DeleteRoute', { RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0' });
    assert.equal(svc.isPublicSubnet(REGION, priv), false);
    await rejectsWith(
      run(svc, 'DeleteRoute', { RouteTableId: main, DestinationCidrBlock: '0.0.0.0/0' }),
      'InvalidRoute.NotFound',
      `no route with destination-cidr-block 0.0.0.0/0 in route table ${main}`,
    );
    await rejectsWith(
      run(svc, 'DeleteRoute', { RouteTableId: main, DestinationCidrBlock: '10.0.0.0/16' }),
      'InvalidParameterValue',
    );
    // Disassociating makes the subnet fall back to the main table.
    await run(svc, 'DisassociateRouteTable', { AssociationId: assoc.associationId });
    assert.equal(svc.isPublicSubnet(REGION, pub), false);
    await rejectsWith(
      run(svc, 'DisassociateRouteTable', { AssociationId: assoc.associationId }),
      'InvalidAssociationID.NotFound',
    );
  });

  it('attaches, detaches and deletes internet gateways with EC2 errors', async () => {
    const svc = newService();
    const { vpcId } = await network(svc);
    const igw = (await run(svc, 'CreateInternetGateway')).internetGateway
      .internetGatewayId as string;
    const igw2 = (await run(svc, 'CreateInternetGateway')).internetGateway
      .internetGatewayId as string;
    await run(svc, 'AttachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId });
    await rejectsWith(
      run(svc, 'AttachInternetGateway', { InternetGatewayId: igw2, VpcId: vpcId }),
      'Resource.AlreadyAssociated',
      `Network ${vpcId} already has an internet gateway attached`,
    );
    const described = await run(svc, 'DescribeInternetGateways', {
      'Filter.1.Name': 'attachment.vpc-id',
      'Filter.1.Value.1': vpcId,
    });
    assert.deepEqual(described.internetGatewaySet[0].attachmentSet, [
      { vpcId, state: 'available' },
    ]);
    await rejectsWith(
      run(svc, 'DeleteInternetGateway', { InternetGatewayId: igw }),
      'DependencyViolation',
      `The internetGateway '${igw}' has dependencies and cannot be deleted.`,
    );
    await rejectsWith(
      run(svc, 'DetachInternetGateway', { InternetGatewayId: igw2, VpcId: vpcId }),
      'Gateway.NotAttached',
      `resource ${igw2} is not attached to network ${vpcId}`,
    );
    await rejectsWith(run(svc, 'DeleteVpc', { VpcId: vpcId }), 'DependencyViolation');
    await run(svc, 'DetachInternetGateway', { InternetGatewayId: igw, VpcId: vpcId });
    await run(svc, 'DeleteInternetGateway', { InternetGatewayId: igw });
    await rejectsWith(
      run(svc, 'DescribeInternetGateways', { 'InternetGatewayId.1': igw }),
      'InvalidInternetGatewayID.NotFound',
      `The internetGateway ID '${igw}' does not exist`,
    );
  });

  it('runs NAT gateways on Elastic IPs and routes private tables to them', async () => {
    const svc = newService();
    const { vpcId, pub, priv } = await network(svc);
    const eip = await run(svc, 'AllocateAddress', { Domain: 'vpc' });
    assert.match(eip.allocationId, /^eipalloc-[0-9a-f]{17}$/);
    assert.match(eip.publicIp, /^\d+\.\d+\.\d+\.\d+$/);
    await rejectsWith(
      run(svc, 'CreateNatGateway', { SubnetId: pub, AllocationId: 'eipalloc-x' }),
      'InvalidAllocationID.NotFound',
      "The allocation ID 'eipalloc-x' does not exist",
    );
    const nat = (
      await run(svc, 'CreateNatGateway', {
        SubnetId: pub,
        AllocationId: eip.allocationId,
        ClientToken: 'tok',
      })
    ).natGateway;
    assert.match(nat.natGatewayId, /^nat-[0-9a-f]{17}$/);
    assert.equal(nat.state, 'available');
    assert.equal(nat.vpcId, vpcId);
    assert.equal(nat.natGatewayAddressSet[0].privateIp, '10.0.0.4');
    assert.equal(nat.natGatewayAddressSet[0].publicIp, eip.publicIp);
    assert.equal(svc.subnet(REGION, pub)?.availableIpAddressCount, 250);
    await rejectsWith(
      run(svc, 'CreateNatGateway', { SubnetId: priv, AllocationId: eip.allocationId }),
      'Resource.AlreadyAssociated',
    );
    await rejectsWith(
      run(svc, 'ReleaseAddress', { AllocationId: eip.allocationId }),
      'InvalidIPAddress.InUse',
    );
    const rtb = (await run(svc, 'CreateRouteTable', { VpcId: vpcId })).routeTable
      .routeTableId as string;
    await run(svc, 'CreateRoute', {
      RouteTableId: rtb,
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: nat.natGatewayId,
    });
    await run(svc, 'AssociateRouteTable', { RouteTableId: rtb, SubnetId: priv });
    assert.equal(svc.isPublicSubnet(REGION, priv), false);
    const byRoute = await run(svc, 'DescribeRouteTables', {
      'Filter.1.Name': 'route.nat-gateway-id',
      'Filter.1.Value.1': nat.natGatewayId,
    });
    assert.equal(byRoute.routeTableSet[0].routeTableId, rtb);
    assert.equal(byRoute.routeTableSet[0].associationSet[0].subnetId, priv);
    const listed = await run(svc, 'DescribeNatGateways', {
      'Filter.1.Name': 'vpc-id',
      'Filter.1.Value.1': vpcId,
    });
    assert.equal(listed.natGatewaySet.length, 1);
    await rejectsWith(
      run(svc, 'DescribeNatGateways', { 'NatGatewayId.1': 'nat-0' }),
      'NatGatewayNotFound',
    );
    await rejectsWith(run(svc, 'DeleteSubnet', { SubnetId: pub }), 'DependencyViolation');
    assert.deepEqual(await run(svc, 'DeleteNatGateway', { NatGatewayId: nat.natGatewayId }), {
      natGatewayId: nat.natGatewayId,
    });
    assert.equal(svc.subnet(REGION, pub)?.availableIpAddressCount, 251);
    assert.equal(
      (await run(svc, 'DescribeNatGateways', { 'NatGatewayId.1': nat.natGatewayId }))
        .natGatewaySet[0].state,
      'deleted',
    );
    await run(svc, 'ReleaseAddress', { AllocationId: eip.allocationId });
    assert.deepEqual((await run(svc, 'DescribeAddresses')).addressesSet, []);
  });

  it('rejects routes with no target or an unknown one, and deletes tables with no associations', async () => {
    const svc = newService();
    const { vpcId } = await network(svc);
    const rtb = (await run(svc, 'CreateRouteTable', { VpcId: vpcId })).routeTable
      .routeTableId as string;
    await rejectsWith(
      run(svc, 'CreateRoute', { RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0' }),
      'InvalidParameterCombination',
    );
    await rejectsWith(
      run(svc, 'CreateRoute', {
        RouteTableId: rtb,
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: 'igw-0',
      }),
      'InvalidGatewayID.NotFound',
      "The gateway ID 'igw-0' does not exist",
    );
    await rejectsWith(
      run(svc, 'CreateRoute', {
        RouteTableId: 'rtb-0',
        DestinationCidrBlock: '0.0.0.0/0',
        GatewayId: 'igw-0',
      }),
      'InvalidRouteTableID.NotFound',
      "The routeTable ID 'rtb-0' does not exist",
    );
    await run(svc, 'DeleteRouteTable', { RouteTableId: rtb });
    const main = (await run(svc, 'DescribeRouteTables')).routeTableSet[0].routeTableId as string;
    await rejectsWith(run(svc, 'DeleteRouteTable', { RouteTableId: main }), 'DependencyViolation');
  });
});

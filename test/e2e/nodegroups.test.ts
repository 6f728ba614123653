import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { eventually, startCluster, type RunResult, type TestCluster } from './harness.ts';

const CLUSTER = 'kiln';
const REGION = 'us-east-1';

interface NodeList {
  items: {
    metadata: { name: string; labels: Record<string, string> };
    spec: { podCIDR?: string };
    status: { conditions?: { type: string; status: string }[] };
  }[];
}

describe('EKS managed node groups (AWS CLI v1, kubectl 1.32)', () => {
  let c: TestCluster;
  let home: string;

  const aws = (args: readonly string[]): Promise<RunResult> =>
    new Promise((resolve) => {
      const env = {
        PATH: process.env['PATH'] ?? '',
        HOME: home,
        AWS_CONFIG_FILE: join(home, 'config'),
        AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_DEFAULT_REGION: REGION,
      };
      const endpoint = c.daemon.aws?.url ?? '';
      execFile(
        'aws',
        ['--endpoint-url', endpoint, '--output', 'json', ...args],
        { env, timeout: 60_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });

  const awsJson = async (args: readonly string[]): Promise<Record<string, unknown>> => {
    const r = await aws(args);
    assert.equal(r.code, 0, r.stderr);
    // SAFETY: the AWS CLI with --output json prints one JSON object.
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  const readyNodes = async (): Promise<string[]> => {
    const r = await c.kubectl('1.32', ['get', 'nodes', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    // SAFETY: `kubectl get -o json` prints a List.
    const list = JSON.parse(r.stdout) as NodeList;
    return list.items
      .filter((n) => n.status.conditions?.some((k) => k.type === 'Ready' && k.status === 'True'))
      .map((n) => n.metadata.name);
  };

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'kiln-aws-home-'));
    c = await startCluster({ workerNodes: 2 });
  });

  after(async () => {
    await c.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('registers the default cluster’s node group over its two worker nodes', async () => {
    let names: unknown[] = [];
    await eventually('the default node group', async () => {
      const out = await awsJson(['eks', 'list-nodegroups', '--cluster-name', CLUSTER]);
      names = Array.isArray(out['nodegroups']) ? out['nodegroups'] : [];
      return names.length > 0;
    });
    assert.equal(names.length, 1);
    const ng = String(names[0]);
    assert.match(ng, /^ng-[0-9a-f]{8}$/);
    let described: Record<string, unknown> = {};
    await eventually('the node group to be ACTIVE', async () => {
      const out = await awsJson([
        'eks',
        'describe-nodegroup',
        '--cluster-name',
        CLUSTER,
        '--nodegroup-name',
        ng,
      ]);
      // SAFETY: describe-nodegroup returns {nodegroup: {...}}.
      described = out['nodegroup'] as Record<string, unknown>;
      return described['status'] === 'ACTIVE';
    });
    assert.deepEqual(described['instanceTypes'], ['m5.large']);
    // SAFETY: scalingConfig is an object of three integers.
    assert.equal((described['scalingConfig'] as { desiredSize: number }).desiredSize, 2);
    await eventually('two Ready nodes', async () => (await readyNodes()).length === 2);

    const update = await awsJson([
      'eks',
      'update-nodegroup-config',
      '--cluster-name',
      CLUSTER,
      '--nodegroup-name',
      ng,
      '--scaling-config',
      'desiredSize=3',
    ]);
    assert.ok(update['update']);
    await eventually('three Ready nodes', async () => (await readyNodes()).length === 3);
    const labelled = await c.kubectl('1.32', [
      'get',
      'nodes',
      '-l',
      `eks.amazonaws.com/nodegroup=${ng}`,
      '-o',
      'name',
    ]);
    assert.equal(labelled.stdout.trim().split('\n').length, 3, labelled.stdout);

    const described3 = await awsJson([
      'eks',
      'describe-nodegroup',
      '--cluster-name',
      CLUSTER,
      '--nodegroup-name',
      ng,
    ]);
    // SAFETY: as above.
    const scaling = (described3['nodegroup'] as { scalingConfig: { desiredSize: number } })
      .scalingConfig;
    assert.equal(scaling.desiredSize, 3);

    const instances = await awsJson([
      'ec2',
      'describe-instances',
      '--filters',
      `Name=tag:eks:nodegroup-name,Values=${ng}`,
    ]);
    // SAFETY: describe-instances returns Reservations of Instances.
    const reservations = instances['Reservations'] as {
      Instances: { InstanceId: string; PrivateDnsName: string; State: { Name: string } }[];
    }[];
    const all = reservations.flatMap((r) => r.Instances);
    assert.equal(all.length, 3);
    const nodes = await readyNodes();
    for (const i of all) {
      assert.match(i.InstanceId, /^i-[0-9a-f]+$/);
      assert.equal(i.State.Name, 'running');
      assert.ok(nodes.includes(i.PrivateDnsName), `${i.PrivateDnsName} is not a Ready node`);
    }
  });

  it('places the node group in the VPC: node IPs, zones and instances agree with EC2', async () => {
    const cluster = await awsJson(['eks', 'describe-cluster', '--name', CLUSTER]);
    // SAFETY: describe-cluster returns {cluster: {resourcesVpcConfig: {subnetIds, vpcId}}}.
    const vpc = (cluster['cluster'] as { resourcesVpcConfig: { subnetIds: string[] } })
      .resourcesVpcConfig;
    const described = await awsJson(['ec2', 'describe-subnets', '--subnet-ids', ...vpc.subnetIds]);
    // SAFETY: describe-subnets returns Subnets.
    const subnets = described['Subnets'] as {
      SubnetId: string;
      CidrBlock: string;
      AvailabilityZone: string;
      MapPublicIpOnLaunch: boolean;
    }[];
    const publicSubnets = subnets.filter((s) => s.MapPublicIpOnLaunch);
    assert.equal(publicSubnets.length, 3);
    const subnetOf = (ip: string) => publicSubnets.find((s) => inCidr(ip, s.CidrBlock));

    const wide = await c.kubectl('1.32', ['get', 'nodes', '-o', 'wide', '--no-headers']);
    assert.equal(wide.code, 0, wide.stderr);
    const internalIps = new Map(
      wide.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(/\s+/))
        .map((f): [string, string] => [f[0] ?? '', f[5] ?? '']),
    );
    assert.equal(internalIps.size, 3, wide.stdout);
    assert.equal(new Set(internalIps.values()).size, 3, 'no two nodes share an address');
    const json = await c.kubectl('1.32', ['get', 'nodes', '-o', 'json']);
    // SAFETY: `kubectl get -o json` prints a List of Nodes.
    const nodes = (JSON.parse(json.stdout) as NodeList).items;
    for (const node of nodes) {
      const name = node.metadata.name;
      const ip = internalIps.get(name) ?? '';
      const subnet = subnetOf(ip);
      assert.ok(subnet, `${name}'s InternalIP ${ip} is in a public subnet of the VPC`);
      assert.equal(name, `ip-${ip.replaceAll('.', '-')}.ec2.internal`);
      assert.equal(node.metadata.labels['topology.kubernetes.io/zone'], subnet.AvailabilityZone);
    }
    // kiln up's configured nodes: their pods' addresses are their subnet's, too.
    const pool = nodes.filter((n) => (internalIps.get(n.metadata.name) ?? '').endsWith('.10'));
    assert.equal(pool.length, 2);
    for (const node of pool) {
      const subnet = subnetOf(internalIps.get(node.metadata.name) ?? '');
      const base = node.spec.podCIDR?.split('/')[0] ?? '';
      assert.ok(subnet && inCidr(base, subnet.CidrBlock), `${node.spec.podCIDR ?? ''} in subnet`);
    }
    assert.deepEqual(
      new Set(pool.map((n) => n.metadata.labels['topology.kubernetes.io/zone'])).size,
      2,
      'the pool is spread over AZs',
    );

    const instances = await awsJson(['ec2', 'describe-instances']);
    // SAFETY: describe-instances returns Reservations of Instances.
    const reservations = instances['Reservations'] as {
      Instances: { PrivateDnsName: string; PrivateIpAddress: string; SubnetId: string }[];
    }[];
    const all = reservations.flatMap((r) => r.Instances);
    assert.equal(all.length, 3);
    for (const i of all) {
      assert.equal(internalIps.get(i.PrivateDnsName), i.PrivateIpAddress, i.PrivateDnsName);
      assert.equal(i.SubnetId, subnetOf(i.PrivateIpAddress)?.SubnetId, i.PrivateDnsName);
    }
  });
});

function ipNumber(ip: string): number {
  return ip.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '', bits = '32'] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const n = ipNumber(ip);
  return /^\d+\.\d+\.\d+\.\d+$/.test(ip) && n >= ipNumber(base) && n < ipNumber(base) + size;
}

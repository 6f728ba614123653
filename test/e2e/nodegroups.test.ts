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
});

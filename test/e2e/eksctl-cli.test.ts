import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { kubectlBinary, startCluster, type RunResult, type TestCluster } from './harness.ts';
import { runKiln } from './process-harness.ts';

const REGION = 'ap-northeast-2';
const LOG = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \[(ℹ|✔|!)\] {2}/;

describe('eksctl-compatible cluster and node group commands (kiln CLI, kubectl 1.32)', () => {
  let c: TestCluster;
  let home: string;
  let env: NodeJS.ProcessEnv;

  const kiln = async (args: readonly string[]): Promise<RunResult> => {
    const r = await runKiln(args, env);
    assert.equal(r.code, 0, `kiln ${args.join(' ')}\n${r.stdout}${r.stderr}`);
    return r;
  };
  const messages = (stdout: string): string[] =>
    stdout
      .trimEnd()
      .split('\n')
      .map((l) => {
        assert.match(l, LOG);
        return l.replace(LOG, '');
      });

  // kubectl through the written kubeconfig: its user runs `aws eks get-token` (AWS CLI v1).
  const kubectl = (args: readonly string[]): Promise<RunResult> =>
    new Promise((resolve) => {
      execFile(
        kubectlBinary('1.32'),
        ['--cache-dir', join(home, 'kube-cache'), ...args],
        { env, timeout: 60_000 },
        (err, stdout, stderr) => {
          resolve({ code: err ? 1 : 0, stdout, stderr });
        },
      );
    });

  before(async () => {
    c = await startCluster({ eksAddons: true });
    home = mkdtempSync(join(tmpdir(), 'kiln-eksctl-'));
    env = {
      PATH: process.env['PATH'] ?? '',
      HOME: home,
      KUBECONFIG: join(home, 'kubeconfig'),
      AWS_CONFIG_FILE: join(home, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'aws-credentials'),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: REGION,
      // Kiln's calls go to the endpoint; `aws eks get-token` keeps presigning for STS's own host.
      AWS_ENDPOINT_URL_EKS: c.daemon.aws?.url ?? '',
    };
  });

  after(async () => {
    await c.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('creates a cluster with a managed node group, lists it, and scales node groups', async () => {
    const created = messages(
      (await kiln(['create', 'cluster', '--name', 'demo', '--nodegroup-name', 'ng-a'])).stdout,
    );
    assert.deepEqual(created.slice(0, 5), [
      `using region ${REGION}`,
      `setting availability zones to [${REGION}a ${REGION}b ${REGION}c]`,
      `subnets for ${REGION}a - public:192.168.0.0/19 private:192.168.96.0/19`,
      `subnets for ${REGION}b - public:192.168.32.0/19 private:192.168.128.0/19`,
      `subnets for ${REGION}c - public:192.168.64.0/19 private:192.168.160.0/19`,
    ]);
    assert.ok(
      created.includes(`creating EKS cluster "demo" in "${REGION}" region with managed nodes`),
    );
    assert.ok(created.includes('waiting for at least 2 node(s) to become ready in "ng-a"'));
    assert.ok(created.includes('created 1 managed nodegroup(s) in cluster "demo"'));
    assert.equal(created.at(-1), `EKS cluster "demo" in "${REGION}" region is ready`);
    const kubeconfig = parse(readFileSync(join(home, 'kubeconfig'), 'utf8')) as Record<
      string,
      unknown
    >;
    assert.equal(kubeconfig['current-context'], `iam-root-account@demo.${REGION}.eksctl.io`);
    const nodes = await kubectl(['get', 'nodes', '-o', 'name']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.equal(nodes.stdout.trim().split('\n').length, 2);

    assert.equal(
      (await kiln(['get', 'cluster'])).stdout,
      `NAME\tREGION\t\tEKSCTL CREATED\ndemo\t${REGION}\tTrue\n`,
    );
    await kiln(['create', 'nodegroup', '--cluster', 'demo', '--name', 'ng-b', '--nodes', '1']);
    const scaled = messages(
      (
        await kiln([
          'scale',
          'nodegroup',
          '--cluster',
          'demo',
          '--name',
          'ng-b',
          '--nodes',
          '2',
          '--nodes-max',
          '3',
        ])
      ).stdout,
    );
    assert.deepEqual(scaled, [
      'scaling nodegroup "ng-b" in cluster demo',
      'waiting for scaling of nodegroup "ng-b" to complete',
      'nodegroup successfully scaled',
    ]);
    const table = (await kiln(['get', 'nodegroup', '--cluster', 'demo'])).stdout.split('\n');
    assert.match(
      table[0] ?? '',
      /^CLUSTER\tNODEGROUP\tSTATUS\tCREATED\t+MIN SIZE\tMAX SIZE\tDESIRED CAPACITY\tINSTANCE TYPE\tIMAGE ID\t+ASG NAME\t+TYPE$/,
    );
    assert.match(
      table[1] ?? '',
      /^demo\tng-a\t+ACTIVE\t\S+Z\t2\t+2\t+2\t+m5\.large\tAL2023_x86_64_STANDARD\t/,
    );
    assert.match(table[2] ?? '', /^demo\tng-b\t+ACTIVE\t\S+Z\t1\t+3\t+2\t+m5\.large\t/);
    const deleted = messages(
      (await kiln(['delete', 'nodegroup', '--cluster', 'demo', '--name', 'ng-b', '--wait'])).stdout,
    );
    assert.equal(deleted.at(-1), 'deleted 1 nodegroup(s) from cluster "demo"');
    const rest = JSON.parse(
      (await kiln(['get', 'nodegroup', '--cluster', 'demo', '-o', 'json'])).stdout,
    ) as { Name: string }[];
    assert.deepEqual(
      rest.map((n) => n.Name),
      ['ng-a'],
    );
    const bad = await runKiln(
      [
        'scale',
        'nodegroup',
        '--cluster',
        'demo',
        '--name',
        'ng-a',
        '--nodes',
        '5',
        '--nodes-max',
        '3',
      ],
      env,
    );
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      'Error: maximum number of nodes must be greater than or equal to number of nodes\n',
    );
  });

  it('creates a Fargate cluster whose CoreDNS moves onto fargate- nodes', async () => {
    const created = messages(
      (await kiln(['create', 'cluster', '--name', 'fg', '--fargate'])).stdout,
    );
    assert.ok(
      created.includes(`creating EKS cluster "fg" in "${REGION}" region with Fargate profile`),
    );
    assert.ok(created.includes('created Fargate profile "fp-default" on EKS cluster "fg"'));
    assert.ok(created.includes('"coredns" is now schedulable onto Fargate'));
    assert.ok(created.includes('"coredns" pods are now scheduled onto Fargate'));
    const pods = await kubectl([
      'get',
      'pods',
      '-n',
      'kube-system',
      '-l',
      'k8s-app=kube-dns',
      '-o',
      'jsonpath={range .items[*]}{.spec.nodeName} {.status.phase}{"\\n"}{end}',
    ]);
    assert.equal(pods.code, 0, pods.stderr);
    const lines = pods.stdout.trim().split('\n');
    assert.equal(lines.length, 2);
    for (const l of lines) assert.match(l, /^fargate-ip-\S+ Running$/);
  });
});

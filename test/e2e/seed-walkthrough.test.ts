import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kubectlBinary } from './harness.ts';
import { freePort } from './process-harness.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const KILN = join(ROOT, 'bin', 'kiln.js');

/**
 * The seed walkthrough (../shared/seeds/000_ae710b163e3e5760.txt), command by command, through
 * bash with the real AWS CLI (v1, first on PATH), the Kiln CLI in eksctl's place and kubectl
 * 1.32 — against `kiln up` started as the user starts it. Only the AWS endpoint is added
 * (`AWS_ENDPOINT_URL`, which the AWS CLI honours), and YAML is indented as YAML needs.
 */
const WALKTHROUGH = String.raw`
set -euo pipefail
cat << EOF > fargaterole.json
{
"Version":"2012-10-17",
"Statement":[
{
"Effect":"Allow",
"Principal":{
"Service": "eks-fargate-pods.amazonaws.com"
},
"Action":"sts:AssumeRole",
"Condition":{
}
}
]
}
EOF
FargateRole=$(aws iam create-role --role-name FargateRole --assume-role-policy-document file://fargaterole.json --output text --query 'Role.Arn')
echo $FargateRole
aws iam attach-role-policy --role-name FargateRole --policy-arn arn:aws:iam::aws:policy/AmazonEKSFargatePodExecutionRolePolicy
cat << EOF > fargateprofile.yaml
apiVersion: eksctl.io/v1alpha5
kind: ClusterConfig
metadata:
  name: wsi-eks-cluster
  region: ap-northeast-2
fargateProfiles:
  - name: skills-fargates
    selectors:
      - namespace: wsi-skills-namespace
        labels:
          node: fargate
    podExecutionRoleArn: "$FargateRole"
EOF
eksctl create fargateprofile -f fargateprofile.yaml
eksctl get fargateprofile --cluster wsi-eks-cluster
EKSSGID=$(aws eks describe-cluster --name wsi-eks-cluster --query cluster.resourcesVpcConfig.clusterSecurityGroupId --output text)
echo "SG=$EKSSGID"
aws ec2 authorize-security-group-ingress --group-id $EKSSGID --protocol '-1' --cidr 10.0.0.5/32
kubectl create namespace wsi-skills-namespace
cat << EOF > deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-to-scaleout
  namespace: wsi-skills-namespace #profile ns 만족
spec:
  replicas: 1
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        service: nginx
        app: nginx
        node: fargate #profile Label 만족
    spec:
      containers:
      - image: nginx
        name: nginx-to-scaleout
        resources:
          limits:
            cpu: 500m
            memory: 512Mi
          requests:
            cpu: 500m
            memory: 512Mi
EOF
kubectl apply -f deployment.yaml
kubectl rollout status deployment/nginx-to-scaleout -n wsi-skills-namespace --timeout=60s
FpPod1=$(kubectl get pod -n wsi-skills-namespace -oname | cut -d "/" -f 2)
kubectl describe pod -n wsi-skills-namespace $FpPod1
kubectl scale --replicas=10 deployment/nginx-to-scaleout -n wsi-skills-namespace
kubectl rollout status deployment/nginx-to-scaleout -n wsi-skills-namespace --timeout=90s
`;

function run(
  cmd: string,
  args: readonly string[],
  o: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      cmd,
      args,
      { cwd: o.cwd, env: o.env, timeout: o.timeoutMs ?? 240_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        done({
          code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1,
          stdout,
          stderr,
        });
      },
    );
  });
}

describe('the seed walkthrough against kiln up (AWS CLI, Kiln CLI, kubectl 1.32)', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-seed-'));
  const stateDir = join(work, 'state');
  const bin = join(work, 'bin');
  let env: NodeJS.ProcessEnv = {};
  let out = '';

  before(async () => {
    const [port, awsPort] = [await freePort(), await freePort()];
    env = {
      PATH: `${bin}:${process.env['PATH'] ?? ''}`,
      HOME: work,
      KILN_STATE_DIR: stateDir,
      KUBECONFIG: join(stateDir, 'kubeconfig'),
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_DEFAULT_REGION: 'ap-northeast-2',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${String(awsPort)}`,
      AWS_CONFIG_FILE: join(work, 'aws-config'),
      AWS_SHARED_CREDENTIALS_FILE: join(work, 'aws-credentials'),
      KILN_EKS_DELAY_MS: '1000',
    };
    // `eksctl` and `kubectl` as a user would have them on PATH: Kiln's CLI and kubectl 1.32.
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'eksctl'), `#!/bin/sh\nexec "${process.execPath}" "${KILN}" "$@"\n`, {
      mode: 0o755,
    });
    symlinkSync(kubectlBinary('1.32'), join(bin, 'kubectl'));
    const up = await run(
      process.execPath,
      [
        KILN,
        'up',
        '--port',
        String(port),
        '--aws-port',
        String(awsPort),
        '--region',
        'ap-northeast-2',
        '--cluster-name',
        'wsi-eks-cluster',
      ],
      { cwd: work, env: { ...process.env, ...env } },
    );
    assert.equal(up.code, 0, up.stderr + up.stdout);
    const walk = await run('bash', ['-c', WALKTHROUGH], {
      cwd: work,
      env: { ...process.env, ...env },
    });
    out = walk.stdout;
    assert.equal(walk.code, 0, `${walk.stdout}\n${walk.stderr}`);
  });

  after(async () => {
    await run(process.execPath, [KILN, 'down'], { cwd: work, env: { ...process.env, ...env } });
    rmSync(work, { recursive: true, force: true });
  });

  const kubectl = async (args: readonly string[]): Promise<string> => {
    const r = await run('kubectl', args, { cwd: work, env: { ...process.env, ...env } });
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };

  it('creates the role and the profile, which is ACTIVE and listed with eksctl columns', () => {
    assert.match(out, /^arn:aws:iam::000000000000:role\/FargateRole$/m);
    assert.match(
      out,
      /\[ℹ\] {2}creating Fargate profile "skills-fargates" on EKS cluster "wsi-eks-cluster"/,
    );
    assert.match(
      out,
      /\[ℹ\] {2}created Fargate profile "skills-fargates" on EKS cluster "wsi-eks-cluster"/,
    );
    assert.match(
      out,
      /^NAME\t+SELECTOR_NAMESPACE\t+SELECTOR_LABELS\t+POD_EXECUTION_ROLE_ARN\t+SUBNETS\t+TAGS\t+STATUS\nskills-fargates\t+wsi-skills-namespace\t+node=fargate\t+arn:aws:iam::000000000000:role\/FargateRole\t+subnet-[0-9a-f]+,subnet-[0-9a-f]+,subnet-[0-9a-f]+\t+<none>\t+ACTIVE$/m,
    );
    assert.match(out, /^SG=sg-[0-9a-f]{17}$/m);
  });

  it('describes the matched pod with the Fargate events and CapacityProvisioned', () => {
    assert.match(
      out,
      /Labels:.*\n(\s+.*\n)*?\s+eks\.amazonaws\.com\/fargate-profile=skills-fargates/,
    );
    assert.match(out, /CapacityProvisioned: 0\.5vCPU 1GB/);
    assert.match(
      out,
      /Node:\s+fargate-ip-(\d+)-(\d+)-(\d+)-(\d+)\.ap-northeast-2\.compute\.internal\/\1\.\2\.\3\.\4/,
    );
    assert.match(
      out,
      /Normal\s+Scheduled\s+\S+\s+fargate-scheduler\s+Successfully assigned wsi-skills-namespace\/nginx-to-scaleout-\S+ to fargate-ip-/,
    );
    assert.match(
      out,
      /Warning\s+LoggingDisabled\s+\S+\s+fargate-scheduler\s+Disabled logging because aws-logging configmap was not found/,
    );
  });

  it('scales to 10 pods, each Running on its own fargate-ip node whose InternalIP is the pod IP', async () => {
    const pods = await kubectl([
      'get',
      'pods',
      '-n',
      'wsi-skills-namespace',
      '-o',
      'jsonpath={range .items[*]}{.status.phase} {.status.podIP} {.spec.nodeName}{"\\n"}{end}',
    ]);
    const rows = pods
      .trim()
      .split('\n')
      .map((l) => l.split(' '));
    assert.equal(rows.length, 10);
    const nodes = await kubectl([
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.status.addresses[?(@.type=="InternalIP")].address}{"\\n"}{end}',
    ]);
    const ipOf = new Map(
      nodes
        .trim()
        .split('\n')
        .map((l) => l.split(' ') as [string, string]),
    );
    for (const [phase, ip, node] of rows) {
      assert.equal(phase, 'Running');
      assert.match(node ?? '', /^fargate-ip-/);
      assert.equal(ipOf.get(node ?? ''), ip);
    }
    assert.equal(new Set(rows.map((r) => r[2])).size, 10, 'one node per pod');
  });

  it('runs pods elsewhere on the node group, keeps DaemonSets and compute-type ec2 pods off Fargate', async () => {
    await kubectl(['run', 'plain', '-n', 'default', '--image=nginx']);
    await kubectl([
      'run',
      'pinned',
      '-n',
      'wsi-skills-namespace',
      '--image=nginx',
      '--labels=node=fargate',
      '--annotations=eks.amazonaws.com/compute-type=ec2',
    ]);
    for (const [ns, name] of [
      ['default', 'plain'],
      ['wsi-skills-namespace', 'pinned'],
    ] as const) {
      await kubectl(['wait', '-n', ns, `pod/${name}`, '--for=condition=Ready', '--timeout=60s']);
      const node = await kubectl(['get', 'pod', '-n', ns, name, '-o', 'jsonpath={.spec.nodeName}']);
      assert.match(node, /^ip-192-168-\d+-\d+\./, `${name} runs on a node-group node`);
    }
    const daemonPods = await kubectl([
      'get',
      'pods',
      '-n',
      'kube-system',
      '-l',
      'k8s-app in (kube-proxy,aws-node)',
      '-o',
      'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}',
    ]);
    for (const node of daemonPods.trim().split('\n')) assert.doesNotMatch(node, /^fargate-/);
    const ds = await kubectl([
      'get',
      'ds',
      '-n',
      'kube-system',
      'kube-proxy',
      '-o',
      'jsonpath={.status.desiredNumberScheduled}',
    ]);
    assert.equal(ds, '2');
  });
});

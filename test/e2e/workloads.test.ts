import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startCluster, type TestCluster } from './harness.ts';

const SEED_DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-to-scaleout
  namespace: wsi-skills-namespace
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
        node: fargate
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
`;

describe('workloads run on the worker nodes (kubectl 1.32)', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ workerNodes: 2 });
  });
  after(async () => {
    await c.stop();
  });

  it('has Ready worker nodes', async () => {
    await eventually('Ready nodes', async () =>
      /\sReady\s/.test((await c.kubectl('1.32', ['get', 'nodes'])).stdout),
    );
  });

  it('runs the seed deployment: rollout status completes, pods Running with IPs, logs', async () => {
    assert.equal(
      (await c.kubectl('1.32', ['create', 'namespace', 'wsi-skills-namespace'])).code,
      0,
    );
    const applied = await c.kubectl('1.32', ['apply', '-f', '-'], { stdin: SEED_DEPLOYMENT });
    assert.equal(applied.code, 0, applied.stderr);
    const rollout = await c.kubectl('1.32', [
      'rollout',
      'status',
      'deployment/nginx-to-scaleout',
      '-n',
      'wsi-skills-namespace',
      '--timeout=60s',
    ]);
    assert.equal(rollout.code, 0, rollout.stderr);
    assert.match(rollout.stdout, /successfully rolled out/);
    const pods = await c.kubectl('1.32', [
      'get',
      'pods',
      '-n',
      'wsi-skills-namespace',
      '-o',
      'wide',
    ]);
    assert.match(
      pods.stdout,
      /nginx-to-scaleout-[a-z0-9]+-[a-z0-9]{5}\s+1\/1\s+Running\s+0\s+\S+\s+\d+\.\d+\.\d+\.\d+\s+\S+/,
    );
    const name =
      (await c.kubectl('1.32', ['get', 'pod', '-n', 'wsi-skills-namespace', '-oname'])).stdout
        .trim()
        .split('/')[1] ?? '';
    const logs = await c.kubectl('1.32', ['logs', '-n', 'wsi-skills-namespace', name]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.notEqual(logs.stdout.trim(), '');
    // Events are written after the fact (as the scheduler's and kubelet's recorders do), so
    // wait until the scheduler's has landed.
    const describe = (): ReturnType<TestCluster['kubectl']> =>
      c.kubectl('1.32', ['describe', 'pod', '-n', 'wsi-skills-namespace', name]);
    await eventually('the Scheduled event', async () =>
      (await describe()).stdout.includes('Successfully assigned'),
    );
    const described = await describe();
    assert.match(
      described.stdout,
      /Normal\s+Scheduled\s+.*default-scheduler\s+Successfully assigned wsi-skills-namespace\//,
    );
    assert.match(described.stdout, /Normal\s+Started\s+.*kubelet/);
  });

  it('scales to 6 replicas (what two m5.large nodes hold at 500m each), all Running', async () => {
    const s = await c.kubectl('1.32', [
      'scale',
      '--replicas=6',
      'deployment/nginx-to-scaleout',
      '-n',
      'wsi-skills-namespace',
    ]);
    assert.equal(s.code, 0, s.stderr);
    const rollout = await c.kubectl('1.32', [
      'rollout',
      'status',
      'deployment/nginx-to-scaleout',
      '-n',
      'wsi-skills-namespace',
      '--timeout=60s',
    ]);
    assert.equal(rollout.code, 0, rollout.stderr);
    const running = (
      await c.kubectl('1.32', [
        'get',
        'pods',
        '-n',
        'wsi-skills-namespace',
        '--field-selector=status.phase=Running',
        '-oname',
      ])
    ).stdout
      .trim()
      .split('\n');
    assert.equal(running.length, 6);
  });

  it('deleting the deployment removes its replicasets and pods', async () => {
    const d = await c.kubectl('1.32', [
      'delete',
      'deployment',
      'nginx-to-scaleout',
      '-n',
      'wsi-skills-namespace',
    ]);
    assert.equal(d.code, 0, d.stderr);
    await eventually(
      'pods and replicasets gone',
      async () => {
        const out = await c.kubectl('1.32', [
          'get',
          'rs,pods',
          '-n',
          'wsi-skills-namespace',
          '-oname',
        ]);
        return out.stdout.trim() === '';
      },
      60_000,
    );
  });
});

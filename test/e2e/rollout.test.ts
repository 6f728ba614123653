import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../../src/api/index.ts';
import { Informer, realSleep } from '../../src/client/index.ts';
import { statePaths } from '../../src/daemon/config.ts';
import { eventually, kubectlBinary, startCluster, type TestCluster } from './harness.ts';
import { freePort, startKilnProcess } from './process-harness.ts';

/** Four replicas, one surge, one unavailable; pods become Ready a moment after starting. */
const deployment = (name: string, image: string, readyAfter = '500ms'): string => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
spec:
  replicas: 4
  strategy:
    type: RollingUpdate
    rollingUpdate: { maxSurge: 1, maxUnavailable: 1 }
  selector:
    matchLabels: { app: ${name} }
  template:
    metadata:
      labels: { app: ${name} }
      annotations: { sim.kiln.dev/ready-after: ${readyAfter} }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: web
        image: ${image}
        resources: { requests: { cpu: 100m, memory: 64Mi } }
`;

interface PodView {
  readonly terminating: boolean;
  readonly ready: boolean;
  readonly image: string;
}

function view(o: KubeObject): PodView {
  // SAFETY: reading a pod's well-known fields; absent ones read as undefined.
  const p = o as unknown as {
    metadata: { deletionTimestamp?: string };
    spec: { containers: { image: string }[] };
    status?: { conditions?: { type: string; status: string }[] };
  };
  return {
    terminating: p.metadata.deletionTimestamp !== undefined,
    ready: p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
    image: p.spec.containers[0]?.image ?? '',
  };
}

describe('rolling updates through kubectl 1.32', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ workerNodes: 2 });
  });
  after(async () => {
    await c.stop();
  });

  it('rolls an image change within maxSurge/maxUnavailable, then undoes it', async () => {
    const applied = await c.kubectl('1.32', ['apply', '-f', '-'], {
      stdin: deployment('web', 'nginx:1.26'),
    });
    assert.equal(applied.code, 0, applied.stderr);
    const first = await c.kubectl('1.32', ['rollout', 'status', 'deploy/web', '--timeout=60s']);
    assert.equal(first.code, 0, first.stderr);

    // Watch every pod of the Deployment while the image changes.
    const pods = new Map<string, PodView>();
    let most = 0;
    let fewestReady = Infinity;
    let synced = false;
    const measure = (): void => {
      if (!synced) return;
      const live = [...pods.values()].filter((p) => !p.terminating);
      most = Math.max(most, live.length);
      fewestReady = Math.min(fewestReady, live.filter((p) => p.ready).length);
    };
    const ac = new AbortController();
    const informer = new Informer({
      client: c.daemon.defaultCluster.client,
      path: '/api/v1/namespaces/default/pods',
      query: { labelSelector: 'app=web' },
      sleep: realSleep,
      handlers: {
        onChange: (o) => {
          pods.set(o.metadata.name ?? '', view(o));
          measure();
        },
        onDelete: (o) => pods.delete(o.metadata.name ?? ''),
      },
    });
    void informer.run(ac.signal);
    await informer.waitForSync();
    synced = true;
    measure();
    try {
      const set = await c.kubectl('1.32', ['set', 'image', 'deploy/web', 'web=nginx:1.27']);
      assert.equal(set.code, 0, set.stderr);
      const rolled = await c.kubectl('1.32', ['rollout', 'status', 'deploy/web', '--timeout=90s']);
      assert.equal(rolled.code, 0, rolled.stderr);
      assert.match(rolled.stdout, /successfully rolled out/);
      await eventually('old pods gone', () => [...pods.values()].every((p) => !p.terminating));
    } finally {
      ac.abort();
    }
    assert.ok(most <= 5, `at most replicas + maxSurge pods at once, saw ${most}`);
    assert.ok(fewestReady >= 3, `at least replicas - maxUnavailable Ready, saw ${fewestReady}`);
    assert.ok(
      [...pods.values()].every((p) => p.image === 'nginx:1.27'),
      'every pod runs the new image',
    );

    const history = await c.kubectl('1.32', ['rollout', 'history', 'deploy/web']);
    assert.equal(history.code, 0, history.stderr);
    assert.match(history.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    const undo = await c.kubectl('1.32', ['rollout', 'undo', 'deploy/web']);
    assert.equal(undo.code, 0, undo.stderr);
    assert.match(undo.stdout, /deployment.apps\/web rolled back/);
    const back = await c.kubectl('1.32', ['rollout', 'status', 'deploy/web', '--timeout=90s']);
    assert.equal(back.code, 0, back.stderr);
    const images = await c.kubectl('1.32', [
      'get',
      'deploy/web',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}',
    ]);
    assert.equal(images.stdout, 'nginx:1.26 3');
  });
});

function kubectl(
  kubeconfig: string,
  cacheDir: string,
  args: readonly string[],
  stdin?: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      kubectlBinary('1.32'),
      ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
      { timeout: 120_000 },
      (err, stdout, stderr) => {
        resolve({
          code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1,
          stdout,
          stderr,
        });
      },
    );
    child.stdin?.end(stdin);
  });
}

it('finishes a rollout after kill -9 of the daemon mid-way, with no lost or duplicate pods', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kiln-rollout-'));
  const port = await freePort();
  const { kubeconfig } = statePaths(stateDir);
  const cache = join(stateDir, 'kube-cache');
  const k = (args: readonly string[], stdin?: string) => kubectl(kubeconfig, cache, args, stdin);
  let child = await startKilnProcess(stateDir, port);
  try {
    await eventually('nodes Ready', async () =>
      (await k(['get', 'nodes'])).stdout.includes(' Ready'),
    );
    assert.equal((await k(['apply', '-f', '-'], deployment('api', 'nginx:1.26', '2s'))).code, 0);
    const first = await k(['rollout', 'status', 'deploy/api', '--timeout=60s']);
    assert.equal(first.code, 0, first.stderr);
    assert.equal((await k(['set', 'image', 'deploy/api', 'web=nginx:1.27'])).code, 0);
    // Mid-way: the new ReplicaSet has pods while the old one still has some.
    await eventually(
      'a rollout in progress',
      async () => {
        const rs = await k([
          'get',
          'rs',
          '-l',
          'app=api',
          '-o',
          'jsonpath={range .items[*]}{.status.replicas}{" "}{end}',
        ]);
        const counts = rs.stdout.trim().split(' ').map(Number);
        return counts.length === 2 && counts.every((n) => n > 0);
      },
      30_000,
    );
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    child = await startKilnProcess(stateDir, port);
    const done = await k(['rollout', 'status', 'deploy/api', '--timeout=90s']);
    assert.equal(done.code, 0, done.stderr);
    await eventually(
      'exactly the four new pods',
      async () => {
        const out = await k([
          'get',
          'pods',
          '-l',
          'app=api',
          '-o',
          'jsonpath={range .items[*]}{.spec.containers[0].image}{" "}{.status.phase}{"\\n"}{end}',
        ]);
        const lines = out.stdout.trim().split('\n');
        return lines.length === 4 && lines.every((l) => l === 'nginx:1.27 Running');
      },
      60_000,
    );
    const rs = await k([
      'get',
      'rs',
      '-l',
      'app=api',
      '-o',
      'jsonpath={range .items[*]}{.spec.template.spec.containers[0].image}={.spec.replicas}{" "}{end}',
    ]);
    assert.deepEqual(rs.stdout.trim().split(' ').sort(), ['nginx:1.26=0', 'nginx:1.27=4']);
  } finally {
    child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
});

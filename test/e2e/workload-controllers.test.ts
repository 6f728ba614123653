import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startCluster, type TestCluster } from './harness.ts';

/** Jobs, DaemonSets, StatefulSets and drain, driven by kubectl 1.32 on two worker nodes. */
describe('workload controllers through kubectl 1.32', () => {
  let c: TestCluster;
  let nodes: string[] = [];
  before(async () => {
    c = await startCluster({ workerNodes: 2 });
    await eventually('two Ready nodes', async () => {
      const out = await c.kubectl('1.32', ['get', 'nodes', '-o', 'name']);
      nodes = out.stdout.trim().split('\n').filter(Boolean);
      return nodes.length === 2;
    });
  });
  after(async () => {
    await c.stop();
  });

  const kubectl = async (args: readonly string[], stdin?: string): Promise<string> => {
    const r = await c.kubectl('1.32', args, stdin === undefined ? {} : { stdin });
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
    return r.stdout;
  };

  it('a Job completes and `kubectl wait --for=condition=complete` returns', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      `apiVersion: batch/v1
kind: Job
metadata: { name: pi }
spec:
  completions: 3
  parallelism: 2
  template:
    metadata:
      annotations: { sim.kiln.dev/exit-after: 1s }
    spec:
      restartPolicy: Never
      containers:
      - name: pi
        image: perl:5.34
        command: [perl, -Mbignum=bpi, -wle, print bpi(20)]
`,
    );
    const wait = await c.kubectl('1.32', [
      'wait',
      '--for=condition=complete',
      'job/pi',
      '--timeout=60s',
    ]);
    assert.equal(wait.code, 0, wait.stderr);
    assert.match(wait.stdout, /job.batch\/pi condition met/);
    const get = await kubectl(['get', 'job', 'pi', '--no-headers']);
    assert.match(get, /^pi\s+Complete\s+3\/3\s/);
    const pods = await kubectl([
      'get',
      'pods',
      '-l',
      'batch.kubernetes.io/job-name=pi',
      '-o',
      'jsonpath={range .items[*]}{.status.phase}{"\\n"}{end}',
    ]);
    assert.deepEqual(pods.trim().split('\n'), ['Succeeded', 'Succeeded', 'Succeeded']);
  });

  it('a DaemonSet runs one pod per eligible node and none on a tainted node', async () => {
    const tainted = nodes[1]?.replace('node/', '') ?? '';
    await kubectl(['taint', 'nodes', tainted, 'dedicated=gpu:NoSchedule']);
    await kubectl(
      ['apply', '-f', '-'],
      `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec:
      containers:
      - { name: agent, image: fluent/fluent-bit:3.0 }
`,
    );
    const status = await c.kubectl('1.32', ['rollout', 'status', 'ds/agent', '--timeout=60s']);
    assert.equal(status.code, 0, status.stderr);
    const placed = await kubectl([
      'get',
      'pods',
      '-l',
      'app=agent',
      '-o',
      'jsonpath={range .items[*]}{.spec.nodeName}{"\\n"}{end}',
    ]);
    const on = placed.trim().split('\n');
    assert.equal(on.length, 1);
    assert.notEqual(on[0], tainted);
    const ds = await kubectl(['get', 'ds', 'agent', '--no-headers']);
    assert.match(ds, /^agent\s+1\s+1\s+1\s+1\s+1\s/);
    await kubectl(['taint', 'nodes', tainted, 'dedicated=gpu:NoSchedule-']);
    await eventually('a daemon pod on the untainted node', async () =>
      /^agent\s+2\s+2\s+2\s+2\s+2\s/.test(await kubectl(['get', 'ds', 'agent', '--no-headers'])),
    );
  });

  it('a StatefulSet creates ordered, stable pods with their claims', async () => {
    await kubectl(
      ['apply', '-f', '-'],
      `apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db }
spec:
  serviceName: db
  replicas: 3
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec:
      containers:
      - { name: db, image: postgres:16, resources: { requests: { cpu: 50m } } }
  volumeClaimTemplates:
  - metadata: { name: data }
    spec:
      accessModes: [ReadWriteOnce]
      resources: { requests: { storage: 1Gi } }
`,
    );
    const status = await c.kubectl('1.32', ['rollout', 'status', 'sts/db', '--timeout=90s']);
    assert.equal(status.code, 0, status.stderr);
    const pods = await kubectl(['get', 'pods', '-l', 'app=db', '-o', 'name']);
    assert.deepEqual(pods.trim().split('\n'), ['pod/db-0', 'pod/db-1', 'pod/db-2']);
    const pvcs = await kubectl(['get', 'pvc', '-o', 'name']);
    assert.deepEqual(
      pvcs
        .trim()
        .split('\n')
        .filter((p) => p.includes('data-db-')),
      [
        'persistentvolumeclaim/data-db-0',
        'persistentvolumeclaim/data-db-1',
        'persistentvolumeclaim/data-db-2',
      ],
    );
  });

  it('kubectl drain evicts through the eviction API and honours a PodDisruptionBudget', async () => {
    await kubectl(['create', 'namespace', 'drain']);
    await kubectl(
      ['apply', '-n', 'drain', '-f', '-'],
      `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: { matchLabels: { app: web } }
            topologyKey: kubernetes.io/hostname
      containers:
      - { name: web, image: nginx, resources: { requests: { cpu: 100m } } }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web }
spec:
  minAvailable: 2
  selector: { matchLabels: { app: web } }
`,
    );
    assert.equal(
      (await c.kubectl('1.32', ['rollout', 'status', '-n', 'drain', 'deploy/web'])).code,
      0,
    );
    const target = nodes[0]?.replace('node/', '') ?? '';
    // minAvailable 2 of 2: the budget allows no disruption, so drain keeps retrying and gives up.
    await eventually('the budget is observed', async () =>
      /^web\s+2\s+N\/A\s+0\s/.test(
        await kubectl(['get', 'pdb', '-n', 'drain', 'web', '--no-headers']),
      ),
    );
    const blocked = await c.kubectl('1.32', [
      'drain',
      target,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--timeout=5s',
    ]);
    assert.notEqual(blocked.code, 0, `${blocked.stdout}\n${blocked.stderr}`);
    assert.match(
      blocked.stderr + blocked.stdout,
      /Cannot evict pod as it would violate the pod's disruption budget/,
    );
    assert.match(await kubectl(['get', 'node', target, '--no-headers']), /SchedulingDisabled/);
    // With room in the budget the same drain succeeds.
    await kubectl([
      'patch',
      'pdb',
      '-n',
      'drain',
      'web',
      '--type=merge',
      '-p',
      '{"spec":{"minAvailable":1}}',
    ]);
    await eventually('the budget allows one', async () =>
      /^web\s+1\s+N\/A\s+1\s/.test(
        await kubectl(['get', 'pdb', '-n', 'drain', 'web', '--no-headers']),
      ),
    );
    const drained = await c.kubectl('1.32', [
      'drain',
      target,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--timeout=60s',
    ]);
    assert.equal(drained.code, 0, drained.stderr);
    assert.match(drained.stdout, /evicting pod drain\/web-/);
    assert.match(drained.stdout, new RegExp(`node/${target} drained`));
    const left = await kubectl([
      'get',
      'pods',
      '-A',
      '--field-selector',
      `spec.nodeName=${target}`,
      '-o',
      'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name} {.metadata.ownerReferences[0].kind}{"\\n"}{end}',
    ]);
    for (const line of left.trim().split('\n').filter(Boolean)) {
      assert.match(line, / DaemonSet$/, `only DaemonSet pods stay on a drained node: ${line}`);
    }
    await kubectl(['uncordon', target]);
  });
});

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import type { KubeClient } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { ManualClock } from '../util/index.ts';
import { eventually, listPods, startCluster } from '../../test/support/controller-kit.ts';
import { JobController } from './job.ts';
import { clockSleep } from './job-test-kit.ts';
import { asJob, JOB_TRACKING_FINALIZER, type Job } from './job-objects.ts';

const JOBS = '/apis/batch/v1/namespaces/default/jobs';

interface Env {
  readonly cluster: Cluster;
  readonly clock: ManualClock;
  readonly ac: AbortController;
  readonly running: Promise<unknown>;
}

let env: Env | undefined;

afterEach(async () => {
  if (!env) return;
  env.ac.abort();
  await env.running;
  env.cluster.close();
  env = undefined;
});

async function start(): Promise<Env> {
  const cluster = await startCluster();
  const clock = new ManualClock(Date.UTC(2026, 0, 1, 12));
  const ac = new AbortController();
  const jc = new JobController({ client: cluster.client, sleep: clockSleep(clock), clock });
  env = { cluster, clock, ac, running: jc.run(ac.signal) };
  return env;
}

function job(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'c', image: 'busybox', command: ['true'] }],
        },
      },
      ...spec,
    },
  };
}

async function getJob(c: KubeClient, name: string): Promise<Job> {
  return asJob(await c.get(`${JOBS}/${name}`));
}

async function waitJob(c: KubeClient, name: string, ok: (j: Job) => boolean): Promise<Job> {
  return eventually(async () => {
    const j = await getJob(c, name);
    return ok(j) ? j : undefined;
  });
}

const hasCondition =
  (type: string) =>
  (j: Job): boolean =>
    j.status?.conditions?.some((c) => c.type === type && c.status === 'True') === true;

/** Plays the kubelet's end of a pod: phase Succeeded or Failed. */
async function finish(
  c: KubeClient,
  pod: KubeObject,
  phase: 'Succeeded' | 'Failed',
): Promise<void> {
  await c.patch(`/api/v1/namespaces/default/pods/${pod.metadata.name ?? ''}/status`, {
    status: { phase },
  });
}

async function activePods(c: KubeClient, n: number): Promise<KubeObject[]> {
  return eventually(async () => {
    const pods = (await listPods(c)).filter(
      (p) =>
        p.metadata.deletionTimestamp === undefined &&
        !['Succeeded', 'Failed'].includes(
          String((p['status'] as { phase?: string } | undefined)?.phase),
        ),
    );
    return pods.length === n ? pods : undefined;
  });
}

async function reasons(
  c: KubeClient,
): Promise<{ reason: string; message: string; type: string }[]> {
  const items = (await c.list('/api/v1/namespaces/default/events')).items;
  return items.map((e) => ({
    reason: String(e['reason']),
    message: String(e['message']),
    type: String(e['type']),
  }));
}

test('runs one pod to completion and records the job as Complete', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(JOBS, job('pi'));
  const [pod] = await activePods(c, 1);
  assert.ok(pod);
  assert.match(pod.metadata.name ?? '', /^pi-[a-z0-9]{5}$/);
  assert.deepEqual(pod.metadata.finalizers, [JOB_TRACKING_FINALIZER]);
  const labels = pod.metadata.labels ?? {};
  assert.equal(labels['batch.kubernetes.io/job-name'], 'pi');
  assert.equal(labels['job-name'], 'pi');
  assert.ok(labels['batch.kubernetes.io/controller-uid']);
  assert.equal(pod.metadata.ownerReferences?.[0]?.kind, 'Job');
  const running = await waitJob(c, 'pi', (j) => j.status?.active === 1);
  assert.equal(running.status?.startTime, '2026-01-01T12:00:00Z');
  assert.equal(running.status.ready, 0);
  assert.equal(running.status.terminating, 0);
  assert.deepEqual(running.status.uncountedTerminatedPods, {});

  clock.advance(5000);
  await finish(c, pod, 'Succeeded');
  const done = await waitJob(c, 'pi', hasCondition('Complete'));
  const st = done.status ?? {};
  assert.equal(st.succeeded, 1);
  assert.equal(st.active, undefined);
  assert.equal(st.completionTime, '2026-01-01T12:00:05Z');
  assert.deepEqual(
    st.conditions?.map((x) => [x.type, x.reason, x.message]),
    [
      ['SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods'],
      ['Complete', 'CompletionsReached', 'Reached expected number of succeeded pods'],
    ],
  );
  const after = await eventually(async () => {
    const p = (await listPods(c))[0];
    return (p?.metadata.finalizers ?? []).length === 0 ? p : undefined;
  });
  assert.equal(after.metadata.name, pod.metadata.name);
  const ev = await reasons(c);
  assert.ok(
    ev.some(
      (e) =>
        e.reason === 'SuccessfulCreate' && e.message === `Created pod: ${pod.metadata.name ?? ''}`,
    ),
  );
  assert.ok(ev.some((e) => e.reason === 'Completed' && e.message === 'Job completed'));
});

test('keeps parallelism pods running until completions succeed', async () => {
  const { cluster } = await start();
  const c = cluster.client;
  await c.create(JOBS, job('par', { completions: 4, parallelism: 2 }));
  const first = await activePods(c, 2);
  for (const p of first) await finish(c, p, 'Succeeded');
  await waitJob(c, 'par', (j) => j.status?.succeeded === 2 && j.status.active === 2);
  const second = await activePods(c, 2);
  assert.ok(second.every((p) => !first.some((f) => f.metadata.name === p.metadata.name)));
  await finish(c, second[0] ?? first[0] ?? { metadata: {} }, 'Succeeded');
  // Only one completion remains: no third pod joins the one still running.
  await waitJob(c, 'par', (j) => j.status?.succeeded === 3 && j.status.active === 1);
  await finish(c, second[1] ?? first[0] ?? { metadata: {} }, 'Succeeded');
  const done = await waitJob(c, 'par', hasCondition('Complete'));
  assert.equal(done.status?.succeeded, 4);
  assert.equal((await listPods(c)).length, 4);
});

test('gives each pod of an Indexed job its index and tracks completedIndexes', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(JOBS, job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
  const pods = await activePods(c, 3);
  const byIndex = new Map<string, KubeObject>();
  for (const p of pods) {
    const ix = p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] ?? '';
    byIndex.set(ix, p);
    assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], ix);
    assert.match(p.metadata.name ?? '', new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
    const spec = p['spec'] as { hostname?: string; containers: { env?: unknown[] }[] };
    assert.equal(spec.hostname, `idx-${ix}`);
    assert.deepEqual(spec.containers[0]?.env, [
      {
        name: 'JOB_COMPLETION_INDEX',
        valueFrom: {
          fieldRef: {
            apiVersion: 'v1',
            fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
          },
        },
      },
    ]);
  }
  assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
  await finish(c, byIndex.get('0') ?? { metadata: {} }, 'Succeeded');
  await finish(c, byIndex.get('2') ?? { metadata: {} }, 'Succeeded');
  await waitJob(c, 'idx', (j) => j.status?.completedIndexes === '0,2' && j.status.succeeded === 2);
  // A failed index is retried by a new pod with the same index.
  await finish(c, byIndex.get('1') ?? { metadata: {} }, 'Failed');
  await waitJob(c, 'idx', (j) => j.status?.failed === 1);
  clock.advance(10_000);
  const [retry] = await activePods(c, 1);
  assert.equal(retry?.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], '1');
  await finish(c, retry, 'Succeeded');
  const done = await waitJob(c, 'idx', hasCondition('Complete'));
  assert.equal(done.status?.completedIndexes, '0-2');
  assert.equal(done.status.failed, 1);
});

test('fails the job past backoffLimit after the pod failure backoff', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(JOBS, job('bad', { backoffLimit: 1 }));
  const [first] = await activePods(c, 1);
  await finish(c, first ?? { metadata: {} }, 'Failed');
  await waitJob(c, 'bad', (j) => j.status?.failed === 1);
  // The replacement waits out the 10 s backoff.
  await new Promise((r) => setTimeout(r, 100));
  assert.equal((await listPods(c)).length, 1);
  clock.advance(10_000);
  const [second] = await activePods(c, 1);
  await finish(c, second ?? { metadata: {} }, 'Failed');
  const failed = await waitJob(c, 'bad', hasCondition('Failed'));
  assert.equal(failed.status?.failed, 2);
  assert.deepEqual(
    failed.status.conditions?.map((x) => [x.type, x.reason, x.message]),
    [
      ['FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
      ['Failed', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'],
    ],
  );
  const ev = await reasons(c);
  assert.ok(ev.some((e) => e.reason === 'BackoffLimitExceeded' && e.type === 'Warning'));
});

test('fails the job past activeDeadlineSeconds and deletes its pods', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(JOBS, job('slow', { activeDeadlineSeconds: 30, parallelism: 2, completions: 2 }));
  await activePods(c, 2);
  await waitJob(c, 'slow', (j) => j.status?.active === 2);
  clock.advance(30_000);
  const failed = await waitJob(c, 'slow', hasCondition('Failed'));
  const cond = failed.status?.conditions?.find((x) => x.type === 'Failed');
  assert.equal(cond?.reason, 'DeadlineExceeded');
  assert.equal(cond.message, 'Job was active longer than specified deadline');
  assert.equal(failed.status?.failed, 2);
  assert.equal(failed.status.active, undefined);
  await eventually(async () => ((await listPods(c)).length === 0 ? true : undefined));
});

test('deletes a finished job once ttlSecondsAfterFinished has passed', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(JOBS, job('ttl', { ttlSecondsAfterFinished: 100 }));
  const [pod] = await activePods(c, 1);
  await finish(c, pod ?? { metadata: {} }, 'Succeeded');
  await waitJob(c, 'ttl', hasCondition('Complete'));
  clock.advance(99_000);
  await new Promise((r) => setTimeout(r, 100));
  await getJob(c, 'ttl');
  clock.advance(1000);
  await eventually(async () => {
    try {
      await getJob(c, 'ttl');
      return undefined;
    } catch {
      return true;
    }
  });
});

test('a suspended job runs no pods until resumed', async () => {
  const { cluster } = await start();
  const c = cluster.client;
  await c.create(JOBS, job('sus', { suspend: true }));
  const j = await waitJob(c, 'sus', hasCondition('Suspended'));
  const cond = j.status?.conditions?.find((x) => x.type === 'Suspended');
  assert.equal(cond?.reason, 'JobSuspended');
  assert.equal(j.status?.startTime, undefined);
  assert.equal((await listPods(c)).length, 0);
  await c.patch(`${JOBS}/sus`, { spec: { suspend: false } });
  await activePods(c, 1);
  const resumed = await waitJob(
    c,
    'sus',
    (x) => x.status?.conditions?.find((y) => y.type === 'Suspended')?.status === 'False',
  );
  assert.equal(resumed.status?.conditions?.[0]?.reason, 'JobResumed');
  assert.ok(resumed.status.startTime);
});

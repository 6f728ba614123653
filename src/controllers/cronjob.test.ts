import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import type { KubeClient } from '../client/index.ts';
import type { Cluster } from '../daemon/cluster.ts';
import { ManualClock, rfc3339 } from '../util/index.ts';
import { eventually, startCluster } from '../../test/support/controller-kit.ts';
import { CronJobController } from './cronjob.ts';
import { asCronJob, type CronJob } from './job-objects.ts';
import { clockSleep } from './job-test-kit.ts';

const CRONJOBS = '/apis/batch/v1/namespaces/default/cronjobs';
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
  // Stay clear of a minute boundary between the real creationTimestamp and the test's clock.
  const intoMinute = Date.now() % 60_000;
  if (intoMinute > 55_000) await new Promise((r) => setTimeout(r, 60_500 - intoMinute));
  const cluster = await startCluster();
  // The API server stamps creationTimestamp with the real clock: start the manual one just
  // after it, so no schedule time falls between a CronJob's creation and the test's clock.
  const clock = new ManualClock(Date.now() + 2000);
  const ac = new AbortController();
  const cc = new CronJobController({ client: cluster.client, sleep: clockSleep(clock), clock });
  env = { cluster, clock, ac, running: cc.run(ac.signal) };
  return env;
}

function cronJob(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '* * * * *',
      jobTemplate: {
        metadata: { labels: { team: 'a' } },
        spec: {
          template: {
            spec: {
              restartPolicy: 'Never',
              containers: [{ name: 'c', image: 'busybox' }],
            },
          },
        },
      },
      ...spec,
    },
  };
}

/**
 * Moves the clock one second past the next minute boundary; returns that boundary. It first
 * lets a sync in flight finish: a requeue computed before the jump would wait from after it.
 */
async function toNextMinute(clock: ManualClock): Promise<number> {
  await new Promise((r) => setTimeout(r, 100));
  const next = Math.ceil((clock.now() + 1) / 60_000) * 60_000;
  clock.advance(next + 1000 - clock.now());
  return next;
}

async function jobNames(c: KubeClient): Promise<string[]> {
  return (await c.list(JOBS)).items.map((j) => j.metadata.name ?? '').sort();
}

async function waitJobs(c: KubeClient, want: string[]): Promise<void> {
  await eventually(async () => {
    const names = await jobNames(c);
    return JSON.stringify(names) === JSON.stringify([...want].sort()) ? true : undefined;
  });
}

async function getCronJob(c: KubeClient, name: string): Promise<CronJob> {
  return asCronJob(await c.get(`${CRONJOBS}/${name}`));
}

async function events(c: KubeClient, reason: string): Promise<string[]> {
  const items = (await c.list('/api/v1/namespaces/default/events')).items;
  return items.filter((e) => e['reason'] === reason).map((e) => String(e['message']));
}

/** Plays the Job controller's end of a Job: Complete at `at`. */
async function completeJob(c: KubeClient, name: string, at: number): Promise<void> {
  const t = rfc3339(at);
  const cond = (type: string): Record<string, string> => ({
    type,
    status: 'True',
    lastProbeTime: t,
    lastTransitionTime: t,
    reason: 'CompletionsReached',
    message: 'Reached expected number of succeeded pods',
  });
  await c.patch(`${JOBS}/${name}/status`, {
    status: {
      startTime: rfc3339(at - 1000),
      completionTime: t,
      succeeded: 1,
      conditions: [cond('SuccessCriteriaMet'), cond('Complete')],
    },
  });
}

test('creates a Job at each schedule time and tracks it in status', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(CRONJOBS, cronJob('tick'));
  await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(await jobNames(c), []);
  const at = await toNextMinute(clock);
  const name = `tick-${String(at / 60_000)}`;
  await waitJobs(c, [name]);
  const job = await c.get(`${JOBS}/${name}`);
  assert.equal(
    job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
    rfc3339(at),
  );
  assert.equal(job.metadata.labels?.['team'], 'a');
  const ref = job.metadata.ownerReferences?.[0];
  assert.equal(ref?.kind, 'CronJob');
  assert.equal(ref.name, 'tick');
  assert.equal(ref.controller, true);
  const cj = await eventually(async () => {
    const x = await getCronJob(c, 'tick');
    return x.status?.active?.length === 1 ? x : undefined;
  });
  assert.equal(cj.status?.lastScheduleTime, rfc3339(at));
  assert.equal(cj.status.active?.[0]?.name, name);
  assert.deepEqual(await events(c, 'SuccessfulCreate'), [`Created job ${name}`]);

  await completeJob(c, name, at + 5000);
  const done = await eventually(async () => {
    const x = await getCronJob(c, 'tick');
    return x.status?.active === undefined && x.status?.lastSuccessfulTime ? x : undefined;
  });
  assert.equal(done.status?.lastSuccessfulTime, rfc3339(at + 5000));
  assert.deepEqual(await events(c, 'SawCompletedJob'), [
    `Saw completed job: ${name}, condition: Complete`,
  ]);
  const at2 = await toNextMinute(clock);
  await waitJobs(c, [name, `tick-${String(at2 / 60_000)}`]);
});

test('Forbid skips a run while one is active; Replace deletes it', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(CRONJOBS, cronJob('solo', { concurrencyPolicy: 'Forbid' }));
  const at = await toNextMinute(clock);
  const first = `solo-${String(at / 60_000)}`;
  await waitJobs(c, [first]);
  const at2 = await toNextMinute(clock);
  await eventually(async () =>
    (await events(c, 'JobAlreadyActive')).length > 0 ? true : undefined,
  );
  assert.deepEqual(await jobNames(c), [first]);

  // The skipped run is still due: under Replace it starts now, in place of the first.
  await c.patch(`${CRONJOBS}/solo`, { spec: { concurrencyPolicy: 'Replace' } });
  const second = `solo-${String(at2 / 60_000)}`;
  await waitJobs(c, [second]);
  const at3 = await toNextMinute(clock);
  const third = `solo-${String(at3 / 60_000)}`;
  await waitJobs(c, [third]);
  assert.deepEqual(await events(c, 'SuccessfulDelete'), [
    `Deleted job ${first}`,
    `Deleted job ${second}`,
  ]);
  const cj = await eventually(async () => {
    const x = await getCronJob(c, 'solo');
    return x.status?.active?.length === 1 && x.status.active[0]?.name === third ? x : undefined;
  });
  assert.equal(cj.status?.lastScheduleTime, rfc3339(at3));
});

test('keeps only successfulJobsHistoryLimit finished Jobs', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(CRONJOBS, cronJob('hist', { successfulJobsHistoryLimit: 1 }));
  const a = await toNextMinute(clock);
  const first = `hist-${String(a / 60_000)}`;
  await waitJobs(c, [first]);
  await completeJob(c, first, a + 1000);
  const b = await toNextMinute(clock);
  const second = `hist-${String(b / 60_000)}`;
  await waitJobs(c, [first, second]);
  await completeJob(c, second, b + 1000);
  await waitJobs(c, [second]);
  assert.deepEqual(await events(c, 'SuccessfulDelete'), [`Deleted job ${first}`]);
});

test('a suspended CronJob and a missed startingDeadlineSeconds create nothing', async () => {
  const { cluster, clock } = await start();
  const c = cluster.client;
  await c.create(CRONJOBS, cronJob('late', { startingDeadlineSeconds: 10, suspend: true }));
  await toNextMinute(clock);
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await jobNames(c), []);
  // Resumed 30 s after the schedule time: past the 10 s deadline, so that run is skipped.
  clock.advance(29_000);
  await c.patch(`${CRONJOBS}/late`, { spec: { suspend: false } });
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(await jobNames(c), []);
  const at = await toNextMinute(clock);
  await waitJobs(c, [`late-${String(at / 60_000)}`]);
});

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, describe, it } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1.js';
import { ManualClock } from '../util/index.ts';
import { KilnMetrics, type ClusterRef } from './metrics.ts';
import { startMetricsServer } from './metrics-server.ts';

const REF: ClusterRef = { region: 'us-east-1', name: 'kiln' };

/** The value of one series, undefined when the series is absent. */
async function value(
  m: KilnMetrics,
  name: string,
  labels: Readonly<Record<string, string>> = {},
): Promise<number | undefined> {
  const all = await m.registry.getMetricsAsJSON();
  // Histograms list their _bucket, _sum and _count samples under the base name.
  const metric = all.find(
    (x) => x.name === name.replace(/_(bucket|sum|count)$/, '') || x.name === name,
  );
  const v = metric?.values.find(
    (s: { metricName?: string; labels: Record<string, string | number | undefined> }) =>
      (s.metricName ?? metric.name) === name &&
      Object.entries(labels).every(([k, want]) => String(s.labels[k]) === want),
  );
  return v?.value;
}

function fargatePod(uid: string, o: { phase?: string; node?: string; capacity?: string }): Pod {
  return {
    metadata: {
      uid,
      name: uid,
      namespace: 'default',
      ...(o.capacity === undefined ? {} : { annotations: { CapacityProvisioned: o.capacity } }),
    },
    spec: {
      schedulerName: 'fargate-scheduler',
      containers: [{ name: 'c' }],
      ...(o.node === undefined ? {} : { nodeName: o.node }),
    },
    ...(o.phase === undefined ? {} : { status: { phase: o.phase } }),
  };
}

describe('KilnMetrics', () => {
  const quiet = { clock: new ManualClock(), processMetrics: false } as const;

  it('counts pods and provisioned capacity from the live view at each scrape', async () => {
    const m = new KilnMetrics(quiet);
    const pods: Pod[] = [fargatePod('a', { phase: 'Running', capacity: '0.5vCPU 1GB' })];
    m.addCluster(REF).watchPods(() => pods);
    const running = { cluster: 'kiln', region: 'us-east-1', compute_type: 'fargate' };
    assert.equal(await value(m, 'kiln_pods', { ...running, phase: 'Running' }), 1);
    assert.equal(await value(m, 'kiln_fargate_vcpu_provisioned'), 0.5);
    pods.push(fargatePod('b', { phase: 'Running', capacity: '1vCPU 2GB' }));
    pods.push(fargatePod('c', {}));
    assert.equal(await value(m, 'kiln_pods', { ...running, phase: 'Running' }), 2);
    assert.equal(await value(m, 'kiln_pods', { ...running, phase: 'Pending' }), 1);
    assert.equal(await value(m, 'kiln_fargate_vcpu_provisioned'), 1.5);
    assert.equal(await value(m, 'kiln_fargate_memory_provisioned_bytes'), 3 * 1024 ** 3);
    pods.splice(0, 2);
    // A phase no pod is in any more is gone from the scrape, not left at its old value.
    assert.equal(await value(m, 'kiln_pods', { ...running, phase: 'Running' }), undefined);
    assert.equal(await value(m, 'kiln_fargate_vcpu_provisioned'), 0);
  });

  it('counts launches and deferrals, and reads the launch tokens at scrape time', async () => {
    const m = new KilnMetrics(quiet);
    const c = m.addCluster(REF);
    assert.equal(await value(m, 'kiln_fargate_launches_total'), 0);
    let tokens = 20;
    c.watchTokens(() => tokens);
    c.launched();
    c.launched();
    c.throttled();
    tokens = 0.5;
    assert.equal(await value(m, 'kiln_fargate_launches_total'), 2);
    assert.equal(await value(m, 'kiln_fargate_launches_throttled_total'), 1);
    assert.equal(await value(m, 'kiln_fargate_launch_tokens_available'), 0.5);
  });

  it('observes scheduling and running latency from the pod feed', async () => {
    const clock = new ManualClock();
    const m = new KilnMetrics({ clock, processMetrics: false });
    const c = m.addCluster(REF);
    c.podChanged(fargatePod('a', {}), { existing: false });
    clock.advance(200);
    c.podChanged(fargatePod('a', { node: 'fargate-ip-10-0-0-1.ec2.internal' }), {
      existing: false,
    });
    clock.advance(800);
    c.podChanged(fargatePod('a', { node: 'fargate-ip-10-0-0-1.ec2.internal', phase: 'Running' }), {
      existing: false,
    });
    const sched = 'kiln_fargate_scheduling_duration_seconds';
    const run = 'kiln_fargate_pod_running_latency_seconds';
    assert.equal(await value(m, `${sched}_count`), 1);
    assert.equal(await value(m, `${sched}_sum`), 0.2);
    assert.equal(await value(m, `${sched}_bucket`, { le: '0.1' }), 0);
    assert.equal(await value(m, `${sched}_bucket`, { le: '0.25' }), 1);
    assert.equal(await value(m, `${run}_sum`), 1);
  });

  it('exports the cost only when a source is given, and never a made-up figure', async () => {
    const none = new KilnMetrics(quiet);
    none.addCluster(REF);
    assert.doesNotMatch(await none.registry.metrics(), /kiln_fargate_cost_usd_total/);

    let broken = false;
    const m = new KilnMetrics({
      ...quiet,
      costs: {
        totalUsd: (c) => {
          if (broken) throw new Error('ledger closed');
          return c.name === 'kiln' ? 0.0123 : 0;
        },
      },
    });
    m.addCluster(REF);
    m.addCluster({ region: 'ap-northeast-2', name: 'other' });
    assert.equal(await value(m, 'kiln_fargate_cost_usd_total', { cluster: 'kiln' }), 0.0123);
    assert.equal(await value(m, 'kiln_fargate_cost_usd_total', { cluster: 'other' }), 0);
    assert.match(await m.registry.metrics(), /^# TYPE kiln_fargate_cost_usd_total counter$/m);
    broken = true;
    assert.equal(await value(m, 'kiln_fargate_cost_usd_total', { cluster: 'kiln' }), undefined);
  });

  it('drops a closed cluster’s series; registries of two daemons share nothing', async () => {
    const a = new KilnMetrics(quiet);
    const b = new KilnMetrics(quiet);
    const ca = a.addCluster(REF);
    ca.watchPods(() => [fargatePod('x', { phase: 'Running' })]);
    ca.launched();
    b.addCluster(REF);
    assert.equal(await value(a, 'kiln_fargate_launches_total'), 1);
    assert.equal(await value(b, 'kiln_fargate_launches_total'), 0);
    ca.close();
    assert.equal(await value(a, 'kiln_fargate_launches_total'), undefined);
    assert.equal(await value(a, 'kiln_pods'), undefined);
  });

  it('includes the process metrics unless told not to', async () => {
    const m = new KilnMetrics({ clock: new ManualClock() });
    assert.match(await m.registry.metrics(), /^process_cpu_user_seconds_total /m);
  });
});

describe('startMetricsServer', () => {
  const get = (
    url: string,
    method = 'GET',
  ): Promise<{ status: number; type: string; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request(url, { method }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'] ?? '', body });
        });
      });
      req.on('error', reject);
      req.end();
    });

  const m = new KilnMetrics({ clock: new ManualClock(), processMetrics: false });
  m.addCluster(REF).watchPods(() => [fargatePod('a', { phase: 'Running' })]);
  const serving = startMetricsServer({ metrics: m, host: '127.0.0.1', port: 0 });
  after(async () => {
    await (await serving).close();
  });

  it('serves the text exposition at /metrics on the port it got', async () => {
    const s = await serving;
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const r = await get(s.url);
    assert.equal(r.status, 200);
    assert.match(r.type, /^text\/plain; version=0\.0\.4/);
    assert.match(
      r.body,
      /^kiln_pods\{cluster="kiln",region="us-east-1",compute_type="fargate",phase="Running"\} 1$/m,
    );
  });

  it('answers 404 elsewhere and 405 to other methods', async () => {
    const s = await serving;
    assert.equal((await get(s.url.replace('/metrics', '/'))).status, 404);
    assert.equal((await get(s.url, 'POST')).status, 405);
  });
});

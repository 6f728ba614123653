import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { kubectlBinary } from './harness.ts';
import { ensureDebianPackage } from './host-packages.ts';
import { apiRequest, freePort } from './process-harness.ts';

/**
 * The real Prometheus server (Debian's `prometheus` package) scrapes `kiln up`'s `/metrics`
 * while a Deployment runs on Fargate, and PromQL answers with the running Fargate pod count.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'kiln.js');
const PROMETHEUS = '/usr/bin/prometheus';
const REPLICAS = 3;

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: fg
spec:
  replicas: ${String(REPLICAS)}
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx
        resources:
          requests: {cpu: 250m, memory: 512Mi}
`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], o: { env: NodeJS.ProcessEnv; stdin?: string }) {
  return new Promise<Run>((resolve) => {
    const child = execFile(cmd, args, { env: o.env, timeout: 90_000 }, (err, stdout, stderr) => {
      resolve({
        code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1,
        stdout,
        stderr,
      });
    });
    child.stdin?.end(o.stdin);
  });
}

function httpGet(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, body });
      });
    }).on('error', reject);
  });
}

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  o: { timeoutMs: number; log?: () => string },
): Promise<T> {
  const end = Date.now() + o.timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${o.log?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Stops a child we started and waits for it to exit. */
async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child?.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function capture(child: ChildProcess): () => string {
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  return () => log.slice(-4000);
}

const available = ensureDebianPackage(PROMETHEUS, 'prometheus');

describe('Prometheus scrapes kiln up', { skip: !available && 'no prometheus binary' }, () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-prometheus-'));
  const stateDir = join(work, 'state');
  let kiln: ChildProcess | undefined;
  let prometheus: ChildProcess | undefined;
  let promUrl = '';
  let env: NodeJS.ProcessEnv = {};

  before(async () => {
    const [port, awsPort, promPort] = [await freePort(), await freePort(), await freePort()];
    env = {
      ...process.env,
      HOME: work,
      KILN_STATE_DIR: stateDir,
      KILN_EKS_DELAY_MS: '0',
      AWS_ENDPOINT_URL: `http://127.0.0.1:${String(awsPort)}`,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    };
    const args = ['up', '--foreground', '--state-dir', stateDir, '--port', String(port)];
    kiln = spawn(
      process.execPath,
      [BIN, ...args, '--aws-port', String(awsPort), '--metrics-port', '0'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const kilnLog = capture(kiln);
    const metricsFile = join(stateDir, 'metrics-endpoint');
    await until(
      'kiln up',
      async () => {
        if (kiln?.exitCode !== null) throw new Error(`kiln exited: ${kilnLog()}`);
        if (!existsSync(metricsFile)) return undefined;
        const caPem = readFileSync(join(stateDir, 'pki', 'ca.crt'), 'utf8');
        const ep = { url: `https://127.0.0.1:${String(port)}`, caPem, token: '' };
        return (await apiRequest(ep, 'GET', '/readyz')).status === 200 ? true : undefined;
      },
      { timeoutMs: 60_000, log: kilnLog },
    );
    const metricsUrl = new URL(readFileSync(metricsFile, 'utf8').trim());

    const profile = await run(
      process.execPath,
      [BIN, 'create', 'fargateprofile', '--cluster', 'kiln', '--name', 'fp', '--namespace', 'fg'],
      { env },
    );
    assert.equal(profile.code, 0, profile.stderr + profile.stdout);
    const kubectl = (a: readonly string[], stdin?: string): Promise<Run> =>
      run(kubectlBinary('1.32'), ['--kubeconfig', join(stateDir, 'kubeconfig'), ...a], {
        env,
        ...(stdin === undefined ? {} : { stdin }),
      });
    for (const step of [
      await kubectl(['create', 'namespace', 'fg']),
      await kubectl(['apply', '-f', '-'], DEPLOYMENT),
      await kubectl(['rollout', 'status', 'deployment/web', '-n', 'fg', '--timeout=60s']),
    ]) {
      assert.equal(step.code, 0, step.stderr + step.stdout);
    }

    const promDir = join(work, 'prometheus');
    mkdirSync(join(promDir, 'data'), { recursive: true });
    writeFileSync(
      join(promDir, 'prometheus.yml'),
      [
        'global:',
        '  scrape_interval: 1s',
        '  evaluation_interval: 1s',
        'scrape_configs:',
        '  - job_name: kiln',
        `    metrics_path: ${metricsUrl.pathname}`,
        '    static_configs:',
        `      - targets: ['${metricsUrl.host}']`,
        '',
      ].join('\n'),
    );
    promUrl = `http://127.0.0.1:${String(promPort)}`;
    prometheus = spawn(
      PROMETHEUS,
      [
        `--config.file=${join(promDir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(promDir, 'data')}`,
        `--web.listen-address=127.0.0.1:${String(promPort)}`,
      ],
      { cwd: promDir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const promLog = capture(prometheus);
    await until(
      'prometheus ready',
      async () => ((await httpGet(`${promUrl}/-/ready`)).status === 200 ? true : undefined),
      { timeoutMs: 30_000, log: promLog },
    );
  });

  after(async () => {
    await stop(prometheus);
    await stop(kiln);
    rmSync(work, { recursive: true, force: true });
  });

  /** A PromQL instant query's single value, once Prometheus has one. */
  const query = (promql: string): Promise<number | undefined> =>
    httpGet(`${promUrl}/api/v1/query?query=${encodeURIComponent(promql)}`).then((r) => {
      const parsed = JSON.parse(r.body) as {
        status: string;
        data?: { result?: { value?: [number, string] }[] };
      };
      const v = parsed.data?.result?.[0]?.value?.[1];
      return parsed.status === 'success' && v !== undefined ? Number(v) : undefined;
    });

  it('returns the running Fargate pod count through PromQL', async () => {
    const promql = 'sum(kiln_pods{compute_type="fargate",phase="Running"})';
    let last: number | undefined;
    const count = await until(
      'a scrape with every replica running',
      async () => {
        last = await query(promql);
        return last === REPLICAS ? last : undefined;
      },
      { timeoutMs: 30_000, log: () => `${promql} last returned ${String(last)}` },
    );
    assert.equal(count, REPLICAS);
    assert.equal(await query('up{job="kiln"}'), 1);
  });

  it('reports the Fargate launches and the capacity they provision', async () => {
    // 250m and 512Mi (+256 MB for Fargate's agents) round up to 0.25 vCPU and 1 GB each.
    assert.equal(await query('sum(kiln_fargate_vcpu_provisioned)'), REPLICAS * 0.25);
    assert.equal(await query('sum(kiln_fargate_memory_provisioned_bytes)'), REPLICAS * 1024 ** 3);
    assert.equal(await query('sum(kiln_fargate_launches_total)'), REPLICAS);
    assert.equal(await query('sum(kiln_fargate_scheduling_duration_seconds_count)'), REPLICAS);
  });
});

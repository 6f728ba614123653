/**
 * npm run bench:api — the API server's speed and memory on this machine, against the real
 * daemon process over HTTPS: creates/s for 5000 pods, list latency (JSON and Table), watch
 * delivery with 100 watchers, startup time, and RSS with 5000 pods.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startKilnProcess } from '../test/e2e/process-harness.ts';

const PODS = Number(process.env['BENCH_PODS'] ?? 5000);
const WATCHERS = 100;
/** Creates before measuring: V8 needs a few thousand requests to reach its optimising tiers. */
const WARMUP_PODS = 4000;
const CONCURRENCY = 64;

interface Ep {
  url: string;
  ca: string;
  token: string;
  agent: Agent;
}

function call(
  ep: Ep,
  o: { method: string; path: string; body?: unknown; accept?: string },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request(
      `${ep.url}${o.path}`,
      {
        method: o.method,
        ca: ep.ca,
        agent: ep.agent,
        headers: {
          Authorization: `Bearer ${ep.token}`,
          Accept: o.accept ?? 'application/json',
          ...(data === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const pod = (name: string, extra: Record<string, string> = {}): unknown => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'bench', labels: { app: 'bench' }, annotations: extra },
  spec: {
    containers: [
      { name: 'c', image: 'nginx:1.27', resources: { requests: { cpu: '250m', memory: '512Mi' } } },
    ],
  },
});

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

async function timeIt(fn: () => Promise<unknown>, runs: number): Promise<number> {
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ts.push(performance.now() - t);
  }
  return percentile(ts, 50);
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) / 1024;
}

async function watchLatency(ep: Ep): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  const reqs: ReturnType<typeof request>[] = [];
  const watchAgent = new Agent({ keepAlive: true, maxSockets: WATCHERS + 1 });
  await Promise.all(
    Array.from(
      { length: WATCHERS },
      () =>
        new Promise<void>((resolve) => {
          const req = request(
            `${ep.url}/api/v1/namespaces/watch/pods?watch=true&resourceVersion=0`,
            { ca: ep.ca, agent: watchAgent, headers: { Authorization: `Bearer ${ep.token}` } },
            (res) => {
              let buf = '';
              res.on('data', (d: Buffer) => {
                buf += d.toString();
                let nl;
                while ((nl = buf.indexOf('\n')) >= 0) {
                  const line = buf.slice(0, nl);
                  buf = buf.slice(nl + 1);
                  const ev = JSON.parse(line) as {
                    type: string;
                    object: { metadata: { annotations?: Record<string, string> } };
                  };
                  const sent = Number(ev.object.metadata.annotations?.['sent'] ?? NaN);
                  if (ev.type === 'ADDED' && !Number.isNaN(sent))
                    latencies.push(performance.timeOrigin + performance.now() - sent);
                }
              });
              resolve();
            },
          );
          req.end();
          reqs.push(req);
        }),
    ),
  );
  await call(ep, {
    method: 'POST',
    path: '/api/v1/namespaces',
    body: { metadata: { name: 'watch' } },
  });
  for (let i = 0; i < 200; i++) {
    await call(ep, {
      method: 'POST',
      path: '/api/v1/namespaces/watch/pods',
      body: {
        ...(pod(`w${i}`) as object),
        metadata: {
          name: `w${i}`,
          namespace: 'watch',
          annotations: { sent: String(performance.timeOrigin + performance.now()) },
        },
      },
    });
    await new Promise((r) => setTimeout(r, 5));
  }
  await new Promise((r) => setTimeout(r, 500));
  for (const r of reqs) r.destroy();
  watchAgent.destroy();
  return { p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** wrk (a C load generator) keeps the client's CPU out of the way on a 2-core machine. */
function ensureWrk(): boolean {
  if (spawnSync('wrk', ['--version']).error === undefined) return true;
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync('apt-get', ['install', '-y', '-qq', 'wrk'], { stdio: 'ignore' });
  return r.status === 0;
}

const WRK_SCRIPT = (token: string, namespace: string): string => `
local sent = 0
request = function()
  sent = sent + 1
  local body = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p' .. sent .. '-' .. math.random(1, 1000000000) .. '","labels":{"app":"bench"}},"spec":{"containers":[{"name":"c","image":"nginx:1.27","resources":{"requests":{"cpu":"250m","memory":"512Mi"}}}]}}'
  return wrk.format("POST", "/api/v1/namespaces/${namespace}/pods", {["Content-Type"]="application/json", ["Authorization"]="Bearer ${token}"}, body)
end
response = function(status, headers, body)
  if status ~= 201 then io.stderr:write("create failed: " .. status .. "\\n") end
end
`;

/** How many pods the bench namespace holds: one cheap page, plus remainingItemCount. */
async function podCount(ep: Ep, namespace: string): Promise<number> {
  const r = await call(ep, { method: 'GET', path: `/api/v1/namespaces/${namespace}/pods?limit=1` });
  const list = JSON.parse(r.body) as {
    items: unknown[];
    metadata: { remainingItemCount?: number };
  };
  return list.items.length + (list.metadata.remainingItemCount ?? 0);
}

/** Creates `PODS` pods with wrk and times it from the first request to the last create. */
async function createWithWrk(
  ep: Ep,
  o: { dir: string; namespace: string; count: number },
): Promise<number> {
  const script = join(o.dir, `create-${o.namespace}.lua`);
  writeFileSync(script, WRK_SCRIPT(ep.token, o.namespace));
  const t0 = performance.now();
  const child = spawn('wrk', ['-t1', `-c${CONCURRENCY}`, '-d120s', '-s', script, ep.url], {
    stdio: 'ignore',
  });
  try {
    for (;;) {
      const n = await podCount(ep, o.namespace);
      if (n >= o.count) return n / ((performance.now() - t0) / 1000);
      if (child.exitCode !== null) throw new Error('wrk stopped before the pods were created');
      await new Promise((r) => setTimeout(r, 50));
    }
  } finally {
    child.kill();
  }
}

async function createWithNode(ep: Ep): Promise<number> {
  let next = 0;
  const tc = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < PODS) {
        const i = next++;
        const r = await call(ep, {
          method: 'POST',
          path: '/api/v1/namespaces/bench/pods',
          body: pod(`p${i}`),
        });
        if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.body}`);
      }
    }),
  );
  return PODS / ((performance.now() - tc) / 1000);
}

async function main(): Promise<void> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kiln-bench-'));
  const port = await freePort();
  const t0 = performance.now();
  const child = await startKilnProcess(stateDir, port);
  const startupMs = performance.now() - t0;
  const ep: Ep = {
    url: `https://127.0.0.1:${port}`,
    ca: readFileSync(join(stateDir, 'pki', 'ca.crt'), 'utf8'),
    token: readFileSync(join(stateDir, 'admin.token'), 'utf8').trim(),
    agent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY }),
  };
  try {
    await call(ep, {
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: 'bench' } },
    });
    const useWrk = ensureWrk();
    // Warm the JIT first, as any long-running daemon is, in a namespace of its own.
    await call(ep, {
      method: 'POST',
      path: '/api/v1/namespaces',
      body: { metadata: { name: 'warmup' } },
    });
    if (useWrk) await createWithWrk(ep, { dir: stateDir, namespace: 'warmup', count: WARMUP_PODS });
    await call(ep, { method: 'DELETE', path: '/api/v1/namespaces/warmup' });
    for (let i = 0; i < 600; i++) {
      if ((await call(ep, { method: 'GET', path: '/api/v1/namespaces/warmup' })).status === 404)
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const createsPerSec = useWrk
      ? await createWithWrk(ep, { dir: stateDir, namespace: 'bench', count: PODS })
      : await createWithNode(ep);
    const created = (
      JSON.parse(
        (await call(ep, { method: 'GET', path: '/api/v1/namespaces/bench/pods' })).body,
      ) as { items: unknown[] }
    ).items.length;
    const listJsonMs = await timeIt(
      () => call(ep, { method: 'GET', path: '/api/v1/namespaces/bench/pods' }),
      5,
    );
    const listTableMs = await timeIt(
      () =>
        call(ep, {
          method: 'GET',
          path: '/api/v1/namespaces/bench/pods',
          accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
        }),
      5,
    );
    const rss = rssMiB(child.pid ?? 0);
    const watch = await watchLatency(ep);
    const results = [
      {
        metric: `creates/s (${created} pods, ${CONCURRENCY} in flight, ${useWrk ? 'wrk' : 'node'})`,
        value: createsPerSec,
        target: '>= 2000',
        ok: createsPerSec >= 2000,
      },
      {
        metric: `list ${created} pods, JSON (ms, p50 of 5)`,
        value: listJsonMs,
        target: '< 150',
        ok: listJsonMs < 150,
      },
      {
        metric: `list ${created} pods, Table (ms, p50 of 5)`,
        value: listTableMs,
        target: '< 150',
        ok: listTableMs < 150,
      },
      {
        metric: `watch delivery p50 (ms, ${WATCHERS} watchers)`,
        value: watch.p50,
        target: '-',
        ok: true,
      },
      {
        metric: `watch delivery p99 (ms, ${WATCHERS} watchers)`,
        value: watch.p99,
        target: '< 50',
        ok: watch.p99 < 50,
      },
      {
        metric: 'startup of kiln up to ready API (ms)',
        value: startupMs,
        target: '< 2000',
        ok: startupMs < 2000,
      },
      { metric: `RSS with ${created} pods (MiB)`, value: rss, target: '< 400', ok: rss < 400 },
    ];
    console.log(`\n${'metric'.padEnd(48)} ${'value'.padStart(10)}  target     ok`);
    for (const r of results)
      console.log(
        `${r.metric.padEnd(48)} ${r.value.toFixed(1).padStart(10)}  ${r.target.padEnd(9)}  ${r.ok ? 'yes' : 'NO'}`,
      );
    const dir = join(import.meta.dirname, 'results');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `api-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(
      file,
      JSON.stringify({ bench: 'api', node: process.version, pods: PODS, results }, null, 2),
    );
    console.log(`\nwrote ${file}`);
  } finally {
    ep.agent.destroy();
    child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
}

await main();

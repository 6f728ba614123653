import assert from 'node:assert/strict';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  meteringDbPath,
  UsageLedger,
  type CostReport,
  type FargatePodUsage,
  type UsageRecord,
} from '../../src/metering/index.ts';
import { kubectlBinary } from './harness.ts';
import { apiRequest, freePort } from './process-harness.ts';

/**
 * Metering through the real daemon and CLI: `kiln up --foreground` on an on-disk state dir
 * runs a Deployment and a Job on Fargate; the usage ledger and `kiln cost` bill each pod at its
 * provisioned size with the one-minute minimum, keep billing a finished Job pod until it is
 * deleted, and lose nothing across a clean stop and a SIGKILL.
 */

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'kiln.js');
const NS = 'metered';
const PROFILE = 'fp-metered';
/** us-east-1 Fargate prices (spec §6). */
const VCPU_HOUR = 0.04048;
const GB_HOUR = 0.004445;

const WORKLOADS = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
      - name: nginx
        image: nginx
        resources:
          limits: { cpu: 500m, memory: 512Mi }
          requests: { cpu: 500m, memory: 512Mi }
---
apiVersion: batch/v1
kind: Job
metadata: { name: once, namespace: ${NS} }
spec:
  template:
    metadata:
      annotations: { sim.kiln.dev/exit-after: 1s }
    spec:
      restartPolicy: Never
      containers:
      - name: once
        image: busybox
        command: [sh, -c, 'echo done']
        resources:
          requests: { cpu: 500m, memory: 512Mi }
`;

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(cmd: string, args: readonly string[], env: NodeJS.ProcessEnv, stdin?: string) {
  return new Promise<Run>((resolve) => {
    const child = execFile(cmd, args, { env, timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({
        code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1,
        stdout,
        stderr,
      });
    });
    child.stdin?.end(stdin);
  });
}

async function until<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  o: { timeoutMs?: number; log?: () => string } = {},
): Promise<T> {
  const end = Date.now() + (o.timeoutMs ?? 20_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${o.log?.() ?? ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function near(actual: number | undefined, expected: number, what: string): void {
  assert.ok(
    actual !== undefined && Math.abs(actual - expected) < 1e-12,
    `${what}: ${String(actual)} ≠ ${String(expected)}`,
  );
}

describe('metering through kiln up and kiln cost', () => {
  const work = mkdtempSync(join(tmpdir(), 'kiln-metering-'));
  const stateDir = join(work, 'state');
  let kiln: ChildProcess | undefined;
  let kilnLog = (): string => '';
  let port = 0;
  let env: NodeJS.ProcessEnv = {};

  const kubectl = async (args: readonly string[], stdin?: string): Promise<string> => {
    const r = await run(
      kubectlBinary('1.32'),
      [
        '--kubeconfig',
        join(stateDir, 'kubeconfig'),
        '--cache-dir',
        join(work, 'kube-cache'),
        ...args,
      ],
      env,
      stdin,
    );
    assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  const kilnCli = async (args: readonly string[]): Promise<string> => {
    const r = await run(process.execPath, [BIN, ...args], env);
    assert.equal(r.code, 0, `kiln ${args.join(' ')}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  };

  const cost = async (args: readonly string[]): Promise<CostReport> =>
    // SAFETY: `kiln cost -o json` prints a CostReport.
    JSON.parse(await kilnCli(['cost', '-o', 'json', ...args])) as CostReport;

  /** The ledger as `kiln cost` sees it: read-only, beside the daemon writing it. */
  const records = (): UsageRecord[] => {
    const ledger = new UsageLedger({ path: meteringDbPath(stateDir), readonly: true });
    try {
      return ledger.between(0, Date.now() + 3_600_000);
    } finally {
      ledger.close();
    }
  };
  const podRecords = (): FargatePodUsage[] =>
    records().filter((r): r is FargatePodUsage => r.kind === 'fargate-pod');
  const recordOf = (name: string): FargatePodUsage | undefined =>
    podRecords().find((r) => r.name === name);

  /** The pods of the namespace: name → uid. */
  const pods = async (): Promise<Map<string, string>> => {
    const out = await kubectl([
      'get',
      'pods',
      '-n',
      NS,
      '-o',
      'jsonpath={range .items[*]}{.metadata.name}{" "}{.metadata.uid}{"\\n"}{end}',
    ]);
    return new Map(
      out
        .trim()
        .split('\n')
        .filter((l) => l !== '')
        // SAFETY: the jsonpath prints two space-separated fields a line, neither with a space.
        .map((l) => l.split(' ') as [string, string]),
    );
  };

  async function startKiln(): Promise<void> {
    kiln = spawn(
      process.execPath,
      [
        BIN,
        'up',
        '--foreground',
        '--state-dir',
        stateDir,
        '--port',
        String(port),
        '--aws-port',
        '0',
        '--metrics-port',
        '0',
      ],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let log = '';
    kiln.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    kiln.stderr?.on('data', (d: Buffer) => (log += d.toString()));
    kilnLog = () => log.slice(-4000);
    const child = kiln;
    await until(
      'kiln up',
      async () => {
        if (child.exitCode !== null) throw new Error(`kiln exited: ${log}`);
        if (!existsSync(join(stateDir, 'aws-endpoint'))) return undefined;
        const caPem = readFileSync(join(stateDir, 'pki', 'ca.crt'), 'utf8');
        const ep = { url: `https://127.0.0.1:${String(port)}`, caPem, token: '' };
        const r = await apiRequest(ep, 'GET', '/readyz').catch(() => undefined);
        return r?.status === 200 ? true : undefined;
      },
      { timeoutMs: 30_000, log: kilnLog },
    );
  }

  async function stopKiln(signal: 'SIGTERM' | 'SIGKILL'): Promise<void> {
    const child = kiln;
    kiln = undefined;
    if (child?.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }

  before(async () => {
    port = await freePort();
    env = {
      ...process.env,
      HOME: work,
      KILN_STATE_DIR: stateDir,
      KILN_EKS_DELAY_MS: '0',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_REGION: 'us-east-1',
    };
    await startKiln();
    await kilnCli([
      'create',
      'fargateprofile',
      '--cluster',
      'kiln',
      '--name',
      PROFILE,
      '--namespace',
      NS,
    ]);
    await kubectl(['create', 'namespace', NS]);
    await kubectl(['apply', '-f', '-'], WORKLOADS);
    await kubectl(['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=60s']);
    await kubectl(['wait', '--for=condition=complete', 'job/once', '-n', NS, '--timeout=60s']);
  });

  after(async () => {
    await stopKiln('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  });

  it('records every Fargate pod at its provisioned size, and the node-group instances', async () => {
    const live = await pods();
    assert.equal(live.size, 3);
    const open = await until('a record per pod', () => {
      const rs = podRecords();
      return [...live.values()].every((uid) => rs.some((r) => r.uid === uid)) ? rs : undefined;
    });
    for (const r of open) {
      assert.deepEqual(
        [r.cluster, r.region, r.namespace, r.profile, r.vcpu, r.memoryGb, r.endMs],
        ['kiln', 'us-east-1', NS, PROFILE, 0.5, 1, undefined],
      );
      assert.match(r.node, /^fargate-ip-\d+-\d+-\d+-\d+\.ec2\.internal$/);
      // 500m and 512Mi + 256 MB for Fargate's own agents.
      assert.deepEqual([r.requestedVcpu, r.requestedGb, r.storageGb], [0.5, 0.75, 20]);
    }
    // Billing starts at the pod's start time, on the node the pod runs on.
    const placed = await kubectl([
      'get',
      'pods',
      '-n',
      NS,
      '-o',
      'jsonpath={range .items[*]}{.metadata.uid} {.spec.nodeName} {.status.startTime}{"\\n"}{end}',
    ]);
    for (const line of placed.trim().split('\n')) {
      const [uid, node, startTime = ''] = line.split(' ');
      const r = open.find((x) => x.uid === uid);
      assert.deepEqual([r?.node, r?.startMs], [node, Date.parse(startTime)], line);
    }
    const nodes = records().filter((r) => r.kind === 'node');
    assert.deepEqual(
      nodes.map((n) => n.instanceType),
      ['m5.large', 'm5.large'],
    );

    const byPod = await cost(['--by', 'pod']);
    assert.deepEqual(byPod.fargate.map((x) => x.pod?.uid).sort(), [...live.values()].sort());
    for (const row of byPod.fargate) {
      const p = row.pod;
      assert.ok(p, row.key);
      assert.equal(row.key, `${NS}/${p.name}`);
      assert.deepEqual(
        [row.pods, p.profile, p.vcpu, p.memoryGb, p.requestedVcpu, p.requestedGb, p.end],
        [1, PROFILE, 0.5, 1, 0.5, 0.75, null],
      );
      assert.match(p.node, /^fargate-ip-\d+-\d+-\d+-\d+\.ec2\.internal$/);
      assert.ok(row.seconds >= 60 && row.cost > 0 && row.waste > 0, JSON.stringify(row));
      // Rounding 0.75 GB up to 1 GB is the waste: a quarter of the memory price.
      near(row.waste, (row.seconds * 0.25 * GB_HOUR) / 3600, 'waste');
    }
    assert.deepEqual(
      byPod.nodes.map((x) => [x.instanceType, x.nodes]),
      [['m5.large', 2]],
    );
    assert.ok(byPod.totals.nodes > 0 && byPod.totals.total > byPod.totals.fargate);
    const byProfile = await cost(['--by', 'profile']);
    assert.deepEqual(
      byProfile.fargate.map((x) => [x.key, x.pods]),
      [[PROFILE, 3]],
    );
  });

  it('keeps billing a finished Job pod until it is deleted', async () => {
    const [podPhase = '', name = '', finishedAt = ''] = (
      await kubectl([
        'get',
        'pods',
        '-n',
        NS,
        '-l',
        'job-name=once',
        '-o',
        'jsonpath={.items[0].status.phase} {.items[0].metadata.name} ' +
          '{.items[0].status.containerStatuses[0].state.terminated.finishedAt}',
      ])
    ).split(' ');
    assert.equal(podPhase, 'Succeeded');
    const finishedMs = Date.parse(finishedAt);
    assert.ok(!Number.isNaN(finishedMs), finishedAt);
    const finished = recordOf(name);
    assert.ok(finished, `no record of ${name}`);
    assert.equal(finished.endMs, undefined);
    // Deleted well after it finished: billing runs to the deletion, not to the finish.
    await until('a second past the finish', () =>
      Date.now() > finishedMs + 2_000 ? true : undefined,
    );
    const deleteAt = Date.now();
    await kubectl(['delete', 'job', 'once', '-n', NS, '--wait=true']);
    await kubectl(['wait', '--for=delete', `pod/${name}`, '-n', NS, '--timeout=30s']);
    const closed = await until('the Job pod record closes', () => {
      const r = recordOf(name);
      return r?.endMs === undefined ? undefined : r;
    });
    assert.ok(closed.endMs !== undefined && closed.endMs >= deleteAt && closed.endMs <= Date.now());
    const row = (await cost(['--by', 'pod'])).fargate.find((x) => x.pod?.uid === closed.uid);
    assert.equal(row?.pod?.end, new Date(closed.endMs).toISOString());
  });

  it('closes a deleted Deployment pod at its deletion, billed one minute at least', async () => {
    const [name] = [...(await pods()).keys()].filter((n) => n.startsWith('web-'));
    assert.ok(name);
    const deleteAt = Date.now();
    await kubectl(['delete', 'pod', name, '-n', NS]);
    const closed = await until('the deleted pod record closes', () => {
      const r = recordOf(name);
      return r?.endMs === undefined ? undefined : r;
    });
    assert.ok(closed.endMs !== undefined && closed.endMs >= deleteAt && closed.endMs <= Date.now());
    assert.ok(closed.endMs - closed.startMs < 60_000, 'the pod lived under a minute');
    const row = (await cost(['--by', 'pod'])).fargate.find((x) => x.key === `${NS}/${name}`);
    assert.ok(row);
    assert.equal(row.seconds, 60);
    near(row.cost, (60 * (0.5 * VCPU_HOUR + 1 * GB_HOUR)) / 3600, 'cost');
    near(row.waste, (60 * 0.25 * GB_HOUR) / 3600, 'waste');
    await kubectl(['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=30s']);
  });

  it('prints a table with the columns and a total', async () => {
    const out = await kilnCli(['cost']);
    assert.match(
      out,
      /^CLUSTER\s+NAMESPACE\s+PODS\s+BILLED-SECONDS\s+VCPU-HOURS\s+GB-HOURS\s+COST\s+WASTE$/m,
    );
    assert.match(out, new RegExp(`^kiln\\s+${NS}\\s+4\\s`, 'm'));
    assert.match(out, /^kiln\s+\S+\s+m5\.large\s+2\s/m);
    assert.match(out, /^Total: +\d+\.\d{6}$/m);
    const byPod = await kilnCli(['cost', '--by', 'pod']);
    assert.match(byPod, /^CLUSTER\s+POD\s+PROFILE\s+NODE\s+VCPU\s+GB\s+PODS\s+BILLED-SECONDS\s/m);
    assert.match(
      byPod,
      new RegExp(
        `^kiln\\s+${NS}/web-\\S+\\s+${PROFILE}\\s+fargate-ip-\\S+\\s+0\\.5\\s+1\\s+1\\s`,
        'm',
      ),
    );
  });

  /** Every record of `earlier` is still kept, once, unchanged but for its last sighting. */
  const assertKept = (earlier: readonly UsageRecord[]): void => {
    const now = records();
    for (const r of earlier) {
      const same = now.filter((x) => x.uid === r.uid);
      assert.equal(same.length, 1, `${r.name}: ${String(same.length)} records`);
      assert.deepEqual({ ...same[0], lastSeenMs: 0 }, { ...r, lastSeenMs: 0 });
    }
  };

  /** Scales the Deployment and waits for the new pod's record: the controller has synced. */
  const scaleAndMeter = async (replicas: number): Promise<void> => {
    const count = podRecords().length;
    await kubectl(['scale', 'deployment/web', '-n', NS, `--replicas=${String(replicas)}`]);
    await kubectl(['rollout', 'status', 'deployment/web', '-n', NS, '--timeout=30s']);
    await until('the new pod’s record', () => (podRecords().length > count ? true : undefined), {
      log: kilnLog,
    });
  };

  it('kiln cost reads the ledger while the daemon is stopped; a restart keeps every record', async () => {
    const kept = records();
    const open = kept.filter((r) => r.kind === 'fargate-pod' && r.endMs === undefined);
    assert.equal(open.length, 2);
    await stopKiln('SIGTERM');

    const stopped = await cost(['--by', 'pod']);
    assert.equal(stopped.fargate.length, 4);
    assertKept(kept);

    // A pod whose object went away while no daemon watched: closed at its last sighting.
    const lastSeen = Date.now() - 5_000;
    const writer = new UsageLedger({ path: meteringDbPath(stateDir) });
    writer.start(
      {
        kind: 'fargate-pod',
        cluster: 'kiln',
        region: 'us-east-1',
        uid: 'gone-while-down',
        name: 'gone',
        namespace: NS,
        profile: PROFILE,
        node: 'fargate-ip-10-0-0-9.ec2.internal',
        vcpu: 0.5,
        memoryGb: 1,
        requestedVcpu: 0.5,
        requestedGb: 0.75,
        storageGb: 20,
        startMs: lastSeen - 60_000,
      },
      lastSeen,
    );
    writer.close();

    await startKiln();
    await scaleAndMeter(3);
    assertKept(kept);
    for (const r of open) {
      const now = recordOf(r.name);
      assert.ok(now, r.name);
      assert.equal(now.endMs, undefined, r.name);
    }
    assert.equal(recordOf('gone')?.endMs, lastSeen);
  });

  it('a SIGKILL loses no record; kiln cost reads the ledger it left', async () => {
    const kept = records();
    await stopKiln('SIGKILL');
    const crashed = await cost(['--by', 'pod']);
    assert.equal(crashed.fargate.length, kept.filter((r) => r.kind === 'fargate-pod').length);
    await startKiln();
    await scaleAndMeter(4);
    assertKept(kept);
    const live = await pods();
    assert.equal(live.size, 4);
    for (const uid of live.values())
      assert.equal(
        podRecords().filter((r) => r.uid === uid && r.endMs === undefined).length,
        1,
        uid,
      );
  });
});

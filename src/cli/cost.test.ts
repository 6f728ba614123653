import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { Command } from 'commander';
import { meteringDbPath, UsageLedger, type CostReport, type OpenUsage } from '../metering/index.ts';
import { ManualClock } from '../util/index.ts';
import { addCostCommand, parseSince } from './cost.ts';

const T0 = Date.UTC(2026, 0, 1, 12);
const HOUR = 3_600_000;

function pod(uid: string, over: Partial<OpenUsage> = {}): OpenUsage {
  return {
    kind: 'fargate-pod',
    cluster: 'kiln',
    region: 'us-east-1',
    uid,
    name: `web-${uid}`,
    namespace: 'default',
    profile: 'fp-default',
    node: `fargate-${uid}`,
    vcpu: 0.25,
    memoryGb: 0.5,
    requestedVcpu: 0.25,
    requestedGb: 0.5,
    storageGb: 20,
    startMs: T0,
    ...over,
  } as OpenUsage; // SAFETY: the overrides used below keep the fargate-pod shape.
}

let dir: string;
let writer: UsageLedger;
let clock: ManualClock;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiln-cost-'));
  clock = new ManualClock(T0 + 2 * HOUR);
  // Held open for the whole test, as a running daemon holds it.
  writer = new UsageLedger({ path: meteringDbPath(dir) });
  writer.start(pod('a'), T0);
  writer.stop({ cluster: 'kiln', uid: 'a' }, T0 + HOUR);
  writer.start(pod('b', { namespace: 'jobs', startMs: T0 + HOUR }), T0);
  writer.start(pod('c', { cluster: 'other' }), T0);
  writer.stop({ cluster: 'other', uid: 'c' }, T0 + 30_000);
  writer.start(
    {
      kind: 'node',
      cluster: 'kiln',
      region: 'us-east-1',
      uid: 'n1',
      name: 'ip-10-0-1-10.ec2.internal',
      instanceType: 'm5.large',
      nodegroup: 'ng-1',
      startMs: T0,
    },
    T0,
  );
});

afterEach(() => {
  writer.close();
  rmSync(dir, { recursive: true, force: true });
});

async function run(
  args: string[],
  stateDir = dir,
): Promise<{ out: string; err: string; compared: unknown[] }> {
  let out = '';
  let err = '';
  const compared: unknown[] = [];
  const program = new Command('kiln').exitOverride();
  const cost = addCostCommand(program, {
    stateDir: () => stateDir,
    clock,
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
  });
  // What the `compare` subcommand's author adds under the returned command.
  cost
    .command('compare')
    .requiredOption('-f, --filename <file>')
    .option('-o, --output <format>')
    .action((o: unknown) => {
      compared.push(o);
    });
  cost.exitOverride().configureOutput({ writeErr: () => undefined });
  await program.parseAsync(['cost', ...args], { from: 'user' });
  return { out, err, compared };
}

test('-o json groups by pod and bills open records up to now', async () => {
  const { out, err } = await run(['--by', 'pod', '-o', 'json']);
  assert.equal(err, '');
  // SAFETY: the command prints a CostReport as JSON.
  const r = JSON.parse(out) as CostReport;
  assert.equal(r.by, 'pod');
  assert.deepEqual(
    r.fargate.map((x) => [x.cluster, x.key, x.seconds]),
    [
      ['kiln', 'default/web-a', 3600],
      ['kiln', 'jobs/web-b', 3600],
      ['other', 'default/web-c', 60],
    ],
  );
  const hourly = 0.25 * 0.04048 + 0.5 * 0.004445;
  assert.ok(Math.abs(r.totals.fargate - hourly * (2 + 60 / 3600)) < 1e-12);
  assert.equal(r.nodes[0]?.instanceHours, 2);
});

test('--cluster and --since narrow the records', async () => {
  const one = await run(['--cluster', 'kiln', '-o', 'json']);
  // SAFETY: the command prints a CostReport as JSON.
  const r = JSON.parse(one.out) as CostReport;
  assert.deepEqual(
    r.fargate.map((x) => x.key),
    ['default', 'jobs'],
  );
  const recent = await run(['--since', '30m', '--by', 'namespace', '-o', 'json']);
  // SAFETY: as above.
  const s = JSON.parse(recent.out) as CostReport;
  assert.deepEqual(
    s.fargate.map((x) => [x.key, x.seconds]),
    [['jobs', 1800]],
  );
  assert.equal(s.from, new Date(T0 + 90 * 60_000).toISOString());
});

test('the table shows groups, node groups, waste and totals', async () => {
  writer.start(
    pod('d', { namespace: 'big', vcpu: 2, memoryGb: 9, requestedVcpu: 1, requestedGb: 8.25 }),
    T0,
  );
  const { out } = await run(['--by', 'namespace']);
  const lines = out.split('\n');
  assert.match(
    lines[1] ?? '',
    /^CLUSTER\s+NAMESPACE\s+PODS\s+BILLED-SECONDS\s+VCPU-HOURS\s+GB-HOURS\s+COST\s+WASTE$/,
  );
  const big = lines.find((l) => l.startsWith('kiln') && l.includes(' big '));
  // 2 hours at 2 vCPU / 9 GB, 2 hours of rounding from 1 vCPU / 8.25 GB.
  const cost = 2 * (2 * 0.04048 + 9 * 0.004445);
  const waste = 2 * (0.04048 + 0.75 * 0.004445);
  assert.match(big ?? '', new RegExp(`${cost.toFixed(6)}\\s+${waste.toFixed(6)}$`));
  assert.match(
    out,
    /Node groups:\nCLUSTER\s+NODEGROUP\s+INSTANCE-TYPE\s+NODES\s+INSTANCE-HOURS\s+COST\nkiln\s+ng-1\s+m5\.large\s+1\s+2\.0000\s+0\.192000\n/,
  );
  assert.match(out, /^Total: {7}\d+\.\d{6}$/m);
});

test('by pod, the table and the CSV name each pod’s profile, node and size', async () => {
  const table = (await run(['--by', 'pod'])).out.split('\n');
  assert.match(
    table[1] ?? '',
    /^CLUSTER\s+POD\s+PROFILE\s+NODE\s+VCPU\s+GB\s+PODS\s+BILLED-SECONDS\s+VCPU-HOURS\s+GB-HOURS\s+COST\s+WASTE$/,
  );
  assert.match(
    table[2] ?? '',
    /^kiln\s+default\/web-a\s+fp-default\s+fargate-a\s+0\.25\s+0\.5\s+1\s+3600\.0\s/,
  );
  const rows = (await run(['--by', 'pod', '-o', 'csv'])).out.trimEnd().split('\n');
  assert.match(
    rows[0] ?? '',
    /,waste_usd,profile,node,vcpu,memory_gb,requested_vcpu,requested_gb,start,end$/,
  );
  assert.match(
    rows[1] ?? '',
    /^fargate,kiln,default\/web-a,.*,fp-default,fargate-a,0\.25,0\.5,0\.25,0\.5,2026-01-01T12:00:00\.000Z,2026-01-01T13:00:00\.000Z$/,
  );
  // The still-running pod has no end; node-group and total rows leave the pod columns empty.
  assert.match(rows[2] ?? '', /,2026-01-01T13:00:00\.000Z,$/);
  const width = rows[0]?.split(',').length;
  for (const row of rows) assert.equal(row.split(',').length, width, row);
});

test('-o csv writes one table with a total row', async () => {
  const { out } = await run(['--by', 'day', '-o', 'csv']);
  const rows = out.trimEnd().split('\n');
  assert.equal(
    rows[0],
    'section,cluster,day,nodegroup,instance_type,count,billed_seconds,vcpu_hours,gb_hours,instance_hours,cost_usd,requested_cost_usd,waste_usd',
  );
  assert.match(rows[1] ?? '', /^fargate,kiln,2026-01-01,,,2,7200,0\.5,1,,/);
  assert.match(rows[3] ?? '', /^nodegroup,kiln,2026-01-01,ng-1,m5\.large,1,7200,,,2,0\.192,,$/);
  assert.match(rows.at(-1) ?? '', /^total,/);
});

test('without a ledger the report is empty and says why', async () => {
  const empty = mkdtempSync(join(tmpdir(), 'kiln-cost-empty-'));
  try {
    const { out, err } = await run(['-o', 'json'], empty);
    assert.match(err, /No usage recorded yet/);
    // SAFETY: the command prints a CostReport as JSON.
    assert.equal((JSON.parse(out) as CostReport).totals.total, 0);
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

test('the reader works once the daemon has closed the ledger', async () => {
  writer.close();
  writer = new UsageLedger({ path: join(dir, 'unused.db') });
  const { out } = await run(['-o', 'json']);
  // SAFETY: the command prints a CostReport as JSON.
  assert.equal((JSON.parse(out) as CostReport).fargate.length, 3);
});

test('`kiln cost compare` reaches its subcommand with its own -o', async () => {
  const { out, compared } = await run(['compare', '-f', 'app.yaml', '-o', 'svg']);
  assert.equal(out, '');
  assert.deepEqual(compared, [{ filename: 'app.yaml', output: 'svg' }]);
});

test('bad flags are refused', async () => {
  await assert.rejects(run(['--by', 'week']), /Allowed choices are pod, namespace, profile, day/);
  await assert.rejects(run(['--since', 'yesterday']), /duration/);
});

test('parseSince takes durations and dates', () => {
  assert.equal(parseSince('7d', T0), T0 - 7 * 24 * HOUR);
  assert.equal(parseSince('2026-01-01', T0), Date.UTC(2026, 0, 1));
});

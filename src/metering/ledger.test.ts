import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import Database from 'better-sqlite3';
import { MeteringError, meteringDbPath, UsageLedger } from './ledger.ts';
import type { OpenUsage } from './types.ts';

const T0 = Date.UTC(2026, 0, 1, 12);

function pod(uid: string, startMs = T0): OpenUsage {
  return {
    kind: 'fargate-pod',
    cluster: 'kiln',
    region: 'us-east-1',
    uid,
    name: `web-${uid}`,
    namespace: 'default',
    profile: 'fp-default',
    node: `fargate-ip-10-0-0-${uid}.ec2.internal`,
    vcpu: 0.25,
    memoryGb: 0.5,
    requestedVcpu: 0.1,
    requestedGb: 0.375,
    storageGb: 20,
    startMs,
  };
}

const node: OpenUsage = {
  kind: 'node',
  cluster: 'kiln',
  region: 'us-east-1',
  uid: 'n1',
  name: 'ip-10-0-1-10.ec2.internal',
  instanceType: 'm5.large',
  nodegroup: 'ng-1',
  startMs: T0,
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kiln-metering-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

test('records survive closing and reopening the ledger file', () => {
  const path = meteringDbPath(dir);
  const a = new UsageLedger({ path });
  assert.equal(a.start(pod('1'), T0), true);
  assert.equal(a.start(pod('2'), T0), true);
  assert.equal(a.start(node, T0), true);
  assert.equal(a.stop({ cluster: 'kiln', uid: '1' }, T0 + 90_500), true);
  a.close();
  const b = new UsageLedger({ path });
  const all = b.between(0, T0 + 3_600_000);
  assert.equal(all.length, 3);
  assert.deepEqual(b.get({ cluster: 'kiln', uid: '1' }), {
    ...pod('1'),
    endMs: T0 + 90_500,
    lastSeenMs: T0 + 90_500,
  });
  assert.deepEqual(b.get({ cluster: 'kiln', uid: 'n1' }), {
    ...node,
    endMs: undefined,
    lastSeenMs: T0,
  });
  assert.deepEqual(
    b.openRecords('kiln').map((r) => r.uid),
    ['2', 'n1'],
  );
  b.close();
});

test('opening a record twice keeps the first; a closed record stays closed', () => {
  const l = UsageLedger.inMemory();
  assert.equal(l.start(pod('1'), T0), true);
  assert.equal(l.start(pod('1', T0 + 5000), T0 + 5000), false);
  assert.equal(l.get({ cluster: 'kiln', uid: '1' })?.startMs, T0);
  assert.equal(l.stop({ cluster: 'kiln', uid: '1' }, T0 + 10_000), true);
  assert.equal(l.stop({ cluster: 'kiln', uid: '1' }, T0 + 20_000), false);
  assert.equal(l.start(pod('1'), T0 + 30_000), false);
  assert.equal(l.get({ cluster: 'kiln', uid: '1' })?.endMs, T0 + 10_000);
  assert.equal(l.between(0, T0 * 2).length, 1);
  l.close();
});

test('a record never ends before it starts', () => {
  const l = UsageLedger.inMemory();
  l.start(pod('1'), T0);
  l.stop({ cluster: 'kiln', uid: '1' }, T0 - 5000);
  assert.equal(l.get({ cluster: 'kiln', uid: '1' })?.endMs, T0);
  l.close();
});

test('touch refreshes last_seen of open records of one cluster only', () => {
  const l = UsageLedger.inMemory();
  l.start(pod('1'), T0);
  l.start(pod('2'), T0);
  l.start({ ...pod('3'), cluster: 'other' }, T0);
  l.stop({ cluster: 'kiln', uid: '2' }, T0 + 1000);
  assert.equal(l.touch('kiln', T0 + 60_000), 1);
  assert.equal(l.get({ cluster: 'kiln', uid: '1' })?.lastSeenMs, T0 + 60_000);
  assert.equal(l.get({ cluster: 'kiln', uid: '2' })?.lastSeenMs, T0 + 1000);
  assert.equal(l.get({ cluster: 'other', uid: '3' })?.lastSeenMs, T0);
  l.close();
});

test('between returns the records overlapping the window, optionally for one cluster', () => {
  const l = UsageLedger.inMemory();
  l.start(pod('early', T0 - 7_200_000), T0);
  l.stop({ cluster: 'kiln', uid: 'early' }, T0 - 3_600_000);
  l.start(pod('spans', T0 - 7_200_000), T0);
  l.start(pod('late', T0 + 7_200_000), T0);
  l.start({ ...pod('x'), cluster: 'other' }, T0);
  const uids = (from: number, to: number, cluster?: string): string[] =>
    l.between(from, to, cluster === undefined ? {} : { cluster }).map((r) => r.uid);
  assert.deepEqual(uids(T0, T0 + 3_600_000), ['spans', 'x']);
  assert.deepEqual(uids(T0, T0 + 3_600_000, 'kiln'), ['spans']);
  assert.deepEqual(uids(0, T0 * 2, 'kiln'), ['early', 'spans', 'late']);
  l.close();
});

test('read-only opening sees the writer’s records and refuses a missing file', () => {
  const path = meteringDbPath(dir);
  assert.throws(() => new UsageLedger({ path, readonly: true }), MeteringError);
  const w = new UsageLedger({ path });
  w.start(pod('1'), T0);
  const r = new UsageLedger({ path, readonly: true });
  assert.equal(r.between(0, T0 * 2).length, 1);
  w.start(pod('2'), T0);
  assert.equal(r.between(0, T0 * 2).length, 2);
  assert.throws(() => {
    r.start(pod('3'), T0);
  });
  r.close();
  w.close();
});

test('a ledger of another schema version is refused', () => {
  const path = meteringDbPath(dir);
  const db = new Database(path);
  db.exec('CREATE TABLE usage (x); PRAGMA user_version = 7;');
  db.close();
  assert.throws(() => new UsageLedger({ path }), /metering schema 7/);
});

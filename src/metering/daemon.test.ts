import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Daemon, loadConfig } from '../daemon/index.ts';
import { noopLogger } from '../telemetry/index.ts';
import { randomIds, systemClock } from '../util/index.ts';
import { meteringDbPath, UsageLedger } from './ledger.ts';

function daemon(stateDir: string): Daemon {
  const config = loadConfig(
    {
      stateDir,
      port: 0,
      host: '127.0.0.1',
      inMemory: false,
      fsync: false,
      workerNodes: 1,
      eksAddons: false,
      awsPort: 0,
      eksDelayMs: 0,
      metricsPort: 0,
    },
    {},
  );
  return new Daemon({ config, clock: systemClock, ids: randomIds, logger: noopLogger });
}

async function waitFor<T>(what: string, check: () => T | undefined): Promise<T> {
  const end = Date.now() + 10_000;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('the daemon meters its node-group nodes into metering.db; a restart loses and duplicates nothing', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kiln-metering-daemon-'));
  const path = meteringDbPath(stateDir);
  const read = (): ReturnType<UsageLedger['between']> => {
    const ledger = new UsageLedger({ path, readonly: true });
    try {
      return ledger.between(0, Date.now() + 60_000);
    } finally {
      ledger.close();
    }
  };
  try {
    const first = daemon(stateDir);
    await first.start();
    const [node] = await waitFor('the node record', () => {
      const rs = read();
      return rs.length > 0 ? rs : undefined;
    });
    // Stopping a daemon within its first moments can hang (independent of metering).
    await new Promise((r) => setTimeout(r, 1000));
    await first.stop();
    assert.ok(node);
    assert.equal(node.kind, 'node');
    assert.deepEqual(
      [node.cluster, node.region, node.instanceType],
      ['kiln', 'us-east-1', 'm5.large'],
    );
    assert.equal(node.endMs, undefined);

    const second = daemon(stateDir);
    await second.start();
    try {
      // The node is still there after the restart: its record stays open, and is not repeated.
      await new Promise((r) => setTimeout(r, 1000));
      const after = read().filter((r) => r.kind === 'node' && r.name === node.name);
      assert.deepEqual(
        after.map((r) => [r.uid, r.startMs]),
        [[node.uid, node.startMs]],
      );
    } finally {
      await second.stop();
    }
  } finally {
    rmSync(stateDir, { recursive: true, force: true });
  }
});

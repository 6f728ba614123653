import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadPriceCatalogue } from '../pricing/index.ts';
import { ManualClock } from '../util/index.ts';
import { ledgerCostSource } from './cost-source.ts';
import { UsageLedger } from './ledger.ts';

test('the cost source totals one cluster’s Fargate spend up to now', () => {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const ledger = UsageLedger.inMemory();
  const base = {
    kind: 'fargate-pod',
    region: 'us-east-1',
    namespace: 'default',
    profile: 'fp',
    node: 'n',
    vcpu: 0.25,
    memoryGb: 0.5,
    requestedVcpu: 0.25,
    requestedGb: 0.5,
    storageGb: 20,
    startMs: clock.now(),
  } as const;
  ledger.start({ ...base, cluster: 'kiln', uid: 'a', name: 'a' }, clock.now());
  ledger.start({ ...base, cluster: 'other', uid: 'b', name: 'b' }, clock.now());
  const source = ledgerCostSource({ ledger, catalogue: loadPriceCatalogue({}), clock });
  const ref = { region: 'us-east-1', name: 'kiln' };
  clock.advance(30_000);
  assert.equal(source.totalUsd(ref), ((0.25 * 0.04048 + 0.5 * 0.004445) * 60) / 3600);
  clock.advance(3_570_000);
  assert.ok(Math.abs(source.totalUsd(ref) - (0.25 * 0.04048 + 0.5 * 0.004445)) < 1e-12);
  assert.equal(source.totalUsd({ region: 'eu-west-1', name: 'kiln' }), 0);
  ledger.close();
});

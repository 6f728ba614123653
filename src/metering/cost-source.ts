import type { PriceCatalogue } from '../pricing/index.ts';
import type { Clock } from '../util/index.ts';
import type { UsageLedger } from './ledger.ts';
import { costReport } from './report.ts';

/**
 * Accumulated Fargate spend of one cluster from the ledger, priced now: what the `/metrics`
 * cost counter (telemetry's CostSource) reads at each scrape.
 */
export function ledgerCostSource(o: {
  readonly ledger: UsageLedger;
  readonly catalogue: PriceCatalogue;
  readonly clock: Clock;
}): { totalUsd(cluster: { readonly region: string; readonly name: string }): number } {
  return {
    totalUsd(cluster) {
      const now = o.clock.now();
      const records = o.ledger
        .between(0, now, { cluster: cluster.name })
        .filter((r) => r.region === cluster.region);
      return costReport(records, { catalogue: o.catalogue, fromMs: 0, toMs: now, by: 'pod' }).totals
        .fargate;
    },
  };
}

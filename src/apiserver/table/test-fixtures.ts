import type { KubeObject, ObjectMeta } from '../../api/index.ts';
import type { TablePrinter } from './types.ts';

/** The fixed server clock every printer test prints against. */
export const NOW = Date.parse('2025-06-01T12:00:00Z');

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An RFC 3339 timestamp `ms` before {@link NOW}, in whole seconds as the API stores them. */
export function ago(ms: number): string {
  return new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
}

/**
 * A stored object created five days before {@link NOW} unless `metadata` says otherwise.
 * `type` is `apiVersion/Kind`, e.g. `apps/v1/Deployment` or `v1/Pod`.
 */
export function obj(
  type: string,
  metadata: ObjectMeta,
  body: Record<string, unknown> = {},
): KubeObject {
  const slash = type.lastIndexOf('/');
  return {
    apiVersion: type.slice(0, slash),
    kind: type.slice(slash + 1),
    metadata: { creationTimestamp: ago(5 * DAY), ...metadata },
    ...body,
  };
}

/** The cells a printer produces, one row. */
export function cellsOf(printer: TablePrinter, o: KubeObject): unknown[] {
  return printer.cells(o, { now: NOW });
}

/** Column names, as `kubectl` would head them before upper-casing. */
export function columnNames(printer: TablePrinter): string[] {
  return printer.columns.map((c) => (c.priority === 1 ? `${c.name}*` : c.name));
}

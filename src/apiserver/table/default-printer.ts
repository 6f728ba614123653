import { docColumn, NAME_COLUMN } from './columns.ts';
import { parseTimestamp } from './duration.ts';
import type { TablePrinter } from './types.ts';

/** Go's zero time.Time, formatted as RFC 3339. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** `Time.UTC().Format(time.RFC3339)`: whole seconds, `Z` zone. */
function rfc3339(value: unknown): string {
  const ms = parseTimestamp(value);
  if (ms === undefined) return ZERO_TIME;
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/**
 * k8s.io/apiserver `rest.NewDefaultTableConvertor`: what kube-apiserver serves for resources
 * without a printer (roles, limitranges, customresourcedefinitions, …).
 */
export const defaultTablePrinter: TablePrinter = {
  columns: [NAME_COLUMN, docColumn('Created At', 'ObjectMeta.creationTimestamp', { type: 'date' })],
  cells: (obj) => [obj.metadata.name ?? '', rfc3339(obj.metadata.creationTimestamp)],
};

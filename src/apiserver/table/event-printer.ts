import type { KubeObject } from '../../api/index.ts';
import { docColumn, NAME_COLUMN } from './columns.ts';
import { parseTimestamp, sinceText } from './duration.ts';
import { isRecord, num, rec, str } from './fields.ts';
import type { PrintContext, TablePrinter } from './types.ts';

/**
 * printers.go `printEvent`. core/v1 and events.k8s.io/v1 events are one internal type upstream,
 * so both print alike; only the JSON field names differ, and those are data here.
 */
export interface EventFieldNames {
  involvedObject: string;
  message: string;
  source: string;
  firstTimestamp: string;
  lastTimestamp: string;
  count: string;
  reportingController: string;
}

export const CORE_EVENT_FIELDS: EventFieldNames = {
  involvedObject: 'involvedObject',
  message: 'message',
  source: 'source',
  firstTimestamp: 'firstTimestamp',
  lastTimestamp: 'lastTimestamp',
  count: 'count',
  reportingController: 'reportingComponent',
};

export const EVENTS_V1_FIELDS: EventFieldNames = {
  involvedObject: 'regarding',
  message: 'note',
  source: 'deprecatedSource',
  firstTimestamp: 'deprecatedFirstTimestamp',
  lastTimestamp: 'deprecatedLastTimestamp',
  count: 'deprecatedCount',
  reportingController: 'reportingController',
};

const EVENT_COLUMNS = [
  docColumn('Last Seen', 'Event.lastTimestamp'),
  docColumn('Type', 'Event.type'),
  docColumn('Reason', 'Event.reason'),
  docColumn('Object', 'Event.involvedObject'),
  docColumn('Subobject', 'ObjectReference.fieldPath', { wide: true }),
  docColumn('Source', 'Event.source', { wide: true }),
  docColumn('Message', 'Event.message'),
  docColumn('First Seen', 'Event.firstTimestamp', { wide: true }),
  docColumn('Count', 'Event.count', { wide: true }),
  Object.freeze({ ...NAME_COLUMN, priority: 1 }),
] as const;

function firstNonEmpty(a: string, b: string): string {
  return a !== '' ? a : b;
}

/** printers.go `formatEventSource`: `component, host`, falling back to the reporting fields. */
function sourceText(ev: KubeObject, f: EventFieldNames): string {
  const source = rec(ev[f.source]);
  const component = firstNonEmpty(str(source['component']), str(ev[f.reportingController]));
  const instance = firstNonEmpty(str(source['host']), str(ev['reportingInstance']));
  return instance === '' ? component : `${component}, ${instance}`;
}

function timing(ev: KubeObject, f: EventFieldNames, { now }: PrintContext) {
  const first =
    parseTimestamp(ev[f.firstTimestamp]) === undefined
      ? sinceText(ev['eventTime'], now)
      : sinceText(ev[f.firstTimestamp], now);
  let last =
    parseTimestamp(ev[f.lastTimestamp]) === undefined ? first : sinceText(ev[f.lastTimestamp], now);
  let count = num(ev[f.count]);
  const series = ev['series'];
  if (isRecord(series)) {
    last = sinceText(series['lastObservedTime'], now);
    count = num(series['count']);
  } else if (count === 0) {
    // Singleton events of the new API carry no count.
    count = 1;
  }
  return { first, last, count };
}

export function eventPrinter(fields: EventFieldNames): TablePrinter {
  return {
    columns: EVENT_COLUMNS,
    cells(ev, ctx) {
      const involved = rec(ev[fields.involvedObject]);
      const kind = str(involved['kind']).toLowerCase();
      const name = str(involved['name']);
      const { first, last, count } = timing(ev, fields, ctx);
      return [
        last,
        str(ev['type']),
        str(ev['reason']),
        name === '' ? kind : `${kind}/${name}`,
        str(involved['fieldPath']),
        sourceText(ev, fields),
        str(ev[fields.message]).trim(),
        first,
        count,
        ev.metadata.name ?? '',
      ];
    },
  };
}

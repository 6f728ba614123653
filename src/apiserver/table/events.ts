import type { PrinterTable } from './common.ts';
import { eventPrinter, EVENTS_V1_FIELDS } from './event-printer.ts';

/** events.k8s.io/v1: upstream serves these from the core event storage, with its printer. */
export const eventsPrinters: PrinterTable = {
  'events.events.k8s.io': eventPrinter(EVENTS_V1_FIELDS),
};

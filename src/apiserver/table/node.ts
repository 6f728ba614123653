import { AGE_COLUMN, column, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { str } from './fields.ts';

/** node.k8s.io/v1 printers from printers.go, Kubernetes 1.32. */
export const nodePrinters: PrinterTable = {
  'runtimeclasses.node.k8s.io': {
    // Upstream describes Handler with ObjectMeta's (absent) `handler` doc, i.e. an empty string.
    columns: [NAME_COLUMN, column('Handler', ''), AGE_COLUMN],
    cells: (rc, { now }) => [nameOf(rc), str(rc['handler']), ageOf(rc, now)],
  },
};

import { AGE_COLUMN, docColumn, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { bool, num, str } from './fields.ts';

/** scheduling.k8s.io/v1 printers from printers.go, Kubernetes 1.32. */
export const schedulingPrinters: PrinterTable = {
  'priorityclasses.scheduling.k8s.io': {
    columns: [
      NAME_COLUMN,
      docColumn('Value', 'PriorityClass.value', { type: 'integer' }),
      docColumn('Global-Default', 'PriorityClass.globalDefault', { type: 'boolean' }),
      AGE_COLUMN,
      docColumn('PreemptionPolicy', 'PriorityClass.preemptionPolicy'),
    ],
    cells: (pc, { now }) => [
      nameOf(pc),
      num(pc['value']),
      bool(pc['globalDefault']),
      ageOf(pc, now),
      str(pc['preemptionPolicy']),
    ],
  },
};

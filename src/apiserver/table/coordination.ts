import { AGE_COLUMN, docColumn, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { rec, str } from './fields.ts';

/** coordination.k8s.io/v1 printers from printers.go, Kubernetes 1.32. */
export const coordinationPrinters: PrinterTable = {
  'leases.coordination.k8s.io': {
    columns: [NAME_COLUMN, docColumn('Holder', 'LeaseSpec.holderIdentity'), AGE_COLUMN],
    cells: (lease, { now }) => [
      nameOf(lease),
      str(rec(lease['spec'])['holderIdentity']),
      ageOf(lease, now),
    ],
  },
};

import { AGE_COLUMN, column, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { arr } from './fields.ts';
import type { TablePrinter } from './types.ts';

const webhookConfigurationPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column(
      'Webhooks',
      'Webhooks indicates the number of webhooks registered in this configuration',
      {
        type: 'integer',
      },
    ),
    AGE_COLUMN,
  ],
  cells: (cfg, { now }) => [nameOf(cfg), arr(cfg['webhooks']).length, ageOf(cfg, now)],
};

/** admissionregistration.k8s.io/v1 printers from printers.go, Kubernetes 1.32. */
export const admissionRegistrationPrinters: PrinterTable = {
  'mutatingwebhookconfigurations.admissionregistration.k8s.io': webhookConfigurationPrinter,
  'validatingwebhookconfigurations.admissionregistration.k8s.io': webhookConfigurationPrinter,
};

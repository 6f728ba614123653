import { admissionRegistrationPrinters } from './admissionregistration.ts';
import { appsPrinters } from './apps.ts';
import { batchPrinters } from './batch.ts';
import type { PrinterTable } from './common.ts';
import { coordinationPrinters } from './coordination.ts';
import { corePrinters } from './core.ts';
import { defaultTablePrinter } from './default-printer.ts';
import { discoveryPrinters } from './discovery.ts';
import { eventsPrinters } from './events.ts';
import { networkingPrinters } from './networking.ts';
import { nodePrinters } from './node.ts';
import { policyPrinters } from './policy.ts';
import { rbacPrinters } from './rbac.ts';
import { schedulingPrinters } from './scheduling.ts';
import type { TablePrinter } from './types.ts';
import { groupResource, type ResourceDefinition } from '../resources/types.ts';

/** Every built-in printer, by group-resource. Adding an API group means adding its table here. */
const PRINTERS: PrinterTable = Object.freeze({
  ...corePrinters,
  ...appsPrinters,
  ...batchPrinters,
  ...eventsPrinters,
  ...coordinationPrinters,
  ...policyPrinters,
  ...schedulingPrinters,
  ...discoveryPrinters,
  ...networkingPrinters,
  ...nodePrinters,
  ...rbacPrinters,
  ...admissionRegistrationPrinters,
});

/**
 * The printer kube-apiserver uses for a group-resource (`pods`, `deployments.apps`,
 * `events.events.k8s.io`); the default Name / Created At printer when it has none.
 */
export function tablePrinterFor(groupResource: string): TablePrinter {
  return Object.hasOwn(PRINTERS, groupResource)
    ? (PRINTERS[groupResource] ?? defaultTablePrinter)
    : defaultTablePrinter;
}

/** The printer for a served resource: a custom resource's comes from its printer columns. */
export function tablePrinterForDefinition(def: ResourceDefinition): TablePrinter {
  return def.custom?.printer ?? tablePrinterFor(groupResource(def));
}

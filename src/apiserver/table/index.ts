export type {
  CustomResourceColumnDefinition,
  PrintContext,
  TableColumn,
  TablePrinter,
  TableRowCondition,
} from './types.ts';
export { tablePrinterFor, tablePrinterForDefinition } from './registry.ts';
export { defaultTablePrinter } from './default-printer.ts';
export { crdTablePrinter } from './crd.ts';
export { buildTable, type BuildTableOptions, type IncludeObject } from './table.ts';
export { humanDuration } from './duration.ts';

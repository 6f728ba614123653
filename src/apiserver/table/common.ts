import type { KubeObject } from '../../api/index.ts';
import { sinceText } from './duration.ts';
import type { TablePrinter } from './types.ts';

export function nameOf(obj: KubeObject): string {
  return obj.metadata.name ?? '';
}

/** The Age cell: the object's creationTimestamp as a HumanDuration. */
export function ageOf(obj: KubeObject, now: number): string {
  return sinceText(obj.metadata.creationTimestamp, now);
}

/** Printers keyed by group-resource (`pods`, `deployments.apps`), one table per API group. */
export type PrinterTable = Readonly<Record<string, TablePrinter>>;

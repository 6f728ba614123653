import type { KubeObject } from '../../api/index.ts';

/** meta/v1 TableColumnDefinition. Every field is always serialised, as kube-apiserver does. */
export interface TableColumn {
  name: string;
  /** OpenAPI type: `string`, `integer`, `number`, `boolean`, `date`. */
  type: string;
  /** OpenAPI format hint, `name` for the object-name column, else empty. */
  format: string;
  description: string;
  /** 0 is always shown; 1 only with `-o wide`. kube-apiserver always sends both. */
  priority: number;
}

/** meta/v1 TableRowCondition (pods attach `Completed` once they are Succeeded or Failed). */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface PrintContext {
  /** The server's clock, in epoch milliseconds; ages are measured against it. */
  now: number;
}

/**
 * How one resource renders as Table rows. Implementations are pure: same object and `now`, same
 * cells; they never mutate the object and never throw on missing or malformed fields.
 */
export interface TablePrinter {
  readonly columns: readonly TableColumn[];
  /** One cell per column, in column order; JSON values exactly as kube-apiserver sends them. */
  cells(obj: KubeObject, ctx: PrintContext): unknown[];
  /** Row conditions, when the resource has any (upstream only sets them for finished pods). */
  conditions?(obj: KubeObject): readonly TableRowCondition[] | undefined;
}

/** apiextensions.k8s.io/v1 CustomResourceColumnDefinition. */
export interface CustomResourceColumnDefinition {
  name: string;
  type: string;
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

import { SWAGGER_DOCS, type SwaggerDocKey } from './descriptions.ts';
import type { TableColumn } from './types.ts';

export interface ColumnOptions {
  /** Defaults to `string`. */
  type?: string;
  format?: string;
  /** Set for the `-o wide` columns. */
  wide?: boolean;
}

/** A column whose description is literal text (printers.go writes many inline). */
export function column(name: string, description: string, opts: ColumnOptions = {}): TableColumn {
  // Frozen: tables hand these very objects to every response.
  return Object.freeze({
    name,
    type: opts.type ?? 'string',
    format: opts.format ?? '',
    description,
    priority: opts.wide === true ? 1 : 0,
  });
}

/** A column described by an upstream SwaggerDoc entry. */
export function docColumn(name: string, doc: SwaggerDocKey, opts: ColumnOptions = {}): TableColumn {
  return column(name, SWAGGER_DOCS[doc], opts);
}

export const NAME_COLUMN = docColumn('Name', 'ObjectMeta.name', { format: 'name' });
export const AGE_COLUMN = docColumn('Age', 'ObjectMeta.creationTimestamp');

export const TEMPLATE_CONTAINERS_COLUMN = column(
  'Containers',
  'Names of each container in the template.',
  { wide: true },
);
export const TEMPLATE_IMAGES_COLUMN = column(
  'Images',
  'Images referenced by each container in the template.',
  { wide: true },
);

import type { KubeObject } from '../../api/index.ts';
import { NAME_COLUMN } from './columns.ts';
import { SWAGGER_DOCS } from './descriptions.ts';
import { humanDuration, parseTimestamp } from './duration.ts';
import { compileJsonPath, findAll, JsonPathError, type CompiledJsonPath } from './jsonpath.ts';
import type { CustomResourceColumnDefinition, TableColumn, TablePrinter } from './types.ts';

/**
 * apiextensions-apiserver's custom-resource table convertor: a Name column, then one column per
 * `additionalPrinterColumns` entry (or the default Age column when there are none).
 */

const DEFAULT_COLUMNS: readonly CustomResourceColumnDefinition[] = [
  {
    name: 'Age',
    type: 'date',
    description: SWAGGER_DOCS['ObjectMeta.creationTimestamp'],
    jsonPath: '.metadata.creationTimestamp',
  },
];

/** Go's `%v` for a float64: shortest digits, exponent form outside 1e-4 ≤ |f| < 1e6. */
export function goFloatText(f: number): string {
  if (!Number.isFinite(f)) return f > 0 ? '+Inf' : f < 0 ? '-Inf' : 'NaN';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const [mantissa = '', expText = '0'] = f.toExponential().split('e');
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(f);
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (typeof v !== 'object' || v === null) return v;
  const out: Record<string, unknown> = {};
  // SAFETY: a non-array, non-null object from decoded JSON is a string-keyed record.
  const src = v as Record<string, unknown>;
  for (const k of Object.keys(src).sort()) out[k] = sortKeys(src[k]);
  return out;
}

/** Go's json.Marshal: sorted map keys, and `<`, `>`, `&` escaped for HTML safety. */
export function goJson(v: unknown): string {
  return JSON.stringify(sortKeys(v))
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}

/** client-go JSONPath `PrintResults` for one value: JSON for objects and arrays, else text. */
function printText(v: unknown): string {
  if (v === null || v === undefined) return '<no value>';
  if (typeof v === 'object') return goJson(v);
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : goFloatText(v);
  if (typeof v === 'string') return v;
  return v === true ? 'true' : 'false';
}

/** metav1.Time.UnmarshalQueryParameter then ConvertToHumanReadableDateType. */
function dateCell(value: string, now: number): string {
  if (value === '' || value === 'null') return '<unknown>';
  const ms = parseTimestamp(value);
  return ms === undefined ? '<invalid>' : humanDuration(now - ms);
}

/** apiextensions `cellForJSONValue`: a typed cell, or null when the value has the wrong type. */
function typedCell(type: string, value: unknown, now: number): unknown {
  switch (type) {
    case 'integer':
      return typeof value === 'number' ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'date':
      return typeof value === 'string' ? dateCell(value, now) : null;
    default:
      return null;
  }
}

interface CompiledColumn {
  header: TableColumn;
  path: CompiledJsonPath;
}

function compileColumns(defs: readonly CustomResourceColumnDefinition[]): CompiledColumn[] {
  const out: CompiledColumn[] = [];
  for (const def of defs) {
    let path: CompiledJsonPath;
    try {
      path = compileJsonPath(def.jsonPath);
    } catch (e: unknown) {
      // Upstream keeps the columns parsed before the bad one and logs the error.
      if (e instanceof JsonPathError) break;
      throw e;
    }
    const description =
      def.description !== undefined && def.description !== ''
        ? def.description
        : `Custom resource definition column (in JSONPath format): ${def.jsonPath}`;
    out.push({
      header: {
        name: def.name,
        type: def.type,
        format: def.format ?? '',
        description,
        priority: def.priority ?? 0,
      },
      path,
    });
  }
  return out;
}

function columnCell(col: CompiledColumn, obj: KubeObject, now: number): unknown {
  let results: unknown[];
  try {
    results = findAll(col.path, obj);
  } catch (e: unknown) {
    if (e instanceof JsonPathError) return null;
    throw e;
  }
  if (results.length === 0) return null;
  // Upstream only prints the first value a path selects.
  const value = results[0];
  if (col.header.type === 'string') return printText(value);
  return value === null ? null : typedCell(col.header.type, value, now);
}

/** The printer for a custom resource version with these `additionalPrinterColumns`. */
export function crdTablePrinter(columns: readonly CustomResourceColumnDefinition[]): TablePrinter {
  const compiled = compileColumns(columns.length > 0 ? columns : DEFAULT_COLUMNS);
  return {
    columns: [NAME_COLUMN, ...compiled.map((c) => c.header)],
    cells(obj, { now }) {
      const cells: unknown[] = [obj.metadata.name ?? ''];
      for (const col of compiled) cells.push(columnCell(col, obj, now));
      return cells;
    },
  };
}

import type { FieldError } from '../../api/index.ts';
import { goQuote } from './go-format.ts';

/**
 * Field paths and field.Error constructors, rendered exactly as apimachinery's
 * `field.Error.Error()` does (`path: Type: value: detail`).
 */

/** A value already rendered in Go `%#v` syntax (structs, maps, slices). */
export interface GoSyntax {
  readonly goSyntax: string;
}

/** apimachinery's `field.OmitValueType{}`: the body shows the error type only. */
export const OMIT_VALUE: { readonly omitValue: true } = Object.freeze({ omitValue: true });

/** What a field error reports as the offending value. */
export type BadValue = string | number | boolean | null | GoSyntax | typeof OMIT_VALUE;

/** `fldPath.Child(name)`: the root has no leading dot. */
export function child(path: string, ...names: readonly string[]): string {
  let p = path;
  for (const n of names) p = p === '' ? n : `${p}.${n}`;
  return p;
}

/** `fldPath.Index(i)`. */
export function index(path: string, i: number): string {
  return `${path}[${i}]`;
}

/** `fldPath.Key(k)`: map keys render unquoted inside brackets. */
export function key(path: string, k: string): string {
  return `${path}[${k}]`;
}

/** `field.NewPath("")`, which apimachinery renders as `[]`. */
export const EMPTY_ROOT_PATH = '[]';

function renderNumber(n: number): string {
  if (Number.isInteger(n)) return Number.isSafeInteger(n) ? String(n) : BigInt(n).toString();
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : n < 0 ? '-Inf' : 'NaN';
  return String(n);
}

/** How `ErrorBody` prints a bad value after its type label. */
function renderValue(v: BadValue): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return goQuote(v);
    case 'number':
      return renderNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
    default:
      return 'goSyntax' in v ? v.goSyntax : undefined;
  }
}

function withDetail(body: string, detail: string): string {
  return detail === '' ? body : `${body}: ${detail}`;
}

function valued(label: string, v: BadValue): string {
  const rendered = renderValue(v);
  return rendered === undefined ? label : `${label}: ${rendered}`;
}

function make(type: FieldError['type'], field: string, body: string): FieldError {
  return { type, field, message: `${field}: ${body}` };
}

export function required(field: string, detail = ''): FieldError {
  return make('FieldValueRequired', field, withDetail('Required value', detail));
}

export function invalid(field: string, value: BadValue, detail: string): FieldError {
  return make('FieldValueInvalid', field, withDetail(valued('Invalid value', value), detail));
}

/** Valid values are listed in the order given, as `field.NotSupported` does. */
export function notSupported(field: string, value: BadValue, valid: readonly string[]): FieldError {
  const detail =
    valid.length === 0 ? '' : `supported values: ${valid.map((s) => goQuote(s)).join(', ')}`;
  return make(
    'FieldValueNotSupported',
    field,
    withDetail(valued('Unsupported value', value), detail),
  );
}

export function forbidden(field: string, detail: string): FieldError {
  return make('FieldValueForbidden', field, withDetail('Forbidden', detail));
}

export function duplicate(field: string, value: BadValue, detail = ''): FieldError {
  return make('FieldValueDuplicate', field, withDetail(valued('Duplicate value', value), detail));
}

/**
 * `field.NotFound`. Its reason, `FieldValueNotFound`, is missing from FieldError's type
 * union in src/api/meta.ts, so the cause reports `FieldValueInvalid`; the message is exact.
 */
export function notFound(field: string, value: BadValue, detail = ''): FieldError {
  return make('FieldValueInvalid', field, withDetail(valued('Not found', value), detail));
}

export function tooLong(field: string, maxLength: number): FieldError {
  const detail = maxLength >= 0 ? `may not be more than ${maxLength} bytes` : 'value is too long';
  return make('FieldValueTooLong', field, `Too long: ${detail}`);
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return make('FieldValueTooMany', field, `Too many: ${actual}: must have at most ${max} items`);
}

/** A JSON value of the wrong type, reported as OpenAPI schema validation words it. */
export function typeInvalid(field: string, actual: string, expected: string): FieldError {
  const detail = `${field} in body must be of type ${expected}: ${goQuote(actual)}`;
  return make('FieldValueTypeInvalid', field, withDetail(valued('Invalid value', actual), detail));
}

export function internalError(field: string, detail: string): FieldError {
  return make('InternalError', field, withDetail('Internal error', detail));
}

/** Each message becomes an Invalid error on the same field and value. */
export function invalidEach(field: string, value: BadValue, msgs: readonly string[]): FieldError[] {
  return msgs.map((m) => invalid(field, value, m));
}

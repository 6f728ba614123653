import type { FieldError } from '../../api/index.ts';
import { invalid } from './field.ts';

/** Path-string checks shared by volumes, mounts and probes (pkg/apis/core/validation). */

/** validatePathNoBacksteps: no `..` element. */
export function validatePathNoBacksteps(target: string, field: string): FieldError[] {
  return target.split('/').includes('..') ? [invalid(field, target, "must not contain '..'")] : [];
}

/** validateLocalDescendingPath: relative and without backsteps. */
export function validateLocalDescendingPath(target: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (target.startsWith('/')) errs.push(invalid(field, target, 'must be a relative path'));
  errs.push(...validatePathNoBacksteps(target, field));
  return errs;
}

/** ValidateLocalNonReservedPath: also must not start with `..`. */
export function validateLocalNonReservedPath(target: string, field: string): FieldError[] {
  const errs = validateLocalDescendingPath(target, field);
  if (target.startsWith('..') && !target.startsWith('../')) {
    errs.push(invalid(field, target, "must not start with '..'"));
  }
  return errs;
}

export const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';

/** A file mode must lie in 0..0777. */
export function validateFileMode(mode: number | undefined, field: string): FieldError[] {
  return mode !== undefined && (mode > 0o777 || mode < 0)
    ? [invalid(field, mode, FILE_MODE_ERROR)]
    : [];
}

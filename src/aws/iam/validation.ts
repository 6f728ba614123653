import { memberName, validationError } from '../endpoint/index.ts';
import { AwsError } from '../types.ts';

/** A field constraint from IAM's API model: length bounds and the pattern as AWS prints it. */
export interface Constraint {
  readonly min: number;
  readonly max: number;
  /** The pattern exactly as IAM's error message shows it. */
  readonly pattern?: string;
  readonly regex?: RegExp;
}

export const ROLE_NAME: Constraint = {
  min: 1,
  max: 64,
  pattern: '[\\w+=,.@-]+',
  regex: /^[\w+=,.@-]+$/,
};
export const POLICY_NAME: Constraint = {
  min: 1,
  max: 128,
  pattern: '[\\w+=,.@-]+',
  regex: /^[\w+=,.@-]+$/,
};
export const PATH: Constraint = {
  min: 1,
  max: 512,
  pattern: '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)',
  regex: /^(\/|\/[\u0021-\u007E]+\/)$/,
};
export const PATH_PREFIX: Constraint = {
  min: 1,
  max: 512,
  pattern: '\\u002F[\\u0021-\\u007F]*',
  regex: /^\/[\u0021-\u007F]*$/,
};
export const POLICY_DOCUMENT: Constraint = {
  min: 1,
  max: 131072,
  pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u00FF]+',
  // eslint-disable-next-line no-control-regex -- IAM's model allows tab, LF and CR.
  regex: /^[\u0009\u000A\u000D\u0020-\u00FF]+$/,
};
export const DESCRIPTION: Constraint = {
  min: 0,
  max: 1000,
  pattern: '[\\u0009\\u000A\\u000D\\u0020-\\u007E\\u00A1-\\u00FF]*',
  // eslint-disable-next-line no-control-regex -- IAM's model allows tab, LF and CR.
  regex: /^[\u0009\u000A\u000D\u0020-\u007E\u00A1-\u00FF]*$/,
};
export const SESSION_NAME: Constraint = {
  min: 2,
  max: 64,
  pattern: '[\\w+=,.@-]*',
  regex: /^[\w+=,.@-]*$/,
};
export const TAG_KEY: Constraint = {
  min: 1,
  max: 128,
  pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]+',
  regex: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$/u,
};
export const TAG_VALUE: Constraint = {
  min: 0,
  max: 256,
  pattern: '[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*',
  regex: /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u,
};

/** The constraint failures of one value, worded as IAM's ValidationError lists them. */
export function constraintFailures(field: string, value: string, c: Constraint): string[] {
  const at = `Value '${value}' at '${memberName(field)}' failed to satisfy constraint:`;
  const out: string[] = [];
  // IAM counts code points, so an astral character is one.
  const len = Array.from(value).length;
  if (len < c.min) {
    out.push(`${at} Member must have length greater than or equal to ${String(c.min)}`);
  }
  if (len > c.max) out.push(`${at} Member must have length less than or equal to ${String(c.max)}`);
  if (c.regex && c.pattern !== undefined && len > 0 && !c.regex.test(value)) {
    out.push(`${at} Member must satisfy regular expression pattern: ${c.pattern}`);
  }
  return out;
}

/** Checks several optional fields at once; one ValidationError lists every failure. */
export function validateFields(
  checks: readonly (readonly [string, string | undefined, Constraint])[],
): void {
  const failures = checks.flatMap(([field, value, c]) =>
    value === undefined ? [] : constraintFailures(field, value, c),
  );
  if (failures.length > 0) throw validationError(failures);
}

/** IAM counts policy size without whitespace. */
export function policySize(document: string): number {
  return document.replace(/\s/g, '').length;
}

export function limitExceeded(message: string): AwsError {
  return new AwsError('LimitExceeded', message, { httpStatus: 409 });
}

export function invalidInput(message: string): AwsError {
  return new AwsError('InvalidInput', message);
}

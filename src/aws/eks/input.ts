import { invalidParameter } from './errors.ts';

/**
 * Reading the members of a rest-json body. Wrong JSON types are the client's fault and come
 * back as InvalidParameterException, as the service's deserialiser rejects them.
 */
export type Body = Readonly<Record<string, unknown>>;

function typeError(field: string, expected: string): Error {
  return invalidParameter(
    `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must be ${expected}`,
  );
}

export function optString(body: Body, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw typeError(field, 'a string');
  return v;
}

/** A required string: absent or empty is reported with the member's name. */
export function reqString(body: Body, field: string): string {
  const v = optString(body, field);
  if (v === undefined || v === '') throw invalidParameter(`${field} must be provided`);
  return v;
}

export function optBool(body: Body, field: string): boolean | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw typeError(field, 'a boolean');
  return v;
}

export function optInt(body: Body, field: string): number | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw typeError(field, 'an integer');
  return v;
}

export function optStringList(body: Body, field: string): string[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || !v.every((x): x is string => typeof x === 'string')) {
    throw typeError(field, 'a list of strings');
  }
  return [...v];
}

export function optStringMap(body: Body, field: string): Record<string, string> | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(field, 'a map');
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (typeof val !== 'string') throw typeError(`${field}.${k}`, 'a string');
    out[k] = val;
  }
  return out;
}

export function optObject(body: Body, field: string): Body | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) throw typeError(field, 'a structure');
  // SAFETY: a non-array object from JSON.parse is a string-keyed record.
  return v as Body;
}

export function optObjectList(body: Body, field: string): Body[] | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw typeError(field, 'a list');
  return v.map((item: unknown, i) => {
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      throw typeError(`${field}.${i + 1}`, 'a structure');
    }
    // SAFETY: checked to be a non-array object above.
    return item as Body;
  });
}

/** EKS resource names: CreateCluster's modeled constraint (1–100, `^[0-9A-Za-z][A-Za-z0-9\-_]*`). */
const NAME_PATTERN = /^[0-9A-Za-z][A-Za-z0-9\-_]*$/;

export function checkName(value: string, field: string): void {
  if (value.length > 100) {
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to 100`,
    );
  }
  if (!NAME_PATTERN.test(value)) {
    throw invalidParameter(
      `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[0-9A-Za-z][A-Za-z0-9\\-_]*`,
    );
  }
}

import { AwsError } from '../types.ts';

/**
 * The entries of a flattened list in query/ec2 form fields, in index order. `prefix` is the
 * list's field path as sent: `Tags.member` (query) or `IpPermissions` (ec2). Each entry maps
 * the key remainder after `<prefix>.<n>.` to its value; a scalar entry (`TagKeys.member.1=a`)
 * has the remainder `''`. Nested lists: call again on an entry.
 */
export function memberList(
  params: ReadonlyMap<string, string>,
  prefix: string,
): ReadonlyMap<string, string>[] {
  const byIndex = new Map<number, Map<string, string>>();
  const head = `${prefix}.`;
  for (const [key, value] of params) {
    if (!key.startsWith(head)) continue;
    const rest = key.slice(head.length);
    const dot = rest.indexOf('.');
    const index = Number(dot < 0 ? rest : rest.slice(0, dot));
    if (!Number.isInteger(index) || index < 1) continue;
    let entry = byIndex.get(index);
    if (!entry) {
      entry = new Map();
      byIndex.set(index, entry);
    }
    entry.set(dot < 0 ? '' : rest.slice(dot + 1), value);
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, entry]) => entry);
}

/** A scalar list: `TagKeys.member.1=a&TagKeys.member.2=b` → `['a', 'b']`. */
export function memberStrings(params: ReadonlyMap<string, string>, prefix: string): string[] {
  return memberList(params, prefix)
    .map((e) => e.get(''))
    .filter((v): v is string => v !== undefined);
}

/** `roleName` from `RoleName`: AWS names members lower-camel in validation messages. */
export function memberName(field: string): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}

/** The smithy-style validation error AWS query services send for constraint failures. */
export function validationError(failures: readonly string[]): AwsError {
  const n = failures.length;
  return new AwsError(
    'ValidationError',
    `${String(n)} validation error${n === 1 ? '' : 's'} detected: ${failures.join('; ')}`,
  );
}

/** A required field, with AWS's "must not be null" ValidationError when it is absent. */
export function requireParam(params: ReadonlyMap<string, string>, field: string): string {
  const v = params.get(field);
  if (v === undefined) {
    throw validationError([
      `Value null at '${memberName(field)}' failed to satisfy constraint: Member must not be null`,
    ]);
  }
  return v;
}

/** An optional integer field within [min, max]; out of range is a ValidationError. */
export function optionalInt(
  params: ReadonlyMap<string, string>,
  field: string,
  range: { readonly min: number; readonly max: number },
): number | undefined {
  const raw = params.get(field);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    throw validationError([
      `Value '${raw}' at '${memberName(field)}' failed to satisfy constraint: Member must be a number`,
    ]);
  }
  if (n < range.min) {
    throw validationError([
      `Value '${raw}' at '${memberName(field)}' failed to satisfy constraint: Member must have value greater than or equal to ${String(range.min)}`,
    ]);
  }
  if (n > range.max) {
    throw validationError([
      `Value '${raw}' at '${memberName(field)}' failed to satisfy constraint: Member must have value less than or equal to ${String(range.max)}`,
    ]);
  }
  return n;
}

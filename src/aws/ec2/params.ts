import { AwsError } from '../types.ts';
import { invalidParameterValue, missingParameter } from './errors.ts';

/**
 * Readers for EC2 query parameters as the AWS CLI, SDKs and boto3 flatten them: lists are
 * `Name.N` (`VpcId.1`), lists of structures `Name.N.Member` (`Filter.1.Name`,
 * `IpPermissions.1.IpRanges.1.CidrIp`), and nested structures `Name.Member`
 * (`EnableDnsHostnames.Value`). Indices start at 1 and are ordered numerically.
 */
export type Params = ReadonlyMap<string, string>;

export function optional(params: Params, name: string): string | undefined {
  const v = params.get(name);
  return v === undefined || v === '' ? undefined : v;
}

/** A required member; `wireName` is the lower-camel name AWS uses in its message. */
export function required(params: Params, name: string): string {
  const v = optional(params, name);
  if (v === undefined) throw missingParameter(name.charAt(0).toLowerCase() + name.slice(1));
  return v;
}

/** `Name.1`, `Name.2`, … in index order. */
export function memberList(params: Params, prefix: string): string[] {
  const found: [number, string][] = [];
  const re = new RegExp(`^${escapeRe(prefix)}\\.(\\d+)$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (m?.[1] !== undefined) found.push([Number(m[1]), v]);
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}

/** `Name.N.rest` grouped per N into sub-parameter maps keyed by `rest`, in index order. */
export function structList(params: Params, prefix: string): Params[] {
  const groups = new Map<number, Map<string, string>>();
  const re = new RegExp(`^${escapeRe(prefix)}\\.(\\d+)\\.(.+)$`);
  for (const [k, v] of params) {
    const m = re.exec(k);
    if (m?.[1] === undefined || m[2] === undefined) continue;
    const n = Number(m[1]);
    let g = groups.get(n);
    if (!g) groups.set(n, (g = new Map<string, string>()));
    g.set(m[2], v);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map(([, g]) => g);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function bool(params: Params, name: string): boolean | undefined {
  const v = optional(params, name);
  if (v === undefined) return undefined;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw invalidParameterValue(v, name);
}

export function integer(params: Params, name: string): number | undefined {
  const v = optional(params, name);
  if (v === undefined) return undefined;
  if (!/^-?\d+$/.test(v)) throw invalidParameterValue(v, name);
  return Number(v);
}

export interface Tag {
  readonly key: string;
  readonly value: string;
}

/** `Tag.N.Key`/`Tag.N.Value` (CreateTags/DeleteTags). A missing value is the empty string. */
export function tagList(params: Params, prefix = 'Tag'): Tag[] {
  return structList(params, prefix).map((t) => ({
    key: required(t, 'Key'),
    value: t.get('Value') ?? '',
  }));
}

/** The tags of `TagSpecification.N` entries for one resource type, as on every Create call. */
export function tagSpecifications(params: Params, resourceType: string): Tag[] {
  const tags: Tag[] = [];
  for (const spec of structList(params, 'TagSpecification')) {
    const type = spec.get('ResourceType');
    if (type !== resourceType) {
      throw new AwsError(
        'InvalidParameterValue',
        `'${type ?? ''}' is not a valid taggable resource type for this operation.`,
      );
    }
    tags.push(...tagList(spec));
  }
  return tags;
}

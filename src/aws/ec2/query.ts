import { AwsError } from '../types.ts';
import { selectByIds } from './context.ts';
import { invalidFilter, invalidParameterValue } from './errors.ts';
import { integer, memberList, optional, structList, type Params, type Tag } from './params.ts';

/** One `Filter.N` entry: a resource matches when the attribute has any of the values. */
export interface Filter {
  readonly name: string;
  readonly values: readonly string[];
}

export function parseFilters(params: Params): Filter[] {
  return structList(params, 'Filter').map((f) => ({
    name: f.get('Name') ?? '',
    values: memberList(f, 'Value'),
  }));
}

/**
 * The values of one filterable attribute of a resource; undefined means the filter name is
 * not one this Describe call knows, which EC2 rejects.
 */
export type Attributes = (name: string) => readonly string[] | undefined;

/** EC2 filter values take `*` and `?` wildcards. */
function glob(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 's');
}

function tagAttribute(name: string, tags: readonly Tag[]): readonly string[] | undefined {
  if (name.startsWith('tag:')) {
    const key = name.slice(4);
    return tags.filter((t) => t.key === key).map((t) => t.value);
  }
  if (name === 'tag-key') return tags.map((t) => t.key);
  if (name === 'tag-value') return tags.map((t) => t.value);
  return undefined;
}

/** Whether a resource passes every filter (filters AND, values OR). */
export function matchesFilters(
  filters: readonly Filter[],
  attributes: Attributes,
  tags: readonly Tag[],
): boolean {
  return filters.every((f) => {
    const have = tagAttribute(f.name, tags) ?? attributes(f.name);
    if (have === undefined) throw invalidFilter(f.name);
    const patterns = f.values.map(glob);
    return have.some((v) => patterns.some((p) => p.test(v)));
  });
}

/** Validates filter names up front, so an unknown filter fails even when nothing is listed. */
export function checkFilterNames(filters: readonly Filter[], known: readonly string[]): void {
  for (const f of filters) {
    if (tagAttribute(f.name, []) === undefined && !known.includes(f.name)) {
      throw invalidFilter(f.name);
    }
  }
}

export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

/**
 * MaxResults/NextToken paging as EC2 does it. Items must be sorted by id; the token is the
 * last id returned, so deletions between pages never skip or repeat a resource.
 */
export function paginate<T>(
  items: readonly T[],
  idOf: (item: T) => string,
  opts: { readonly params: Params; readonly min?: number; readonly max?: number },
): Page<T> {
  const { params, min = 5, max = 1000 } = opts;
  const maxResults = integer(params, 'MaxResults');
  if (maxResults !== undefined && (maxResults < min || maxResults > max)) {
    throw new AwsError(
      'InvalidParameterValue',
      `Value ( ${maxResults} ) for parameter maxResults is invalid. Parameter must be between ${min} and ${max}.`,
    );
  }
  const token = optional(params, 'NextToken');
  let start = 0;
  if (token !== undefined) {
    const after = decodeToken(token);
    start = items.findIndex((item) => idOf(item) > after);
    if (start < 0) start = items.length;
  }
  if (maxResults === undefined) return { items: items.slice(start) };
  const page = items.slice(start, start + maxResults);
  const last = page.at(-1);
  if (start + maxResults >= items.length || last === undefined) return { items: page };
  return { items: page, nextToken: Buffer.from(idOf(last)).toString('base64url') };
}

function decodeToken(token: string): string {
  const id = Buffer.from(token, 'base64url').toString();
  if (id === '' || Buffer.from(id).toString('base64url') !== token)
    throw invalidParameterValue(token, 'nextToken');
  return id;
}

/**
 * The records a Describe* call asks for: the ones named by `<idParam>.N` (an unknown id is
 * `<kind>.NotFound`), passing every `Filter.N` (unknown filter names fail up front).
 */
export function selectDescribed<T extends { readonly tags: readonly Tag[] }>(
  all: readonly T[],
  params: Params,
  o: {
    readonly idParam: string;
    readonly idOf: (t: T) => string;
    readonly kind: string;
    readonly filters: readonly string[];
    readonly attributes: (t: T) => Readonly<Record<string, readonly string[]>>;
  },
): readonly T[] {
  const filters = parseFilters(params);
  checkFilterNames(filters, o.filters);
  return selectByIds(all, {
    ids: memberList(params, o.idParam),
    idOf: o.idOf,
    kind: o.kind,
  }).filter((t) => matchesFilters(filters, (name) => o.attributes(t)[name], t.tags));
}

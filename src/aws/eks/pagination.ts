import { invalidParameter } from './errors.ts';

/**
 * List pagination. Tokens are opaque to clients: a versioned, base64url-encoded cursor (the
 * last name returned). Anything else is rejected as EKS rejects a token it did not issue.
 */
const TOKEN_VERSION = 1;

export interface Page<T> {
  readonly items: T[];
  readonly nextToken?: string;
}

function encodeToken(after: string): string {
  return Buffer.from(JSON.stringify({ v: TOKEN_VERSION, after }), 'utf8').toString('base64url');
}

function decodeToken(token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (
      typeof parsed === 'object' &&
      parsed !== null &&
      'v' in parsed &&
      parsed.v === TOKEN_VERSION &&
      'after' in parsed &&
      typeof parsed.after === 'string'
    ) {
      return parsed.after;
    }
  } catch {
    // Falls through to the same error as a well-formed token of the wrong shape.
  }
  throw invalidParameter('The nextToken provided is invalid.');
}

/** maxResults (1–100, default 100) and nextToken from the query string. */
export function pageParams(query: URLSearchParams): { limit: number; after?: string } {
  const raw = query.get('maxResults');
  let limit = 100;
  if (raw !== null) {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1 || n > 100) {
      throw invalidParameter(
        `1 validation error detected: Value '${raw}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
      );
    }
    limit = n;
  }
  const token = query.get('nextToken');
  return token === null || token === '' ? { limit } : { limit, after: decodeToken(token) };
}

/** One page of `names` (sorted) after the cursor. */
export function paginate(
  names: readonly string[],
  params: { limit: number; after?: string },
): Page<string> {
  const sorted = [...names].sort();
  const start = params.after === undefined ? 0 : sorted.findIndex((n) => n > (params.after ?? ''));
  const from = start < 0 ? sorted.length : start;
  const items = sorted.slice(from, from + params.limit);
  const last = items.at(-1);
  const more = from + params.limit < sorted.length;
  return more && last !== undefined ? { items, nextToken: encodeToken(last) } : { items };
}

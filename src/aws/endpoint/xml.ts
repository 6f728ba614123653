/**
 * How a JS value becomes AWS XML. Lists are wrapped: each element is `<member>` in the query
 * protocol (IAM, STS) and `<item>` in the EC2 protocol, unless a field names its own.
 */
export interface XmlShape {
  /** The element name of list entries. */
  readonly listItem: string;
  /** Per field name overrides of `listItem`, e.g. `{ Tags: 'member' }`. */
  readonly listItemFor?: Readonly<Record<string, string>>;
  /** Dates with milliseconds (`…T12:00:00.000Z`, EC2's launchTime) instead of to the second. */
  readonly dateMillis?: boolean;
}

/** The query protocol's lists (IAM, STS). */
export const QUERY_SHAPE: XmlShape = { listItem: 'member' };
/** The EC2 protocol's lists (`<groupSet><item>…`). */
export const EC2_SHAPE: XmlShape = { listItem: 'item', dateMillis: true };

/** ISO 8601 in UTC, as AWS writes timestamps in XML. */
export function isoDate(d: Date, millis = false): string {
  const s = d.toISOString();
  return millis ? s : s.replace(/\.\d{3}Z$/, 'Z');
}

const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => ESCAPES[ch] ?? ch);
}

function scalarText(value: unknown, shape: XmlShape): string | undefined {
  if (value instanceof Date) return isoDate(value, shape.dateMillis ?? false);
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return undefined;
}

function element(name: string, inner: string): string {
  return `<${name}>${inner}</${name}>`;
}

/** The XML of one value's content (the caller wraps it in its element), or undefined to omit. */
function renderValue(value: unknown, shape: XmlShape, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (Array.isArray(value)) {
    const item = shape.listItemFor?.[field] ?? shape.listItem;
    return value
      .map((v: unknown) => renderValue(v, shape, ''))
      .filter((v): v is string => v !== undefined)
      .map((v) => element(item, v))
      .join('');
  }
  if (typeof value === 'object' && !(value instanceof Date)) return renderFields(value, shape);
  const text = scalarText(value, shape);
  return text === undefined ? undefined : escapeXml(text);
}

function renderFields(obj: object, shape: XmlShape): string {
  let out = '';
  for (const [k, v] of Object.entries(obj)) {
    const inner = renderValue(v, shape, k);
    if (inner !== undefined) out += element(k, inner);
  }
  return out;
}

export interface XmlDocument {
  /** The root element, e.g. `CreateRoleResponse`. */
  readonly root: string;
  readonly xmlns?: string;
  /** The root's children, in order. */
  readonly content: Readonly<Record<string, unknown>>;
  readonly shape: XmlShape;
}

/**
 * Serialises `content` under `root`: objects become nested elements, lists are wrapped per
 * `shape`, dates are ISO 8601, `undefined`/`null` fields are left out, empty lists are empty
 * elements, text is escaped.
 */
export function renderXml(doc: XmlDocument): string {
  const attrs = doc.xmlns === undefined ? '' : ` xmlns="${escapeXml(doc.xmlns)}"`;
  const body = renderFields(doc.content, doc.shape);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<${doc.root}${attrs}>${body}</${doc.root}>`;
}

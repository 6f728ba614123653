import type { KubeObject } from '../api/index.ts';
import type { StoredObject } from '../store/index.ts';
import { negotiate } from './content.ts';
import { errors } from './errors.ts';
import { jsonResponse, storedObjectResponse, type ApiResponse } from './http-types.ts';
import type { ResourceDefinition } from './resources/types.ts';
import { keyFor, prefixFor, qualifiedKind, toExternal, type RestOp } from './rest-context.ts';
import {
  matchesFields,
  matchesLabels,
  parseFieldSelector,
  parseLabelSelector,
  type FieldSelector,
  type LabelSelector,
} from './selectors.ts';
import { buildTable, tablePrinterForDefinition } from './table/index.ts';

const supportedCache = new WeakMap<ResourceDefinition, ReadonlySet<string>>();

/** The fields a resource's field selectors may name. */
export function supportedFields(def: ResourceDefinition): ReadonlySet<string> {
  let s = supportedCache.get(def);
  if (!s) {
    const extra = def.selectableFields ? Object.keys(def.selectableFields({ metadata: {} })) : [];
    s = new Set(['metadata.name', 'metadata.namespace', ...extra]);
    supportedCache.set(def, s);
  }
  return s;
}

export function fieldsOf(def: ResourceDefinition, obj: KubeObject): Record<string, string> {
  return {
    'metadata.name': obj.metadata.name ?? '',
    'metadata.namespace': obj.metadata.namespace ?? '',
    ...(def.selectableFields?.(obj) ?? {}),
  };
}

export interface Filter {
  readonly labels: LabelSelector;
  readonly fields: FieldSelector;
}

export function parseFilter(op: RestOp): Filter {
  return {
    labels: parseLabelSelector(op.req.query.get('labelSelector')),
    fields: parseFieldSelector(op.req.query.get('fieldSelector'), supportedFields(op.def)),
  };
}

export function matches(def: ResourceDefinition, f: Filter, obj: KubeObject): boolean {
  if (f.labels.length > 0 && !matchesLabels(f.labels, obj.metadata.labels)) return false;
  if (f.fields.length > 0 && !matchesFields(f.fields, fieldsOf(def, obj))) return false;
  return true;
}

type IncludeObject = 'None' | 'Metadata' | 'Object';

export function includeObject(op: RestOp): IncludeObject {
  const v = op.req.query.get('includeObject') ?? 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw errors.badRequest(
    `includeObject: Unsupported value: "${v}": supported values: "Metadata", "None", "Object"`,
  );
}

export function tableOf(
  op: RestOp,
  objects: KubeObject[],
  meta: { resourceVersion: string; continueToken?: string },
): unknown {
  return buildTable({
    printer: tablePrinterForDefinition(op.def),
    objects,
    resourceVersion: meta.resourceVersion,
    ...(meta.continueToken === undefined ? {} : { continueToken: meta.continueToken }),
    includeObject: includeObject(op),
    now: op.deps.clock.now(),
  });
}

function partialMetadata(obj: KubeObject): KubeObject {
  return { apiVersion: 'meta.k8s.io/v1', kind: 'PartialObjectMetadata', metadata: obj.metadata };
}

export function get(op: RestOp): ApiResponse {
  const stored = op.deps.store.get(keyFor(op));
  if (!stored) throw errors.notFound(qualifiedKind(op.def), op.info.name);
  const kind = negotiate(op.req.headers['accept']);
  const obj = toExternal(op.def, stored.object);
  if (kind === 'table')
    return jsonResponse(
      200,
      tableOf(op, [obj], { resourceVersion: obj.metadata.resourceVersion ?? '' }),
    );
  if (kind === 'partial-metadata') return jsonResponse(200, partialMetadata(obj));
  if (obj === stored.object) return storedObjectResponse(200, stored);
  return jsonResponse(200, obj);
}

interface ContinueToken {
  readonly rv: number;
  readonly start: string;
}

function decodeContinue(token: string): ContinueToken {
  try {
    // SAFETY: validated field by field below.
    const v = JSON.parse(
      Buffer.from(token, 'base64url').toString('utf8'),
    ) as Partial<ContinueToken>;
    if (typeof v.rv === 'number' && typeof v.start === 'string')
      return { rv: v.rv, start: v.start };
  } catch {
    // fall through to the error below
  }
  throw errors.badRequest(
    'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
  );
}

function checkListResourceVersion(op: RestOp): void {
  const rv = op.req.query.get('resourceVersion');
  const match = op.req.query.get('resourceVersionMatch');
  if (rv === null || rv === '' || rv === '0') {
    if (match === 'Exact')
      throw errors.badRequest(
        'resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
      );
    return;
  }
  if (!/^\d+$/.test(rv)) throw errors.badRequest(`invalid resource version: ${rv}`);
  const n = Number(rv);
  const current = op.deps.store.revision();
  if (n > current) {
    throw errors.badRequest(`Too large resource version: ${n}, current: ${current}`);
  }
  if (match === 'Exact' && n !== current) {
    if (n < op.deps.store.oldestRevision())
      throw errors.expired(`too old resource version: ${n} (${op.deps.store.oldestRevision()})`);
  }
}

/** `limit` from the query; 0 means no limit. */
function pageLimit(op: RestOp): number {
  const raw = op.req.query.get('limit');
  const limit = raw === null ? 0 : Number(raw);
  if (!Number.isInteger(limit) || limit < 0)
    throw errors.badRequest(`limit: Invalid value: ${raw ?? ''}`);
  return limit;
}

/** The key the previous page ended at, from `continue`; '' starts at the beginning. */
function continueFrom(op: RestOp): string {
  const cont = op.req.query.get('continue');
  return cont === null || cont === '' ? '' : decodeContinue(cont).start;
}

function encodeContinue(token: ContinueToken): string {
  return Buffer.from(JSON.stringify(token)).toString('base64url');
}

interface PageBounds {
  readonly filter: Filter;
  /** Only keys after this one. */
  readonly start: string;
  /** 0 for all. */
  readonly limit: number;
}

/**
 * The items after `start` that pass the filter, at most `limit` of them. `end` is the index of
 * the first item not looked at: the one that would have overflowed the page.
 */
function collect(
  op: RestOp,
  items: readonly StoredObject[],
  bounds: PageBounds,
): { selected: StoredObject[]; end: number } {
  const selected: StoredObject[] = [];
  let i = 0;
  for (; i < items.length; i++) {
    const s = items[i];
    if (s === undefined || s.key <= bounds.start) continue;
    const obj = op.def.conversion ? toExternal(op.def, s.object) : s.object;
    if (!matches(op.def, bounds.filter, obj)) continue;
    if (bounds.limit > 0 && selected.length === bounds.limit) break;
    selected.push(s);
  }
  return { selected, end: i };
}

/** A page of the list, in key order, after selectors. */
function page(
  op: RestOp,
  items: readonly StoredObject[],
  filter: Filter,
): { page: StoredObject[]; next?: string; remaining?: number } {
  const limit = pageLimit(op);
  const { selected, end } = collect(op, items, { filter, start: continueFrom(op), limit });
  const full = limit > 0 && end < items.length && selected.length === limit;
  if (!full) return { page: selected };
  const last = selected[selected.length - 1];
  return {
    page: selected,
    next: encodeContinue({ rv: op.deps.store.revision(), start: last?.key ?? '' }),
    remaining: items.length - end,
  };
}

export function list(op: RestOp): ApiResponse {
  const kind = negotiate(op.req.headers['accept']);
  checkListResourceVersion(op);
  const filter = parseFilter(op);
  const { items, revision } = op.deps.store.list(prefixFor(op));
  const { page: selected, next, remaining } = page(op, items, filter);
  const rv = String(revision);
  if (kind === 'table') {
    return jsonResponse(
      200,
      tableOf(
        op,
        selected.map((s) => toExternal(op.def, s.object)),
        { resourceVersion: rv, ...(next === undefined ? {} : { continueToken: next }) },
      ),
    );
  }
  const apiVersion = op.def.group === '' ? op.def.version : `${op.def.group}/${op.def.version}`;
  if (kind === 'partial-metadata') {
    return jsonResponse(200, {
      apiVersion: 'meta.k8s.io/v1',
      kind: 'PartialObjectMetadataList',
      metadata: { resourceVersion: rv, ...(next === undefined ? {} : { continue: next }) },
      items: selected.map((s) => partialMetadata(s.object)),
    });
  }
  const meta = JSON.stringify({
    resourceVersion: rv,
    ...(next === undefined ? {} : { continue: next, remainingItemCount: remaining }),
  });
  const body = op.def.conversion
    ? selected.map((s) => JSON.stringify(toExternal(op.def, s.object)))
    : selected.map((s) => s.json);
  return jsonResponse(
    200,
    `{"kind":"${op.def.listKind}","apiVersion":"${apiVersion}","metadata":${meta},"items":[${body.join(',')}]}`,
  );
}

import type { FieldError, JsonObject } from '../../api/index.ts';
import {
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  invalidEach,
  key,
  notFound,
  required,
} from './field.ts';
import { goQuote, goStruct } from './go-format.ts';
import { isDns1123Label, isQualifiedName } from './names.ts';
import {
  compareQuantities,
  formatQuantity,
  scaledValue,
  tryParseQuantity,
  type Quantity,
} from './quantity.ts';
import type { Walker, At } from './walker.ts';

/**
 * Resource names, quantities and ResourceRequirements (pkg/apis/core/helper and the
 * resource parts of pkg/apis/core/validation).
 */

const STANDARD_CONTAINER_RESOURCES: ReadonlySet<string> = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
]);
const STANDARD_RESOURCES: ReadonlySet<string> = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'storage',
  'requests.storage',
  'services.nodeports',
  'services.loadbalancers',
]);
export const STANDARD_QUOTA_RESOURCES = new Set([
  'cpu',
  'memory',
  'ephemeral-storage',
  'requests.cpu',
  'requests.memory',
  'requests.storage',
  'requests.ephemeral-storage',
  'limits.cpu',
  'limits.memory',
  'limits.ephemeral-storage',
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'persistentvolumeclaims',
  'configmaps',
  'services.nodeports',
  'services.loadbalancers',
]);
const INTEGER_RESOURCES: ReadonlySet<string> = new Set([
  'pods',
  'resourcequotas',
  'services',
  'replicationcontrollers',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
]);

export function isHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-');
}

export function isQuotaHugePageResourceName(name: string): boolean {
  return name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
}

export function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

export function isExtendedResourceName(name: string): boolean {
  if (isNativeResource(name) || name.startsWith('requests.')) return false;
  return isQualifiedName(`requests.${name}`).length === 0;
}

export function isOvercommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePageResourceName(name);
}

function isStandardResourceName(name: string): boolean {
  return STANDARD_RESOURCES.has(name) || isQuotaHugePageResourceName(name);
}

export function isStandardQuotaResourceName(name: string): boolean {
  return STANDARD_QUOTA_RESOURCES.has(name) || isQuotaHugePageResourceName(name);
}

function isIntegerResourceName(name: string): boolean {
  return INTEGER_RESOURCES.has(name) || isExtendedResourceName(name);
}

/** validateResourceName. */
export function validateResourceName(name: string, field: string): FieldError[] {
  const errs = invalidEach(field, name, isQualifiedName(name));
  if (errs.length > 0) return errs;
  if (!name.includes('/') && !isStandardResourceName(name)) {
    errs.push(invalid(field, name, 'must be a standard resource type or fully qualified'));
  }
  return errs;
}

/** validateContainerResourceName. */
export function validateContainerResourceName(name: string, field: string): FieldError[] {
  const errs = validateResourceName(name, field);
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePageResourceName(name)) {
      errs.push(invalid(field, name, 'must be a standard resource for containers'));
    }
  } else if (!isNativeResource(name) && !isExtendedResourceName(name)) {
    errs.push(invalid(field, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

/** `%#v` of a resource.Quantity value, as messages that pass the struct print it. */
export function goQuantity(q: Quantity): { goSyntax: string } {
  const i = q.fast
    ? goStruct('resource.int64Amount', [
        ['value', q.unscaled.toString()],
        ['scale', String(q.scale)],
      ])
    : goStruct('resource.int64Amount', [
        ['value', '0'],
        ['scale', '0'],
      ]);
  const dec = q.fast ? '(*inf.Dec)(nil)' : '(*inf.Dec)(0xc000000000)';
  return {
    goSyntax: goStruct('resource.Quantity', [
      ['i', i],
      ['d', goStruct('resource.infDecAmount', [['Dec', dec]])],
      ['s', goQuote(q.text ?? '')],
      ['Format', goQuote(q.format)],
    ]),
  };
}

/** Reads a quantity, reporting text outside the grammar at `field`. */
export function readQuantity(w: Walker, v: unknown, field: string): Quantity | undefined {
  const text = w.quantity(v, field);
  if (text === undefined) return undefined;
  const q = tryParseQuantity(text);
  if (typeof q === 'string') {
    w.add(invalid(field, text, q));
    return undefined;
  }
  return q;
}

/** A ResourceList, sorted by resource name, with unparsable quantities reported. */
export function readResourceList(w: Walker, at: At, k: string): [string, Quantity][] | undefined {
  const { o: parent, path: base } = at;
  const path = child(base, k);
  const list = w.obj(parent, base, k);
  if (list === undefined) return undefined;
  const out: [string, Quantity][] = [];
  for (const name of Object.keys(list).sort()) {
    const q = readQuantity(w, list[name], key(path, name));
    if (q !== undefined) out.push([name, q]);
  }
  return out;
}

/** ValidateNonnegativeQuantity. */
export function validateNonnegativeQuantity(q: Quantity, field: string): FieldError[] {
  return q.unscaled < 0n
    ? [invalid(field, formatQuantity(q), 'must be greater than or equal to 0')]
    : [];
}

/** ValidatePositiveQuantityValue. */
export function validatePositiveQuantity(q: Quantity, field: string): FieldError[] {
  return q.unscaled <= 0n ? [invalid(field, formatQuantity(q), 'must be greater than zero')] : [];
}

/** ValidateResourceQuantityValue. */
export function validateResourceQuantityValue(
  name: string,
  q: Quantity,
  field: string,
): FieldError[] {
  const errs = validateNonnegativeQuantity(q, field);
  if (isIntegerResourceName(name) && scaledValue(q, -3) % 1000n !== 0n) {
    errs.push(invalid(field, goQuantity(q), 'must be an integer'));
  }
  return errs;
}

function hugePageDivisible(name: string, q: Quantity): boolean {
  const size = tryParseQuantity(name.slice('hugepages-'.length));
  if (typeof size === 'string' || size.unscaled <= 0n) return false;
  if (scaledValue(size, -3) % 1000n !== 0n) return false;
  const page = scaledValue(size, 0);
  return page !== 0n && scaledValue(q, 0) % page === 0n;
}

type ResourceNameFn = (name: string, field: string) => FieldError[];

interface ListCheck {
  readonly containsCpuOrMemory: boolean;
  readonly containsHugePages: boolean;
}

function checkListEntry(
  w: Walker,
  entry: readonly [string, Quantity],
  at: { readonly field: string; readonly nameFn: ResourceNameFn },
): void {
  const [name, q] = entry;
  const { field, nameFn } = at;
  w.add(...nameFn(name, field), ...validateResourceQuantityValue(name, q, field));
  if (isHugePageResourceName(name) && !hugePageDivisible(name, q)) {
    w.add(
      invalid(
        field,
        formatQuantity(q),
        `${formatQuantity(q)} is not positive integer multiple of ${name}`,
      ),
    );
  }
}

function summarize(list: readonly (readonly [string, Quantity])[]): ListCheck {
  return {
    containsCpuOrMemory: list.some(([n]) => n === 'cpu' || n === 'memory'),
    containsHugePages: list.some(([n]) => isHugePageResourceName(n)),
  };
}

function checkRequestAgainstLimit(
  w: Walker,
  entry: readonly [string, Quantity],
  paths: {
    readonly limits: ReadonlyMap<string, Quantity>;
    readonly req: string;
    readonly lim: string;
  },
): void {
  const [name, q] = entry;
  const { limits } = paths;
  const limit = limits.get(name);
  if (limit !== undefined) {
    const cmp = compareQuantities(q, limit);
    if (cmp !== 0 && !isOvercommitAllowed(name)) {
      w.add(
        invalid(
          paths.req,
          formatQuantity(q),
          `must be equal to ${name} limit of ${formatQuantity(limit)}`,
        ),
      );
    } else if (cmp > 0) {
      w.add(
        invalid(
          paths.req,
          formatQuantity(q),
          `must be less than or equal to ${name} limit of ${formatQuantity(limit)}`,
        ),
      );
    }
  } else if (!isOvercommitAllowed(name)) {
    w.add(required(paths.lim, 'Limit must be set for non overcommitable resources'));
  }
}

/** validateResourceClaimNames: every claim must name an entry of spec.resourceClaims. */
function validateResourceClaimNames(w: Walker, at: At, podClaimNames: ReadonlySet<string>): void {
  const { o: resources, path: base } = at;
  const seen = new Set<string>();
  for (const { o, path } of w.items(resources, base, 'claims')) {
    const name = w.text(o, path, 'name');
    const request = w.text(o, path, 'request');
    if (name === '') {
      w.add(required(path));
      continue;
    }
    if (seen.has(name)) w.add(duplicate(path, name));
    else {
      if (request !== '')
        w.add(...invalidEach(child(path, 'request'), request, isDns1123Label(request)));
      const k = request === '' ? name : `${name}/${request}`;
      if (seen.has(k)) w.add(duplicate(path, k));
      seen.add(k);
    }
    if (!podClaimNames.has(name)) {
      const names = [...podClaimNames].sort();
      const detail =
        names.length === 0
          ? 'must be one of the names in pod.spec.resourceClaims which is empty'
          : `must be one of the names in pod.spec.resourceClaims: ${names.join(', ')}`;
      w.add(notFound(path, name, detail));
    }
  }
}

type ResourceEntries = readonly (readonly [string, Quantity])[];

function checkHugePages(
  w: Walker,
  [limits, requests]: readonly [ResourceEntries, ResourceEntries],
  path: string,
): void {
  const lim = summarize(limits);
  const req = summarize(requests);
  const cpuOrMemory = lim.containsCpuOrMemory || req.containsCpuOrMemory;
  if (!cpuOrMemory && (lim.containsHugePages || req.containsHugePages))
    w.add(forbidden(path, 'HugePages require cpu or memory'));
}

/** ValidateContainerResourceRequirements (and, with another name rule, the pod-level one). */
export function validateResourceRequirements(
  w: Walker,
  at: { readonly parent: JsonObject | undefined; readonly base: string; readonly field?: string },
  opts: { readonly nameFn?: ResourceNameFn; readonly podClaimNames?: ReadonlySet<string> } = {},
): void {
  const field = at.field ?? 'resources';
  const path = child(at.base, field);
  const resources = w.obj(at.parent, at.base, field);
  const nameFn = opts.nameFn ?? validateContainerResourceName;
  const limits = readResourceList(w, { o: resources, path: path }, 'limits') ?? [];
  const requests = readResourceList(w, { o: resources, path: path }, 'requests') ?? [];
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  for (const entry of limits) checkListEntry(w, entry, { field: key(limPath, entry[0]), nameFn });
  const limitMap = new Map(limits);
  for (const entry of requests) {
    checkListEntry(w, entry, { field: key(reqPath, entry[0]), nameFn });
    checkRequestAgainstLimit(w, entry, { limits: limitMap, req: reqPath, lim: limPath });
  }
  checkHugePages(w, [limits, requests], path);
  validateResourceClaimNames(w, { o: resources, path: path }, opts.podClaimNames ?? new Set());
}

/** The path of the n-th element of a list field. */
export function itemPath(base: string, field: string, i: number): string {
  return index(child(base, field), i);
}

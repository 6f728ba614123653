import type { JsonObject } from '../../api/index.ts';
import { child, invalid, invalidEach, notSupported, required } from './field.ts';
import { validateLabelName } from './object-meta.ts';
import { isConfigMapKey, isEnvVarName, isQualifiedName, nameIsDnsSubdomain } from './names.ts';
import { canonicalQuantity, tryParseQuantity } from './quantity.ts';
import type { Walker } from './walker.ts';

/** Environment variables and downward-API selectors (pkg/apis/core/validation). */

export const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
export const VOLUME_FIELD_PATHS = [
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
];
const CONTAINER_RESOURCE_FIELDS: readonly string[] = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const HUGEPAGE_FIELD_PREFIXES: readonly string[] = ['limits.hugepages-', 'requests.hugepages-'];

/** The labels pods.ConvertDownwardAPIFieldLabel accepts for v1 without a subscript. */
const CONVERTIBLE_FIELD_LABELS: ReadonlySet<string> = new Set([
  'metadata.annotations',
  'metadata.labels',
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.restartPolicy',
  'spec.serviceAccountName',
  'spec.schedulerName',
  'status.phase',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
]);

/** fieldpath.SplitMaybeSubscriptedPath. */
function splitSubscript(fieldPath: string): { path: string; subscript: string } | undefined {
  if (!fieldPath.endsWith("']")) return undefined;
  const s = fieldPath.slice(0, -2);
  const at = s.indexOf("['");
  if (at <= 0) return undefined;
  return { path: s.slice(0, at), subscript: s.slice(at + 2) };
}

/** pods.ConvertDownwardAPIFieldLabel; returns the error text when it fails. */
function convertFieldLabel(version: string, label: string): { label: string } | string {
  if (version !== 'v1') return `unsupported pod version: ${version}`;
  const sub = splitSubscript(label);
  if (sub !== undefined) {
    return sub.path === 'metadata.annotations' || sub.path === 'metadata.labels'
      ? { label }
      : `field label does not support subscript: ${label}`;
  }
  if (CONVERTIBLE_FIELD_LABELS.has(label)) return { label };
  if (label === 'spec.host') return { label: 'spec.nodeName' };
  return `field label not supported: ${label}`;
}

/** validateObjectFieldSelector. */
export function validateObjectFieldSelector(
  w: Walker,
  at: { readonly fs: JsonObject; readonly path: string },
  expressions: readonly string[],
): void {
  const { fs, path } = at;
  const apiVersion = w.text(fs, path, 'apiVersion');
  const fieldPath = w.text(fs, path, 'fieldPath');
  if (apiVersion === '') {
    w.add(required(child(path, 'apiVersion')));
    return;
  }
  if (fieldPath === '') {
    w.add(required(child(path, 'fieldPath')));
    return;
  }
  const converted = convertFieldLabel(apiVersion, fieldPath);
  if (typeof converted === 'string') {
    {
      w.add(
        invalid(child(path, 'fieldPath'), fieldPath, `error converting fieldPath: ${converted}`),
      );
      return;
    }
  }
  const sub = splitSubscript(converted.label);
  if (sub !== undefined) {
    if (sub.path === 'metadata.annotations') {
      w.add(
        ...invalidEach(
          path,
          sub.subscript.toLowerCase(),
          isQualifiedName(sub.subscript.toLowerCase()),
        ),
      );
    } else if (sub.path === 'metadata.labels') w.add(...validateLabelName(sub.subscript, path));
    else w.add(invalid(path, sub.path, 'does not support subscript'));
  } else if (!expressions.includes(converted.label)) {
    w.add(notSupported(child(path, 'fieldPath'), converted.label, [...expressions].sort()));
  }
}

const DIVISORS_CPU: ReadonlySet<string> = new Set(['1m', '1']);
const DIVISORS_BYTES: ReadonlySet<string> = new Set([
  '1',
  '1k',
  '1M',
  '1G',
  '1T',
  '1P',
  '1E',
  '1Ki',
  '1Mi',
  '1Gi',
  '1Ti',
  '1Pi',
  '1Ei',
]);
const BYTES_LIST = '1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei';

function divisorRule(resource: string): { allowed: ReadonlySet<string>; msg: string } | undefined {
  switch (resource) {
    case 'limits.cpu':
    case 'requests.cpu':
      return {
        allowed: DIVISORS_CPU,
        msg: "only divisor's values 1m and 1 are supported with the cpu resource",
      };
    case 'limits.memory':
    case 'requests.memory':
      return {
        allowed: DIVISORS_BYTES,
        msg: `only divisor's values ${BYTES_LIST} are supported with the memory resource`,
      };
    case 'limits.ephemeral-storage':
    case 'requests.ephemeral-storage':
      return {
        allowed: DIVISORS_BYTES,
        msg: `only divisor's values ${BYTES_LIST} are supported with the local ephemeral storage resource`,
      };
    default:
      return HUGEPAGE_FIELD_PREFIXES.some((p) => resource.startsWith(p))
        ? {
            allowed: DIVISORS_BYTES,
            msg: `only divisor's values ${BYTES_LIST} are supported with the hugepages resource`,
          }
        : undefined;
  }
}

function validateDivisor(
  w: Walker,
  at: { resource: string; divisor: unknown },
  path: string,
): void {
  const { resource, divisor } = at;
  const text = w.quantity(divisor, child(path, 'divisor'));
  if (text === undefined) return;
  const q = tryParseQuantity(text);
  if (typeof q === 'string') {
    w.add(invalid(child(path, 'divisor'), text, q));
    return;
  }
  if (q.unscaled === 0n) return;
  const rule = divisorRule(resource);
  const shown = q.text ?? canonicalQuantity(q);
  if (rule !== undefined && !rule.allowed.has(shown))
    w.add(invalid(child(path, 'divisor'), resource, rule.msg));
}

/** validateContainerResourceFieldSelector. */
export function validateResourceFieldSelector(
  w: Walker,
  at: { readonly fs: JsonObject; readonly path: string },
  volume: boolean,
): void {
  const { fs, path } = at;
  const containerName = w.text(fs, path, 'containerName');
  const resource = w.text(fs, path, 'resource');
  if (volume && containerName === '') w.add(required(child(path, 'containerName')));
  else if (resource === '') w.add(required(child(path, 'resource')));
  else if (
    !CONTAINER_RESOURCE_FIELDS.includes(resource) &&
    !HUGEPAGE_FIELD_PREFIXES.some((p) => resource.startsWith(p))
  ) {
    w.add(notSupported(child(path, 'resource'), resource, CONTAINER_RESOURCE_FIELDS));
  }
  validateDivisor(w, { resource: resource, divisor: fs['divisor'] }, path);
}

function validateKeySelector(w: Walker, s: JsonObject, path: string): void {
  const name = w.text(s, path, 'name');
  w.add(...invalidEach(child(path, 'name'), name, nameIsDnsSubdomain(name, false)));
  const k = w.text(s, path, 'key');
  if (k === '') w.add(required(child(path, 'key')));
  else w.add(...invalidEach(child(path, 'key'), k, isConfigMapKey(k)));
}

function validateValueFrom(w: Walker, ev: JsonObject, base: string): void {
  const path = child(base, 'valueFrom');
  const from = w.obj(ev, base, 'valueFrom');
  if (from === undefined) return;
  let sources = 0;
  const fieldRef = w.obj(from, path, 'fieldRef');
  if (fieldRef !== undefined) {
    sources++;
    validateObjectFieldSelector(
      w,
      { fs: fieldRef, path: child(path, 'fieldRef') },
      ENV_FIELD_PATHS,
    );
  }
  const resourceRef = w.obj(from, path, 'resourceFieldRef');
  if (resourceRef !== undefined) {
    sources++;
    validateResourceFieldSelector(
      w,
      { fs: resourceRef, path: child(path, 'resourceFieldRef') },
      false,
    );
  }
  for (const k of ['configMapKeyRef', 'secretKeyRef']) {
    const ref = w.obj(from, path, k);
    if (ref === undefined) continue;
    sources++;
    validateKeySelector(w, ref, child(path, k));
  }
  if (sources === 0) {
    w.add(
      invalid(
        path,
        '',
        'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
      ),
    );
  } else if (w.text(ev, base, 'value') !== '') {
    w.add(invalid(path, '', 'may not be specified when `value` is not empty'));
  } else if (sources > 1) {
    w.add(invalid(path, '', 'may not have more than one field specified at a time'));
  }
}

/** ValidateEnv. */
export function validateEnv(w: Walker, container: JsonObject, base: string): void {
  for (const { o, path } of w.items(container, base, 'env')) {
    const name = w.text(o, path, 'name');
    if (name === '') w.add(required(child(path, 'name')));
    else w.add(...invalidEach(child(path, 'name'), name, isEnvVarName(name)));
    validateValueFrom(w, o, path);
  }
}

function validateEnvFromRef(w: Walker, ref: JsonObject, path: string): void {
  const name = w.text(ref, path, 'name');
  if (name === '') w.add(required(child(path, 'name')));
  else w.add(...invalidEach(child(path, 'name'), name, nameIsDnsSubdomain(name, true)));
}

/** ValidateEnvFrom. */
export function validateEnvFrom(w: Walker, container: JsonObject, base: string): void {
  const listPath = child(base, 'envFrom');
  for (const { o, path } of w.items(container, base, 'envFrom')) {
    const prefix = w.text(o, path, 'prefix');
    if (prefix !== '') w.add(...invalidEach(child(path, 'prefix'), prefix, isEnvVarName(prefix)));
    let sources = 0;
    for (const k of ['configMapRef', 'secretRef']) {
      const ref = w.obj(o, path, k);
      if (ref === undefined) continue;
      sources++;
      validateEnvFromRef(w, ref, child(path, k));
    }
    if (sources === 0)
      w.add(invalid(listPath, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1)
      w.add(invalid(listPath, '', 'may not have more than one field specified at a time'));
  }
}

import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import { child, invalid, invalidEach, notSupported, required } from './field.ts';
import { parseIp } from './ip.ts';
import {
  isDns1123Subdomain,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  isWildcardDns1123Subdomain,
  nameIsDns1035Label,
  nameIsDnsSubdomain,
} from './names.ts';
import { checkObjectMeta, checkObjectMetaUpdate } from './object-meta.ts';
import { metaMap, Walker } from './walker.ts';

/** networking.k8s.io/v1 Ingresses (pkg/apis/networking/validation). */

const INVALID_PATH_SEQUENCES: readonly string[] = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_PATH_SUFFIXES: readonly string[] = ['/..', '/.'];
const PATH_TYPES: readonly string[] = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';

interface IngressOpts {
  readonly allowInvalidSecretName: boolean;
  readonly allowInvalidWildcardHostRule: boolean;
}

function validateResourceBackend(w: Walker, res: JsonObject, path: string): void {
  const apiGroup = w.str(res, path, 'apiGroup');
  if (apiGroup !== undefined)
    w.add(...invalidEach(child(path, 'apiGroup'), apiGroup, isDns1123Subdomain(apiGroup)));
  for (const k of ['kind', 'name']) {
    const v = w.text(res, path, k);
    if (v === '') w.add(required(child(path, k), `${k} is required`));
    else w.add(...invalidEach(child(path, k), v, isValidPathSegmentName(v)));
  }
}

function validateServiceBackend(w: Walker, svc: JsonObject, path: string): void {
  const svcPath = child(path, 'service');
  const name = w.text(svc, svcPath, 'name');
  if (name === '') w.add(required(child(svcPath, 'name')));
  else w.add(...invalidEach(child(svcPath, 'name'), name, nameIsDns1035Label(name, false)));
  const port = w.obj(svc, svcPath, 'port') ?? {};
  const portName = w.str(port, child(svcPath, 'port'), 'name') ?? '';
  const portNumber = w.int(port, child(svcPath, 'port'), 'number') ?? 0;
  if (portName !== '' && portNumber !== 0)
    w.add(invalid(path, '', 'cannot set both port name & port number'));
  else if (portName !== '')
    w.add(...invalidEach(child(svcPath, 'port', 'name'), portName, isValidPortName(portName)));
  else if (portNumber !== 0)
    w.add(...invalidEach(child(svcPath, 'port', 'number'), portNumber, isValidPortNum(portNumber)));
  else w.add(required(path, 'port name or number is required'));
}

/** validateIngressBackend. */
function validateBackend(w: Walker, backend: JsonObject, path: string): void {
  const res = w.obj(backend, path, 'resource');
  const svc = w.obj(backend, path, 'service');
  if (res !== undefined && svc !== undefined) {
    w.add(invalid(path, '', 'cannot set both resource and service backends'));
    return;
  }
  if (res !== undefined) validateResourceBackend(w, res, child(path, 'resource'));
  else if (svc !== undefined) validateServiceBackend(w, svc, path);
  else w.add(invalid(path, '', 'resource or service backend is required'));
}

/** The path rules of the Exact and Prefix path types. */
function validateStrictPath(w: Walker, value: string, path: string): void {
  const field = child(path, 'path');
  if (!value.startsWith('/')) w.add(invalid(field, value, 'must be an absolute path'));
  if (value === '') return;
  for (const seq of INVALID_PATH_SEQUENCES)
    if (value.includes(seq)) w.add(invalid(field, value, `must not contain '${seq}'`));
  for (const suf of INVALID_PATH_SUFFIXES)
    if (value.endsWith(suf)) w.add(invalid(field, value, `cannot end with '${suf}'`));
}

function validatePath(w: Walker, p: JsonObject, path: string): void {
  const pathType = w.str(p, path, 'pathType');
  const value = w.text(p, path, 'path');
  if (pathType === undefined) {
    w.add(required(child(path, 'pathType'), 'pathType must be specified'));
    return;
  }
  if (pathType === 'Exact' || pathType === 'Prefix') validateStrictPath(w, value, path);
  else if (pathType === 'ImplementationSpecific') {
    if (value !== '' && !value.startsWith('/'))
      w.add(invalid(child(path, 'path'), value, 'must be an absolute path'));
  } else w.add(notSupported(child(path, 'pathType'), pathType, PATH_TYPES));
  validateBackend(w, w.obj(p, path, 'backend') ?? {}, child(path, 'backend'));
}

function validateRuleValue(w: Walker, rule: JsonObject, path: string): void {
  const http = w.obj(rule, path, 'http');
  if (http === undefined) return;
  const httpPath = child(path, 'http');
  const paths = w.items(http, httpPath, 'paths');
  if (paths.length === 0) w.add(required(child(httpPath, 'paths')));
  for (const { o, path: p } of paths) validatePath(w, o, p);
}

function validateRules(w: Walker, spec: JsonObject, opts: IngressOpts): void {
  for (const { o, path } of w.items(spec, 'spec', 'rules')) {
    const host = w.text(o, path, 'host');
    let wildcard = false;
    if (host !== '') {
      if (parseIp(host) !== undefined)
        w.add(invalid(child(path, 'host'), host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) {
        w.add(...invalidEach(child(path, 'host'), host, isWildcardDns1123Subdomain(host)));
        wildcard = true;
      } else w.add(...invalidEach(child(path, 'host'), host, isDns1123Subdomain(host)));
    }
    if (!wildcard || !opts.allowInvalidWildcardHostRule) validateRuleValue(w, o, path);
  }
}

function validateTls(w: Walker, spec: JsonObject, opts: IngressOpts): void {
  for (const { o, path } of w.items(spec, 'spec', 'tls')) {
    (w.strArr(o, path, 'hosts') ?? []).forEach((host, i) => {
      const p = `${path}.hosts[${i}]`;
      w.add(
        ...invalidEach(
          p,
          host,
          host.includes('*') ? isWildcardDns1123Subdomain(host) : isDns1123Subdomain(host),
        ),
      );
    });
    const secretName = w.text(o, path, 'secretName');
    if (!opts.allowInvalidSecretName && secretName !== '') {
      w.add(
        ...invalidEach(
          child(path, 'secretName'),
          secretName,
          nameIsDnsSubdomain(secretName, false),
        ),
      );
    }
  }
}

function validateSpec(w: Walker, spec: JsonObject, opts: IngressOpts): void {
  const rules = Array.isArray(spec['rules']) ? spec['rules'] : [];
  const defaultBackend = w.obj(spec, 'spec', 'defaultBackend');
  if (rules.length === 0 && defaultBackend === undefined) {
    w.add(
      invalid(
        'spec',
        { goSyntax: '[]networking.IngressRule(nil)' },
        'either `defaultBackend` or `rules` must be specified',
      ),
    );
  }
  if (defaultBackend !== undefined) validateBackend(w, defaultBackend, 'spec.defaultBackend');
  validateRules(w, spec, opts);
  validateTls(w, spec, opts);
  const className = w.str(spec, 'spec', 'ingressClassName');
  if (className !== undefined)
    w.add(...invalidEach('spec.ingressClassName', className, nameIsDnsSubdomain(className, false)));
}

function optsFromOld(old: KubeObject | undefined): IngressOpts {
  const spec = isJsonObject(old?.['spec']) ? old['spec'] : {};
  const tls = Array.isArray(spec['tls']) ? spec['tls'] : [];
  const allowInvalidSecretName = tls.some((t) => {
    const name = isJsonObject(t) && typeof t['secretName'] === 'string' ? t['secretName'] : '';
    return name !== '' && nameIsDnsSubdomain(name, false).length > 0;
  });
  const rules = Array.isArray(spec['rules']) ? spec['rules'] : [];
  const allowInvalidWildcardHostRule = rules.some((r) => {
    if (!isJsonObject(r) || typeof r['host'] !== 'string' || !r['host'].includes('*')) return false;
    const probe = new Walker();
    validateRuleValue(probe, r, '');
    return probe.errs.length > 0;
  });
  return { allowInvalidSecretName, allowInvalidWildcardHostRule };
}

/** Validator for ingresses.networking.k8s.io. */
export function validateIngress(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const spec = w.obj(w.asObj(obj, ''), '', 'spec') ?? {};
  validateSpec(w, spec, optsFromOld(old));
  if (old === undefined) {
    const annotation = metaMap(obj, 'annotations')[INGRESS_CLASS_ANNOTATION];
    const className = spec['ingressClassName'];
    if (annotation !== undefined && typeof className === 'string' && annotation !== className) {
      w.add(
        invalid(
          `annotations.${INGRESS_CLASS_ANNOTATION}`,
          annotation,
          'must match `ingressClassName` when both are specified',
        ),
      );
    }
  }
  return w.errs;
}

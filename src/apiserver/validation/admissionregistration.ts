import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import {
  child,
  duplicate,
  index,
  invalid,
  notSupported,
  required,
  tooMany,
  type BadValue,
} from './field.ts';
import { goQuote, goStringSlice } from './go-format.ts';
import { readLabelSelector, validateLabelSelector } from './label-selector.ts';
import {
  isDns1035Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidPortNum,
  nameIsDnsSubdomain,
} from './names.ts';
import { checkObjectMeta, checkObjectMetaUpdate } from './object-meta.ts';
import { Walker, type Located } from './walker.ts';

/**
 * admissionregistration.k8s.io/v1 webhook configurations, as
 * pkg/apis/admissionregistration/validation does them (1.32). matchConditions expressions
 * are checked for presence only: Kiln has no CEL compiler, so a syntactically wrong
 * expression is accepted here where kube-apiserver would report a compile error.
 */

const ACCEPTED_REVIEW_VERSIONS: readonly string[] = ['v1', 'v1beta1'];
/** sets.List() order, as upstream's NotSupported lists them. */
const FAILURE_POLICIES: readonly string[] = ['Fail', 'Ignore'];
const MATCH_POLICIES: readonly string[] = ['Equivalent', 'Exact'];
const ALL_SIDE_EFFECTS: readonly string[] = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
const NO_SIDE_EFFECTS: readonly string[] = ['None', 'NoneOnDryRun'];
const OPERATIONS: readonly string[] = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const REINVOCATION_POLICIES: readonly string[] = ['IfNeeded', 'Never'];
const SCOPES: readonly string[] = ['*', 'Cluster', 'Namespaced'];
const MAX_MATCH_CONDITIONS = 64;

/** What an update relaxes, per upstream's ratcheting of rules that became stricter. */
interface Options {
  readonly mutating: boolean;
  readonly requireNoSideEffects: boolean;
  readonly requireRecognizedReviewVersion: boolean;
  readonly requireUniqueNames: boolean;
}

const goSlice = (items: readonly string[]): BadValue => ({ goSyntax: goStringSlice(items) });

function goOperations(items: readonly string[]): BadValue {
  return {
    goSyntax: `[]admissionregistration.OperationType{${items.map((s) => goQuote(s)).join(', ')}}`,
  };
}

/** utilvalidation.IsFullyQualifiedName. */
function fullyQualifiedName(name: string, field: string): FieldError[] {
  if (name === '') return [required(field)];
  const errs = isDns1123Subdomain(name);
  if (errs.length > 0) return [invalid(field, name, errs.join(','))];
  if (name.split('.').length < 3) {
    return [
      invalid(field, name, 'should be a domain with at least three segments separated by dots'),
    ];
  }
  return [];
}

/** Conflicts between wildcard subresources, wildcard resources and explicit pairs. */
function subresourceConflicts(resources: readonly string[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  const wildSub = new Set<string>();
  const wildRes = new Set<string>();
  for (const [i, resSub] of resources.entries()) {
    const slash = resSub.indexOf('/');
    if (slash < 0) continue;
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (wildSub.has(res)) {
      errs.push(
        invalid(index(field, i), resSub, `if '${res}/*' is present, must not specify ${resSub}`),
      );
    }
    if (wildRes.has(sub)) {
      errs.push(
        invalid(index(field, i), resSub, `if '*/${sub}' is present, must not specify ${resSub}`),
      );
    }
    if (sub === '*') wildSub.add(res);
    if (res === '*') wildRes.add(sub);
  }
  return errs;
}

/** Whether the last resource without a subresource is not `*` (upstream keeps only that). */
function lastPlainIsNamed(resources: readonly string[]): boolean {
  const plain = resources.filter((r) => r !== '' && !r.includes('/'));
  const last = plain[plain.length - 1];
  return last !== undefined && last !== '*';
}

function validateResources(resources: readonly string[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(required(field));
  resources.forEach((r, i) => {
    if (r === '') errs.push(required(index(field, i)));
  });
  errs.push(...subresourceConflicts(resources, field));
  if (resources.length > 1 && resources.includes('*/*')) {
    errs.push(
      invalid(field, goSlice(resources), "if '*/*' is present, must not specify other resources"),
    );
  }
  if (resources.includes('*') && lastPlainIsNamed(resources)) {
    errs.push(
      invalid(
        field,
        goSlice(resources),
        "if '*' is present, must not specify other resources without subresources",
      ),
    );
  }
  return errs;
}

function wildcardList(items: readonly string[], field: string, what: string): FieldError[] {
  const errs: FieldError[] = [];
  if (items.length === 0) errs.push(required(field));
  if (items.length > 1 && items.includes('*')) {
    errs.push(invalid(field, goSlice(items), `if '*' is present, must not specify other ${what}`));
  }
  return errs;
}

function validateRule(w: Walker, at: Located): void {
  const { o, path } = at;
  const ops = w.strArr(o, path, 'operations') ?? [];
  const opsField = child(path, 'operations');
  if (ops.length === 0) w.add(required(opsField));
  if (ops.length > 1 && ops.includes('*')) {
    w.add(
      invalid(opsField, goOperations(ops), "if '*' is present, must not specify other operations"),
    );
  }
  ops.forEach((op, i) => {
    if (!OPERATIONS.includes(op)) w.add(notSupported(index(opsField, i), op, OPERATIONS));
  });
  const groups = w.strArr(o, path, 'apiGroups') ?? [];
  w.add(...wildcardList(groups, child(path, 'apiGroups'), 'API groups'));
  const versions = w.strArr(o, path, 'apiVersions') ?? [];
  w.add(...wildcardList(versions, child(path, 'apiVersions'), 'API versions'));
  versions.forEach((v, i) => {
    if (v === '') w.add(required(index(child(path, 'apiVersions'), i)));
  });
  w.add(...validateResources(w.strArr(o, path, 'resources') ?? [], child(path, 'resources')));
  const scope = w.str(o, path, 'scope');
  if (scope !== undefined && !SCOPES.includes(scope)) {
    w.add(notSupported(child(path, 'scope'), scope, SCOPES));
  }
}

function enumField(w: Walker, at: Located, f: { k: string; allowed: readonly string[] }): void {
  const v = w.str(at.o, at.path, f.k);
  if (v !== undefined && !f.allowed.includes(v)) {
    w.add(notSupported(child(at.path, f.k), v, f.allowed));
  }
}

function validateSideEffects(w: Walker, at: Located, opts: Options): void {
  const allowed = opts.requireNoSideEffects ? NO_SIDE_EFFECTS : ALL_SIDE_EFFECTS;
  const v = w.str(at.o, at.path, 'sideEffects');
  const field = child(at.path, 'sideEffects');
  if (v === undefined) w.add(required(field, `must specify one of ${allowed.join(', ')}`));
  else if (!allowed.includes(v)) w.add(notSupported(field, v, allowed));
}

function validateTimeout(w: Walker, at: Located): void {
  const t = w.int(at.o, at.path, 'timeoutSeconds');
  if (t !== undefined && (t > 30 || t < 1)) {
    w.add(
      invalid(
        child(at.path, 'timeoutSeconds'),
        t,
        'the timeout value must be between 1 and 30 seconds',
      ),
    );
  }
}

function validateSelectors(w: Walker, at: Located): void {
  for (const k of ['namespaceSelector', 'objectSelector']) {
    w.add(...validateLabelSelector(readLabelSelector(w, at, k), child(at.path, k)));
  }
}

/** The parts of a URL that ValidateWebhookURL inspects, split as Go's url.Parse does. */
interface UrlParts {
  readonly scheme: string;
  readonly host: string;
  readonly user?: string;
  readonly query: string;
  readonly fragment: string;
}

function hasControlChar(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/** Splits `s` at the first `sep`: the part before and the part after ('' when absent). */
function cut(s: string, sep: string): readonly [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** The host part of `//authority/path`, with any userinfo split off. */
function authorityOf(rest: string): { host: string; user?: string } {
  const authEnd = rest.indexOf('/', 2);
  const authority = authEnd >= 0 ? rest.slice(2, authEnd) : rest.slice(2);
  const at = authority.lastIndexOf('@');
  if (at < 0) return { host: authority };
  return { host: authority.slice(at + 1), user: authority.slice(0, at) };
}

/** A minimal url.Parse: returns the parse error text instead of throwing. */
export function parseGoUrl(raw: string): UrlParts | string {
  const fail = (why: string): string => `parse ${goQuote(raw)}: ${why}`;
  // Go rejects ASCII control characters anywhere in the URL.
  if (hasControlChar(raw)) return fail('net/url: invalid control character in URL');
  const [beforeHash, fragment] = cut(raw, '#');
  if (beforeHash.startsWith(':')) return fail('missing protocol scheme');
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(beforeHash);
  const scheme = schemeMatch?.[1]?.toLowerCase() ?? '';
  const [rest, query] = cut(beforeHash.slice(schemeMatch?.[0].length ?? 0), '?');
  if (!rest.startsWith('//')) return { scheme, host: '', query, fragment };
  const auth = authorityOf(rest);
  const port = /:([^:\]]*)$/.exec(auth.host);
  if (port && !/^\d*$/.test(port[1] ?? '')) {
    return fail(`invalid port ${goQuote(port[0])} after host`);
  }
  return { scheme, ...auth, query, fragment };
}

/** webhook.ValidateWebhookURL with forceHttps. */
export function validateWebhookUrl(raw: string, field: string): FieldError[] {
  const form = '; desired format: https://host[/path]';
  const u = parseGoUrl(raw);
  if (typeof u === 'string') return [required(field, `url must be a valid URL: ${u}${form}`)];
  const errs: FieldError[] = [];
  if (u.scheme !== 'https') {
    errs.push(invalid(field, u.scheme, `'https' is the only allowed URL scheme${form}`));
  }
  if (u.host === '') errs.push(invalid(field, u.host, `host must be provided${form}`));
  if (u.user !== undefined) {
    errs.push(invalid(field, u.user, 'user information is not permitted in the URL'));
  }
  if (u.fragment !== '') {
    errs.push(invalid(field, u.fragment, 'fragments are not permitted in the URL'));
  }
  if (u.query !== '') {
    errs.push(invalid(field, u.query, 'query parameters are not permitted in the URL'));
  }
  return errs;
}

function validateServicePath(urlPath: string, field: string): FieldError[] {
  if (urlPath === '/' || urlPath === '') return [];
  if (urlPath === '//') return [invalid(field, urlPath, 'segment[0] may not be empty')];
  const errs: FieldError[] = [];
  if (!urlPath.startsWith('/')) errs.push(invalid(field, urlPath, "must start with a '/'"));
  let check = urlPath.slice(1);
  if (check.endsWith('/')) check = check.slice(0, -1);
  check.split('/').forEach((step, i) => {
    if (step === '') {
      errs.push(invalid(field, urlPath, `segment[${i}] may not be empty`));
      return;
    }
    for (const f of isDns1123Subdomain(step)) {
      errs.push(invalid(field, urlPath, `segment[${i}]: ${f}`));
    }
  });
  return errs;
}

/** webhook.ValidateWebhookService. */
function validateService(w: Walker, at: Located): void {
  const { o, path } = at;
  if (w.text(o, path, 'name') === '') {
    w.add(required(child(path, 'name'), 'service name is required'));
  }
  if (w.text(o, path, 'namespace') === '') {
    w.add(required(child(path, 'namespace'), 'service namespace is required'));
  }
  const port = w.int(o, path, 'port') ?? 443;
  const portErrs = isValidPortNum(port);
  if (portErrs.length > 0) {
    w.add(invalid(child(path, 'port'), port, `port is not valid: ${portErrs.join(', ')}`));
  }
  const p = w.str(o, path, 'path');
  if (p !== undefined) w.add(...validateServicePath(p, child(path, 'path')));
}

function validateClientConfig(w: Walker, at: Located): void {
  const path = child(at.path, 'clientConfig');
  const cc = w.obj(at.o, at.path, 'clientConfig');
  const url = w.str(cc, path, 'url');
  const svc = w.obj(cc, path, 'service');
  if ((url === undefined) === (svc === undefined)) {
    w.add(required(path, 'exactly one of url or service is required'));
  } else if (url !== undefined) {
    w.add(...validateWebhookUrl(url, child(path, 'url')));
  } else if (svc !== undefined) {
    validateService(w, { o: svc, path: child(path, 'service') });
  }
}

function validateMatchConditions(w: Walker, at: Located): void {
  const field = child(at.path, 'matchConditions');
  const conditions = w.items(at.o, at.path, 'matchConditions');
  const raw = at.o['matchConditions'];
  if (Array.isArray(raw) && raw.length > MAX_MATCH_CONDITIONS) {
    w.add(tooMany(field, raw.length, MAX_MATCH_CONDITIONS));
  }
  const names = new Set<string>();
  for (const c of conditions) {
    const expr = w.text(c.o, c.path, 'expression');
    if (expr.trim() === '') w.add(required(child(c.path, 'expression')));
    const name = w.text(c.o, c.path, 'name');
    const nameField = child(c.path, 'name');
    if (name === '') w.add(required(nameField));
    else for (const m of isQualifiedName(name)) w.add(invalid(nameField, name, m));
    if (name === '') continue;
    if (names.has(name)) w.add(duplicate(nameField, name));
    else names.add(name);
  }
}

function validateReviewVersions(w: Walker, at: Located, opts: Options): void {
  const field = child(at.path, 'admissionReviewVersions');
  const versions = w.strArr(at.o, at.path, 'admissionReviewVersions') ?? [];
  if (versions.length === 0) {
    w.add(required(field, `must specify one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`));
    return;
  }
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    if (seen.has(v)) {
      w.add(invalid(index(field, i), v, 'duplicate version'));
      return;
    }
    seen.add(v);
    for (const m of isDns1035Label(v)) w.add(invalid(index(field, i), v, m));
  });
  if (
    opts.requireRecognizedReviewVersion &&
    !versions.some((v) => ACCEPTED_REVIEW_VERSIONS.includes(v))
  ) {
    w.add(
      invalid(
        field,
        goSlice(versions),
        `must include at least one of ${ACCEPTED_REVIEW_VERSIONS.join(', ')}`,
      ),
    );
  }
}

function validateWebhook(w: Walker, at: Located, opts: Options): void {
  w.add(...fullyQualifiedName(w.text(at.o, at.path, 'name'), child(at.path, 'name')));
  for (const rule of w.items(at.o, at.path, 'rules')) validateRule(w, rule);
  enumField(w, at, { k: 'failurePolicy', allowed: FAILURE_POLICIES });
  enumField(w, at, { k: 'matchPolicy', allowed: MATCH_POLICIES });
  validateSideEffects(w, at, opts);
  validateTimeout(w, at);
  validateSelectors(w, at);
  if (opts.mutating) enumField(w, at, { k: 'reinvocationPolicy', allowed: REINVOCATION_POLICIES });
  validateClientConfig(w, at);
  validateMatchConditions(w, at);
}

function webhooksOf(obj: KubeObject | undefined): JsonObject[] {
  const hooks = obj?.['webhooks'];
  return Array.isArray(hooks) ? hooks.filter(isJsonObject) : [];
}

/** The ratchets of Validate*WebhookConfigurationUpdate, computed from the old object. */
function optionsFor(mutating: boolean, old: KubeObject | undefined): Options {
  if (old === undefined) {
    return {
      mutating,
      requireNoSideEffects: true,
      requireRecognizedReviewVersion: true,
      requireUniqueNames: true,
    };
  }
  const hooks = webhooksOf(old);
  const names = hooks.map((h) => h['name']);
  return {
    mutating,
    requireNoSideEffects: hooks.every(
      (h) => typeof h['sideEffects'] === 'string' && NO_SIDE_EFFECTS.includes(h['sideEffects']),
    ),
    requireRecognizedReviewVersion: hooks.every((h) => {
      const v = h['admissionReviewVersions'];
      if (!Array.isArray(v) || v.length === 0) return true;
      return v.some((x) => typeof x === 'string' && ACCEPTED_REVIEW_VERSIONS.includes(x));
    }),
    requireUniqueNames: new Set(names).size === names.length,
  };
}

function validateConfiguration(
  obj: KubeObject,
  old: KubeObject | undefined,
  mutating: boolean,
): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], false);
  checkObjectMeta(w, obj.metadata, {
    namespaced: false,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: false,
  });
  const opts = optionsFor(mutating, old);
  const names = new Set<string>();
  for (const hook of w.items(w.asObj(obj, ''), '', 'webhooks')) {
    validateWebhook(w, hook, opts);
    validateReviewVersions(w, hook, opts);
    const name = w.text(hook.o, hook.path, 'name');
    if (!opts.requireUniqueNames || name === '') continue;
    if (names.has(name)) w.add(duplicate(child(hook.path, 'name'), name));
    else names.add(name);
  }
  return w.errs;
}

/** Validator for mutatingwebhookconfigurations.admissionregistration.k8s.io. */
export function validateMutatingWebhookConfiguration(
  obj: KubeObject,
  old?: KubeObject,
): FieldError[] {
  return validateConfiguration(obj, old, true);
}

/** Validator for validatingwebhookconfigurations.admissionregistration.k8s.io. */
export function validateValidatingWebhookConfiguration(
  obj: KubeObject,
  old?: KubeObject,
): FieldError[] {
  return validateConfiguration(obj, old, false);
}

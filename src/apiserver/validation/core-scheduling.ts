import { isJsonObject, type FieldError, type JsonObject } from '../../api/index.ts';
import {
  child,
  duplicate,
  forbidden,
  index,
  invalid,
  invalidEach,
  notSupported,
  required,
} from './field.ts';
import { goStringSlice } from './go-format.ts';
import { isValidIp } from './ip.ts';
import {
  readLabelSelector,
  validateLabelSelector,
  type LabelSelectorValue,
} from './label-selector.ts';
import {
  isDns1123Subdomain,
  isValidLabelValue,
  nameIsDnsLabel,
  nameIsDnsSubdomain,
} from './names.ts';
import { validateLabelName } from './object-meta.ts';
import { strOf, type Walker, type Located, type At } from './walker.ts';

/** Affinity, tolerations, topology spread, DNS config and host aliases of a PodSpec. */

const TAINT_EFFECTS: readonly string[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** validateTaintEffect. */
export function validateTaintEffect(
  effect: string,
  allowEmpty: boolean,
  field: string,
): FieldError[] {
  if (!allowEmpty && effect === '') return [required(field)];
  return TAINT_EFFECTS.includes(effect) ? [] : [notSupported(field, effect, TAINT_EFFECTS)];
}

function validateTolerationOperator(
  w: Walker,
  t: { operator: string; value: string },
  path: string,
): void {
  const { operator, value } = t;
  const field = child(path, 'operator');
  if (operator === 'Equal' || operator === '') {
    const errs = isValidLabelValue(value);
    if (errs.length > 0) w.add(invalid(field, value, errs.join(';')));
  } else if (operator === 'Exists') {
    if (value !== '')
      w.add(invalid(field, value, "value must be empty when `operator` is 'Exists'"));
  } else w.add(notSupported(field, operator, ['Equal', 'Exists']));
}

/** ValidateTolerations. */
export function validateTolerations(w: Walker, at: At, k: string): void {
  const { o: parent, path: base } = at;
  for (const { o, path } of w.items(parent, base, k)) {
    const tkey = w.text(o, path, 'key');
    const operator = w.text(o, path, 'operator');
    const value = w.text(o, path, 'value');
    const effect = w.text(o, path, 'effect');
    const seconds = w.int(o, path, 'tolerationSeconds');
    if (tkey !== '') w.add(...validateLabelName(tkey, child(path, 'key')));
    if (tkey === '' && operator !== 'Exists') {
      w.add(
        invalid(
          child(path, 'operator'),
          operator,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (seconds !== undefined && effect !== 'NoExecute') {
      w.add(
        invalid(
          child(path, 'effect'),
          effect,
          "effect must be 'NoExecute' when `tolerationSeconds` is set",
        ),
      );
    }
    validateTolerationOperator(w, { operator, value }, path);
    if (effect !== '') w.add(...validateTaintEffect(effect, true, child(path, 'effect')));
  }
}

function validateNodeSelectorRequirement(
  w: Walker,
  at: Located,
  allowInvalidValues: boolean,
): void {
  const { o: req, path } = at;
  const operator = w.text(req, path, 'operator');
  const values = w.strArr(req, path, 'values') ?? [];
  switch (operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0)
        w.add(
          required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"),
        );
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) {
        w.add(
          forbidden(
            child(path, 'values'),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      break;
    case 'Gt':
    case 'Lt':
      if (values.length !== 1)
        w.add(
          required(
            child(path, 'values'),
            "must be specified single value when `operator` is 'Lt' or 'Gt'",
          ),
        );
      break;
    default:
      w.add(invalid(child(path, 'operator'), operator, 'not a valid selector operator'));
  }
  w.add(...validateLabelName(w.text(req, path, 'key'), child(path, 'key')));
  if (!allowInvalidValues) {
    values.forEach((v, i) => {
      w.add(...invalidEach(index(child(path, 'values'), i), v, isValidLabelValue(v)));
    });
  }
}

function validateNodeFieldRequirement(w: Walker, req: JsonObject, path: string): void {
  const operator = w.text(req, path, 'operator');
  const values = w.strArr(req, path, 'values') ?? [];
  if (operator === 'In' || operator === 'NotIn') {
    if (values.length !== 1) {
      w.add(
        required(
          child(path, 'values'),
          "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
        ),
      );
    }
  } else w.add(invalid(child(path, 'operator'), operator, 'not a valid selector operator'));
  const k = w.text(req, path, 'key');
  if (k !== 'metadata.name')
    w.add(invalid(child(path, 'key'), k, 'not a valid field selector key'));
  else {
    values.forEach((v, i) => {
      w.add(...invalidEach(index(child(path, 'values'), i), v, nameIsDnsSubdomain(v, false)));
    });
  }
}

function validateNodeSelectorTerm(w: Walker, at: Located, allowInvalidValues: boolean): void {
  const { o: term, path } = at;
  for (const { o, path: p } of w.items(term, path, 'matchExpressions'))
    validateNodeSelectorRequirement(w, { o: o, path: p }, allowInvalidValues);
  for (const { o, path: p } of w.items(term, path, 'matchFields'))
    validateNodeFieldRequirement(w, o, p);
}

/** ValidateNodeSelector: at least one term. */
export function validateNodeSelector(w: Walker, sel: JsonObject, path: string): void {
  const terms = w.items(sel, path, 'nodeSelectorTerms');
  if (terms.length === 0) {
    w.add(required(child(path, 'nodeSelectorTerms'), 'must have at least one node selector term'));
    return;
  }
  for (const { o, path: p } of terms) validateNodeSelectorTerm(w, { o: o, path: p }, false);
}

function validateWeight(w: Walker, o: JsonObject, path: string): void {
  const weight = w.num(o, path, 'weight');
  if (weight <= 0 || weight > 100)
    w.add(invalid(child(path, 'weight'), weight, 'must be in the range 1-100'));
}

function validateNodeAffinity(w: Walker, na: JsonObject, path: string): void {
  const req = w.obj(na, path, 'requiredDuringSchedulingIgnoredDuringExecution');
  if (req !== undefined)
    validateNodeSelector(w, req, child(path, 'requiredDuringSchedulingIgnoredDuringExecution'));
  for (const { o, path: p } of w.items(
    na,
    path,
    'preferredDuringSchedulingIgnoredDuringExecution',
  )) {
    validateWeight(w, o, p);
    const pref = w.obj(o, p, 'preference');
    if (pref !== undefined)
      validateNodeSelectorTerm(w, { o: pref, path: child(p, 'preference') }, true);
  }
}

function selectorKeys(sel: LabelSelectorValue | undefined): Set<string> {
  const keys = new Set(Object.keys(sel?.matchLabels ?? {}));
  for (const e of sel?.matchExpressions ?? []) keys.add(e.key);
  return keys;
}

function validateMatchLabelKeys(w: Walker, at: Located, sel: LabelSelectorValue | undefined): void {
  const { o: term, path } = at;
  const matchKeys = w.strArr(term, path, 'matchLabelKeys') ?? [];
  const mismatchKeys = w.strArr(term, path, 'mismatchLabelKeys') ?? [];
  for (const [k, keys] of [
    ['matchLabelKeys', matchKeys],
    ['mismatchLabelKeys', mismatchKeys],
  ] as const) {
    if (keys.length === 0) continue;
    if (sel === undefined) {
      w.add(forbidden(child(path, k), 'must not be specified when labelSelector is not set'));
      continue;
    }
    keys.forEach((key, i) => {
      w.add(...validateLabelName(key, index(child(path, k), i)));
    });
  }
  if (sel !== undefined) {
    // Go fills a map from the keys, so a repeated key keeps its last index.
    const keyIndex = new Map(matchKeys.map((k, i) => [k, i] as const));
    const seen = new Set(Object.keys(sel.matchLabels ?? {}));
    for (const e of sel.matchExpressions) {
      const i = keyIndex.get(e.key);
      if (i !== undefined && seen.has(e.key)) {
        w.add(invalid(index(path, i), e.key, 'exists in both matchLabelKeys and labelSelector'));
      }
      seen.add(e.key);
    }
  }
  matchKeys.forEach((key, i) => {
    if (mismatchKeys.includes(key)) {
      w.add(
        invalid(
          index(child(path, 'matchLabelKeys'), i),
          key,
          'exists in both matchLabelKeys and mismatchLabelKeys',
        ),
      );
    }
  });
}

function validatePodAffinityTerm(w: Walker, term: JsonObject, path: string): void {
  const sel = readLabelSelector(w, { o: term, path: path }, 'labelSelector');
  w.add(...validateLabelSelector(sel, child(path, 'labelSelector')));
  const nsSel = readLabelSelector(w, { o: term, path: path }, 'namespaceSelector');
  w.add(...validateLabelSelector(nsSel, child(path, 'namespaceSelector')));
  for (const ns of w.strArr(term, path, 'namespaces') ?? []) {
    w.add(...invalidEach(child(path, 'namespace'), ns, nameIsDnsLabel(ns, false)));
  }
  validateMatchLabelKeys(w, { o: term, path: path }, sel);
  const topologyKey = w.text(term, path, 'topologyKey');
  if (topologyKey === '') w.add(required(child(path, 'topologyKey'), 'can not be empty'));
  w.add(...validateLabelName(topologyKey, child(path, 'topologyKey')));
}

function validatePodAffinity(w: Walker, pa: JsonObject, path: string): void {
  for (const { o, path: p } of w.items(
    pa,
    path,
    'requiredDuringSchedulingIgnoredDuringExecution',
  )) {
    validatePodAffinityTerm(w, o, p);
  }
  for (const { o, path: p } of w.items(
    pa,
    path,
    'preferredDuringSchedulingIgnoredDuringExecution',
  )) {
    validateWeight(w, o, p);
    const term = w.obj(o, p, 'podAffinityTerm');
    validatePodAffinityTerm(w, term ?? {}, child(p, 'podAffinityTerm'));
  }
}

/** validateAffinity. */
export function validateAffinity(w: Walker, spec: JsonObject, specPath: string): void {
  const path = child(specPath, 'affinity');
  const affinity = w.obj(spec, specPath, 'affinity');
  if (affinity === undefined) return;
  const na = w.obj(affinity, path, 'nodeAffinity');
  if (na !== undefined) validateNodeAffinity(w, na, child(path, 'nodeAffinity'));
  for (const k of ['podAffinity', 'podAntiAffinity']) {
    const pa = w.obj(affinity, path, k);
    if (pa !== undefined) validatePodAffinity(w, pa, child(path, k));
  }
}

function validateTopologyPolicies(
  w: Walker,
  item: { o: JsonObject; path: string },
  action: string,
): void {
  const { o, path } = item;
  const minDomains = w.int(o, path, 'minDomains');
  if (minDomains !== undefined) {
    if (minDomains <= 0)
      w.add(invalid(child(path, 'minDomains'), minDomains, 'must be greater than zero'));
    if (action !== 'DoNotSchedule') {
      w.add(
        invalid(
          child(path, 'minDomains'),
          minDomains,
          `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`,
        ),
      );
    }
  }
  for (const k of ['nodeAffinityPolicy', 'nodeTaintsPolicy']) {
    const policy = w.str(o, path, k);
    if (policy !== undefined && policy !== 'Honor' && policy !== 'Ignore')
      w.add(notSupported(child(path, k), policy, ['Honor', 'Ignore']));
  }
}

function validateTopologyConstraint(
  w: Walker,
  item: { o: JsonObject; path: string },
  rest: readonly unknown[],
): void {
  const { o, path } = item;
  const maxSkew = w.num(o, path, 'maxSkew');
  if (maxSkew <= 0) w.add(invalid(child(path, 'maxSkew'), maxSkew, 'must be greater than zero'));
  const topologyKey = w.text(o, path, 'topologyKey');
  if (topologyKey === '') w.add(required(child(path, 'topologyKey'), 'can not be empty'));
  const action = w.text(o, path, 'whenUnsatisfiable');
  if (action !== 'DoNotSchedule' && action !== 'ScheduleAnyway') {
    w.add(
      notSupported(child(path, 'whenUnsatisfiable'), action, ['DoNotSchedule', 'ScheduleAnyway']),
    );
  }
  const repeat = rest.some(
    (r) =>
      isJsonObject(r) &&
      strOf(r['topologyKey']) === topologyKey &&
      strOf(r['whenUnsatisfiable']) === action,
  );
  if (repeat)
    w.add(
      duplicate(child(path, '{topologyKey, whenUnsatisfiable}'), `{${topologyKey}, ${action}}`),
    );
  validateTopologyPolicies(w, item, action);
  const sel = readLabelSelector(w, { o: o, path: path }, 'labelSelector');
  const matchKeys = w.strArr(o, path, 'matchLabelKeys') ?? [];
  if (matchKeys.length > 0 && sel === undefined) {
    w.add(
      forbidden(
        child(path, 'matchLabelKeys'),
        'must not be specified when labelSelector is not set',
      ),
    );
  }
  const existing = selectorKeys(sel);
  matchKeys.forEach((key, i) => {
    const p = index(child(path, 'matchLabelKeys'), i);
    w.add(...validateLabelName(key, p));
    if (existing.has(key))
      w.add(invalid(p, key, 'exists in both matchLabelKeys and labelSelector'));
  });
  w.add(...validateLabelSelector(sel, child(path, 'labelSelector')));
}

/** validateTopologySpreadConstraints. */
export function validateTopologySpread(w: Walker, spec: JsonObject, specPath: string): void {
  const raw = Array.isArray(spec['topologySpreadConstraints'])
    ? spec['topologySpreadConstraints']
    : [];
  for (const item of w.items(spec, specPath, 'topologySpreadConstraints')) {
    validateTopologyConstraint(w, item, raw.slice(item.i + 1));
  }
}

/** validatePodDNSConfig. */
export function validateDnsConfig(w: Walker, spec: JsonObject, specPath: string): void {
  const path = child(specPath, 'dnsConfig');
  const cfg = w.obj(spec, specPath, 'dnsConfig');
  const nameservers = w.strArr(cfg, path, 'nameservers') ?? [];
  if (spec['dnsPolicy'] === 'None') {
    if (cfg === undefined) {
      w.add(required(path, 'must provide `dnsConfig` when `dnsPolicy` is None'));
      return;
    }
    if (nameservers.length === 0) {
      {
        w.add(
          required(
            child(path, 'nameservers'),
            'must provide at least one DNS nameserver when `dnsPolicy` is None',
          ),
        );
        return;
      }
    }
  }
  if (cfg === undefined) return;
  if (nameservers.length > 3) {
    w.add(
      invalid(
        child(path, 'nameservers'),
        { goSyntax: goStringSlice(nameservers) },
        'must not have more than 3 nameservers',
      ),
    );
  }
  nameservers.forEach((ns, i) => {
    w.add(...isValidIp(index(child(path, 'nameservers'), i), ns));
  });
  const searches = w.strArr(cfg, path, 'searches') ?? [];
  if (searches.length > 32) {
    w.add(
      invalid(
        child(path, 'searches'),
        { goSyntax: goStringSlice(searches) },
        'must not have more than 32 search paths',
      ),
    );
  }
  if (searches.join(' ').length > 2048) {
    w.add(
      invalid(
        child(path, 'searches'),
        { goSyntax: goStringSlice(searches) },
        'must not have more than 2048 characters (including spaces) in the search list',
      ),
    );
  }
  searches.forEach((s, i) => {
    const trimmed = s.endsWith('.') ? s.slice(0, -1) : s;
    w.add(...invalidEach(index(child(path, 'searches'), i), trimmed, isDns1123Subdomain(trimmed)));
  });
  for (const { o, path: p } of w.items(cfg, path, 'options')) {
    if (w.text(o, p, 'name') === '') w.add(required(p, 'must not be empty'));
  }
}

/** ValidateHostAliases. */
export function validateHostAliases(w: Walker, spec: JsonObject, specPath: string): void {
  for (const { o, path } of w.items(spec, specPath, 'hostAliases')) {
    w.add(...isValidIp(child(path, 'ip'), w.text(o, path, 'ip')));
    (w.strArr(o, path, 'hostnames') ?? []).forEach((h, i) => {
      w.add(...invalidEach(index(child(path, 'hostnames'), i), h, isDns1123Subdomain(h)));
    });
  }
}

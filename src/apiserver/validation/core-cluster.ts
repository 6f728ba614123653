import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import { validatePodTemplateSpec } from './core-pod.ts';
import { objectAt, rootOf } from './defaults-helpers.ts';
import {
  goQuantity,
  isOvercommitAllowed,
  isStandardQuotaResourceName,
  readResourceList,
  validateContainerResourceName,
  validateResourceName,
  validateResourceQuantityValue,
} from './core-resources.ts';
import { validateTaintEffect } from './core-scheduling.ts';
import {
  duplicate,
  forbidden,
  invalid,
  invalidEach,
  key,
  notSupported,
  required,
} from './field.ts';
import { goQuote, goStringMap, goStruct } from './go-format.ts';
import { isValidCidr, parseIp, isIpv4 } from './ip.ts';
import { isQualifiedName, isValidLabelValue, nameIsDnsSubdomain } from './names.ts';
import {
  checkObjectMeta,
  checkObjectMetaUpdate,
  validateLabelName,
  validateNonnegative,
} from './object-meta.ts';
import { compareQuantities, formatQuantity, scaledValue, type Quantity } from './quantity.ts';
import { selectorMatches } from './label-selector.ts';
import { strOf, Walker } from './walker.ts';
import { goJson } from './go-format.ts';

/** Nodes, LimitRanges, ResourceQuotas and ReplicationControllers (pkg/apis/core/validation). */

function metaFor(
  w: Walker,
  pair: readonly [KubeObject, KubeObject | undefined],
  namespaced: boolean,
): JsonObject | undefined {
  const [obj, old] = pair;
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  else
    checkObjectMeta(w, obj.metadata, {
      namespaced,
      nameFn: nameIsDnsSubdomain,
      kubeFinalizers: true,
    });
  return w.asObj(obj, '');
}

function goTaint(t: JsonObject): string {
  const s = (k: string): string => goQuote(typeof t[k] === 'string' ? t[k] : '');
  return goStruct('core.Taint', [
    ['Key', s('key')],
    ['Value', s('value')],
    ['Effect', s('effect')],
    ['TimeAdded', t['timeAdded'] === undefined ? '<nil>' : '(*v1.Time)(0xc000000000)'],
  ]);
}

/** validateNodeTaints: upstream reports them under metadata.taints. */
function validateNodeTaints(w: Walker, spec: JsonObject | undefined): void {
  const unique = new Map<string, Set<string>>();
  for (const { o, path } of w.items(spec, 'spec', 'taints')) {
    const p = path.replace(/^spec\.taints/, 'metadata.taints');
    const k = w.text(o, path, 'key');
    const value = w.text(o, path, 'value');
    const effect = w.text(o, path, 'effect');
    w.add(...validateLabelName(k, `${p}.key`));
    const valueErrs = isValidLabelValue(value);
    if (valueErrs.length > 0) w.add(invalid(`${p}.value`, value, valueErrs.join(';')));
    w.add(...validateTaintEffect(effect, false, `${p}.effect`));
    const keys = unique.get(effect) ?? new Set<string>();
    if (keys.has(k)) {
      w.add(duplicate(p, { goSyntax: goTaint(o) }, 'taints must be unique by key and effect pair'));
      continue;
    }
    keys.add(k);
    unique.set(effect, keys);
  }
}

function validateNodeResources(w: Walker, status: JsonObject | undefined): void {
  for (const k of ['capacity', 'allocatable']) {
    for (const [name, q] of readResourceList(w, { o: status, path: 'status' }, k) ?? []) {
      w.add(...validateResourceQuantityValue(name, q, `status.${k}.${name}`));
    }
  }
}

function validatePodCidrs(w: Walker, spec: JsonObject | undefined): void {
  const cidrs = w.strArr(spec, 'spec', 'podCIDRs') ?? [];
  cidrs.forEach((c, i) => {
    w.add(...isValidCidr(`spec.podCIDRs[${i}]`, c));
  });
  if (cidrs.length <= 1) return;
  const families = cidrs.map((c) => {
    const ip = parseIp(c.split('/')[0] ?? '');
    return ip === undefined ? 'bad' : isIpv4(ip) ? '4' : '6';
  });
  if (cidrs.length > 2 || families[0] === families[1]) {
    w.add(
      invalid(
        'spec.podCIDRs',
        { goSyntax: `[]string{${cidrs.map((c) => goQuote(c)).join(', ')}}` },
        'may specify no more than one CIDR for each IP family',
      ),
    );
  }
  const seen = new Set<string>();
  cidrs.forEach((c, i) => {
    if (seen.has(c)) w.add(duplicate(`spec.podCIDRs[${i}]`, c));
    seen.add(c);
  });
}

function validatePodCidrsUpdate(
  w: Walker,
  spec: JsonObject | undefined,
  oldSpec: JsonObject,
): void {
  const oldCidrs = Array.isArray(oldSpec['podCIDRs']) ? oldSpec['podCIDRs'] : [];
  const newCidrs = Array.isArray(spec?.['podCIDRs']) ? spec['podCIDRs'] : [];
  const cidrMsg = 'node updates may not change podCIDR except from "" to valid';
  if (oldCidrs.length === 0) return;
  if (oldCidrs.length !== newCidrs.length) w.add(forbidden('spec.podCIDRs', cidrMsg));
  else
    oldCidrs.forEach((c, i) => {
      if (c !== newCidrs[i]) w.add(forbidden('spec.podCIDRs', cidrMsg));
    });
}

function validateNodeUpdate(
  w: Walker,
  at: { spec: JsonObject | undefined; status: JsonObject | undefined },
  old: KubeObject,
): void {
  const oldSpec = objectAt(rootOf(old), 'spec') ?? {};
  const seen = new Set<string>();
  for (const { o, path } of w.items(at.status, 'status', 'addresses')) {
    const k = `${strOf(o['type'])}/${strOf(o['address'])}`;
    if (seen.has(k)) w.add(duplicate(path, { goSyntax: goJson(o) }));
    seen.add(k);
  }
  validatePodCidrsUpdate(w, at.spec, oldSpec);
  const oldProvider = strOf(oldSpec['providerID']);
  if (oldProvider !== '' && oldProvider !== strOf(at.spec?.['providerID'])) {
    w.add(
      forbidden(
        'spec.providerID',
        'node updates may not change providerID except from "" to valid',
      ),
    );
  }
  if ((at.spec?.['externalID'] ?? '') !== (oldSpec['externalID'] ?? ''))
    w.add(forbidden('spec.externalID', 'may not be updated'));
}

/** Validator for nodes. */
export function validateNode(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  const r = metaFor(w, [obj, old], false);
  const spec = w.obj(r, '', 'spec');
  const status = w.obj(r, '', 'status');
  validateNodeTaints(w, spec);
  validateNodeResources(w, status);
  if (old === undefined) validatePodCidrs(w, spec);
  else validateNodeUpdate(w, { spec, status }, old);
  return w.errs;
}

const LIMIT_TYPES: ReadonlySet<string> = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);

function validateLimitType(type: string, field: string): FieldError[] {
  const errs = invalidEach(field, type, isQualifiedName(type));
  if (errs.length > 0) return errs;
  if (!type.includes('/') && !LIMIT_TYPES.has(type))
    errs.push(invalid(field, type, 'must be a standard limit type or fully qualified'));
  return errs;
}

type LimitMaps = Record<
  'max' | 'min' | 'default' | 'defaultRequest' | 'maxLimitRequestRatio',
  Map<string, Quantity>
>;

function readLimitMaps(w: Walker, item: { o: JsonObject; path: string }, type: string): LimitMaps {
  const maps: LimitMaps = {
    max: new Map(),
    min: new Map(),
    default: new Map(),
    defaultRequest: new Map(),
    maxLimitRequestRatio: new Map(),
  };
  const nameFn =
    type === 'Pod' || type === 'Container' ? validateContainerResourceName : validateResourceName;
  for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const) {
    const list = readResourceList(w, { o: item.o, path: item.path }, k) ?? [];
    if (type === 'Pod' && (k === 'default' || k === 'defaultRequest')) {
      if (list.length > 0)
        w.add(forbidden(`${item.path}.${k}`, "may not be specified when `type` is 'Pod'"));
      continue;
    }
    for (const [name, q] of list) {
      w.add(...nameFn(name, key(`${item.path}.${k}`, name)));
      maps[k].set(name, q);
    }
  }
  return maps;
}

type LimitKey = keyof LimitMaps;

/**
 * ValidateLimitRange's ordering rules: `lo` may not exceed `hi`. `shown` is the quantity
 * upstream passes as the bad value, which is not always the one at `field`.
 */
const LIMIT_ORDER: readonly {
  readonly lo: LimitKey;
  readonly hi: LimitKey;
  readonly field: LimitKey;
  readonly shown: LimitKey;
  readonly msg: (lo: string, hi: string) => string;
}[] = [
  {
    lo: 'min',
    hi: 'max',
    field: 'min',
    shown: 'min',
    msg: (a, b) => `min value ${a} is greater than max value ${b}`,
  },
  {
    lo: 'min',
    hi: 'defaultRequest',
    field: 'defaultRequest',
    shown: 'defaultRequest',
    msg: (a, b) => `min value ${a} is greater than default request value ${b}`,
  },
  {
    lo: 'defaultRequest',
    hi: 'max',
    field: 'defaultRequest',
    shown: 'defaultRequest',
    msg: (a, b) => `default request value ${a} is greater than max value ${b}`,
  },
  {
    lo: 'defaultRequest',
    hi: 'default',
    field: 'defaultRequest',
    shown: 'defaultRequest',
    msg: (a, b) => `default request value ${a} is greater than default limit value ${b}`,
  },
  {
    lo: 'min',
    hi: 'default',
    field: 'default',
    shown: 'min',
    msg: (a, b) => `min value ${a} is greater than default value ${b}`,
  },
  {
    lo: 'default',
    hi: 'max',
    field: 'default',
    shown: 'max',
    msg: (a, b) => `default value ${a} is greater than max value ${b}`,
  },
];

function checkLimitPair(w: Walker, at: { path: string; name: string; maps: LimitMaps }): void {
  const { path, name, maps } = at;
  const p = (k: string): string => key(`${path}.${k}`, name);
  for (const rule of LIMIT_ORDER) {
    const lo = maps[rule.lo].get(name);
    const hi = maps[rule.hi].get(name);
    const shown = maps[rule.shown].get(name);
    if (lo === undefined || hi === undefined || shown === undefined) continue;
    if (compareQuantities(lo, hi) > 0)
      w.add(
        invalid(p(rule.field), goQuantity(shown), rule.msg(formatQuantity(lo), formatQuantity(hi))),
      );
  }
  checkLimitRatio(w, { p, name, maps });
  const def = maps.default.get(name);
  const defReq = maps.defaultRequest.get(name);
  if (!isOvercommitAllowed(name) && def && defReq && compareQuantities(def, defReq) !== 0) {
    w.add(
      invalid(
        p('defaultRequest'),
        goQuantity(defReq),
        `default value ${formatQuantity(def)} must equal to defaultRequest value ${formatQuantity(defReq)} in ${name}`,
      ),
    );
  }
}

function checkLimitRatio(
  w: Walker,
  at: { p: (k: string) => string; name: string; maps: LimitMaps },
): void {
  const { p, name, maps } = at;
  const ratio = maps.maxLimitRequestRatio.get(name);
  if (ratio === undefined) return;
  const s = formatQuantity;
  const belowOne =
    ratio.unscaled * 10n ** BigInt(Math.max(ratio.scale, 0)) <
    10n ** BigInt(Math.max(-ratio.scale, 0));
  if (belowOne)
    w.add(
      invalid(p('maxLimitRequestRatio'), goQuantity(ratio), `ratio ${s(ratio)} is less than 1`),
    );
  const min = maps.min.get(name);
  const max = maps.max.get(name);
  if (min === undefined || max === undefined) return;
  const limit = Number(scaledValue(max, -3)) / Number(scaledValue(min, -3));
  const r = Number(scaledValue(ratio, -3)) / 1000;
  if (r > limit)
    w.add(
      invalid(
        p('maxLimitRequestRatio'),
        goQuantity(ratio),
        `ratio ${s(ratio)} is greater than max/min = ${limit.toFixed(6)}`,
      ),
    );
}

/** Validator for limitranges. */
export function validateLimitRange(obj: KubeObject): FieldError[] {
  // Upstream's update strategy re-runs the create validation only.
  const w = new Walker();
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const spec = w.obj(w.asObj(obj, ''), '', 'spec');
  const types = new Set<string>();
  for (const item of w.items(spec, 'spec', 'limits')) {
    const type = w.text(item.o, item.path, 'type');
    w.add(...validateLimitType(type, `${item.path}.type`));
    if (types.has(type)) w.add(duplicate(`${item.path}.type`, type));
    types.add(type);
    const maps = readLimitMaps(w, item, type);
    if (type === 'PersistentVolumeClaim' && !maps.min.has('storage') && !maps.max.has('storage')) {
      w.add(
        required(
          `${item.path}.limits`,
          'either minimum or maximum storage value is required, but neither was provided',
        ),
      );
    }
    const names = new Set(Object.values(maps).flatMap((m) => [...m.keys()]));
    for (const name of [...names].sort()) checkLimitPair(w, { path: item.path, name, maps });
  }
  return w.errs;
}

const QUOTA_SCOPES: readonly string[] = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
];
const POD_COMPUTE: ReadonlySet<string> = new Set([
  'cpu',
  'memory',
  'limits.cpu',
  'limits.memory',
  'requests.cpu',
  'requests.memory',
]);

function scopeValidFor(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  if (scope === 'Terminating' || scope === 'NotTerminating' || scope === 'NotBestEffort') {
    return resource === 'pods' || POD_COMPUTE.has(resource);
  }
  return true;
}

function validateQuotaList(
  w: Walker,
  parent: JsonObject | undefined,
  at: { base: string; k: string },
): string[] {
  const names: string[] = [];
  for (const [name, q] of readResourceList(w, { o: parent, path: at.base }, at.k) ?? []) {
    const p = key(`${at.base}.${at.k}`, name);
    const errs = validateResourceName(name, p);
    if (!name.includes('/') && !isStandardQuotaResourceName(name))
      errs.push(invalid(p, name, 'must be a standard resource for quota'));
    w.add(...errs, ...validateResourceQuantityValue(name, q, p));
    names.push(name);
  }
  return names;
}

function validateScopes(w: Walker, spec: JsonObject | undefined, hard: readonly string[]): void {
  const scopes = w.strArr(spec, 'spec', 'scopes') ?? [];
  if (scopes.length === 0) return;
  const shown = {
    goSyntax: `[]core.ResourceQuotaScope{${scopes.map((s) => goQuote(s)).join(', ')}}`,
  };
  for (const scope of scopes) {
    if (!QUOTA_SCOPES.includes(scope)) w.add(invalid('spec.scopes', shown, 'unsupported scope'));
    for (const r of [...hard].sort()) {
      if (isStandardQuotaResourceName(r) && !scopeValidFor(scope, r))
        w.add(invalid('spec.scopes', shown, 'unsupported scope applied to resource'));
    }
  }
  const has = (s: string): boolean => scopes.includes(s);
  if (has('BestEffort') && has('NotBestEffort'))
    w.add(invalid('spec.scopes', shown, 'conflicting scopes'));
  if (has('Terminating') && has('NotTerminating'))
    w.add(invalid('spec.scopes', shown, 'conflicting scopes'));
}

/** Validator for resourcequotas. */
export function validateResourceQuota(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  else
    checkObjectMeta(w, obj.metadata, {
      namespaced: true,
      nameFn: nameIsDnsSubdomain,
      kubeFinalizers: true,
    });
  const r = w.asObj(obj, '');
  const spec = w.obj(r, '', 'spec');
  const hard = validateQuotaList(w, spec, { base: 'spec', k: 'hard' });
  validateScopes(w, spec, hard);
  if (old === undefined) {
    const status = w.obj(r, '', 'status');
    validateQuotaList(w, status, { base: 'status', k: 'hard' });
    validateQuotaList(w, status, { base: 'status', k: 'used' });
  } else {
    const oldScopes = new Set(
      isJsonObject(old['spec']) && Array.isArray(old['spec']['scopes'])
        ? old['spec']['scopes']
        : [],
    );
    const newScopes = new Set(Array.isArray(spec?.['scopes']) ? spec['scopes'] : []);
    const same = oldScopes.size === newScopes.size && [...oldScopes].every((s) => newScopes.has(s));
    if (!same)
      w.add(
        invalid(
          'spec.scopes',
          { goSyntax: goJson(spec?.['scopes'] ?? null) },
          'field is immutable',
        ),
      );
  }
  return w.errs;
}

/** Validator for replicationcontrollers. */
export function validateReplicationController(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  else
    checkObjectMeta(w, obj.metadata, {
      namespaced: true,
      nameFn: nameIsDnsSubdomain,
      kubeFinalizers: true,
    });
  const spec = w.obj(w.asObj(obj, ''), '', 'spec');
  w.add(...validateNonnegative(w.num(spec, 'spec', 'minReadySeconds'), 'spec.minReadySeconds'));
  const selector = w.strMap(spec, 'spec', 'selector') ?? {};
  if (Object.keys(selector).length === 0) w.add(required('spec.selector'));
  w.add(...validateNonnegative(w.num(spec, 'spec', 'replicas'), 'spec.replicas'));
  const template = w.obj(spec, 'spec', 'template');
  if (template === undefined) {
    w.add(required('spec.template'));
    return w.errs;
  }
  const labels = isJsonObject(template['metadata'])
    ? new Walker().strMap(template['metadata'], '', 'labels')
    : undefined;
  const reqs = Object.entries(selector).map(([k, v]) => ({
    key: k,
    op: 'Equals' as const,
    values: [v],
  }));
  if (reqs.length > 0 && !selectorMatches({ kind: 'requirements', reqs }, labels)) {
    w.add(
      invalid(
        'spec.template.metadata.labels',
        { goSyntax: goStringMap(labels) },
        '`selector` does not match template `labels`',
      ),
    );
  }
  validatePodTemplateSpec(w, template, 'spec.template');
  validateAlwaysRestart(w, template);
  return w.errs;
}

/** The pod template rules shared by ReplicationControllers' spec. */
function validateAlwaysRestart(w: Walker, template: JsonObject): void {
  const tspec = objectAt(template, 'spec') ?? {};
  const restart = strOf(tspec['restartPolicy']);
  if (restart !== 'Always')
    w.add(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (tspec['activeDeadlineSeconds'] !== undefined && tspec['activeDeadlineSeconds'] !== null) {
    w.add(
      forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        'activeDeadlineSeconds in ReplicationController is not Supported',
      ),
    );
  }
}

import type { FieldError, KubeObject } from '../../api/index.ts';
import { invalid, notSupported } from './field.ts';
import { goJson } from './go-format.ts';
import { notMoreThan100, validatePositiveIntOrPercent } from './intstr.ts';
import { readLabelSelector, validateLabelSelector } from './label-selector.ts';
import { nameIsPathSegment } from './names.ts';
import { checkObjectMeta, checkObjectMetaUpdate } from './object-meta.ts';
import { Walker } from './walker.ts';

/**
 * policy/v1 PodDisruptionBudgets (pkg/apis/policy/validation). Upstream's strategy checks
 * the spec only; object metadata gets the generic rules (path-segment names) from the
 * registry's BeforeCreate/BeforeUpdate, which this validator applies in the same order.
 */

/**
 * Validator for poddisruptionbudgets.policy. On create the generic metadata check runs only
 * once the strategy's check passed (BeforeCreate returns the first failing list); on update
 * the common-field check comes first and both lists are reported together.
 */
export function validatePodDisruptionBudget(obj: KubeObject, old?: KubeObject): FieldError[] {
  const meta = new Walker();
  checkObjectMeta(meta, obj.metadata, {
    namespaced: true,
    nameFn: nameIsPathSegment,
    kubeFinalizers: false,
  });
  if (old !== undefined) {
    checkObjectMetaUpdate(meta, [obj.metadata, old.metadata], false);
    return [...meta.errs, ...validatePdbSpec(obj)];
  }
  const specErrs = validatePdbSpec(obj);
  return specErrs.length > 0 ? specErrs : meta.errs;
}

function validatePdbSpec(obj: KubeObject): FieldError[] {
  const w = new Walker();
  const spec = w.obj(w.asObj(obj, ''), '', 'spec') ?? {};
  const minAvailable = w.intOrStr(spec, 'spec', 'minAvailable');
  const maxUnavailable = w.intOrStr(spec, 'spec', 'maxUnavailable');
  if (minAvailable !== undefined && maxUnavailable !== undefined) {
    w.add(
      invalid(
        'spec',
        { goSyntax: goJson(spec) },
        'minAvailable and maxUnavailable cannot be both set',
      ),
    );
  }
  for (const [k, v] of [
    ['minAvailable', minAvailable],
    ['maxUnavailable', maxUnavailable],
  ] as const) {
    if (v === undefined) continue;
    validatePositiveIntOrPercent(w, v, `spec.${k}`);
    notMoreThan100(w, v, `spec.${k}`);
  }
  w.add(
    ...validateLabelSelector(
      readLabelSelector(w, { o: spec, path: 'spec' }, 'selector'),
      'spec.selector',
    ),
  );
  const policy = w.str(spec, 'spec', 'unhealthyPodEvictionPolicy');
  if (policy !== undefined && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    w.add(
      notSupported('spec.unhealthyPodEvictionPolicy', policy, ['AlwaysAllow', 'IfHealthyBudget']),
    );
  }
  return w.errs;
}

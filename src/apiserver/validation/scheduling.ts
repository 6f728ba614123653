import type { FieldError, KubeObject } from '../../api/index.ts';
import { forbidden, invalid, notSupported, required } from './field.ts';
import { nameIsDnsSubdomain } from './names.ts';
import { checkObjectMeta, checkObjectMetaUpdate, FIELD_IMMUTABLE } from './object-meta.ts';
import { metaText, Walker } from './walker.ts';

/** scheduling.k8s.io/v1 PriorityClasses (pkg/apis/scheduling/validation). */

const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;
const SYSTEM_PRIORITY_CLASSES: ReadonlyMap<string, number> = new Map([
  ['system-node-critical', 2000001000],
  ['system-cluster-critical', 2000000000],
]);

/** IsKnownSystemPriorityClass; the error text when it is not. */
function systemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const expected = SYSTEM_PRIORITY_CLASSES.get(name);
  if (expected === undefined) return `${name} is not a known system priority class`;
  if (expected !== value) return `value of ${name} PriorityClass must be ${expected}`;
  if (globalDefault) return `globalDefault of ${name} PriorityClass must be false`;
  return undefined;
}

function validatePreemptionPolicy(w: Walker, policy: string | undefined): void {
  if (policy === undefined) return;
  if (policy === '') w.add(required('preemptionPolicy'));
  else if (policy !== 'PreemptLowerPriority' && policy !== 'Never') {
    w.add(notSupported('preemptionPolicy', policy, ['PreemptLowerPriority', 'Never']));
  }
}

/** Validator for priorityclasses.scheduling.k8s.io. */
export function validatePriorityClass(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  const r = w.asObj(obj, '');
  const value = w.num(r, '', 'value');
  const policy = w.str(r, '', 'preemptionPolicy');
  if (old !== undefined) {
    checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
    if (value !== (old['value'] ?? 0))
      w.add(forbidden('value', 'may not be changed in an update.'));
    if ((policy ?? null) !== (old['preemptionPolicy'] ?? null))
      w.add(invalid('preemptionPolicy', policy ?? null, FIELD_IMMUTABLE));
    return w.errs;
  }
  checkObjectMeta(w, obj.metadata, {
    namespaced: false,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const name = metaText(obj, 'name');
  if (name.startsWith('system-')) {
    const err = systemClassError(name, value, w.bool(r, '', 'globalDefault') === true);
    if (err !== undefined) {
      w.add(
        forbidden(
          'metadata.name',
          `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`,
        ),
      );
    }
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    w.add(
      forbidden(
        'value',
        `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`,
      ),
    );
  }
  validatePreemptionPolicy(w, policy);
  return w.errs;
}

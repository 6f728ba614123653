import type { FieldError, KubeObject } from '../../api/index.ts';
import { child, forbidden, invalid, invalidEach, notSupported } from './field.ts';
import { isQualifiedName, nameIsDnsSubdomain } from './names.ts';
import { checkObjectMeta, checkObjectMetaUpdate } from './object-meta.ts';
import { Walker } from './walker.ts';

/** coordination.k8s.io/v1 Leases (pkg/apis/coordination/validation). */

const LEASE_STRATEGIES: readonly string[] = ['OldestEmulationVersion'];

function validateStrategy(w: Walker, strategy: string, field: string): void {
  if (strategy.split('/').length === 1) {
    if (!LEASE_STRATEGIES.includes(strategy))
      w.add(notSupported(child(field, 'strategy'), strategy, LEASE_STRATEGIES));
  } else w.add(...invalidEach(child(field, 'strategy'), strategy, isQualifiedName(strategy)));
}

/** Validator for leases.coordination.k8s.io. */
export function validateLease(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], false);
  else
    checkObjectMeta(w, obj.metadata, {
      namespaced: true,
      nameFn: nameIsDnsSubdomain,
      kubeFinalizers: false,
    });
  const spec = w.obj(w.asObj(obj, ''), '', 'spec');
  const duration = w.int(spec, 'spec', 'leaseDurationSeconds');
  if (duration !== undefined && duration <= 0)
    w.add(invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = w.int(spec, 'spec', 'leaseTransitions');
  if (transitions !== undefined && transitions < 0) {
    w.add(invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  }
  w.str(spec, 'spec', 'holderIdentity');
  const strategy = w.str(spec, 'spec', 'strategy');
  if (strategy !== undefined) validateStrategy(w, strategy, 'spec.strategy');
  const preferred = w.text(spec, 'spec', 'preferredHolder');
  if (preferred !== '' && (strategy ?? '') === '') {
    w.add(forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  }
  return w.errs;
}

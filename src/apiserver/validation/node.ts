import type { FieldError, KubeObject } from '../../api/index.ts';
import { validateResourceRequirements } from './core-resources.ts';
import { validateTolerations } from './core-scheduling.ts';
import { invalidEach } from './field.ts';
import { nameIsDnsLabel, nameIsDnsSubdomain } from './names.ts';
import {
  checkObjectMeta,
  checkObjectMetaUpdate,
  FIELD_IMMUTABLE,
  validateLabels,
} from './object-meta.ts';
import { invalid } from './field.ts';
import { Walker } from './walker.ts';

/** node.k8s.io/v1 RuntimeClasses (pkg/apis/node/validation). */

/** Validator for runtimeclasses.node.k8s.io. */
export function validateRuntimeClass(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  const r = w.asObj(obj, '');
  const handler = w.text(r, '', 'handler');
  if (old !== undefined) {
    checkObjectMetaUpdate(w, [obj.metadata, old.metadata], false);
    if (handler !== (old['handler'] ?? '')) w.add(invalid('handler', handler, FIELD_IMMUTABLE));
    return w.errs;
  }
  checkObjectMeta(w, obj.metadata, {
    namespaced: false,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: false,
  });
  w.add(...invalidEach('handler', handler, nameIsDnsLabel(handler, false)));
  const overhead = w.obj(r, '', 'overhead');
  if (overhead !== undefined) {
    validateResourceRequirements(w, {
      parent: { overhead: { limits: overhead['podFixed'] ?? null } },
      base: '',
      field: 'overhead',
    });
  }
  const scheduling = w.obj(r, '', 'scheduling');
  if (scheduling !== undefined) {
    w.add(
      ...validateLabels(
        w.strMap(scheduling, 'scheduling', 'nodeSelector'),
        'scheduling.nodeSelector',
      ),
    );
    validateTolerations(w, { o: scheduling, path: 'scheduling' }, 'tolerations');
  }
  return w.errs;
}

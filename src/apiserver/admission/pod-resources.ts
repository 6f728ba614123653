import type { JsonObject } from '../../api/index.ts';
import { childObject, objectsIn, stringAt } from './pod-fields.ts';
import { addLists, maxQuantity, parseResourceList, type ResourceList } from './resource-list.ts';

export type ResourceField = 'requests' | 'limits';

export function containerResources(c: JsonObject, field: ResourceField): ResourceList {
  return parseResourceList(childObject(c, 'resources')?.[field]);
}

function maxLists(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = new Map(a);
  for (const [k, q] of b) {
    const cur = out.get(k);
    out.set(k, cur ? maxQuantity(cur, q) : q);
  }
  return out;
}

/**
 * resourcehelper.PodRequests / PodLimits: the sum over app containers and sidecars, at least
 * the largest regular init container (plus the sidecars started before it), plus overhead.
 */
export function podResources(spec: JsonObject, field: ResourceField): ResourceList {
  let sum: ResourceList = new Map();
  for (const c of objectsIn(spec, 'containers')) sum = addLists(sum, containerResources(c, field));
  let sidecars: ResourceList = new Map();
  let initMax: ResourceList = new Map();
  for (const c of objectsIn(spec, 'initContainers')) {
    const own = containerResources(c, field);
    if (stringAt(c, 'restartPolicy') === 'Always') {
      sidecars = addLists(sidecars, own);
      initMax = maxLists(initMax, sidecars);
    } else initMax = maxLists(initMax, addLists(own, sidecars));
  }
  const total = maxLists(addLists(sum, sidecars), initMax);
  return addLists(total, parseResourceList(spec['overhead']));
}

import type { Container } from 'kubernetes-types/core/v1.js';
import { parseQuantityExact, scaledValue } from '../apiserver/validation/quantity.ts';
import type { FargatePod } from './types.ts';

/**
 * One container's request for `resource` in units of 10^scale, rounded up. A container
 * without a request counts its limit, as API defaulting copies limits into absent requests.
 */
function containerAmount(c: Container, resource: string, scale: number): bigint {
  const text = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
  return text === undefined ? 0n : scaledValue(parseQuantityExact(text), scale);
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/**
 * The pod's effective request for one resource, by Kubernetes' rule (resourcehelper.PodRequests
 * without overhead): app containers and sidecars (init containers with restartPolicy Always) add
 * up; each regular init container runs beside the sidecars started before it, and the pod needs
 * the larger of the two phases. Throws QuantityParseError for a quantity outside the grammar.
 */
export function effectiveRequest(pod: FargatePod, resource: string, scale: number): bigint {
  let app = 0n;
  for (const c of pod.spec?.containers ?? []) app += containerAmount(c, resource, scale);
  let sidecars = 0n;
  let initPeak = 0n;
  for (const c of pod.spec?.initContainers ?? []) {
    const amount = containerAmount(c, resource, scale);
    if (c.restartPolicy === 'Always') {
      sidecars += amount;
      app += amount;
      initPeak = max(initPeak, sidecars);
    } else {
      initPeak = max(initPeak, sidecars + amount);
    }
  }
  return max(app, initPeak);
}

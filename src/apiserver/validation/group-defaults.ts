import type { KubeObject } from '../../api/index.ts';
import { objectsAt, rootOf, setDefault } from './defaults-helpers.ts';

/** Defaulting for the smaller groups: discovery.k8s.io/v1 and scheduling.k8s.io/v1. */

/** SetDefaults_EndpointPort: name '' and protocol TCP. */
export function defaultEndpointSlice(obj: KubeObject): void {
  for (const port of objectsAt(rootOf(obj), 'ports')) {
    port['name'] ??= '';
    setDefault(port, 'protocol', 'TCP');
  }
}

/** SetDefaults_PriorityClass. */
export function defaultPriorityClass(obj: KubeObject): void {
  setDefault(rootOf(obj), 'preemptionPolicy', 'PreemptLowerPriority');
}

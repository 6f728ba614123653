import type { JsonObject } from '../../api/index.ts';
import { isPodWrite, objectsIn, specOf } from './pod-fields.ts';
import type { AdmissionPlugin } from './types.ts';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

export interface DefaultTolerationSecondsOptions {
  /** Seconds a pod tolerates a not-ready node (kube-apiserver's default: 300). */
  readonly notReadySeconds?: number;
  /** Seconds a pod tolerates an unreachable node (default: 300). */
  readonly unreachableSeconds?: number;
}

/** Whether a toleration covers the NoExecute taint with this key (empty key/effect match all). */
function covers(t: JsonObject, key: string): boolean {
  const k = t['key'];
  const effect = t['effect'];
  const keyOk = k === undefined || k === '' || k === key;
  const effectOk = effect === undefined || effect === '' || effect === 'NoExecute';
  return keyOk && effectOk;
}

/**
 * DefaultTolerationSeconds: every pod tolerates the not-ready and unreachable NoExecute taints
 * for a while, so that a short node outage does not evict it at once.
 */
export function defaultTolerationSeconds(
  opts: DefaultTolerationSecondsOptions = {},
): AdmissionPlugin {
  const wanted: readonly [string, number][] = [
    [NOT_READY, opts.notReadySeconds ?? 300],
    [UNREACHABLE, opts.unreachableSeconds ?? 300],
  ];
  return {
    name: 'DefaultTolerationSeconds',
    admit(a) {
      if (!isPodWrite(a) || !a.object) return;
      const spec = specOf(a.object);
      const tolerations = objectsIn(spec, 'tolerations');
      const added: JsonObject[] = [];
      for (const [key, seconds] of wanted) {
        if (tolerations.some((t) => covers(t, key))) continue;
        added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
      }
      if (added.length === 0) return;
      const existing = Array.isArray(spec['tolerations']) ? spec['tolerations'] : [];
      spec['tolerations'] = [...existing, ...added];
    },
  };
}

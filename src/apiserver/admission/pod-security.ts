import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { errors } from '../errors.ts';
import { childObject } from './pod-fields.ts';
import {
  describeViolations,
  evaluatePod,
  type PodSecurityLevel,
  type PodView,
} from './pod-security-checks.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

const LABEL = 'pod-security.kubernetes.io/';
type Mode = 'enforce' | 'warn' | 'audit';

interface Policy {
  readonly level: PodSecurityLevel;
  readonly version: string;
}

const LEVELS = new Set<string>(['privileged', 'baseline', 'restricted']);

function policyFor(labels: Readonly<Record<string, string>>, mode: Mode): Policy {
  const raw = labels[`${LABEL}${mode}`];
  // SAFETY: membership in LEVELS checked.
  const level = raw !== undefined && LEVELS.has(raw) ? (raw as PodSecurityLevel) : 'privileged';
  return { level, version: labels[`${LABEL}${mode}-version`] ?? 'latest' };
}

/** Where a workload keeps its pod template; pods are their own. */
const TEMPLATE_PATHS: Readonly<Record<string, readonly string[]>> = {
  'apps/deployments': ['spec', 'template'],
  'apps/replicasets': ['spec', 'template'],
  'apps/statefulsets': ['spec', 'template'],
  'apps/daemonsets': ['spec', 'template'],
  'batch/jobs': ['spec', 'template'],
  'batch/cronjobs': ['spec', 'jobTemplate', 'spec', 'template'],
  '/replicationcontrollers': ['spec', 'template'],
  '/podtemplates': ['template'],
};

function podView(obj: Readonly<Record<string, unknown>> | undefined): PodView | undefined {
  if (!obj) return undefined;
  const meta = childObject(obj, 'metadata');
  const raw = childObject(meta, 'annotations') ?? {};
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'string') annotations[k] = v;
  return { annotations, spec: childObject(obj, 'spec') ?? {} };
}

function templateOf(obj: KubeObject, path: readonly string[]): JsonObject | undefined {
  let cur: Readonly<Record<string, unknown>> | undefined = obj;
  for (const p of path) cur = childObject(cur, p);
  return isJsonObject(cur) ? cur : undefined;
}

const sameSpec = (a: KubeObject | undefined, b: KubeObject | undefined): boolean =>
  JSON.stringify(a?.['spec']) === JSON.stringify(b?.['spec']);

/** A create, or an update that changes the spec, of a namespaced object itself. */
function isWrite(a: AdmissionAttributes): boolean {
  if (a.namespace === '' || a.subresource !== '') return false;
  if (a.operation === 'CREATE') return true;
  return a.operation === 'UPDATE' && !sameSpec(a.object, a.oldObject);
}

/** The pod (or workload template) a request puts in place, if it needs evaluating. */
function podTarget(a: AdmissionAttributes): { pod: PodView; isPod: boolean } | undefined {
  if (!a.object || !isWrite(a)) return undefined;
  const isPod = a.def.group === '' && a.def.resource === 'pods';
  const path = isPod ? [] : TEMPLATE_PATHS[`${a.def.group}/${a.def.resource}`];
  if (!path) return undefined;
  const pod = podView(isPod ? a.object : templateOf(a.object, path));
  return pod ? { pod, isPod } : undefined;
}

export interface PodSecurityOptions {
  readonly store: Store;
  /** Records an audit annotation for the request (the audit log's `annotations`). */
  readonly audit?: (attrs: AdmissionAttributes, key: string, value: string) => void;
}

function namespaceLabels(store: Store, ns: string): Readonly<Record<string, string>> {
  return store.get(`/namespaces/${ns}`)?.object.metadata.labels ?? {};
}

/**
 * PodSecurity: the Pod Security Standards per namespace label. `enforce` rejects pods,
 * `warn` returns Warning headers (for pods and workload templates), `audit` annotates the
 * audit event. Updates that do not change the pod spec are not re-evaluated.
 */
export function podSecurity(opts: PodSecurityOptions): AdmissionPlugin {
  const check = (a: AdmissionAttributes, isPod: boolean, pod: PodView): void => {
    const labels = namespaceLabels(opts.store, a.namespace);
    const enforce = policyFor(labels, 'enforce');
    const enforced = evaluatePod(enforce.level, pod);
    if (isPod && enforced.length > 0) {
      throw errors.forbidden(
        { group: a.def.group, resource: a.def.resource },
        a.name,
        `violates PodSecurity "${enforce.level}:${enforce.version}": ${describeViolations(enforced)}`,
      );
    }
    const warn = policyFor(labels, 'warn');
    const warned = evaluatePod(warn.level, pod);
    if (warned.length > 0) {
      a.warnings.push(
        `would violate PodSecurity "${warn.level}:${warn.version}": ${describeViolations(warned)}`,
      );
    }
    const audit = policyFor(labels, 'audit');
    const audited = evaluatePod(audit.level, pod);
    if (audited.length > 0 && opts.audit) {
      opts.audit(
        a,
        'pod-security.kubernetes.io/audit-violations',
        `would violate PodSecurity "${audit.level}:${audit.version}": ${describeViolations(audited)}`,
      );
    }
    if (enforce.level !== 'privileged' && isPod && opts.audit) {
      opts.audit(
        a,
        'pod-security.kubernetes.io/enforce-policy',
        `${enforce.level}:${enforce.version}`,
      );
    }
  };
  return {
    name: 'PodSecurity',
    validate(a) {
      const target = podTarget(a);
      if (target) check(a, target.isPod, target.pod);
    },
  };
}

import type { KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { errors } from '../errors.ts';
import { childObject, isPodWrite, specOf, stringAt } from './pod-fields.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

const PRIORITY_CLASSES = '/priorityclasses.scheduling.k8s.io/';

/** The classes kube-apiserver always serves, even before its bootstrap has stored them. */
const SYSTEM_CLASSES: Readonly<Record<string, number>> = {
  'system-node-critical': 2_000_001_000,
  'system-cluster-critical': 2_000_000_000,
};

interface Resolved {
  readonly name: string;
  readonly value: number;
  readonly preemptionPolicy: string | undefined;
}

function resolvedFrom(pc: KubeObject): Resolved {
  const value = pc['value'];
  const policy = pc['preemptionPolicy'];
  return {
    name: pc.metadata.name ?? '',
    value: typeof value === 'number' ? value : 0,
    preemptionPolicy: typeof policy === 'string' ? policy : undefined,
  };
}

/** The global default class; of several (a race), the one with the lowest value, as upstream. */
function defaultClass(store: Store): KubeObject | undefined {
  let best: KubeObject | undefined;
  for (const { object } of store.list(PRIORITY_CLASSES).items) {
    if (object['globalDefault'] !== true) continue;
    if (!best || Number(best['value']) > Number(object['value'])) best = object;
  }
  return best;
}

function lookup(store: Store, name: string): Resolved | undefined {
  const stored = store.get(`${PRIORITY_CLASSES}${name}`)?.object;
  if (stored) return resolvedFrom(stored);
  const system = SYSTEM_CLASSES[name];
  return system === undefined
    ? undefined
    : { name, value: system, preemptionPolicy: 'PreemptLowerPriority' };
}

const forbidden = (a: AdmissionAttributes, why: string): Error =>
  errors.forbidden({ group: a.def.group, resource: a.def.resource }, a.name, why);

function resolve(store: Store, a: AdmissionAttributes, className: string): Resolved {
  if (className === '') {
    const dpc = defaultClass(store);
    // Without a default class, pods get priority zero and may preempt.
    return dpc
      ? resolvedFrom(dpc)
      : { name: '', value: 0, preemptionPolicy: 'PreemptLowerPriority' };
  }
  const pc = lookup(store, className);
  if (!pc) throw forbidden(a, `no PriorityClass with name ${className} was found`);
  return pc;
}

function admitPodCreate(store: Store, a: AdmissionAttributes, pod: KubeObject): void {
  const spec = specOf(pod);
  const pc = resolve(store, a, stringAt(spec, 'priorityClassName') ?? '');
  if (pc.name !== '') spec['priorityClassName'] = pc.name;
  const given = spec['priority'];
  if (typeof given === 'number' && given !== pc.value) {
    throw forbidden(
      a,
      `the integer value of priority (${String(given)}) must not be provided in pod spec; priority admission controller computed ${String(pc.value)} from the given PriorityClass name`,
    );
  }
  spec['priority'] = pc.value;
  if (pc.preemptionPolicy === undefined) return;
  const policy = spec['preemptionPolicy'];
  if (typeof policy === 'string' && policy !== pc.preemptionPolicy) {
    throw forbidden(
      a,
      `the string value of PreemptionPolicy (${policy}) must not be provided in pod spec; priority admission controller computed ${pc.preemptionPolicy} from the given PriorityClass name`,
    );
  }
  spec['preemptionPolicy'] = pc.preemptionPolicy;
}

/** On update the computed fields carry over; validation then forbids changing them. */
function admitPodUpdate(pod: KubeObject, old: KubeObject | undefined): void {
  const spec = specOf(pod);
  const oldSpec = childObject(old, 'spec');
  for (const field of ['priority', 'preemptionPolicy']) {
    const before = oldSpec?.[field];
    if (spec[field] === undefined && before !== undefined) spec[field] = before;
  }
}

function isPriorityClass(a: AdmissionAttributes): boolean {
  return a.def.group === 'scheduling.k8s.io' && a.def.resource === 'priorityclasses';
}

/** Only one class may be the global default. */
function validatePriorityClass(store: Store, a: AdmissionAttributes): void {
  if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
  if (a.object?.['globalDefault'] !== true) return;
  const current = defaultClass(store);
  if (!current) return;
  const name = current.metadata.name ?? '';
  if (a.operation === 'CREATE' || name !== a.name) {
    throw forbidden(
      a,
      `PriorityClass ${name} is already marked as default. Only one default can exist`,
    );
  }
}

/**
 * Priority: resolves a pod's priorityClassName (or the global default class) into
 * spec.priority and spec.preemptionPolicy, and keeps a single global default class.
 */
export function priorityAdmission(store: Store): AdmissionPlugin {
  return {
    name: 'Priority',
    admit(a) {
      if (!isPodWrite(a) || !a.object) return;
      if (a.operation === 'CREATE') admitPodCreate(store, a, a.object);
      else admitPodUpdate(a.object, a.oldObject);
    },
    validate(a) {
      if (isPriorityClass(a) && a.subresource === '') validatePriorityClass(store, a);
    },
  };
}

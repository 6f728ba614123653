import type { NodeSelectorTerm, Taint, Toleration } from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.ts';
import { matchesNodeSelectorTerms, tolerationsTolerate } from '../scheduler/selectors.ts';
import type { PodTemplate } from './deployment-objects.ts';

export interface DaemonPodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  hostNetwork?: boolean;
  tolerations?: Toleration[];
  affinity?: {
    nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
      preferredDuringSchedulingIgnoredDuringExecution?: unknown[];
    };
    [k: string]: unknown;
  };
  [k: string]: unknown;
}

export interface NodeView extends KubeObject {
  spec?: { taints?: Taint[]; unschedulable?: boolean };
}

/** Nodes come from the API server; their optional fields are read as optional. */
export const asNode = (o: KubeObject): NodeView => o;

/** A pod template's spec is a PodSpec; only the fields above are read, as optional. */
export const daemonPodSpec = (t: PodTemplate): DaemonPodSpec => t.spec ?? {};

const NO_EXECUTE_KEYS = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable'];
const NO_SCHEDULE_KEYS = [
  'node.kubernetes.io/disk-pressure',
  'node.kubernetes.io/memory-pressure',
  'node.kubernetes.io/pid-pressure',
  'node.kubernetes.io/unschedulable',
];
const NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/**
 * util.AddOrUpdateDaemonPodTolerations: daemon pods ride out node conditions that would evict
 * or keep away ordinary pods. An existing toleration for the same key and effect is replaced.
 */
export function daemonTolerations(spec: DaemonPodSpec): Toleration[] {
  const added: Toleration[] = [
    ...NO_EXECUTE_KEYS.map((key) => ({ key, operator: 'Exists', effect: 'NoExecute' })),
    ...NO_SCHEDULE_KEYS.map((key) => ({ key, operator: 'Exists', effect: 'NoSchedule' })),
  ];
  if (spec.hostNetwork === true)
    added.push({ key: NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
  const kept = (spec.tolerations ?? []).filter(
    (t) => !added.some((a) => a.key === t.key && a.effect === t.effect),
  );
  return [...kept, ...added];
}

/**
 * util.ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes one term
 * matching the node's name by field, so the default scheduler places the pod there.
 */
export function withNodeNameAffinity(spec: DaemonPodSpec, nodeName: string): DaemonPodSpec {
  const term: NodeSelectorTerm = {
    matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }],
  };
  const affinity = spec.affinity ?? {};
  return {
    ...spec,
    affinity: {
      ...affinity,
      nodeAffinity: {
        ...affinity.nodeAffinity,
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [term] },
      },
    },
  };
}

function nameFromAffinity(spec: DaemonPodSpec): string | undefined {
  const terms =
    spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution
      ?.nodeSelectorTerms ?? [];
  const field = terms
    .flatMap((t) => t.matchFields ?? [])
    .find((f) => f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1);
  return field?.values?.[0];
}

/** util.GetTargetNodeName: the bound node, else the one the name affinity asks for. */
export function targetNodeName(pod: KubeObject): string | undefined {
  // SAFETY: a pod's spec is a PodSpec; only optional fields are read.
  const spec = (pod['spec'] ?? {}) as DaemonPodSpec;
  if (spec.nodeName !== undefined && spec.nodeName !== '') return spec.nodeName;
  return nameFromAffinity(spec);
}

export interface NodeVerdict {
  /** A daemon pod should be created on the node. */
  readonly shouldRun: boolean;
  /** A daemon pod already there may stay. */
  readonly shouldContinueRunning: boolean;
}

function fitsAffinity(spec: DaemonPodSpec, node: NodeView): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required === undefined) return true;
  return matchesNodeSelectorTerms(required.nodeSelectorTerms, {
    name: node.metadata.name ?? '',
    labels,
  });
}

/**
 * NodeShouldRunDaemonPod: node name, node selector and required affinity decide both answers;
 * an untolerated NoSchedule taint keeps new pods away but lets a running one stay, an
 * untolerated NoExecute taint removes it.
 */
export function nodeShouldRunDaemonPod(template: PodTemplate, node: NodeView): NodeVerdict {
  const spec = daemonPodSpec(template);
  const name = node.metadata.name ?? '';
  const no = { shouldRun: false, shouldContinueRunning: false };
  if (spec.nodeName !== undefined && spec.nodeName !== '' && spec.nodeName !== name) return no;
  if (!fitsAffinity(spec, node)) return no;
  const tolerations = daemonTolerations(spec);
  const untolerated = (node.spec?.taints ?? []).filter(
    (t) =>
      (t.effect === 'NoSchedule' || t.effect === 'NoExecute') &&
      !tolerationsTolerate(tolerations, t),
  );
  if (untolerated.length === 0) return { shouldRun: true, shouldContinueRunning: true };
  return {
    shouldRun: false,
    shouldContinueRunning: !untolerated.some((t) => t.effect === 'NoExecute'),
  };
}

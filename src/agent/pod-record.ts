import type { KubeObject } from '../api/index.ts';
import type { ContainerStatus, SandboxInfo } from '../runtime/index.ts';
import {
  parsePodSpec,
  type ContainerSpec,
  type PodSpecModel,
  type ProbeKind,
} from './pod-model.ts';

/** The kubelet's restart back-off for one container (or its image pulls). */
export interface Backoff {
  ms: number;
  /** When it was last moved on (the exit that set it). */
  lastUpdate: number;
}

export interface Waiting {
  readonly reason: string;
  readonly message?: string;
}

/** What the agent knows about one container of a pod, across its restarts. */
export interface ContainerRecord {
  readonly spec: ContainerSpec;
  readonly init: boolean;
  /** An init container with restartPolicy Always: a native sidecar. */
  readonly sidecar: boolean;
  id: string | undefined;
  current: ContainerStatus | undefined;
  /** The container before the current one, kept for `logs --previous` and lastState. */
  previousId: string | undefined;
  previous: ContainerStatus | undefined;
  restartCount: number;
  imageId: string;
  waiting: Waiting | undefined;
  /** A pull, create, start or stop is in flight; syncs leave the container alone. */
  busy: boolean;
  backoff: Backoff | undefined;
  imageBackoff: (Backoff & { until: number }) | undefined;
  started: boolean;
  ready: boolean;
  failures: Record<ProbeKind, number>;
  nextProbe: Partial<Record<ProbeKind, number>>;
}

/** One pod the agent runs: its spec, sandbox and containers. */
export interface PodRecord {
  readonly key: string;
  readonly uid: string;
  readonly node: string;
  pod: KubeObject;
  spec: PodSpecModel;
  sandbox: SandboxInfo | undefined;
  startTime: number;
  containers: ContainerRecord[];
  /** Condition type → its status and when that last changed. */
  readonly transitions: Map<string, { status: string; at: number }>;
  /** A restartPolicy Never pod whose init container failed. */
  initFailed: boolean;
  terminating: Promise<void> | undefined;
  lastWritten: string;
}

function containerRecord(spec: ContainerSpec, init: boolean): ContainerRecord {
  return {
    spec,
    init,
    sidecar: init && spec.restartPolicy === 'Always',
    id: undefined,
    current: undefined,
    previousId: undefined,
    previous: undefined,
    restartCount: 0,
    imageId: '',
    waiting: undefined,
    busy: false,
    backoff: undefined,
    imageBackoff: undefined,
    started: false,
    ready: false,
    failures: { startup: 0, readiness: 0, liveness: 0 },
    nextProbe: {},
  };
}

export function podRecord(a: { key: string; pod: KubeObject; now: number }): PodRecord {
  const spec = parsePodSpec(a.pod);
  return {
    key: a.key,
    uid: a.pod.metadata.uid ?? '',
    node: spec.nodeName,
    pod: a.pod,
    spec,
    sandbox: undefined,
    startTime: a.now,
    containers: [
      ...spec.initContainers.map((c) => containerRecord(c, true)),
      ...spec.containers.map((c) => containerRecord(c, false)),
    ],
    transitions: new Map(),
    initFailed: false,
    terminating: undefined,
    lastWritten: '',
  };
}

/** `name_namespace(uid)`, as the kubelet's format.Pod names a pod in messages. */
export function podDescription(rec: PodRecord): string {
  return `${rec.pod.metadata.name ?? ''}_${rec.pod.metadata.namespace ?? ''}(${rec.uid})`;
}

export function fieldPath(c: ContainerRecord): string {
  return `spec.${c.init ? 'initContainers' : 'containers'}{${c.spec.name}}`;
}

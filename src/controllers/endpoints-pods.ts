import type { KubeObject } from '../api/index.ts';
import {
  Informer,
  objectKey,
  type KubeClient,
  type Sleep,
  type WorkQueue,
} from '../client/index.ts';
import { matchesSelector, parseTime } from './deployment-objects.ts';

/** The parts of core/v1 Services and Pods the endpoints controllers read. */

export interface ServicePort {
  name?: string;
  port: number;
  protocol?: string;
  appProtocol?: string;
  targetPort?: number | string;
}

export interface Service extends KubeObject {
  spec?: {
    selector?: Record<string, string> | null;
    type?: string;
    clusterIP?: string;
    ports?: ServicePort[];
    publishNotReadyAddresses?: boolean;
  };
}

interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
}

interface PodCondition {
  type: string;
  status: string;
  lastTransitionTime?: string;
}

export interface EndpointPod extends KubeObject {
  spec?: {
    nodeName?: string;
    hostname?: string;
    subdomain?: string;
    restartPolicy?: string;
    containers?: { ports?: ContainerPort[] }[];
    initContainers?: { ports?: ContainerPort[]; restartPolicy?: string }[];
  };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    conditions?: PodCondition[];
  };
}

// The API server validated these objects; their fields are all read as optional.
export const asService = (o: KubeObject): Service => o;
export const asEndpointPod = (o: KubeObject): EndpointPod => o;

export const TRIGGER_TIME_ANNOTATION = 'endpoints.kubernetes.io/last-change-trigger-time';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

export function podIp(pod: EndpointPod): string | undefined {
  const ip = pod.status?.podIP ?? pod.status?.podIPs?.[0]?.ip;
  return ip === '' ? undefined : ip;
}

export function isReady(pod: EndpointPod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** endpointsliceutil.ShouldPodBeInEndpoints. */
export function shouldPodBeInEndpoints(pod: EndpointPod, includeTerminating: boolean): boolean {
  if (podIp(pod) === undefined) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp !== undefined) return false;
  const phase = pod.status?.phase;
  const policy = pod.spec?.restartPolicy ?? 'Always';
  if (policy === 'Never') return phase !== 'Failed' && phase !== 'Succeeded';
  if (policy === 'OnFailure') return phase !== 'Succeeded';
  return true;
}

/** podutil.FindPort: a named target port looks in containers and sidecars; a number is itself. */
export function findPort(pod: EndpointPod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  const protocol = sp.protocol ?? 'TCP';
  return containerPorts(pod).find((p) => p.name === target && (p.protocol ?? 'TCP') === protocol)
    ?.containerPort;
}

function containerPorts(pod: EndpointPod): ContainerPort[] {
  const sidecars = (pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  return [...(pod.spec?.containers ?? []), ...sidecars].flatMap((c) => c.ports ?? []);
}

/** endpointsliceutil.ShouldSetHostname. */
export function shouldSetHostname(pod: EndpointPod, svc: Service): boolean {
  const hostname = pod.spec?.hostname ?? '';
  return (
    hostname !== '' &&
    pod.spec?.subdomain === svc.metadata.name &&
    pod.metadata.namespace === svc.metadata.namespace
  );
}

export function isHeadless(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? '';
  return ip === '' || ip === 'None';
}

export function selectorOf(svc: Service): Record<string, string> | undefined {
  const sel = svc.spec?.selector;
  // An empty selector is stored as none upstream (protobuf drops empty maps).
  return sel === null || sel === undefined || Object.keys(sel).length === 0 ? undefined : sel;
}

export function podsForService(pods: readonly KubeObject[], svc: Service): EndpointPod[] {
  const sel = selectorOf(svc);
  if (sel === undefined) return [];
  return pods
    .filter(
      (p) =>
        p.metadata.namespace === svc.metadata.namespace &&
        matchesSelector({ matchLabels: sel }, p.metadata.labels),
    )
    .map(asEndpointPod);
}

/** EndpointPort from a ServicePort and the port resolved on one pod. */
export function endpointPort(sp: ServicePort, port: number): Record<string, unknown> {
  return {
    ...(sp.name === undefined || sp.name === '' ? {} : { name: sp.name }),
    port,
    protocol: sp.protocol ?? 'TCP',
    ...(sp.appProtocol === undefined ? {} : { appProtocol: sp.appProtocol }),
  };
}

export function podRef(pod: EndpointPod): Record<string, unknown> {
  return {
    kind: 'Pod',
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    uid: pod.metadata.uid,
  };
}

interface TriggerState {
  pods: Map<string, number>;
  service: number;
}

/**
 * endpointutil.TriggerTimeTracker: the earliest pod Ready transition or service creation
 * that changed since the service's last sync, for the last-change-trigger-time annotation.
 */
export class TriggerTimeTracker {
  readonly #states = new Map<string, TriggerState>();

  compute(svc: Service, pods: readonly EndpointPod[]): number | undefined {
    const key = objectKey(svc);
    const state = this.#states.get(key) ?? { pods: new Map<string, number>(), service: 0 };
    let min: number | undefined;
    const note = (t: number): void => {
      min = min === undefined ? t : Math.min(min, t);
    };
    const next = new Map<string, number>();
    for (const pod of pods) {
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const t = parseTime(ready?.lastTransitionTime);
      if (t === undefined) continue;
      const name = pod.metadata.name ?? '';
      next.set(name, t);
      if (t > (state.pods.get(name) ?? 0)) note(t);
    }
    const created = parseTime(svc.metadata.creationTimestamp) ?? 0;
    if (created > state.service) note(created);
    this.#states.set(key, { pods: next, service: created });
    return min;
  }

  forget(key: string): void {
    this.#states.delete(key);
  }
}

/** RFC 3339 with nanosecond precision trimmed as Go's RFC3339Nano does. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
}

/**
 * The service and pod informers both endpoints controllers run: a service change queues the
 * service; a pod change queues every service in its namespace that selects it, before or after.
 */
export function servicePodInformers(opts: {
  client: KubeClient;
  sleep: Sleep;
  queue: () => WorkQueue | undefined;
}): { services: Informer; pods: Informer } {
  const enqueue = (o: KubeObject): void => {
    opts.queue()?.add(objectKey(o));
  };
  const services: Informer = new Informer({
    client: opts.client,
    path: '/api/v1/services',
    sleep: opts.sleep,
    handlers: { onChange: enqueue, onDelete: enqueue },
  });
  const onPod = (pod: KubeObject, old?: KubeObject): void => {
    for (const s of services.list()) {
      if (s.metadata.namespace !== pod.metadata.namespace) continue;
      const sel = selectorOf(asService(s));
      if (sel === undefined) continue;
      const m = { matchLabels: sel };
      if (
        matchesSelector(m, pod.metadata.labels) ||
        (old !== undefined && matchesSelector(m, old.metadata.labels))
      )
        enqueue(s);
    }
  };
  const pods = new Informer({
    client: opts.client,
    path: '/api/v1/pods',
    sleep: opts.sleep,
    handlers: {
      onChange: onPod,
      onDelete: (p) => {
        onPod(p);
      },
    },
  });
  return { services, pods };
}

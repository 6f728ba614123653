import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/index.ts';
import {
  ApiStatusError,
  Informer,
  isNotFound,
  objectKey,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import {
  asService,
  endpointPort,
  findPort,
  HEADLESS_LABEL,
  isHeadless,
  isReady,
  podIp,
  podRef,
  podsForService,
  rfc3339Nano,
  selectorOf,
  servicePodInformers,
  shouldPodBeInEndpoints,
  shouldSetHostname,
  TRIGGER_TIME_ANNOTATION,
  TriggerTimeTracker,
  type EndpointPod,
  type Service,
} from './endpoints-pods.ts';
import { cloneJson } from '../util/index.ts';

export interface EndpointsControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  readonly workers?: number;
}

const OVER_CAPACITY_ANNOTATION = 'endpoints.kubernetes.io/over-capacity';
/** The most addresses one Endpoints object carries; the rest are truncated. */
const MAX_CAPACITY = 1000;

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef: Record<string, unknown>;
}

type EndpointPortObj = Record<string, unknown>;

export interface EndpointSubset {
  addresses?: EndpointAddress[];
  notReadyAddresses?: EndpointAddress[];
  ports?: EndpointPortObj[];
}

interface Entry {
  readonly address: EndpointAddress;
  readonly ready: boolean;
  /** undefined: a headless service without ports. */
  readonly port: EndpointPortObj | undefined;
}

function addressOf(pod: EndpointPod, svc: Service): EndpointAddress | undefined {
  const ip = podIp(pod);
  if (ip === undefined) return undefined;
  const node = pod.spec?.nodeName ?? '';
  return {
    ip,
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec?.hostname ?? '' } : {}),
    ...(node === '' ? {} : { nodeName: node }),
    targetRef: podRef(pod),
  };
}

function entriesFor(svc: Service, pods: readonly EndpointPod[]): Entry[] {
  return pods.flatMap((pod) => entriesForPod(svc, pod));
}

function entriesForPod(svc: Service, pod: EndpointPod): Entry[] {
  const tolerate = svc.spec?.publishNotReadyAddresses === true;
  if (!shouldPodBeInEndpoints(pod, tolerate)) return [];
  const address = addressOf(pod, svc);
  if (!address) return [];
  const ready = tolerate || isReady(pod);
  const ports = svc.spec?.ports ?? [];
  // A headless service may have no ports; any other one without ports gets no endpoints.
  if (ports.length === 0)
    return svc.spec?.clusterIP === 'None' ? [{ address, ready, port: undefined }] : [];
  return ports.flatMap((sp) => {
    const n = findPort(pod, sp);
    return n === undefined ? [] : [{ address, ready, port: endpointPort(sp, n) }];
  });
}

/** A copy of `map` with `key` set to `value`, or removed when `value` is undefined. */
function withKey(
  map: Readonly<Record<string, string>> | undefined,
  key: string,
  value: string | undefined,
): Record<string, string> {
  const out = Object.fromEntries(Object.entries(map ?? {}).filter(([k]) => k !== key));
  if (value !== undefined) out[key] = value;
  return out;
}

const addrKey = (a: EndpointAddress): string => `${a.ip}\u0000${String(a.targetRef['uid'])}`;
const portKey = (p: EndpointPortObj | undefined): string => JSON.stringify(p ?? null);

function byAddress(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return a.ip < b.ip ? -1 : 1;
  return String(a.targetRef['uid']).localeCompare(String(b.targetRef['uid']));
}

/**
 * endpoints.RepackSubsets: ports offered by the same set of addresses (with the same
 * readiness) share one subset; an address ready on a port is never also not-ready there.
 */
export function repackSubsets(entries: readonly Entry[]): EndpointSubset[] {
  const byPort = new Map<
    string,
    { port: EndpointPortObj | undefined; addrs: Map<string, Entry> }
  >();
  for (const e of entries) {
    const k = portKey(e.port);
    let slot = byPort.get(k);
    if (!slot) {
      slot = { port: e.port, addrs: new Map() };
      byPort.set(k, slot);
    }
    const ak = addrKey(e.address);
    const prev = slot.addrs.get(ak);
    if (!prev || (!prev.ready && e.ready)) slot.addrs.set(ak, e);
  }
  const groups = new Map<string, { addrs: Entry[]; ports: EndpointPortObj[] }>();
  for (const slot of byPort.values()) {
    const addrs = [...slot.addrs.values()].sort((a, b) => byAddress(a.address, b.address));
    const k = addrs.map((a) => `${addrKey(a.address)}\u0000${String(a.ready)}`).join('|');
    let g = groups.get(k);
    if (!g) {
      g = { addrs, ports: [] };
      groups.set(k, g);
    }
    if (slot.port) g.ports.push(slot.port);
  }
  const subsets = [...groups.values()].map((g) => toSubset(g.addrs, g.ports));
  return subsets.sort((a, b) => firstIp(a).localeCompare(firstIp(b)));
}

function toSubset(addrs: readonly Entry[], ports: EndpointPortObj[]): EndpointSubset {
  const ready = addrs.filter((a) => a.ready).map((a) => a.address);
  const notReady = addrs.filter((a) => !a.ready).map((a) => a.address);
  ports.sort((a, b) => portKey(a).localeCompare(portKey(b)));
  return {
    ...(ready.length > 0 ? { addresses: ready } : {}),
    ...(notReady.length > 0 ? { notReadyAddresses: notReady } : {}),
    ...(ports.length > 0 ? { ports } : {}),
  };
}

function firstIp(s: EndpointSubset): string {
  return s.addresses?.[0]?.ip ?? s.notReadyAddresses?.[0]?.ip ?? '';
}

function countAddresses(subsets: readonly EndpointSubset[]): { ready: number; notReady: number } {
  let ready = 0;
  let notReady = 0;
  for (const s of subsets) {
    ready += s.addresses?.length ?? 0;
    notReady += s.notReadyAddresses?.length ?? 0;
  }
  return { ready, notReady };
}

/**
 * endpoints controller's truncateEndpoints: past 1000 addresses, not-ready ones go first, each
 * subset keeping its share; returns whether anything was cut.
 */
export function truncateSubsets(subsets: EndpointSubset[]): boolean {
  const { ready, notReady } = countAddresses(subsets);
  if (ready + notReady <= MAX_CAPACITY) return false;
  const cutReady = ready > MAX_CAPACITY;
  const max = cutReady ? MAX_CAPACITY : MAX_CAPACITY - ready;
  const total = cutReady ? ready : notReady;
  let room = max;
  subsets.forEach((s, i) => {
    const n = (cutReady ? s.addresses : s.notReadyAddresses)?.length ?? 0;
    let take = i < subsets.length - 1 ? Math.ceil((n / total) * max) : room;
    take = Math.min(take, room);
    if (cutReady) {
      s.addresses = (s.addresses ?? []).slice(0, take);
      delete s.notReadyAddresses;
      room -= s.addresses.length;
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, take);
      room -= s.notReadyAddresses.length;
    }
  });
  return true;
}

function labelsFor(svc: Service): Record<string, string> {
  return withKey(svc.metadata.labels, HEADLESS_LABEL, isHeadless(svc) ? '' : undefined);
}

function withoutHeadless(labels: Record<string, string> | undefined): Record<string, string> {
  return withKey(labels, HEADLESS_LABEL, undefined);
}

function upToDate(current: KubeObject, subsets: EndpointSubset[], svc: Service): boolean {
  // SAFETY: Endpoints objects carry subsets of this shape; compared structurally only.
  const have = (current['subsets'] ?? []) as EndpointSubset[];
  const { ready, notReady } = countAddresses(have);
  return (
    isDeepStrictEqual(have, subsets) &&
    isDeepStrictEqual(withoutHeadless(current.metadata.labels), { ...svc.metadata.labels }) &&
    ready + notReady <= MAX_CAPACITY &&
    current.metadata.annotations?.[OVER_CAPACITY_ANNOTATION] === undefined
  );
}

function endpointsObject(a: {
  svc: Service;
  current: KubeObject | undefined;
  subsets: EndpointSubset[];
  trigger: number | undefined;
}): KubeObject {
  const subsets = cloneJson(a.subsets);
  const truncated = truncateSubsets(subsets);
  let annotations = withKey(
    a.current?.metadata.annotations,
    TRIGGER_TIME_ANNOTATION,
    a.trigger === undefined ? undefined : rfc3339Nano(a.trigger),
  );
  annotations = withKey(annotations, OVER_CAPACITY_ANNOTATION, truncated ? 'truncated' : undefined);
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: {
      ...a.current?.metadata,
      name: a.svc.metadata.name ?? '',
      namespace: a.svc.metadata.namespace ?? '',
      labels: labelsFor(a.svc),
      annotations,
    },
    ...(subsets.length > 0 ? { subsets } : {}),
  };
}

/**
 * kube-controller-manager's endpoints controller: each Service with a selector gets an
 * Endpoints object of the same name listing its pods' addresses by readiness and port.
 */
export class EndpointsController {
  readonly #opts: EndpointsControllerOptions;
  readonly #tracker = new TriggerTimeTracker();
  #services: Informer | undefined;
  #pods: Informer | undefined;
  #endpoints: Informer | undefined;

  constructor(opts: EndpointsControllerOptions) {
    this.#opts = opts;
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const { services, pods } = servicePodInformers({
      client: this.#opts.client,
      sleep: this.#opts.sleep,
      queue: () => queue,
    });
    // A deleted Endpoints object is recreated; leftovers of deleted services found at
    // start-up are removed (upstream's checkLeftoverEndpoints).
    const endpoints = new Informer({
      client: this.#opts.client,
      path: '/api/v1/endpoints',
      sleep: this.#opts.sleep,
      handlers: {
        onDelete: (o) => {
          queue.add(objectKey(o));
        },
      },
    });
    this.#services = services;
    this.#pods = pods;
    this.#endpoints = endpoints;
    const start = async (): Promise<void> => {
      await Promise.all([services.waitForSync(), pods.waitForSync(), endpoints.waitForSync()]);
      for (const ep of endpoints.list()) queue.add(objectKey(ep));
      await runWorkers({
        queue,
        workers: this.#opts.workers ?? 2,
        reconcile: (k) => this.reconcile(k),
      });
    };
    await Promise.all([services.run(signal), pods.run(signal), endpoints.run(signal), start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const obj = this.#services?.get(key);
    if (!obj) {
      await this.#deleteLeftover(key);
      return undefined;
    }
    const svc = asService(obj);
    if (svc.spec?.type === 'ExternalName' || selectorOf(svc) === undefined) return undefined;
    const pods = podsForService(this.#pods?.list() ?? [], svc);
    const trigger = this.#tracker.compute(svc, pods);
    const subsets = repackSubsets(entriesFor(svc, pods));
    const current = this.#endpoints?.get(key);
    if (current && upToDate(current, subsets, svc)) return undefined;
    await this.#write({ svc, current, subsets, trigger });
    return undefined;
  }

  /** The service is gone: so is its Endpoints object. */
  async #deleteLeftover(key: string): Promise<void> {
    this.#tracker.forget(key);
    if (this.#endpoints?.get(key) === undefined) return;
    const [ns = '', name = ''] = key.split('/');
    try {
      await this.#opts.client.delete(`/api/v1/namespaces/${ns}/endpoints/${name}`);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }

  async #write(a: {
    svc: Service;
    current: KubeObject | undefined;
    subsets: EndpointSubset[];
    trigger: number | undefined;
  }): Promise<void> {
    const obj = endpointsObject(a);
    const ns = a.svc.metadata.namespace ?? '';
    const name = a.svc.metadata.name ?? '';
    const client = this.#opts.client;
    try {
      if (a.current) await client.update(`/api/v1/namespaces/${ns}/endpoints/${name}`, obj);
      else await client.create(`/api/v1/namespaces/${ns}/endpoints`, obj);
    } catch (e: unknown) {
      // A terminating namespace forbids creates; its services are going away anyway.
      if (!a.current && e instanceof ApiStatusError && e.httpStatus === 403) return;
      throw e;
    }
  }
}

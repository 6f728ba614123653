import { isDeepStrictEqual } from 'node:util';
import type { KubeObject } from '../api/index.ts';
import {
  ApiStatusError,
  Informer,
  isNotFound,
  runWorkers,
  WorkQueue,
  type KubeClient,
  type ReconcileResult,
  type Sleep,
} from '../client/index.ts';
import {
  asService,
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
import {
  asSlice,
  planSlices,
  portsKey,
  type PortGroup,
  type Slice,
  type SliceEndpoint,
  type SlicePlan,
  type SlicePort,
} from './endpointslice-plan.ts';
import { systemClock, type Clock } from '../util/index.ts';

export interface EndpointSliceControllerOptions {
  readonly client: KubeClient;
  readonly sleep: Sleep;
  /** Bounds how long the controller waits to see its own writes. */
  readonly clock?: Clock;
  readonly workers?: number;
}

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** podToEndpoint: a terminating pod is never ready unless the service publishes not-ready. */
function endpointFor(a: {
  pod: EndpointPod;
  svc: Service;
  ip: string;
  zone: string | undefined;
}): SliceEndpoint {
  const { pod, svc } = a;
  const serving = isReady(pod);
  const terminating = pod.metadata.deletionTimestamp !== undefined;
  const ready = svc.spec?.publishNotReadyAddresses === true || (serving && !terminating);
  const node = pod.spec?.nodeName ?? '';
  return {
    addresses: [a.ip],
    conditions: { ready, serving, terminating },
    ...(shouldSetHostname(pod, svc) ? { hostname: pod.spec?.hostname ?? '' } : {}),
    targetRef: podRef(pod),
    ...(node === '' ? {} : { nodeName: node }),
    ...(a.zone === undefined || a.zone === '' ? {} : { zone: a.zone }),
  };
}

/** getEndpointPorts: every service port the pod resolves; names are always present. */
function portsFor(pod: EndpointPod, svc: Service): SlicePort[] {
  return (svc.spec?.ports ?? []).flatMap((sp) => {
    const port = findPort(pod, sp);
    if (port === undefined) return [];
    return [
      {
        name: sp.name ?? '',
        port,
        protocol: sp.protocol ?? 'TCP',
        ...(sp.appProtocol === undefined ? {} : { appProtocol: sp.appProtocol }),
      },
    ];
  });
}

function isIpv4(ip: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);
}

function sliceLabels(svc: Service): Record<string, string> {
  const labels = Object.fromEntries(
    Object.entries(svc.metadata.labels ?? {}).filter(([k]) => k !== HEADLESS_LABEL),
  );
  labels[SERVICE_NAME_LABEL] = svc.metadata.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (isHeadless(svc)) labels[HEADLESS_LABEL] = '';
  return labels;
}

/** What a written slice must look like in the cache before the service is looked at again. */
interface Expected {
  readonly revision: number | 'deleted';
  readonly until: number;
}

/**
 * endpointSliceTracker in small: our own writes reach the informer later, and acting on a
 * cache without them would create duplicate slices.
 */
class SliceExpectations {
  readonly #byService = new Map<string, Map<string, Expected>>();
  readonly #clock: Clock;
  constructor(clock: Clock) {
    this.#clock = clock;
  }

  expect(service: string, slice: KubeObject | string, deleted = false): void {
    const name = typeof slice === 'string' ? slice : (slice.metadata.name ?? '');
    const rv = typeof slice === 'string' ? 0 : Number(slice.metadata.resourceVersion ?? '0');
    let m = this.#byService.get(service);
    if (!m) {
      m = new Map();
      this.#byService.set(service, m);
    }
    m.set(name, { revision: deleted ? 'deleted' : rv, until: this.#clock.now() + 5000 });
  }

  satisfied(service: string, cache: (name: string) => KubeObject | undefined): boolean {
    const m = this.#byService.get(service);
    if (!m) return true;
    for (const [name, e] of m) {
      const cached = cache(name);
      const seen =
        e.revision === 'deleted'
          ? cached === undefined
          : Number(cached?.metadata.resourceVersion ?? '-1') >= e.revision;
      if (seen || e.until < this.#clock.now()) m.delete(name);
    }
    if (m.size === 0) this.#byService.delete(service);
    return m.size === 0;
  }
}

/**
 * kube-controller-manager's EndpointSlice controller: each Service with a selector gets IPv4
 * EndpointSlices `<service>-<suffix>` of at most 100 endpoints, grouped by resolved ports.
 */
export class EndpointSliceController {
  readonly #opts: EndpointSliceControllerOptions;
  readonly #tracker = new TriggerTimeTracker();
  readonly #expectations: SliceExpectations;
  #services: Informer | undefined;
  #pods: Informer | undefined;
  #slices: Informer | undefined;
  #nodes: Informer | undefined;

  constructor(opts: EndpointSliceControllerOptions) {
    this.#opts = opts;
    this.#expectations = new SliceExpectations(opts.clock ?? systemClock);
  }

  async run(signal: AbortSignal): Promise<void> {
    const queue = new WorkQueue({ sleep: this.#opts.sleep, signal });
    const { services, pods } = servicePodInformers({
      client: this.#opts.client,
      sleep: this.#opts.sleep,
      queue: () => queue,
    });
    const onSlice = (s: KubeObject): void => {
      const svc = s.metadata.labels?.[SERVICE_NAME_LABEL];
      if (svc !== undefined) queue.add(`${s.metadata.namespace ?? ''}/${svc}`);
    };
    const slices = new Informer({
      client: this.#opts.client,
      path: '/apis/discovery.k8s.io/v1/endpointslices',
      query: { labelSelector: `${MANAGED_BY_LABEL}=${CONTROLLER_NAME}` },
      sleep: this.#opts.sleep,
      handlers: { onChange: onSlice, onDelete: onSlice },
    });
    const nodes = new Informer({
      client: this.#opts.client,
      path: '/api/v1/nodes',
      sleep: this.#opts.sleep,
      handlers: {},
    });
    this.#services = services;
    this.#pods = pods;
    this.#slices = slices;
    this.#nodes = nodes;
    const start = async (): Promise<void> => {
      await Promise.all([services, pods, slices, nodes].map((i) => i.waitForSync()));
      await runWorkers({
        queue,
        workers: this.#opts.workers ?? 2,
        reconcile: (k) => this.reconcile(k),
      });
    };
    await Promise.all([...[services, pods, slices, nodes].map((i) => i.run(signal)), start()]);
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const obj = this.#services?.get(key);
    // A deleted service's slices go with it through their owner reference.
    if (!obj) {
      this.#tracker.forget(key);
      return undefined;
    }
    const svc = asService(obj);
    if (svc.spec?.type === 'ExternalName' || selectorOf(svc) === undefined) return undefined;
    const ns = svc.metadata.namespace ?? '';
    if (!this.#expectations.satisfied(key, (n) => this.#slices?.get(`${ns}/${n}`)))
      return { requeueAfterMs: 20 };
    const pods = podsForService(this.#pods?.list() ?? [], svc);
    const trigger = this.#tracker.compute(svc, pods);
    const labels = sliceLabels(svc);
    const plan = planSlices(this.#desired(svc, pods), this.#existing(svc), (s) =>
      isDeepStrictEqual(s.metadata.labels ?? {}, labels),
    );
    const annotations =
      trigger === undefined ? undefined : { [TRIGGER_TIME_ANNOTATION]: rfc3339Nano(trigger) };
    await this.#apply({ key, svc, plan, labels, annotations });
    return undefined;
  }

  #existing(svc: Service): Slice[] {
    return (this.#slices?.list() ?? [])
      .filter(
        (s) =>
          s.metadata.namespace === svc.metadata.namespace &&
          s.metadata.labels?.[SERVICE_NAME_LABEL] === svc.metadata.name &&
          s.metadata.deletionTimestamp === undefined,
      )
      .map(asSlice);
  }

  async #apply(a: {
    key: string;
    svc: Service;
    plan: SlicePlan;
    labels: Record<string, string>;
    annotations: Record<string, string> | undefined;
  }): Promise<void> {
    const { key, svc, plan, labels, annotations } = a;
    const base = `/apis/discovery.k8s.io/v1/namespaces/${svc.metadata.namespace ?? ''}/endpointslices`;
    const expect = (o: KubeObject | undefined): void => {
      if (o) this.#expectations.expect(key, o);
    };
    for (const g of plan.create)
      expect(await this.#create(base, { svc, group: g, labels, annotations }));
    for (const u of plan.update) {
      const name = u.slice.metadata.name ?? '';
      const meta = u.slice.metadata;
      const written = await this.#opts.client.update(`${base}/${name}`, {
        ...u.slice,
        metadata: { ...meta, labels, annotations: { ...meta.annotations, ...annotations } },
        endpoints: u.endpoints,
      });
      expect(written);
    }
    for (const s of plan.delete) {
      const name = s.metadata.name ?? '';
      await this.#delete(`${base}/${name}`);
      this.#expectations.expect(key, name, true);
    }
  }

  #desired(svc: Service, pods: readonly EndpointPod[]): PortGroup[] {
    const groups = new Map<string, PortGroup>();
    const sorted = [...pods].sort((a, b) =>
      (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
    for (const pod of sorted) {
      const ip = podIp(pod);
      if (ip === undefined || !isIpv4(ip) || !shouldPodBeInEndpoints(pod, true)) continue;
      const ports = portsFor(pod, svc);
      const key = portsKey(ports);
      let g = groups.get(key);
      if (!g) {
        g = { ports, endpoints: [] };
        groups.set(key, g);
      }
      g.endpoints.push(endpointFor({ pod, svc, ip, zone: this.#zoneOf(pod) }));
    }
    return [...groups.values()];
  }

  #zoneOf(pod: EndpointPod): string | undefined {
    const node = this.#nodes?.get(pod.spec?.nodeName ?? '');
    return node?.metadata.labels?.[ZONE_LABEL];
  }

  async #create(
    base: string,
    a: {
      svc: Service;
      group: PortGroup;
      labels: Record<string, string>;
      annotations: Record<string, string> | undefined;
    },
  ): Promise<KubeObject | undefined> {
    const slice: Slice = {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: `${a.svc.metadata.name ?? ''}-`,
        namespace: a.svc.metadata.namespace ?? '',
        labels: a.labels,
        ...(a.annotations === undefined ? {} : { annotations: a.annotations }),
        ownerReferences: [
          {
            apiVersion: 'v1',
            kind: 'Service',
            name: a.svc.metadata.name ?? '',
            uid: a.svc.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      addressType: 'IPv4',
      endpoints: a.group.endpoints,
      ports: a.group.ports,
    };
    try {
      return await this.#opts.client.create(base, slice);
    } catch (e: unknown) {
      // A terminating namespace forbids creates; its services are going away anyway.
      if (e instanceof ApiStatusError && e.httpStatus === 403) return undefined;
      throw e;
    }
  }

  async #delete(path: string): Promise<void> {
    try {
      await this.#opts.client.delete(path);
    } catch (e: unknown) {
      if (!isNotFound(e)) throw e;
    }
  }
}

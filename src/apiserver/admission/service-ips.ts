import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import type { Clock, IdSource } from '../../util/index.ts';
import { errors } from '../errors.ts';
import { invalid } from '../validation/field.ts';
import { goStringSlice } from '../validation/go-format.ts';
import {
  allocateNext,
  cidrRange,
  inRange,
  intToIpv4,
  ipv4ToInt,
  portRange,
  type AllocRange,
} from './service-ips-range.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

/** EKS's default service CIDR. */
export const DEFAULT_SERVICE_CIDR = '10.100.0.0/16';
export const DEFAULT_NODE_PORT_RANGE = { first: 30000, last: 32767 } as const;
/** How long an allocation made in admission is held for a create that has not landed yet. */
const RESERVATION_MS = 60_000;

export interface ServiceIpAllocationOptions {
  /** Picks the random start of each dynamic allocation. */
  readonly ids: IdSource;
  readonly clock: Clock;
  readonly serviceCidr?: string;
  readonly nodePortRange?: { readonly first: number; readonly last: number };
}

const SERVICE_KIND = { group: '', resource: 'services', kind: 'Service' } as const;

interface Reservation {
  readonly owner: string;
  readonly expires: number;
}

interface Held {
  readonly ips: Map<number, string>;
  readonly ports: Map<number, string>;
}

/** The IP and node ports one service holds, from its stored form. */
function holdingsOf(svc: KubeObject, into: Held): void {
  const owner = `${svc.metadata.namespace ?? ''}/${svc.metadata.name ?? ''}`;
  const spec = isJsonObject(svc['spec']) ? svc['spec'] : {};
  const ips = Array.isArray(spec['clusterIPs']) ? spec['clusterIPs'] : [spec['clusterIP']];
  for (const ip of ips) {
    const n = typeof ip === 'string' ? ipv4ToInt(ip) : undefined;
    if (n !== undefined) into.ips.set(n, owner);
  }
  const ports = [...portsOf(spec).map((p) => p['nodePort']), spec['healthCheckNodePort']];
  for (const p of ports) if (typeof p === 'number' && p > 0) into.ports.set(p, owner);
}

function portsOf(spec: JsonObject): JsonObject[] {
  const ports = spec['ports'];
  return Array.isArray(ports) ? ports.filter(isJsonObject) : [];
}

function specOf(obj: KubeObject | undefined): JsonObject | undefined {
  const spec = obj?.['spec'];
  return isJsonObject(spec) ? spec : undefined;
}

function typeOf(spec: JsonObject | undefined): string {
  return typeof spec?.['type'] === 'string' ? spec['type'] : 'ClusterIP';
}

function needsNodePorts(spec: JsonObject | undefined): boolean {
  const type = typeOf(spec);
  return (
    type === 'NodePort' ||
    (type === 'LoadBalancer' && spec?.['allocateLoadBalancerNodePorts'] !== false)
  );
}

function needsHealthCheckPort(spec: JsonObject | undefined): boolean {
  return typeOf(spec) === 'LoadBalancer' && spec?.['externalTrafficPolicy'] === 'Local';
}

function setIfMissing(spec: JsonObject, key: string, value: JsonObject[string]): void {
  spec[key] ??= value;
}

interface Request {
  readonly owner: string;
  readonly name: string;
  readonly spec: JsonObject;
  readonly old: JsonObject | undefined;
  readonly reserve: boolean;
}

/**
 * kube-apiserver's Service IP and node-port allocators in small. What is in use is read from
 * the store on every allocation, so a restart loses nothing; values handed out in admission
 * are held in memory until the create lands, so two concurrent creates never get the same one.
 */
class ServiceAllocator {
  readonly #store: Store;
  readonly #ids: IdSource;
  readonly #clock: Clock;
  readonly #ipRange: AllocRange;
  readonly #portRange: AllocRange;
  readonly #reservedIps = new Map<number, Reservation>();
  readonly #reservedPorts = new Map<number, Reservation>();

  constructor(store: Store, opts: ServiceIpAllocationOptions) {
    this.#store = store;
    this.#ids = opts.ids;
    this.#clock = opts.clock;
    this.#ipRange = cidrRange(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    const np = opts.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
    this.#portRange = portRange(np.first, np.last);
  }

  /** Values held by services other than `owner`, stored or reserved. */
  #held(owner: string): { ips: Set<number>; ports: Set<number> } {
    const stored: Held = { ips: new Map(), ports: new Map() };
    for (const s of this.#store.list('/services/').items) holdingsOf(s.object, stored);
    const now = this.#clock.now();
    const collect = (
      fromStore: Map<number, string>,
      reserved: Map<number, Reservation>,
    ): Set<number> => {
      for (const [v, r] of reserved) {
        if (r.expires <= now || fromStore.get(v) === r.owner) reserved.delete(v);
      }
      const out = new Set<number>();
      for (const [v, o] of fromStore) if (o !== owner) out.add(v);
      for (const [v, r] of reserved) if (r.owner !== owner) out.add(v);
      return out;
    };
    return {
      ips: collect(stored.ips, this.#reservedIps),
      ports: collect(stored.ports, this.#reservedPorts),
    };
  }

  admit(req: Request): void {
    const held = this.#held(req.owner);
    const ip = this.#clusterIp(req, held.ips);
    const ports = this.#nodePorts(req, held.ports);
    if (!req.reserve) return;
    const expires = this.#clock.now() + RESERVATION_MS;
    if (ip !== undefined) this.#reservedIps.set(ip, { owner: req.owner, expires });
    for (const p of ports) this.#reservedPorts.set(p, { owner: req.owner, expires });
  }

  /** Allocates or checks the cluster IP; returns it when this request newly holds it. */
  #clusterIp(req: Request, used: Set<number>): number | undefined {
    const { spec } = req;
    if (typeOf(spec) === 'ExternalName') return undefined;
    setIfMissing(spec, 'ipFamilies', ['IPv4']);
    setIfMissing(spec, 'ipFamilyPolicy', 'SingleStack');
    setIfMissing(spec, 'internalTrafficPolicy', 'Cluster');
    const want = typeof spec['clusterIP'] === 'string' ? spec['clusterIP'] : '';
    if (carryOldIp(req, want)) return undefined;
    if (want === 'None') {
      spec['clusterIPs'] = ['None'];
      return undefined;
    }
    if (want === '') {
      const n = allocateNext(this.#ipRange, this.#ids, (v) => !used.has(v) && !this.#isApiIp(v));
      if (n === undefined) throw errors.internal('failed to allocate a serviceIP: range is full');
      spec['clusterIP'] = intToIpv4(n);
      spec['clusterIPs'] = [intToIpv4(n)];
      return n;
    }
    return this.#claimIp(req, want, used);
  }

  /** The first address is the `kubernetes` Service's; dynamic allocation never picks it. */
  #isApiIp(v: number): boolean {
    return v === this.#ipRange.first;
  }

  #claimIp(req: Request, want: string, used: Set<number>): number | undefined {
    const n = ipv4ToInt(want);
    // Not an IPv4 address: validation reports it in its own words.
    if (n === undefined) return undefined;
    const ips = Array.isArray(req.spec['clusterIPs'])
      ? req.spec['clusterIPs'].filter((s) => typeof s === 'string')
      : [want];
    const fail = (why: string): Error =>
      errors.invalid(SERVICE_KIND, req.name, [
        invalid(
          'spec.clusterIPs',
          { goSyntax: goStringSlice(ips) },
          `failed to allocate IP ${want}: ${why}`,
        ),
      ]);
    if (!inRange(this.#ipRange, n)) {
      throw fail(
        `the provided IP (${want}) is not in the valid range. The range of valid IPs is ${this.#ipRange.text}`,
      );
    }
    if (used.has(n)) throw fail('provided IP is already allocated');
    req.spec['clusterIPs'] = ips.length > 0 ? ips : [want];
    return n;
  }

  /** Allocates or checks node ports; returns the ports this request newly holds. */
  #nodePorts(req: Request, used: Set<number>): number[] {
    const { spec, old } = req;
    const ports = portsOf(spec);
    if (!needsNodePorts(spec)) {
      if (needsNodePorts(old)) dropCarriedNodePorts(ports, portsOf(old ?? {}));
      return [];
    }
    const oldPorts = needsNodePorts(old) ? portsOf(old ?? {}) : [];
    const oldHeld = new Set(
      oldPorts.map((p) => p['nodePort']).filter((n) => typeof n === 'number'),
    );
    const assigned = new Map<number, number>();
    const fresh: number[] = [];
    ports.forEach((p, i) => {
      const np = this.#portFor({ port: p, index: i, oldPorts, assigned, used, oldHeld, req });
      p['nodePort'] = np;
      if (typeof p['port'] === 'number') assigned.set(p['port'], np);
      if (!oldHeld.has(np)) fresh.push(np);
      used.add(np);
    });
    if (needsHealthCheckPort(spec)) fresh.push(...this.#healthCheckPort(req, used));
    return fresh;
  }

  #portFor(a: {
    port: JsonObject;
    index: number;
    oldPorts: JsonObject[];
    assigned: Map<number, number>;
    used: Set<number>;
    oldHeld: Set<unknown>;
    req: Request;
  }): number {
    const given = typeof a.port['nodePort'] === 'number' ? a.port['nodePort'] : 0;
    if (given !== 0) {
      if (a.oldHeld.has(given)) return given;
      return this.#claimPort(
        a.req,
        { value: given, field: `spec.ports[${String(a.index)}].nodePort` },
        a.used,
      );
    }
    const prev = a.oldPorts.find(
      (o) => o['port'] === a.port['port'] && o['protocol'] === a.port['protocol'],
    )?.['nodePort'];
    if (typeof prev === 'number' && prev > 0) return prev;
    // The same port number under another protocol shares its node port, as upstream does.
    const sibling = typeof a.port['port'] === 'number' ? a.assigned.get(a.port['port']) : undefined;
    if (sibling !== undefined) return sibling;
    return this.#nextPort(a.used);
  }

  #nextPort(used: Set<number>): number {
    const n = allocateNext(this.#portRange, this.#ids, (v) => !used.has(v));
    if (n === undefined) throw errors.internal('failed to allocate a nodePort: range is full');
    return n;
  }

  #claimPort(req: Request, p: { value: number; field: string }, used: Set<number>): number {
    const fail = (why: string): Error =>
      errors.invalid(SERVICE_KIND, req.name, [invalid(p.field, p.value, why)]);
    if (!inRange(this.#portRange, p.value)) {
      throw fail(
        `provided port is not in the valid range. The range of valid ports is ${this.#portRange.text}`,
      );
    }
    if (used.has(p.value)) throw fail('provided port is already allocated');
    return p.value;
  }

  #healthCheckPort(req: Request, used: Set<number>): number[] {
    const given = req.spec['healthCheckNodePort'];
    const prev = req.old?.['healthCheckNodePort'];
    if (typeof given === 'number' && given !== 0) {
      if (given === prev) return [];
      return [this.#claimPort(req, { value: given, field: 'spec.healthCheckNodePort' }, used)];
    }
    if (typeof prev === 'number' && prev > 0 && needsHealthCheckPort(req.old)) {
      req.spec['healthCheckNodePort'] = prev;
      return [];
    }
    const n = this.#nextPort(used);
    req.spec['healthCheckNodePort'] = n;
    return [n];
  }
}

/**
 * On update an IP the service already holds stays: omitted (a PUT without it) or unchanged.
 * Returns whether there is nothing to allocate.
 */
function carryOldIp(req: Request, want: string): boolean {
  const old = req.old;
  const oldIp = typeof old?.['clusterIP'] === 'string' ? old['clusterIP'] : '';
  if (oldIp === '' || typeOf(old) === 'ExternalName') return false;
  if (want === oldIp) return true;
  if (want !== '') return false;
  req.spec['clusterIP'] = oldIp;
  req.spec['clusterIPs'] = Array.isArray(old?.['clusterIPs']) ? old['clusterIPs'] : [oldIp];
  return true;
}

/** A type change away from NodePort drops the node ports the client carried over unchanged. */
function dropCarriedNodePorts(ports: JsonObject[], oldPorts: JsonObject[]): void {
  for (const p of ports) {
    const np = p['nodePort'];
    if (np === undefined) continue;
    if (oldPorts.some((o) => o['nodePort'] === np)) delete p['nodePort'];
  }
}

function isServiceWrite(a: AdmissionAttributes): boolean {
  return (
    a.def.group === '' &&
    a.def.resource === 'services' &&
    a.subresource === '' &&
    (a.operation === 'CREATE' || a.operation === 'UPDATE')
  );
}

/**
 * Allocates Service cluster IPs (from the service CIDR) and node ports (30000-32767), and
 * checks the ones users choose, as kube-apiserver's Service REST storage does.
 */
export function serviceIpAllocation(
  store: Store,
  opts: ServiceIpAllocationOptions,
): AdmissionPlugin {
  const allocator = new ServiceAllocator(store, opts);
  return {
    name: 'ServiceIPAllocation',
    admit(a) {
      if (!isServiceWrite(a)) return;
      const spec = specOf(a.object);
      if (!spec) return;
      allocator.admit({
        owner: `${a.namespace}/${a.name}`,
        name: a.name,
        spec,
        old: specOf(a.oldObject),
        reserve: !a.dryRun,
      });
    },
  };
}

/** The `kubernetes` Service in `default`, as kube-apiserver's bootstrap controller writes it. */
export function kubernetesService(opts: {
  readonly targetPort: number;
  readonly serviceCidr?: string;
}): KubeObject {
  const ip = intToIpv4(cidrRange(opts.serviceCidr ?? DEFAULT_SERVICE_CIDR).first);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { component: 'apiserver', provider: 'kubernetes' },
    },
    spec: {
      type: 'ClusterIP',
      clusterIP: ip,
      clusterIPs: [ip],
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      internalTrafficPolicy: 'Cluster',
      sessionAffinity: 'None',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: opts.targetPort }],
    },
  };
}

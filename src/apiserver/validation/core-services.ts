import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import { validatePortNumOrName } from './core-probes.ts';
import {
  child,
  duplicate,
  forbidden,
  invalid,
  invalidEach,
  key,
  notSupported,
  required,
} from './field.ts';
import { goNilPointer, goQuote, goStringSlice, goStruct } from './go-format.ts';
import {
  isDualStackPair,
  isIpv4,
  isValidCidr,
  isValidIp,
  parseIp,
  validateNonSpecialIp,
} from './ip.ts';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  isValidPortNum,
  nameIsDns1035Label,
  nameIsDnsSubdomain,
} from './names.ts';
import { checkObjectMeta, checkObjectMetaUpdate, validateLabels } from './object-meta.ts';
import { Walker } from './walker.ts';

/** Services and Endpoints (pkg/apis/core/validation). */

const PROTOCOLS: readonly string[] = ['SCTP', 'TCP', 'UDP'];
const SERVICE_TYPES: readonly string[] = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const MAX_AFFINITY_SECONDS = 86400;

interface Svc {
  readonly spec: JsonObject;
  readonly type: string;
  readonly clusterIPs: readonly string[];
  readonly headless: boolean;
}

function readSvc(w: Walker, obj: KubeObject): Svc {
  const root = w.asObj(obj, '');
  const spec = w.obj(root, '', 'spec') ?? {};
  const clusterIPs = w.strArr(spec, 'spec', 'clusterIPs') ?? [];
  return {
    spec,
    type: w.text(spec, 'spec', 'type'),
    clusterIPs,
    headless: clusterIPs.length === 1 && clusterIPs[0] === 'None',
  };
}

function validateTypeSpecific(w: Walker, svc: Svc): void {
  const { spec, type } = svc;
  if ((type === 'LoadBalancer' || type === 'NodePort') && svc.headless) {
    w.add(invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  }
  if (type !== 'ExternalName') return;
  if (svc.clusterIPs.length > 0)
    w.add(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  const families = spec['ipFamilies'];
  if (Array.isArray(families) && families.length > 0)
    w.add(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
  if (spec['ipFamilyPolicy'] !== undefined && spec['ipFamilyPolicy'] !== null) {
    w.add(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
  }
  const raw = w.text(spec, 'spec', 'externalName');
  const cname = raw.endsWith('.') ? raw.slice(0, -1) : raw;
  if (cname === '') w.add(required('spec.externalName'));
  else w.add(...invalidEach('spec.externalName', cname, isDns1123Subdomain(cname)));
}

function validateServicePort(
  w: Walker,
  port: { o: JsonObject; path: string },
  ctx: { requireName: boolean; names: Set<string> },
): void {
  const { o, path } = port;
  const name = w.text(o, path, 'name');
  if (ctx.requireName && name === '') w.add(required(child(path, 'name')));
  else if (name !== '') {
    w.add(...invalidEach(child(path, 'name'), name, isDns1123Label(name)));
    if (ctx.names.has(name)) w.add(duplicate(child(path, 'name'), name));
    else ctx.names.add(name);
  }
  const num = w.num(o, path, 'port');
  w.add(...invalidEach(child(path, 'port'), num, isValidPortNum(num)));
  const protocol = w.text(o, path, 'protocol');
  if (protocol === '') w.add(required(child(path, 'protocol')));
  else if (!PROTOCOLS.includes(protocol))
    w.add(notSupported(child(path, 'protocol'), protocol, PROTOCOLS));
  validatePortNumOrName(w, { o: o, path: path }, 'targetPort');
  const appProtocol = w.str(o, path, 'appProtocol');
  if (appProtocol !== undefined)
    w.add(...invalidEach(child(path, 'appProtocol'), appProtocol, isQualifiedName(appProtocol)));
  w.int(o, path, 'nodePort');
}

function goServicePortKey(protocol: string, port: number): string {
  return goStruct('core.ServicePort', [
    ['Name', '""'],
    ['Protocol', goQuote(protocol)],
    ['AppProtocol', goNilPointer('string')],
    ['Port', String(port)],
    ['TargetPort', 'intstr.IntOrString{Type:0, IntVal:0, StrVal:""}'],
    ['NodePort', '0'],
  ]);
}

function validatePortsTable(
  w: Walker,
  svc: Svc,
  ports: readonly { o: JsonObject; path: string }[],
): void {
  const nodePorts = new Set<string>();
  const keys = new Set<string>();
  for (const { o, path } of ports) {
    const nodePort = typeof o['nodePort'] === 'number' ? o['nodePort'] : 0;
    const protocol = typeof o['protocol'] === 'string' ? o['protocol'] : '';
    if (svc.type === 'ClusterIP' && nodePort !== 0) {
      w.add(forbidden(child(path, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
    }
    if (nodePort !== 0) {
      const k = `${protocol}/${nodePort}`;
      if (nodePorts.has(k)) w.add(duplicate(child(path, 'nodePort'), nodePort));
      nodePorts.add(k);
    }
  }
  for (const { o, path } of ports) {
    const protocol = typeof o['protocol'] === 'string' ? o['protocol'] : '';
    const port = typeof o['port'] === 'number' ? o['port'] : 0;
    const k = `${protocol}/${port}`;
    if (keys.has(k)) w.add(duplicate(path, { goSyntax: goServicePortKey(protocol, port) }));
    keys.add(k);
  }
}

function validateSessionAffinity(w: Walker, spec: JsonObject): void {
  const affinity = w.text(spec, 'spec', 'sessionAffinity');
  const cfgPath = 'spec.sessionAffinityConfig';
  if (affinity === '') w.add(required('spec.sessionAffinity'));
  else if (affinity !== 'ClientIP' && affinity !== 'None')
    w.add(notSupported('spec.sessionAffinity', affinity, ['ClientIP', 'None']));
  const cfg = w.obj(spec, 'spec', 'sessionAffinityConfig');
  if (affinity === 'None' && cfg !== undefined) {
    {
      w.add(forbidden(cfgPath, 'must not be set when session affinity is None'));
      return;
    }
  }
  if (affinity !== 'ClientIP') return;
  const detail = 'when session affinity type is ClientIP';
  if (cfg === undefined) {
    w.add(required(cfgPath, detail));
    return;
  }
  const clientIP = w.obj(cfg, cfgPath, 'clientIP');
  if (clientIP === undefined) {
    w.add(required(child(cfgPath, 'clientIP'), detail));
    return;
  }
  const timeout = w.int(clientIP, child(cfgPath, 'clientIP'), 'timeoutSeconds');
  const tPath = child(cfgPath, 'clientIP', 'timeoutSeconds');
  if (timeout === undefined) {
    w.add(required(tPath, detail));
    return;
  }
  if (timeout <= 0 || timeout > MAX_AFFINITY_SECONDS) {
    w.add(invalid(tPath, timeout, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`));
  }
}

function validateClusterIpSync(w: Walker, svc: Svc): void {
  const clusterIP = typeof svc.spec['clusterIP'] === 'string' ? svc.spec['clusterIP'] : '';
  const shown = { goSyntax: goStringSlice(svc.clusterIPs) };
  if (clusterIP !== '') {
    if (svc.clusterIPs.length === 0) w.add(required('spec.clusterIPs'));
    else if (svc.clusterIPs[0] !== clusterIP)
      w.add(invalid('spec.clusterIPs', shown, 'first value must match `clusterIP`'));
  } else if (svc.clusterIPs.length !== 0) {
    w.add(invalid('spec.clusterIPs', shown, 'must be empty when `clusterIP` is not specified'));
  }
}

function validateFamilies(w: Walker, svc: Svc): string[] {
  const families = w.strArr(svc.spec, 'spec', 'ipFamilies') ?? [];
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6')
      w.add(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
    if (seen.has(f)) w.add(duplicate(`spec.ipFamilies[${i}]`, f));
    seen.add(f);
  });
  const policy = w.str(svc.spec, 'spec', 'ipFamilyPolicy');
  const policies = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];
  if (policy !== undefined && !policies.includes(policy))
    w.add(notSupported('spec.ipFamilyPolicy', policy, policies));
  return families;
}

/** ValidateServiceClusterIPsRelatedFields. */
function validateClusterIps(w: Walker, svc: Svc): void {
  if (svc.type === 'ExternalName') return;
  validateClusterIpSync(w, svc);
  const families = validateFamilies(w, svc);
  const shown = { goSyntax: goStringSlice(svc.clusterIPs) };
  if (!clusterIpValuesValid(w, svc)) return;
  const [a, b] = svc.clusterIPs;
  if (svc.clusterIPs.length > 1 && a !== undefined && b !== undefined && !isDualStackPair(a, b)) {
    w.add(invalid('spec.clusterIPs', shown, 'may specify no more than one IP for each IP family'));
  }
  if (!svc.headless) validateClusterIpFamilies(w, svc, families);
}

/** Each clusterIP parses and 'None' stands alone; false when any is bad. */
function clusterIpValuesValid(w: Walker, svc: Svc): boolean {
  const shown = { goSyntax: goStringSlice(svc.clusterIPs) };
  let bad = false;
  for (const [i, ip] of svc.clusterIPs.entries()) {
    if (i === 0 && ip === 'None') {
      if (svc.clusterIPs.length > 1) {
        bad = true;
        w.add(invalid('spec.clusterIPs', shown, "'None' must be the first and only value"));
      }
      continue;
    }
    const errs = isValidIp(`spec.clusterIPs[${i}]`, ip);
    bad ||= errs.length > 0;
    w.add(...errs);
  }
  if (svc.clusterIPs.length > 2)
    w.add(invalid('spec.clusterIPs', shown, 'may only hold up to 2 values'));
  return !bad;
}

function validateClusterIpFamilies(w: Walker, svc: Svc, families: readonly string[]): void {
  svc.clusterIPs.forEach((ip, i) => {
    const fam = families[i];
    const parsed = parseIp(ip);
    const v6 = parsed !== undefined && !isIpv4(parsed);
    if (fam === 'IPv4' && v6)
      w.add(
        invalid(
          `spec.clusterIPs[${i}]`,
          ip,
          `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``,
        ),
      );
    if (fam === 'IPv6' && !v6)
      w.add(
        invalid(
          `spec.clusterIPs[${i}]`,
          ip,
          `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``,
        ),
      );
  });
}

const LB_ONLY = "may only be used when `type` is 'LoadBalancer'";

function validateSourceRanges(
  w: Walker,
  svc: Svc,
  annotations: Readonly<Record<string, string>>,
): void {
  const { spec, type } = svc;
  const ranges = w.strArr(spec, 'spec', 'loadBalancerSourceRanges') ?? [];
  const annotation = annotations['service.beta.kubernetes.io/load-balancer-source-ranges'];
  if (ranges.length > 0) {
    if (type !== 'LoadBalancer') w.add(forbidden('spec.LoadBalancerSourceRanges', LB_ONLY));
    ranges.forEach((r, i) => {
      w.add(...isValidCidr(`spec.LoadBalancerSourceRanges[${i}]`, r.trim()));
    });
  } else if (annotation !== undefined) {
    const p = key('metadata.annotations', 'service.beta.kubernetes.io/load-balancer-source-ranges');
    if (type !== 'LoadBalancer') w.add(forbidden(p, LB_ONLY));
    const val = annotation.trim();
    if (val !== '') for (const c of val.split(',')) w.add(...isValidCidr(p, c.trim()));
  }
}

function validateLoadBalancerFields(
  w: Walker,
  svc: Svc,
  annotations: Readonly<Record<string, string>>,
): void {
  const { spec, type } = svc;
  validateSourceRanges(w, svc, annotations);
  const allocate = w.bool(spec, 'spec', 'allocateLoadBalancerNodePorts');
  if (allocate !== undefined && type !== 'LoadBalancer')
    w.add(forbidden('spec.allocateLoadBalancerNodePorts', LB_ONLY));
  if (type === 'LoadBalancer' && allocate === undefined)
    w.add(required('allocateLoadBalancerNodePorts'));
  const lbClass = w.str(spec, 'spec', 'loadBalancerClass');
  if (lbClass !== undefined) {
    if (type === 'LoadBalancer')
      w.add(...invalidEach('spec.loadBalancerClass', lbClass, isQualifiedName(lbClass)));
    else w.add(forbidden('spec.loadBalancerClass', LB_ONLY));
  }
}

function externallyAccessible(svc: Svc): boolean {
  const ext = svc.spec['externalIPs'];
  return (
    svc.type === 'LoadBalancer' ||
    svc.type === 'NodePort' ||
    (svc.type === 'ClusterIP' && Array.isArray(ext) && ext.length > 0)
  );
}

function needsHealthCheck(svc: Svc): boolean {
  return svc.type === 'LoadBalancer' && svc.spec['externalTrafficPolicy'] === 'Local';
}

function validateTrafficPolicies(w: Walker, svc: Svc): void {
  const { spec } = svc;
  const etp = w.text(spec, 'spec', 'externalTrafficPolicy');
  if (!externallyAccessible(svc)) {
    if (etp !== '')
      w.add(
        invalid(
          'spec.externalTrafficPolicy',
          etp,
          'may only be set for externally-accessible services',
        ),
      );
  } else if (etp === '') w.add(required('spec.externalTrafficPolicy'));
  else if (etp !== 'Cluster' && etp !== 'Local')
    w.add(notSupported('spec.externalTrafficPolicy', etp, ['Cluster', 'Local']));
  validateHealthCheckNodePort(w, svc);
  validateInternalTrafficPolicy(w, svc);
}

function validateHealthCheckNodePort(w: Walker, svc: Svc): void {
  const hc = w.num(svc.spec, 'spec', 'healthCheckNodePort');
  if (!needsHealthCheck(svc)) {
    if (hc !== 0) {
      w.add(
        invalid(
          'spec.healthCheckNodePort',
          hc,
          "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'",
        ),
      );
    }
  } else if (hc === 0) w.add(required('spec.healthCheckNodePort'));
  else w.add(...invalidEach('spec.healthCheckNodePort', hc, isValidPortNum(hc)));
}

function validateInternalTrafficPolicy(w: Walker, svc: Svc): void {
  const { spec } = svc;
  const itp = w.str(spec, 'spec', 'internalTrafficPolicy');
  if (itp === undefined && ['NodePort', 'LoadBalancer', 'ClusterIP'].includes(svc.type))
    w.add(required('spec.internalTrafficPolicy'));
  if (itp !== undefined && itp !== 'Cluster' && itp !== 'Local')
    w.add(notSupported('spec.internalTrafficPolicy', itp, ['Cluster', 'Local']));
  const td = w.str(spec, 'spec', 'trafficDistribution');
  if (td !== undefined && td !== 'PreferClose')
    w.add(notSupported('spec.trafficDistribution', td, ['PreferClose']));
}

function validateTopologyAnnotations(
  w: Walker,
  annotations: Readonly<Record<string, string>>,
): void {
  const hints = annotations['service.kubernetes.io/topology-aware-hints'];
  const mode = annotations['service.kubernetes.io/topology-mode'];
  if (hints !== undefined && mode !== undefined && hints !== mode) {
    w.add(
      invalid(
        key('metadata.annotations', 'service.kubernetes.io/topology-mode'),
        mode,
        'must match annotations[service.kubernetes.io/topology-aware-hints] when both are specified',
      ),
    );
  }
}

/** The annotations, read without re-reporting type errors the metadata check reports. */
function silentAnnotations(obj: KubeObject): Record<string, string> {
  const meta: unknown = obj.metadata;
  return isJsonObject(meta) ? (new Walker().strMap(meta, 'metadata', 'annotations') ?? {}) : {};
}

/** ValidateService. */
function validateServiceObject(w: Walker, obj: KubeObject): Svc {
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDns1035Label,
    kubeFinalizers: true,
  });
  const annotations = silentAnnotations(obj);
  validateTopologyAnnotations(w, annotations);
  const svc = readSvc(w, obj);
  const ports = w.items(svc.spec, 'spec', 'ports');
  if (ports.length === 0 && !svc.headless && svc.type !== 'ExternalName')
    w.add(required('spec.ports'));
  validateTypeSpecific(w, svc);
  const names = new Set<string>();
  for (const p of ports) validateServicePort(w, p, { requireName: ports.length > 1, names });
  w.add(...validateLabels(w.strMap(svc.spec, 'spec', 'selector'), 'spec.selector'));
  validateSessionAffinity(w, svc.spec);
  validateClusterIps(w, svc);
  (w.strArr(svc.spec, 'spec', 'externalIPs') ?? []).forEach((ip, i) => {
    const errs = isValidIp(`spec.externalIPs[${i}]`, ip);
    w.add(...(errs.length > 0 ? errs : validateNonSpecialIp(ip, `spec.externalIPs[${i}]`)));
  });
  if (svc.type === '') w.add(required('spec.type'));
  else if (!SERVICE_TYPES.includes(svc.type))
    w.add(notSupported('spec.type', svc.type, SERVICE_TYPES));
  validatePortsTable(w, svc, ports);
  validateLoadBalancerFields(w, svc, annotations);
  validateTrafficPolicies(w, svc);
  return svc;
}

function validateClusterIpsUpdate(w: Walker, svc: Svc, old: Svc): void {
  if (svc.type === 'ExternalName' || old.type === 'ExternalName' || (svc.headless && old.headless))
    return;
  const shown = { goSyntax: goStringSlice(svc.clusterIPs) };
  const [n, o] = [svc.clusterIPs, old.clusterIPs];
  if (o.length === n.length) {
    o.forEach((ip, i) => {
      if (ip !== n[i]) w.add(invalid(`spec.clusterIPs[${i}]`, shown, 'may not change once set'));
    });
  } else if (o.length > n.length) validateClusterIpsRelease(w, svc, old);
  else if (o.length > 0 && n[0] !== o[0]) {
    w.add(invalid('spec.clusterIPs[0]', shown, 'may not change once set'));
  }
}

/** Downgrades from dual-stack: the primary stays, and the policy becomes SingleStack. */
function validateClusterIpsRelease(w: Walker, svc: Svc, old: Svc): void {
  const shown = { goSyntax: goStringSlice(svc.clusterIPs) };
  const [n, o] = [svc.clusterIPs, old.clusterIPs];
  if (n.length === 0)
    w.add(invalid('spec.clusterIPs[0]', shown, 'primary clusterIP can not be unset'));
  if (o.length > 0 && n.length > 0 && n[0] !== o[0])
    w.add(invalid('spec.clusterIPs[0]', shown, 'may not change once set'));
  const policy = svc.spec['ipFamilyPolicy'];
  if (n.length === 1 && policy !== 'SingleStack') {
    w.add(
      invalid(
        'spec.ipFamilyPolicy',
        typeof policy === 'string' ? policy : null,
        "must be set to 'SingleStack' when releasing the secondary clusterIP",
      ),
    );
  }
}

function validateServiceUpdate(w: Walker, svc: Svc, old: Svc): void {
  validateClusterIpsUpdate(w, svc, old);
  if (svc.type === 'LoadBalancer' && old.type === 'LoadBalancer') {
    const [a, b] = [svc.spec['loadBalancerClass'], old.spec['loadBalancerClass']];
    if ((a ?? null) !== (b ?? null)) {
      w.add(
        invalid(
          'spec.loadBalancerClass',
          typeof a === 'string' ? a : null,
          'may not change once set',
        ),
      );
    }
  }
  if (
    needsHealthCheck(svc) &&
    needsHealthCheck(old) &&
    svc.spec['healthCheckNodePort'] !== old.spec['healthCheckNodePort']
  ) {
    w.add(forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
}

/** Validator for services. */
export function validateService(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) {
    checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
    const scratch = new Walker();
    validateServiceUpdate(w, readSvc(scratch, obj), readSvc(scratch, old));
  }
  validateServiceObject(w, obj);
  return w.errs;
}

function validateEndpointAddress(w: Walker, addr: JsonObject, path: string): void {
  const ip = w.text(addr, path, 'ip');
  w.add(...isValidIp(child(path, 'ip'), ip));
  const hostname = w.text(addr, path, 'hostname');
  if (hostname !== '')
    w.add(...invalidEach(child(path, 'hostname'), hostname, isDns1123Label(hostname)));
  const nodeName = w.str(addr, path, 'nodeName');
  if (nodeName !== undefined)
    w.add(...invalidEach(child(path, 'nodeName'), nodeName, nameIsDnsSubdomain(nodeName, false)));
  w.add(...validateNonSpecialIp(ip, child(path, 'ip')));
}

/** validateEndpointPort, shared with EndpointSlice-free callers. */
function validateEndpointPort(
  w: Walker,
  port: JsonObject,
  at: { path: string; requireName: boolean },
): void {
  const { path } = at;
  const name = w.text(port, path, 'name');
  if (at.requireName && name === '') w.add(required(child(path, 'name')));
  else if (name !== '') w.add(...invalidEach(child(path, 'name'), name, isDns1123Label(name)));
  const num = w.num(port, path, 'port');
  w.add(...invalidEach(child(path, 'port'), num, isValidPortNum(num)));
  const protocol = w.text(port, path, 'protocol');
  if (protocol === '') w.add(required(child(path, 'protocol')));
  else if (!PROTOCOLS.includes(protocol))
    w.add(notSupported(child(path, 'protocol'), protocol, PROTOCOLS));
  const appProtocol = w.str(port, path, 'appProtocol');
  if (appProtocol !== undefined)
    w.add(...invalidEach(child(path, 'appProtocol'), appProtocol, isQualifiedName(appProtocol)));
}

/** Validator for endpoints. */
export function validateEndpoints(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const root = w.asObj(obj, '');
  for (const { o, path } of w.items(root, '', 'subsets')) {
    const addresses = w.items(o, path, 'addresses');
    const notReady = w.items(o, path, 'notReadyAddresses');
    if (addresses.length === 0 && notReady.length === 0) {
      w.add(required(path, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const a of [...addresses, ...notReady]) validateEndpointAddress(w, a.o, a.path);
    const ports = w.items(o, path, 'ports');
    for (const p of ports)
      validateEndpointPort(w, p.o, { path: p.path, requireName: ports.length > 1 });
  }
  return w.errs;
}

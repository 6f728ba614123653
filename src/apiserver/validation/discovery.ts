import type { FieldError, JsonObject, KubeObject } from '../../api/index.ts';
import { child, duplicate, index, invalidEach, notSupported, required, tooMany } from './field.ts';
import { isValidIpv4Address, isValidIpv6Address, validateNonSpecialIp } from './ip.ts';
import {
  isDns1123Label,
  isDns1123Subdomain,
  isQualifiedName,
  nameIsDnsSubdomain,
} from './names.ts';
import { checkObjectMeta, FIELD_IMMUTABLE, validateLabels } from './object-meta.ts';
import { invalid } from './field.ts';
import { Walker } from './walker.ts';

/** discovery.k8s.io/v1 EndpointSlices (pkg/apis/discovery/validation). */

const ADDRESS_TYPES: readonly string[] = ['FQDN', 'IPv4', 'IPv6'];
const PROTOCOLS: readonly string[] = ['SCTP', 'TCP', 'UDP'];

/** IsFullyQualifiedDomainName. */
function validateFqdn(w: Walker, name: string, field: string): void {
  if (name === '') {
    w.add(required(field));
    return;
  }
  const n = name.endsWith('.') ? name.slice(0, -1) : name;
  const errs = isDns1123Subdomain(n);
  if (errs.length > 0) {
    w.add(invalid(field, n, errs.join(',')));
    return;
  }
  const labels = n.split('.');
  if (labels.length < 2) {
    w.add(invalid(field, n, 'should be a domain with at least two segments separated by dots'));
    return;
  }
  for (const label of labels) {
    const le = isDns1123Label(label);
    if (le.length > 0) {
      w.add(invalid(field, label, le.join(',')));
      return;
    }
  }
}

function validateAddress(
  w: Walker,
  at: { address: string; path: string },
  addressType: string,
): void {
  const { address, path } = at;
  if (addressType === 'IPv4')
    w.add(...isValidIpv4Address(path, address), ...validateNonSpecialIp(address, path));
  else if (addressType === 'IPv6')
    w.add(...isValidIpv6Address(path, address), ...validateNonSpecialIp(address, path));
  else if (addressType === 'FQDN') validateFqdn(w, address, path);
}

function validateEndpoints(w: Walker, root: JsonObject | undefined, addressType: string): void {
  const items = w.items(root, '', 'endpoints');
  if (items.length > 1000) {
    w.add(tooMany('endpoints', items.length, 1000));
    return;
  }
  for (const { o, path } of items) {
    const addrPath = child(path, 'addresses');
    const addresses = w.strArr(o, path, 'addresses') ?? [];
    if (addresses.length === 0) w.add(required(addrPath, 'must contain at least 1 address'));
    else if (addresses.length > 100) w.add(tooMany(addrPath, addresses.length, 100));
    addresses.forEach((a, i) => {
      validateAddress(w, { address: a, path: index(addrPath, i) }, addressType);
    });
    // Upstream names v1's deprecatedTopology by its internal name, topology.
    const topology = w.strMap(o, path, 'deprecatedTopology');
    if (topology !== undefined && Object.keys(topology).length > 16) {
      w.add(tooMany(child(path, 'topology'), Object.keys(topology).length, 16));
    }
    w.add(...validateLabels(topology, child(path, 'topology')));
    const hostname = w.str(o, path, 'hostname');
    if (hostname !== undefined)
      w.add(...invalidEach(child(path, 'hostname'), hostname, isDns1123Label(hostname)));
  }
}

function validatePorts(w: Walker, root: JsonObject | undefined): void {
  const items = w.items(root, '', 'ports');
  if (items.length > 100) {
    w.add(tooMany('ports', items.length, 100));
    return;
  }
  const names = new Set<string>();
  for (const { o, path } of items) {
    const name = w.text(o, path, 'name');
    if (name !== '') w.add(...invalidEach(child(path, 'name'), name, isDns1123Label(name)));
    if (names.has(name)) w.add(duplicate(child(path, 'name'), name));
    names.add(name);
    const protocol = w.str(o, path, 'protocol');
    if (protocol === undefined) w.add(required(child(path, 'protocol')));
    else if (!PROTOCOLS.includes(protocol))
      w.add(notSupported(child(path, 'protocol'), protocol, PROTOCOLS));
    const appProtocol = w.str(o, path, 'appProtocol');
    if (appProtocol !== undefined)
      w.add(...invalidEach(child(path, 'appProtocol'), appProtocol, isQualifiedName(appProtocol)));
  }
}

/** Validator for endpointslices.discovery.k8s.io. */
export function validateEndpointSlice(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const r = w.asObj(obj, '');
  const addressType = w.text(r, '', 'addressType');
  const valid = old === undefined ? ADDRESS_TYPES : [...ADDRESS_TYPES, 'IP'].sort();
  if (addressType === '') w.add(required('addressType'));
  else if (!valid.includes(addressType)) w.add(notSupported('addressType', addressType, valid));
  validateEndpoints(w, r, addressType);
  validatePorts(w, r);
  if (old !== undefined) {
    const oldType = typeof old['addressType'] === 'string' ? old['addressType'] : '';
    if (addressType !== oldType) w.add(invalid('addressType', addressType, FIELD_IMMUTABLE));
  }
  return w.errs;
}

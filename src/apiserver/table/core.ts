import type { KubeObject } from '../../api/index.ts';
import { AGE_COLUMN, column, docColumn, NAME_COLUMN } from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { CORE_EVENT_FIELDS, eventPrinter } from './event-printer.ts';
import {
  arr,
  isRecord,
  num,
  optStr,
  rec,
  records,
  str,
  stringMap,
  mapSize,
  type JsonRecord,
} from './fields.ts';
import { containerCells, formatLabels, sortedUnique } from './format.ts';
import { podPrinter } from './pod.ts';
import { quantityText } from './quantity.ts';
import type { TablePrinter } from './types.ts';

/** core/v1 printers from printers.go, Kubernetes 1.32. */

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';
const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

function orNone(s: string): string {
  return s === '' ? '<none>' : s;
}

function orUnknown(s: string): string {
  return s === '' ? '<unknown>' : s;
}

function orUnset(s: string | undefined): string {
  return s ?? '<unset>';
}

const namespacePrinter: TablePrinter = {
  columns: [NAME_COLUMN, column('Status', 'The status of the namespace'), AGE_COLUMN],
  cells: (ns, { now }) => [nameOf(ns), str(rec(ns['status'])['phase']), ageOf(ns, now)],
};

function nodeStatus(node: KubeObject): string {
  let ready: JsonRecord | undefined;
  for (const c of records(rec(node['status'])['conditions'])) if (c['type'] === 'Ready') ready = c;
  const parts = [
    ready === undefined ? 'Unknown' : ready['status'] === 'True' ? 'Ready' : 'NotReady',
  ];
  if (rec(node['spec'])['unschedulable'] === true) parts.push('SchedulingDisabled');
  return parts.join(',');
}

function nodeRoles(node: KubeObject): string {
  const roles: string[] = [];
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role !== '') roles.push(role);
    } else if (k === NODE_ROLE_LABEL && v !== '') {
      roles.push(v);
    }
  }
  return orNone(sortedUnique(roles).join(','));
}

function nodeAddress(node: KubeObject, type: string): string {
  const found = records(rec(node['status'])['addresses']).find((a) => a['type'] === type);
  return found === undefined ? '<none>' : str(found['address']);
}

const nodePrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    AGE_COLUMN,
    docColumn('Version', 'NodeSystemInfo.kubeletVersion'),
    docColumn('Internal-IP', 'NodeStatus.addresses', { wide: true }),
    docColumn('External-IP', 'NodeStatus.addresses', { wide: true }),
    docColumn('OS-Image', 'NodeSystemInfo.osImage', { wide: true }),
    docColumn('Kernel-Version', 'NodeSystemInfo.kernelVersion', { wide: true }),
    docColumn('Container-Runtime', 'NodeSystemInfo.containerRuntimeVersion', { wide: true }),
  ],
  cells(node, { now }) {
    const info = rec(node['status'], 'nodeInfo');
    return [
      nameOf(node),
      nodeStatus(node),
      nodeRoles(node),
      ageOf(node, now),
      str(info['kubeletVersion']),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      orUnknown(str(info['osImage'])),
      orUnknown(str(info['kernelVersion'])),
      orUnknown(str(info['containerRuntimeVersion'])),
    ];
  },
};

/** printers.go `loadBalancerStatusStringer` (always wide server-side, so never clipped). */
export function loadBalancerText(status: unknown): string {
  const hosts: string[] = [];
  for (const ing of records(rec(status)['ingress'])) {
    const ip = str(ing['ip']);
    const hostname = str(ing['hostname']);
    if (ip !== '') hosts.push(ip);
    else if (hostname !== '') hosts.push(hostname);
  }
  return sortedUnique(hosts).join(',');
}

function externalIPs(spec: JsonRecord): string[] {
  return arr(spec['externalIPs']).filter((v): v is string => typeof v === 'string');
}

function serviceExternalIP(svc: KubeObject): string {
  const spec = rec(svc['spec']);
  const ext = externalIPs(spec);
  switch (spec['type']) {
    case 'ClusterIP':
    case 'NodePort':
      return ext.length > 0 ? ext.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerText(rec(svc['status'])['loadBalancer']);
      if (ext.length > 0) return [...(lb === '' ? [] : lb.split(',')), ...ext].join(',');
      return lb === '' ? '<pending>' : lb;
    }
    case 'ExternalName':
      return str(spec['externalName']);
    default:
      return '<unknown>';
  }
}

function servicePorts(spec: JsonRecord): string {
  const pieces = records(spec['ports']).map((p) => {
    const nodePort = num(p['nodePort']);
    const protocol = str(p['protocol']);
    return nodePort > 0
      ? `${num(p['port'])}:${nodePort}/${protocol}`
      : `${num(p['port'])}/${protocol}`;
  });
  return orNone(pieces.join(','));
}

function clusterIP(spec: JsonRecord): string {
  // v1 → internal conversion fills clusterIPs from clusterIP when only the latter is set.
  const ips = arr(spec['clusterIPs']);
  if (ips.length > 0) return str(ips[0]);
  return orNone(str(spec['clusterIP']));
}

const servicePrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    docColumn('Type', 'ServiceSpec.type'),
    docColumn('Cluster-IP', 'ServiceSpec.clusterIP'),
    docColumn('External-IP', 'ServiceSpec.externalIPs'),
    docColumn('Port(s)', 'ServiceSpec.ports'),
    AGE_COLUMN,
    docColumn('Selector', 'ServiceSpec.selector', { wide: true }),
  ],
  cells(svc, { now }) {
    const spec = rec(svc['spec']);
    return [
      nameOf(svc),
      str(spec['type']),
      clusterIP(spec),
      serviceExternalIP(svc),
      servicePorts(spec),
      ageOf(svc, now),
      formatLabels(spec['selector']),
    ];
  },
};

/** Go `net.JoinHostPort`. */
function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** printers.go `formatEndpoints` with every port: up to three endpoints, then `+ N more...`. */
function formatEndpoints(ep: KubeObject): string {
  const subsets = records(ep['subsets']);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  for (const ss of subsets) {
    const addrs = records(ss['addresses']).map((a) => str(a['ip']));
    const ports = records(ss['ports']);
    if (ports.length === 0) {
      count += addrs.length;
      for (const ip of addrs) if (list.length < max) list.push(ip);
      continue;
    }
    for (const port of ports) {
      count += addrs.length;
      for (const ip of addrs) if (list.length < max) list.push(joinHostPort(ip, num(port['port'])));
    }
  }
  const text = list.join(',');
  return count > max ? `${text} + ${count - max} more...` : text;
}

const endpointsPrinter: TablePrinter = {
  columns: [NAME_COLUMN, docColumn('Endpoints', 'Endpoints.subsets'), AGE_COLUMN],
  cells: (ep, { now }) => [nameOf(ep), formatEndpoints(ep), ageOf(ep, now)],
};

const configMapPrinter: TablePrinter = {
  columns: [NAME_COLUMN, docColumn('Data', 'ConfigMap.data'), AGE_COLUMN],
  cells: (cm, { now }) => [
    nameOf(cm),
    mapSize(cm['data']) + mapSize(cm['binaryData']),
    ageOf(cm, now),
  ],
};

const secretPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    docColumn('Type', 'Secret.type'),
    docColumn('Data', 'Secret.data'),
    AGE_COLUMN,
  ],
  cells: (s, { now }) => [nameOf(s), str(s['type']), mapSize(s['data']), ageOf(s, now)],
};

const serviceAccountPrinter: TablePrinter = {
  columns: [NAME_COLUMN, docColumn('Secrets', 'ServiceAccount.secrets'), AGE_COLUMN],
  cells: (sa, { now }) => [nameOf(sa), arr(sa['secrets']).length, ageOf(sa, now)],
};

const ACCESS_MODES: readonly (readonly [string, string])[] = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** helper.GetAccessModesAsString: always in the order RWO,ROX,RWX,RWOP. */
function accessModesText(modes: unknown): string {
  const present = new Set(arr(modes));
  return ACCESS_MODES.filter(([mode]) => present.has(mode))
    .map(([, short]) => short)
    .join(',');
}

/** helper.GetPersistentVolume(Claim)Class: the beta annotation wins over spec.storageClassName. */
function storageClass(obj: KubeObject, spec: JsonRecord): string {
  const annotated = obj.metadata.annotations?.[BETA_STORAGE_CLASS];
  return annotated ?? str(spec['storageClassName']);
}

function terminatingPhase(obj: KubeObject): string {
  return obj.metadata.deletionTimestamp !== undefined
    ? 'Terminating'
    : str(rec(obj['status'])['phase']);
}

const persistentVolumePrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    docColumn('Capacity', 'PersistentVolumeSpec.capacity'),
    docColumn('Access Modes', 'PersistentVolumeSpec.accessModes'),
    docColumn('Reclaim Policy', 'PersistentVolumeSpec.persistentVolumeReclaimPolicy'),
    docColumn('Status', 'PersistentVolumeStatus.phase'),
    docColumn('Claim', 'PersistentVolumeSpec.claimRef'),
    column('StorageClass', 'StorageClass of the pv'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pv'),
    docColumn('Reason', 'PersistentVolumeStatus.reason'),
    AGE_COLUMN,
    docColumn('VolumeMode', 'PersistentVolumeSpec.volumeMode', { wide: true }),
  ],
  cells(pv, { now }) {
    const spec = rec(pv['spec']);
    const claimRef = spec['claimRef'];
    const claim = isRecord(claimRef)
      ? `${str(claimRef['namespace'])}/${str(claimRef['name'])}`
      : '';
    return [
      nameOf(pv),
      quantityText(rec(spec['capacity'])['storage']),
      accessModesText(spec['accessModes']),
      str(spec['persistentVolumeReclaimPolicy']),
      terminatingPhase(pv),
      claim,
      storageClass(pv, spec),
      orUnset(optStr(spec['volumeAttributesClassName'])),
      str(rec(pv['status'])['reason']),
      ageOf(pv, now),
      orUnset(optStr(spec['volumeMode'])),
    ];
  },
};

const persistentVolumeClaimPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    docColumn('Status', 'PersistentVolumeClaimStatus.phase'),
    docColumn('Volume', 'PersistentVolumeClaimSpec.volumeName'),
    docColumn('Capacity', 'PersistentVolumeClaimStatus.capacity'),
    docColumn('Access Modes', 'PersistentVolumeClaimStatus.accessModes'),
    column('StorageClass', 'StorageClass of the pvc'),
    column('VolumeAttributesClass', 'VolumeAttributesClass of the pvc'),
    AGE_COLUMN,
    docColumn('VolumeMode', 'PersistentVolumeClaimSpec.volumeMode', { wide: true }),
  ],
  cells(pvc, { now }) {
    const spec = rec(pvc['spec']);
    const status = rec(pvc['status']);
    const volumeName = str(spec['volumeName']);
    const bound = volumeName !== '';
    return [
      nameOf(pvc),
      terminatingPhase(pvc),
      volumeName,
      bound ? quantityText(rec(status['capacity'])['storage']) : '',
      bound ? accessModesText(status['accessModes']) : '',
      storageClass(pvc, spec),
      orUnset(optStr(spec['volumeAttributesClassName'])),
      ageOf(pvc, now),
      orUnset(optStr(spec['volumeMode'])),
    ];
  },
};

/** printers.go `printResourceQuota`: `resource: used/hard`, requests and limits split. */
function quotaColumns(rq: KubeObject): [request: string, limit: string] {
  const status = rec(rq['status']);
  const hard = rec(status['hard']);
  const used = rec(status['used']);
  const request: string[] = [];
  const limit: string[] = [];
  for (const resource of Object.keys(hard).sort()) {
    const pieces = resource.split('.');
    const target = pieces.length > 1 && pieces[0] === 'limits' ? limit : request;
    target.push(`${resource}: ${quantityText(used[resource])}/${quantityText(hard[resource])}`);
  }
  return [request.join(', '), limit.join(', ')];
}

const resourceQuotaPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column(
      'Request',
      'Request represents a minimum amount of cpu/memory that a container may consume.',
    ),
    column(
      'Limit',
      'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.',
    ),
    AGE_COLUMN,
  ],
  cells(rq, { now }) {
    const [request, limit] = quotaColumns(rq);
    return [nameOf(rq), request, limit, ageOf(rq, now)];
  },
};

const podTemplatePrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Containers', 'Names of each container in the template.'),
    column('Images', 'Images referenced by each container in the template.'),
    column('Pod Labels', 'The labels for the pod template.'),
  ],
  cells(pt) {
    const template = rec(pt['template']);
    const [names, images] = containerCells(rec(template['spec'])['containers']);
    return [
      nameOf(pt),
      names,
      images,
      formatLabels(stringMap(rec(template['metadata'])['labels'])),
    ];
  },
};

/**
 * Core resources with a printer. limitranges use the default (Name, Created At) convertor
 * upstream, so they are absent here; componentstatuses are not served.
 */
export const corePrinters: PrinterTable = {
  namespaces: namespacePrinter,
  pods: podPrinter,
  nodes: nodePrinter,
  events: eventPrinter(CORE_EVENT_FIELDS),
  services: servicePrinter,
  endpoints: endpointsPrinter,
  configmaps: configMapPrinter,
  secrets: secretPrinter,
  serviceaccounts: serviceAccountPrinter,
  persistentvolumes: persistentVolumePrinter,
  persistentvolumeclaims: persistentVolumeClaimPrinter,
  resourcequotas: resourceQuotaPrinter,
  podtemplates: podTemplatePrinter,
};

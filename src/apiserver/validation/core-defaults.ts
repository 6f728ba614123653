import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';
import {
  defaultResourceList,
  defaultTemplateMetadata,
  ensureObject,
  objectAt,
  objectsAt,
  rootOf,
  setDefault,
  setDefaultNonZero,
  specOf,
} from './defaults-helpers.ts';
import { defaultPullPolicy } from './image-ref.ts';
import { metaMap, metaOf, metaText, strOf } from './walker.ts';

/**
 * core/v1 defaulting: pkg/apis/core/v1/defaults.go and the generated
 * zz_generated.defaults.go call tree (which default nested types everywhere they occur).
 *
 * Not here, because upstream does not default them either: a Pod's `serviceAccountName`
 * (the ServiceAccount admission plugin sets it), `tolerations` for not-ready/unreachable
 * (DefaultTolerationSeconds admission), and `priority` / `preemptionPolicy` (the Priority
 * admission plugin resolves them from the PriorityClass, PreemptLowerPriority by default).
 * The admission chain adds those.
 */

/** The secret, configMap, downwardAPI and projected volume default mode, 0644. */
const DEFAULT_MODE = 0o644;

function defaultFieldRef(ref: unknown): void {
  if (isJsonObject(ref)) setDefault(ref, 'apiVersion', 'v1');
}

function defaultDownwardApiItems(src: JsonObject): void {
  for (const item of objectsAt(src, 'items')) defaultFieldRef(item['fieldRef']);
}

function defaultProjected(p: JsonObject): void {
  setDefault(p, 'defaultMode', DEFAULT_MODE);
  for (const source of objectsAt(p, 'sources')) {
    const dapi = objectAt(source, 'downwardAPI');
    if (dapi !== undefined) defaultDownwardApiItems(dapi);
    const token = objectAt(source, 'serviceAccountToken');
    if (token !== undefined) setDefault(token, 'expirationSeconds', 3600);
  }
}

/** PersistentVolumeClaimSpec defaults, as templates and claims share them. */
export function defaultPvcSpec(spec: JsonObject): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
  const res = objectAt(spec, 'resources');
  defaultResourceList(res?.['limits']);
  defaultResourceList(res?.['requests']);
}

const VOLUME_SOURCE_DEFAULTS: Readonly<Record<string, (src: JsonObject) => void>> = {
  hostPath: (s) => {
    setDefault(s, 'type', '');
  },
  secret: (s) => {
    setDefault(s, 'defaultMode', DEFAULT_MODE);
  },
  configMap: (s) => {
    setDefault(s, 'defaultMode', DEFAULT_MODE);
  },
  downwardAPI: (s) => {
    setDefault(s, 'defaultMode', DEFAULT_MODE);
    defaultDownwardApiItems(s);
  },
  projected: defaultProjected,
  iscsi: (s) => {
    setDefault(s, 'iscsiInterface', 'default');
  },
  rbd: (s) => {
    setDefault(s, 'pool', 'rbd');
    setDefault(s, 'user', 'admin');
    setDefault(s, 'keyring', '/etc/ceph/keyring');
  },
  azureDisk: (s) => {
    setDefault(s, 'cachingMode', 'ReadWrite');
    setDefault(s, 'kind', 'Shared');
    setDefault(s, 'fsType', 'ext4');
    setDefault(s, 'readOnly', false);
  },
  scaleIO: (s) => {
    setDefault(s, 'storageMode', 'ThinProvisioned');
    setDefault(s, 'fsType', 'xfs');
  },
  ephemeral: (s) => {
    const spec = objectAt(objectAt(s, 'volumeClaimTemplate'), 'spec');
    if (spec !== undefined) defaultPvcSpec(spec);
  },
};

/** Every key a Volume may carry besides its name: a volume with none gets an emptyDir. */
const VOLUME_SOURCE_KEYS: readonly string[] = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

/** SetDefaults_Volume and the per-source defaults. */
function defaultVolume(v: JsonObject): void {
  if (VOLUME_SOURCE_KEYS.every((k) => v[k] === undefined || v[k] === null)) v['emptyDir'] = {};
  for (const [k, fn] of Object.entries(VOLUME_SOURCE_DEFAULTS)) {
    const src = objectAt(v, k);
    if (src !== undefined) fn(src);
  }
}

function defaultHandler(h: unknown): void {
  const http = objectAt(isJsonObject(h) ? h : undefined, 'httpGet');
  if (http !== undefined) {
    setDefault(http, 'path', '/');
    setDefault(http, 'scheme', 'HTTP');
  }
}

/** SetDefaults_Probe plus its handler defaults. */
function defaultProbe(probe: unknown): void {
  if (!isJsonObject(probe)) return;
  setDefaultNonZero(probe, 'timeoutSeconds', 1);
  setDefaultNonZero(probe, 'periodSeconds', 10);
  setDefaultNonZero(probe, 'successThreshold', 1);
  setDefaultNonZero(probe, 'failureThreshold', 3);
  defaultHandler(probe);
  const grpc = objectAt(probe, 'grpc');
  if (grpc !== undefined) setDefault(grpc, 'service', '');
}

/** SetDefaults_Container and the generated defaults of its nested types. */
export function defaultContainer(c: JsonObject): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(strOf(c['image'])));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of objectsAt(c, 'ports')) setDefault(port, 'protocol', 'TCP');
  for (const env of objectsAt(c, 'env')) defaultFieldRef(objectAt(env, 'valueFrom')?.['fieldRef']);
  // Go always serializes the (non-pointer) resources struct, so it appears as {} at least.
  const res = ensureObject(c, 'resources');
  defaultResourceList(res?.['limits']);
  defaultResourceList(res?.['requests']);
  for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[k]);
  const lifecycle = objectAt(c, 'lifecycle');
  defaultHandler(lifecycle?.['postStart']);
  defaultHandler(lifecycle?.['preStop']);
}

/** SetDefaults_PodSpec and the generated defaults of everything inside a PodSpec. */
export function defaultPodSpec(spec: JsonObject): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'securityContext', {});
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const v of objectsAt(spec, 'volumes')) defaultVolume(v);
  for (const k of ['initContainers', 'containers', 'ephemeralContainers']) {
    for (const c of objectsAt(spec, k)) defaultContainer(c);
  }
  defaultResourceList(spec['overhead']);
}

/** A PodTemplateSpec inside a workload: metadata serialization and PodSpec defaults. */
export function defaultPodTemplateSpec(template: unknown): void {
  if (!isJsonObject(template)) return;
  defaultTemplateMetadata(template);
  const spec = ensureObject(template, 'spec');
  if (spec !== undefined) defaultPodSpec(spec);
}

/** SetDefaults_Pod's container part: requests default to limits where absent. */
function defaultRequestsFromLimits(c: JsonObject): void {
  const res = objectAt(c, 'resources');
  const limits = objectAt(res, 'limits');
  if (res === undefined || limits === undefined) return;
  const requests = objectAt(res, 'requests') ?? {};
  for (const [k, v] of Object.entries(limits))
    if (!(k in requests) && v !== undefined) requests[k] = v;
  if (Object.keys(requests).length > 0) res['requests'] = requests;
}

/** SetDefaults_Pod, then the PodSpec defaults. */
export function defaultPod(pod: KubeObject): void {
  const spec = isJsonObject(pod['spec']) ? pod['spec'] : undefined;
  if (spec === undefined) return;
  for (const k of ['containers', 'initContainers'])
    for (const c of objectsAt(spec, k)) defaultRequestsFromLimits(c);
  setDefault(spec, 'enableServiceLinks', true);
  if (spec['hostNetwork'] === true) {
    for (const k of ['containers', 'initContainers']) {
      for (const c of objectsAt(spec, k)) {
        for (const p of objectsAt(c, 'ports'))
          if (p['hostPort'] === undefined || p['hostPort'] === 0)
            p['hostPort'] = p['containerPort'] ?? 0;
      }
    }
  }
  defaultPodSpec(spec);
}

/** PodTemplate (the core/v1 resource). */
export function defaultPodTemplate(obj: KubeObject): void {
  defaultPodTemplateSpec(obj['template']);
}

/** SetDefaults_ReplicationController: selector and labels from the template; replicas 1. */
export function defaultReplicationController(obj: KubeObject): void {
  const spec = isJsonObject(obj['spec']) ? obj['spec'] : undefined;
  if (spec === undefined) return;
  const template = objectAt(spec, 'template');
  const labels = objectAt(objectAt(template, 'metadata'), 'labels');
  if (labels !== undefined) {
    const selector = objectAt(spec, 'selector');
    if (selector === undefined || Object.keys(selector).length === 0)
      spec['selector'] = { ...labels };
    if (Object.keys(metaMap(obj, 'labels')).length === 0)
      metaOf(obj)['labels'] = Object.fromEntries(
        Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
      );
  }
  setDefault(spec, 'replicas', 1);
  if (template !== undefined) defaultPodTemplateSpec(template);
}

function isExternallyAccessible(spec: JsonObject): boolean {
  const type = spec['type'];
  const ext = spec['externalIPs'];
  return (
    type === 'LoadBalancer' ||
    type === 'NodePort' ||
    (type === 'ClusterIP' && Array.isArray(ext) && ext.length > 0)
  );
}

function defaultServiceAddressing(spec: JsonObject): void {
  if (spec['type'] === 'ExternalName') return;
  // The Service REST strategy and IP allocator, not SetDefaults_Service, sync clusterIP
  // with clusterIPs and choose the families; on a single-stack IPv4 cluster they give these.
  const clusterIP = spec['clusterIP'];
  const clusterIPs = spec['clusterIPs'];
  if (
    typeof clusterIP === 'string' &&
    clusterIP !== '' &&
    (!Array.isArray(clusterIPs) || clusterIPs.length === 0)
  ) {
    spec['clusterIPs'] = [clusterIP];
  } else if (
    (clusterIP === undefined || clusterIP === '') &&
    Array.isArray(clusterIPs) &&
    typeof clusterIPs[0] === 'string'
  ) {
    spec['clusterIP'] = clusterIPs[0];
  }
  setDefault(spec, 'ipFamilyPolicy', 'SingleStack');
  const families = spec['ipFamilies'];
  if (!Array.isArray(families) || families.length === 0) spec['ipFamilies'] = ['IPv4'];
}

function defaultSessionAffinity(spec: JsonObject): void {
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec['sessionAffinity'] === 'None') delete spec['sessionAffinityConfig'];
  if (spec['sessionAffinity'] !== 'ClientIP') return;
  const clientIP = objectAt(objectAt(spec, 'sessionAffinityConfig'), 'clientIP');
  const timeout = clientIP?.['timeoutSeconds'];
  if (timeout === undefined || timeout === null)
    spec['sessionAffinityConfig'] = { clientIP: { timeoutSeconds: 10800 } };
}

function defaultServicePort(port: JsonObject): void {
  setDefault(port, 'protocol', 'TCP');
  const target = port['targetPort'];
  if (target === undefined || target === null || target === 0 || target === '')
    port['targetPort'] = port['port'] ?? 0;
}

/** SetDefaults_Service. */
export function defaultService(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec === undefined) return;
  defaultSessionAffinity(spec);
  setDefault(spec, 'type', 'ClusterIP');
  for (const port of objectsAt(spec, 'ports')) defaultServicePort(port);
  if (isExternallyAccessible(spec)) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (['NodePort', 'LoadBalancer', 'ClusterIP'].includes(strOf(spec['type'])))
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec['type'] === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  defaultServiceAddressing(spec);
}

/**
 * SetDefaults_Namespace (the kubernetes.io/metadata.name label) and
 * SetDefaults_NamespaceStatus. The `kubernetes` finalizer comes from the namespace
 * strategy's PrepareForCreate upstream, so the REST create path adds it, not this.
 */
export function defaultNamespace(obj: KubeObject): void {
  const name = metaText(obj, 'name');
  const meta = metaOf(obj);
  if (name !== '') {
    const labels = isJsonObject(meta['labels']) ? meta['labels'] : {};
    meta['labels'] = { ...labels, 'kubernetes.io/metadata.name': name };
  }
  // The `kubernetes` finalizer is the create strategy's (PrepareForCreate), not a default:
  // defaulting it would put it back on every update, and the namespace could never finalize.
  const status = isJsonObject(obj['status']) ? obj['status'] : (obj['status'] = {});
  setDefault(status, 'phase', 'Active');
}

/** SetDefaults_Secret. */
export function defaultSecret(obj: KubeObject): void {
  setDefault(rootOf(obj), 'type', 'Opaque');
}

/** SetDefaults_NodeStatus and the resource lists. */
export function defaultNode(obj: KubeObject): void {
  const status = objectAt(rootOf(obj), 'status');
  if (status === undefined) return;
  if (
    (status['allocatable'] === undefined || status['allocatable'] === null) &&
    isJsonObject(status['capacity'])
  ) {
    status['allocatable'] = { ...status['capacity'] };
  }
  defaultResourceList(status['capacity']);
  defaultResourceList(status['allocatable']);
}

/** SetDefaults_PersistentVolumeClaim and its spec. */
export function defaultPersistentVolumeClaim(obj: KubeObject): void {
  const root = rootOf(obj);
  const status = ensureObject(root, 'status');
  if (status !== undefined) setDefault(status, 'phase', 'Pending');
  const spec = objectAt(root, 'spec');
  if (spec !== undefined) defaultPvcSpec(spec);
  defaultResourceList(status?.['capacity']);
  defaultResourceList(status?.['allocatedResources']);
}

/** SetDefaults_PersistentVolume. */
export function defaultPersistentVolume(obj: KubeObject): void {
  const root = rootOf(obj);
  const status = ensureObject(root, 'status');
  if (status !== undefined) setDefault(status, 'phase', 'Pending');
  const spec = objectAt(root, 'spec');
  if (spec === undefined) return;
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  defaultResourceList(spec['capacity']);
  const hostPath = objectAt(spec, 'hostPath');
  if (hostPath !== undefined) setDefault(hostPath, 'type', '');
}

/** SetDefaults_Endpoints. */
export function defaultEndpoints(obj: KubeObject): void {
  for (const subset of objectsAt(rootOf(obj), 'subsets')) {
    for (const port of objectsAt(subset, 'ports')) setDefault(port, 'protocol', 'TCP');
  }
}

/** Copies the entries of `src` whose keys `dst` lacks. */
function fillMissing(dst: JsonObject, src: JsonObject | undefined): void {
  for (const [k, v] of Object.entries(src ?? {})) if (!(k in dst) && v !== undefined) dst[k] = v;
}

/** SetDefaults_LimitRangeItem for Container items. */
function defaultContainerLimits(item: JsonObject): void {
  const def = ensureObject(item, 'default') ?? {};
  const defReq = ensureObject(item, 'defaultRequest') ?? {};
  fillMissing(def, objectAt(item, 'max'));
  fillMissing(defReq, def);
  fillMissing(defReq, objectAt(item, 'min'));
  // An empty map is omitted when Go serializes it.
  if (Object.keys(def).length === 0) delete item['default'];
  if (Object.keys(defReq).length === 0) delete item['defaultRequest'];
}

/** SetDefaults_LimitRangeItem plus the resource lists. */
export function defaultLimitRange(obj: KubeObject): void {
  for (const item of objectsAt(objectAt(rootOf(obj), 'spec'), 'limits')) {
    if (item['type'] === 'Container') defaultContainerLimits(item);
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'])
      defaultResourceList(item[k]);
  }
}

/** The resource lists of a ResourceQuota. */
export function defaultResourceQuota(obj: KubeObject): void {
  const root = rootOf(obj);
  defaultResourceList(objectAt(root, 'spec')?.['hard']);
  defaultResourceList(objectAt(root, 'status')?.['hard']);
  defaultResourceList(objectAt(root, 'status')?.['used']);
}

import type { JsonObject } from '../../api/index.ts';
import {
  validateObjectFieldSelector,
  validateResourceFieldSelector,
  VOLUME_FIELD_PATHS,
} from './core-env.ts';
import {
  validateFileMode,
  validateLocalDescendingPath,
  validateLocalNonReservedPath,
  validatePathNoBacksteps,
} from './core-paths.ts';
import { readQuantity } from './core-resources.ts';
import { validatePvcSpec, validateTemplateObjectMeta } from './core-storage.ts';
import { objectAt } from './defaults-helpers.ts';
import {
  child,
  duplicate,
  forbidden,
  invalid,
  invalidEach,
  notSupported,
  required,
  tooLong,
} from './field.ts';
import {
  inclusiveRangeError,
  isDns1123Label,
  isDns1123Subdomain,
  nameIsDnsSubdomain,
} from './names.ts';
import { strOf, type Walker } from './walker.ts';

/** Pod volumes (ValidateVolumes and validateVolumeSource). */

interface Src {
  readonly src: JsonObject;
  /** The path errors inside this source use (upstream sometimes names it differently). */
  readonly path: string;
  readonly volPath: string;
  readonly volName: string;
  readonly podName: string;
  readonly resourceIsPod: boolean;
}

type SourceCheck = (w: Walker, s: Src) => void;

function requireStr(w: Walker, s: Src, k: string): string {
  const v = w.text(s.src, s.path, k);
  if (v === '') w.add(required(child(s.path, k)));
  return v;
}

function validateKeyToPaths(w: Walker, s: Src): void {
  for (const { o, path } of w.items(s.src, s.path, 'items')) {
    if (w.text(o, path, 'key') === '') w.add(required(child(path, 'key')));
    const p = w.text(o, path, 'path');
    if (p === '') w.add(required(child(path, 'path')));
    w.add(...validateLocalNonReservedPath(p, child(path, 'path')));
    w.add(...validateFileMode(w.int(o, path, 'mode'), child(path, 'mode')));
  }
}

function defaultMode(w: Walker, s: Src): void {
  w.add(...validateFileMode(w.int(s.src, s.path, 'defaultMode'), child(s.path, 'defaultMode')));
}

const HOST_PATH_TYPES: readonly string[] = [
  '',
  'BlockDevice',
  'CharDevice',
  'Directory',
  'DirectoryOrCreate',
  'File',
  'FileOrCreate',
  'Socket',
];

function checkHostPath(w: Walker, s: Src): void {
  const p = w.text(s.src, s.path, 'path');
  if (p === '') {
    w.add(required(child(s.path, 'path')));
    return;
  }
  w.add(...validatePathNoBacksteps(p, child(s.path, 'path')));
  const type = w.str(s.src, s.path, 'type');
  if (type !== undefined && !HOST_PATH_TYPES.includes(type))
    w.add(notSupported(child(s.path, 'type'), type, HOST_PATH_TYPES));
}

function checkEmptyDir(w: Walker, s: Src): void {
  const limit = readQuantity(w, s.src['sizeLimit'], child(s.path, 'sizeLimit'));
  if (limit !== undefined && limit.unscaled < 0n) {
    w.add(
      forbidden(child(s.path, 'sizeLimit'), 'SizeLimit field must be a valid resource quantity'),
    );
  }
}

function checkPartitioned(idKey: string): SourceCheck {
  return (w, s) => {
    requireStr(w, s, idKey);
    const partition = w.num(s.src, s.path, 'partition');
    if (partition < 0 || partition > 255)
      w.add(invalid(child(s.path, 'partition'), partition, inclusiveRangeError(1, 255)));
  };
}

function checkNfs(w: Walker, s: Src): void {
  requireStr(w, s, 'server');
  const p = requireStr(w, s, 'path');
  if (!p.startsWith('/')) w.add(invalid(child(s.path, 'path'), p, 'must be an absolute path'));
}

function checkDownwardApiItems(
  w: Walker,
  at: { list: JsonObject; path: string; filePath: string },
): void {
  for (const { o, path } of w.items(at.list, at.path, 'items')) {
    const p = w.text(o, path, 'path');
    if (p === '') w.add(required(child(at.filePath, 'path')));
    w.add(...validateLocalNonReservedPath(p, child(at.filePath, 'path')));
    const fieldRef = w.obj(o, path, 'fieldRef');
    const resourceRef = w.obj(o, path, 'resourceFieldRef');
    if (fieldRef !== undefined) {
      validateObjectFieldSelector(
        w,
        { fs: fieldRef, path: child(at.filePath, 'fieldRef') },
        VOLUME_FIELD_PATHS,
      );
      if (resourceRef !== undefined) {
        w.add(
          invalid(
            at.filePath,
            'resource',
            'fieldRef and resourceFieldRef can not be specified simultaneously',
          ),
        );
      }
    } else if (resourceRef !== undefined) {
      validateResourceFieldSelector(
        w,
        { fs: resourceRef, path: child(at.filePath, 'resourceFieldRef') },
        true,
      );
    } else w.add(required(at.filePath, 'one of fieldRef and resourceFieldRef is required'));
    w.add(...validateFileMode(w.int(o, path, 'mode'), child(at.filePath, 'mode')));
  }
}

function checkDownwardApi(w: Walker, s: Src): void {
  defaultMode(w, s);
  checkDownwardApiItems(w, { list: s.src, path: s.path, filePath: s.path });
}

function checkServiceAccountToken(
  w: Walker,
  at: { t: JsonObject; path: string; projPath: string },
  resourceIsPod: boolean,
): void {
  const exp = w.num(at.t, at.path, 'expirationSeconds');
  if (exp < 600)
    w.add(
      invalid(
        child(at.path, 'expirationSeconds'),
        exp,
        'may not specify a duration less than 10 minutes',
      ),
    );
  if (exp > 2 ** 32)
    w.add(
      invalid(
        child(at.path, 'expirationSeconds'),
        exp,
        'may not specify a duration larger than 2^32 seconds',
      ),
    );
  const p = w.text(at.t, at.path, 'path');
  if (p === '') w.add(required(child(at.projPath, 'path')));
  else if (resourceIsPod) w.add(...validateLocalNonReservedPath(p, child(at.projPath, 'path')));
}

function trackPaths(
  w: Walker,
  at: { list: JsonObject; path: string; projPath: string; shown: string },
  seen: Set<string>,
): void {
  for (const { o } of w.items(at.list, at.path, 'items')) {
    const p = typeof o['path'] === 'string' ? o['path'] : '';
    if (p === '') continue;
    if (seen.has(p)) w.add(invalid(at.projPath, at.shown, 'conflicting duplicate paths'));
    seen.add(p);
  }
}

function checkProjectedSource(
  w: Walker,
  at: { source: JsonObject; srcPath: string; s: Src },
  seen: Set<string>,
): number {
  let n = 0;
  for (const k of ['secret', 'configMap']) {
    const ref = w.obj(at.source, at.srcPath, k);
    if (ref === undefined) continue;
    n++;
    const refPath = child(at.srcPath, k);
    const name = w.text(ref, refPath, 'name');
    if (name === '') w.add(required(child(refPath, 'name')));
    validateKeyToPaths(w, { ...at.s, src: ref, path: refPath });
    trackPaths(w, { list: ref, path: refPath, projPath: at.s.path, shown: name }, seen);
  }
  const dapi = w.obj(at.source, at.srcPath, 'downwardAPI');
  if (dapi !== undefined) {
    n++;
    const dPath = child(at.srcPath, 'downwardAPI');
    checkDownwardApiItems(w, { list: dapi, path: dPath, filePath: dPath });
    for (const { o } of w.items(dapi, dPath, 'items')) {
      const p = typeof o['path'] === 'string' ? o['path'] : '';
      if (p !== '' && seen.has(p)) w.add(invalid(at.s.path, p, 'conflicting duplicate paths'));
      if (p !== '') seen.add(p);
    }
  }
  const token = w.obj(at.source, at.srcPath, 'serviceAccountToken');
  if (token !== undefined) {
    n++;
    checkServiceAccountToken(
      w,
      { t: token, path: child(at.srcPath, 'serviceAccountToken'), projPath: at.s.path },
      at.s.resourceIsPod,
    );
  }
  if (w.obj(at.source, at.srcPath, 'clusterTrustBundle') !== undefined) n++;
  return n;
}

function checkProjected(w: Walker, s: Src): void {
  defaultMode(w, s);
  const seen = new Set<string>();
  for (const { o, path } of w.items(s.src, s.path, 'sources')) {
    if (checkProjectedSource(w, { source: o, srcPath: path, s }, seen) > 1) {
      w.add(forbidden(path, 'may not specify more than 1 volume type per source'));
    }
  }
}

function checkCsi(w: Walker, s: Src): void {
  const driver = w.text(s.src, s.path, 'driver');
  const field = child(s.path, 'driver');
  if (driver === '') w.add(required(field));
  if (driver.length > 63) w.add(tooLong(field, 63));
  w.add(...invalidEach(field, driver, isDns1123Subdomain(driver.toLowerCase())));
  const secretRef = w.obj(s.src, s.path, 'nodePublishSecretRef');
  if (secretRef !== undefined) {
    const refPath = child(s.path, 'nodePublishSecretRef');
    const name = w.text(secretRef, refPath, 'name');
    if (name === '') w.add(required(child(refPath, 'name')));
    else w.add(...invalidEach(child(s.path, 'name'), name, nameIsDnsSubdomain(name, false)));
  }
}

function checkEphemeral(w: Walker, s: Src): void {
  const template = w.obj(s.src, s.path, 'volumeClaimTemplate');
  const tPath = child(s.path, 'volumeClaimTemplate');
  if (template === undefined) w.add(required(tPath));
  else {
    validateTemplateObjectMeta(w, w.obj(template, tPath, 'metadata'), child(tPath, 'metadata'));
    validatePvcSpec(w, w.obj(template, tPath, 'spec'), child(tPath, 'spec'));
  }
  if (s.podName !== '' && s.volName !== '') {
    const pvcName = `${s.podName}-${s.volName}`;
    for (const msg of nameIsDnsSubdomain(pvcName, false)) {
      w.add(invalid(child(s.volPath, 'name'), s.volName, `PVC name "${pvcName}": ${msg}`));
    }
  }
}

function checkImage(w: Walker, s: Src): void {
  if (s.resourceIsPod && w.text(s.src, s.path, 'reference') === '')
    w.add(required(child(s.path, 'reference')));
  const policy = w.text(s.src, s.path, 'pullPolicy');
  const valid = ['Always', 'IfNotPresent', 'Never'];
  if (policy === '') w.add(required(child(s.path, 'pullPolicy')));
  else if (!valid.includes(policy)) w.add(notSupported(child(s.path, 'pullPolicy'), policy, valid));
}

function checkGitRepo(w: Walker, s: Src): void {
  requireStr(w, s, 'repository');
  w.add(
    ...validateLocalDescendingPath(w.text(s.src, s.path, 'directory'), child(s.path, 'directory')),
  );
}

const noCheck: SourceCheck = () => undefined;

/** A check that each named string field is set. */
function requireAll(...keys: readonly string[]): SourceCheck {
  return (w, s) => {
    for (const k of keys) requireStr(w, s, k);
  };
}

/** secret and configMap: the name field, the default mode and the key-to-path items. */
function checkKeyed(nameKey: string): SourceCheck {
  return (w, s) => {
    requireStr(w, s, nameKey);
    defaultMode(w, s);
    validateKeyToPaths(w, s);
  };
}

/**
 * Every volume source in upstream's checking order: JSON key, the name used in the
 * "more than 1 volume type" error, the name used for errors inside it, and its checks.
 */
const SOURCES: readonly (readonly [string, string, string, SourceCheck])[] = [
  ['emptyDir', 'emptyDir', 'emptyDir', checkEmptyDir],
  ['hostPath', 'hostPath', 'hostPath', checkHostPath],
  ['gitRepo', 'gitRepo', 'gitRepo', checkGitRepo],
  ['gcePersistentDisk', 'gcePersistentDisk', 'persistentDisk', checkPartitioned('pdName')],
  [
    'awsElasticBlockStore',
    'awsElasticBlockStore',
    'awsElasticBlockStore',
    checkPartitioned('volumeID'),
  ],
  ['secret', 'secret', 'secret', checkKeyed('secretName')],
  ['nfs', 'nfs', 'nfs', checkNfs],
  ['iscsi', 'iscsi', 'iscsi', requireAll('targetPortal', 'iqn')],
  ['glusterfs', 'glusterfs', 'glusterfs', requireAll('endpoints', 'path')],
  ['flocker', 'flocker', 'flocker', noCheck],
  [
    'persistentVolumeClaim',
    'persistentVolumeClaim',
    'persistentVolumeClaim',
    requireAll('claimName'),
  ],
  ['rbd', 'rbd', 'rbd', requireAll('image')],
  ['cinder', 'cinder', 'cinder', requireAll('volumeID')],
  ['cephfs', 'cephFS', 'cephfs', noCheck],
  ['quobyte', 'quobyte', 'quobyte', requireAll('volume')],
  ['downwardAPI', 'downwarAPI', 'downwardAPI', checkDownwardApi],
  ['fc', 'fc', 'fc', noCheck],
  ['flexVolume', 'flexVolume', 'flexVolume', requireAll('driver')],
  ['configMap', 'configMap', 'configMap', checkKeyed('name')],
  ['azureFile', 'azureFile', 'azureFile', requireAll('secretName', 'shareName')],
  ['vsphereVolume', 'vsphereVolume', 'vsphereVolume', requireAll('volumePath')],
  ['photonPersistentDisk', 'photonPersistentDisk', 'photonPersistentDisk', requireAll('pdID')],
  ['portworxVolume', 'portworxVolume', 'portworxVolume', requireAll('volumeID')],
  ['azureDisk', 'azureDisk', 'azureDisk', requireAll('diskName', 'diskURI')],
  ['storageos', 'storageos', 'storageos', noCheck],
  ['projected', 'projected', 'projected', checkProjected],
  ['scaleIO', 'scaleIO', 'scaleIO', requireAll('gateway', 'system', 'volumeName')],
  ['csi', 'csi', 'csi', checkCsi],
  ['ephemeral', 'ephemeral', 'ephemeral', checkEphemeral],
  ['image', 'image', 'image', checkImage],
];

function validateVolumeSource(
  w: Walker,
  vol: { o: JsonObject; path: string; name: string },
  ctx: { podName: string; resourceIsPod: boolean },
): number {
  const before = w.errs.length;
  let count = 0;
  for (const [k, forbiddenName, innerName, check] of SOURCES) {
    const src = w.obj(vol.o, vol.path, k);
    if (src === undefined) continue;
    if (count > 0) {
      w.add(forbidden(child(vol.path, forbiddenName), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    check(w, {
      src,
      path: child(vol.path, innerName),
      volPath: vol.path,
      volName: vol.name,
      ...ctx,
    });
  }
  if (count === 0) w.add(required(vol.path, 'must specify a volume type'));
  return w.errs.length - before;
}

/** ValidateVolumes: returns the volumes that passed, by name, for mounts to refer to. */
export function validateVolumes(
  w: Walker,
  at: { readonly spec: JsonObject; readonly specPath: string },
  ctx: { readonly podName: string; readonly resourceIsPod: boolean },
): Map<string, JsonObject> {
  const vols = new Map<string, JsonObject>();
  const items = w.items(at.spec, at.specPath, 'volumes');
  const created = new Set<string>();
  if (ctx.podName !== '') {
    for (const { o } of items)
      if (o['ephemeral'] !== undefined) created.add(`${ctx.podName}-${strOf(o['name'])}`);
  }
  for (const { o, path } of items) {
    const name = w.text(o, path, 'name');
    let errCount = validateVolumeSource(w, { o, path, name }, ctx);
    const namePath = child(path, 'name');
    const nameErrs =
      name === '' ? [required(namePath)] : invalidEach(namePath, name, isDns1123Label(name));
    if (vols.has(name)) nameErrs.push(duplicate(namePath, name));
    w.add(...nameErrs);
    errCount += nameErrs.length;
    if (errCount === 0) vols.set(name, o);
    const claim = objectAt(o, 'persistentVolumeClaim')?.['claimName'];
    if (typeof claim === 'string' && created.has(claim)) {
      w.add(
        invalid(
          child(path, 'persistentVolumeClaim', 'claimName'),
          claim,
          'must not reference a PVC that gets created for an ephemeral volume',
        ),
      );
    }
  }
  return vols;
}

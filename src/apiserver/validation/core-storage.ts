import type { FieldError, JsonObject, JsonValue, KubeObject } from '../../api/index.ts';
import { objectAt, rootOf } from './defaults-helpers.ts';
import {
  readQuantity,
  readResourceList,
  validatePositiveQuantity,
  validateResourceQuantityValue,
} from './core-resources.ts';
import { jsonDiff, semanticEqual } from './equality.ts';
import { child, forbidden, invalid, invalidEach, key, notSupported, required } from './field.ts';
import { readLabelSelector, validateLabelSelector } from './label-selector.ts';
import { isDns1123Subdomain, nameIsDnsLabel, nameIsDnsSubdomain } from './names.ts';
import {
  checkObjectMeta,
  checkObjectMetaUpdate,
  validateAnnotations,
  validateImmutable,
  validateLabels,
} from './object-meta.ts';
import { compareQuantities } from './quantity.ts';
import { Walker, type At } from './walker.ts';
import { cloneJson } from '../../util/index.ts';

/** PersistentVolumeClaims and PersistentVolumes (pkg/apis/core/validation). */

const ACCESS_MODES: readonly string[] = [
  'ReadOnlyMany',
  'ReadWriteMany',
  'ReadWriteOnce',
  'ReadWriteOncePod',
];
const VOLUME_MODES: readonly string[] = ['Block', 'Filesystem'];
const RECLAIM_POLICIES: readonly string[] = ['Delete', 'Recycle', 'Retain'];

function validateAccessModes(w: Walker, at: At, requiredDetail: string): void {
  const { o: spec, path: base } = at;
  const field = child(base, 'accessModes');
  const modes = w.strArr(spec, base, 'accessModes') ?? [];
  if (modes.length === 0) w.add(required(field, requiredDetail));
  let rwop = false;
  let other = false;
  for (const m of modes) {
    if (!ACCESS_MODES.includes(m)) w.add(notSupported(field, m, ACCESS_MODES));
    if (m === 'ReadWriteOncePod') rwop = true;
    else if (ACCESS_MODES.includes(m)) other = true;
  }
  if (rwop && other)
    w.add(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
}

function validateDataSource(w: Walker, at: At, k: string): JsonObject | undefined {
  const { o: spec, path: base } = at;
  const path = child(base, k);
  const ds = w.obj(spec, base, k);
  if (ds === undefined) return undefined;
  const name = w.text(ds, path, 'name');
  const kind = w.text(ds, path, 'kind');
  const apiGroup = w.text(ds, path, 'apiGroup');
  if (name === '') w.add(required(child(path, 'name')));
  if (kind === '') w.add(required(child(path, 'kind')));
  if (apiGroup === '' && kind !== 'PersistentVolumeClaim') {
    w.add(
      invalid(path, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"),
    );
  }
  if (apiGroup !== '')
    w.add(...invalidEach(child(path, 'apiGroup'), apiGroup, isDns1123Subdomain(apiGroup)));
  const ns = w.text(ds, path, 'namespace');
  if (k === 'dataSourceRef' && ns !== '')
    w.add(...invalidEach(child(path, 'namespace'), ns, nameIsDnsLabel(ns, false)));
  return ds;
}

function validateDataSources(w: Walker, spec: JsonObject | undefined, base: string): void {
  const ds = validateDataSource(w, { o: spec, path: base }, 'dataSource');
  const ref = validateDataSource(w, { o: spec, path: base }, 'dataSourceRef');
  const refNs = typeof ref?.['namespace'] === 'string' ? ref['namespace'] : '';
  if (ref !== undefined && refNs !== '') {
    if (ds !== undefined) {
      w.add(
        invalid(
          base,
          { goSyntax: child(base, 'dataSource') },
          'may not be specified when dataSourceRef.namespace is specified',
        ),
      );
    }
  } else if (ds !== undefined && ref !== undefined) {
    const same = ['apiGroup', 'kind', 'name'].every((k) => semanticEqual(ds[k], ref[k]));
    if (!same)
      w.add(invalid(base, { goSyntax: child(base, 'dataSource') }, 'must match dataSourceRef'));
  }
}

/** ValidatePersistentVolumeClaimSpec. */
export function validatePvcSpec(w: Walker, spec: JsonObject | undefined, base: string): void {
  validateAccessModes(w, { o: spec, path: base }, 'at least 1 access mode is required');
  const sel = readLabelSelector(w, { o: spec, path: base }, 'selector');
  w.add(...validateLabelSelector(sel, child(base, 'selector')));
  const resources = w.obj(spec, base, 'resources');
  const resPath = child(base, 'resources');
  const requests = readResourceList(w, { o: resources, path: resPath }, 'requests') ?? [];
  readResourceList(w, { o: resources, path: resPath }, 'limits');
  const storage = requests.find(([n]) => n === 'storage')?.[1];
  const storagePath = key(resPath, 'storage');
  if (storage === undefined) w.add(required(storagePath));
  else {
    const positive = validatePositiveQuantity(storage, storagePath);
    w.add(
      ...(positive.length > 0
        ? positive
        : validateResourceQuantityValue('storage', storage, storagePath)),
    );
  }
  const sc = w.text(spec, base, 'storageClassName');
  if (sc !== '')
    w.add(...invalidEach(child(base, 'storageClassName'), sc, nameIsDnsSubdomain(sc, false)));
  const mode = w.str(spec, base, 'volumeMode');
  if (mode !== undefined && !VOLUME_MODES.includes(mode))
    w.add(notSupported(child(base, 'volumeMode'), mode, VOLUME_MODES));
  validateDataSources(w, spec, base);
}

const TEMPLATE_META_ALLOWED: ReadonlySet<string> = new Set(['annotations', 'labels']);

/** ValidateTemplateObjectMeta: only labels and annotations may be set. */
export function validateTemplateObjectMeta(
  w: Walker,
  meta: JsonObject | undefined,
  base: string,
): void {
  w.add(...validateAnnotations(w.strMap(meta, base, 'annotations'), child(base, 'annotations')));
  w.add(...validateLabels(w.strMap(meta, base, 'labels'), child(base, 'labels')));
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (!TEMPLATE_META_ALLOWED.has(k) && !semanticEqual(v, undefined))
      w.add(forbidden(child(base, k), 'cannot be set'));
  }
}

function pvcParts(w: Walker, obj: KubeObject): { spec: JsonObject | undefined } {
  const root = w.asObj(obj, '');
  return { spec: w.obj(root, '', 'spec') };
}

/** ValidatePersistentVolumeClaim. */
export function validatePersistentVolumeClaim(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const { spec } = pvcParts(w, obj);
  validatePvcSpec(w, spec, 'spec');
  if (old !== undefined) validatePvcUpdate(w, { spec, obj }, old);
  return w.errs;
}

function storageRequest(spec: JsonObject | undefined): JsonValue | undefined {
  return objectAt(objectAt(spec, 'resources'), 'requests')?.['storage'];
}

/**
 * The spec with the fields a PVC update may change copied over from `from`, so that a
 * semantic comparison with the other spec sees only forbidden changes.
 */
function pvcUpdateClones(
  cur: { spec: JsonObject | undefined; obj: KubeObject },
  oldSpec: JsonObject,
): { newClone: JsonObject; oldClone: JsonObject } {
  const newClone = cloneJson(cur.spec ?? {});
  let oldClone = cloneJson(oldSpec);
  if ((oldClone['volumeName'] ?? '') === '') oldClone = withField(oldClone, newClone, 'volumeName');
  if (oldClone['storageClassName'] === undefined)
    oldClone = withField(oldClone, newClone, 'storageClassName');
  const resources = objectAt(newClone, 'resources');
  const requests = objectAt(resources, 'requests');
  const bound = objectAt(rootOf(cur.obj), 'status')?.['phase'] === 'Bound';
  if (bound && resources !== undefined && requests !== undefined) {
    const oldRequests = objectAt(objectAt(oldSpec, 'resources'), 'requests') ?? {};
    resources['requests'] = withField(requests, oldRequests, 'storage');
  }
  return { newClone, oldClone };
}

/** `to` with `k` copied from `from`, or removed when `from` lacks it. */
function withField(to: JsonObject, from: JsonObject, k: string): JsonObject {
  const v = from[k];
  if (v !== undefined) return { ...to, [k]: v };
  return Object.fromEntries(Object.entries(to).filter(([x]) => x !== k));
}

function validatePvcUpdate(
  w: Walker,
  cur: { spec: JsonObject | undefined; obj: KubeObject },
  old: KubeObject,
): void {
  const oldSpec = objectAt(rootOf(old), 'spec') ?? {};
  const { newClone, oldClone } = pvcUpdateClones(cur, oldSpec);
  if (!semanticEqual(newClone, oldClone)) {
    w.add(
      forbidden(
        'spec',
        `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${jsonDiff(oldClone, newClone)}`,
      ),
    );
  }
  const ws = new Walker();
  const newSize = readQuantity(ws, storageRequest(cur.spec), 'x');
  const oldSize = readQuantity(ws, storageRequest(oldSpec), 'x');
  if (newSize !== undefined && oldSize !== undefined && compareQuantities(newSize, oldSize) < 0) {
    w.add(
      forbidden('spec.resources.requests.storage', 'field can not be less than previous value'),
    );
  }
  validateVolumeModeUpdate(w, cur.spec, oldSpec);
}

function validateVolumeModeUpdate(
  w: Walker,
  spec: JsonObject | undefined,
  oldSpec: JsonObject,
): void {
  const mode = spec?.['volumeMode'];
  w.add(
    ...validateImmutable(
      [mode, oldSpec['volumeMode']],
      'volumeMode',
      typeof mode === 'string' ? mode : null,
    ),
  );
}

/** The volume sources a PersistentVolume may hold, in upstream's checking order. */
const PV_SOURCES: readonly (readonly [string, string])[] = [
  ['hostPath', 'hostPath'],
  ['gcePersistentDisk', 'gcePersistentDisk'],
  ['awsElasticBlockStore', 'awsElasticBlockStore'],
  ['glusterfs', 'glusterfs'],
  ['flocker', 'flocker'],
  ['nfs', 'nfs'],
  ['rbd', 'rbd'],
  ['quobyte', 'quobyte'],
  ['cephfs', 'cephFS'],
  ['iscsi', 'iscsi'],
  ['cinder', 'cinder'],
  ['fc', 'fc'],
  ['flexVolume', 'flexVolume'],
  ['azureFile', 'azureFile'],
  ['vsphereVolume', 'vsphereVolume'],
  ['photonPersistentDisk', 'photonPersistentDisk'],
  ['portworxVolume', 'portworxVolume'],
  ['azureDisk', 'azureDisk'],
  ['scaleIO', 'scaleIO'],
  ['local', 'local'],
  ['storageos', 'storageos'],
  ['csi', 'csi'],
];

function validatePvSource(w: Walker, spec: JsonObject | undefined, base: string): void {
  let count = 0;
  for (const [k, forbiddenName] of PV_SOURCES) {
    const src = w.obj(spec, base, k);
    if (src === undefined) continue;
    // flexVolume is counted without the one-type check, as upstream does.
    if (count > 0 && k !== 'flexVolume') {
      w.add(forbidden(child(base, forbiddenName), 'may not specify more than 1 volume type'));
      continue;
    }
    count++;
    validatePvSourceFields(w, { src, k, path: child(base, k) }, spec);
  }
  if (count === 0) w.add(required(base, 'must specify a volume type'));
}

function validatePvSourceFields(
  w: Walker,
  at: { src: JsonObject; k: string; path: string },
  spec: JsonObject | undefined,
): void {
  const requiredFields: Readonly<Record<string, string>> = {
    hostPath: 'path',
    nfs: 'server',
    local: 'path',
    csi: 'volumeHandle',
    awsElasticBlockStore: 'volumeID',
  };
  const field = requiredFields[at.k];
  if (field !== undefined && w.text(at.src, at.path, field) === '')
    w.add(required(child(at.path, field)));
  if (at.k === 'csi' && w.text(at.src, at.path, 'driver') === '')
    w.add(required(child(at.path, 'driver')));
  if (at.k === 'local' && spec?.['nodeAffinity'] === undefined) {
    w.add(required('spec.nodeAffinity', 'Local volume requires node affinity'));
  }
}

/** ValidatePersistentVolume. */
export function validatePersistentVolume(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  checkObjectMeta(w, obj.metadata, {
    namespaced: false,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const root = w.asObj(obj, '');
  const spec = w.obj(root, '', 'spec');
  validateAccessModes(w, { o: spec, path: 'spec' }, '');
  validatePvCapacity(w, spec);
  const policy = w.text(spec, 'spec', 'persistentVolumeReclaimPolicy');
  if (policy !== '' && !RECLAIM_POLICIES.includes(policy)) {
    w.add(notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  }
  validatePvSource(w, spec, 'spec');
  const sc = w.text(spec, 'spec', 'storageClassName');
  if (sc !== '') w.add(...invalidEach('spec.storageClassName', sc, nameIsDnsSubdomain(sc, false)));
  const mode = w.str(spec, 'spec', 'volumeMode');
  if (mode !== undefined && !VOLUME_MODES.includes(mode))
    w.add(notSupported('spec.volumeMode', mode, VOLUME_MODES));
  if (old !== undefined) validatePvUpdate(w, spec, old);
  return w.errs;
}

function validatePvCapacity(w: Walker, spec: JsonObject | undefined): void {
  const capacity = readResourceList(w, { o: spec, path: 'spec' }, 'capacity');
  const list = capacity ?? [];
  if (list.length === 0) w.add(required('spec.capacity'));
  if (!list.some(([n]) => n === 'storage') || list.length > 1) {
    w.add(notSupported('spec.capacity', { goSyntax: goResourceList(capacity) }, ['storage']));
  }
  for (const [n, q] of list) w.add(...validatePositiveQuantity(q, key('spec.capacity', n)));
}

/** `%#v` of a ResourceList; quantities are structs whose internals a client never sees. */
function goResourceList(list: readonly (readonly [string, unknown])[] | undefined): string {
  if (list === undefined) return 'core.ResourceList(nil)';
  return `core.ResourceList{${list.map(([n]) => `"${n}":resource.Quantity{...}`).join(', ')}}`;
}

function validatePvUpdate(w: Walker, spec: JsonObject | undefined, old: KubeObject): void {
  const oldSpec = objectAt(rootOf(old), 'spec') ?? {};
  const sources = (s: JsonObject | undefined): JsonObject => {
    const out: JsonObject = {};
    for (const [k] of PV_SOURCES) {
      const v = s?.[k];
      if (v !== undefined) out[k] = v;
    }
    return out;
  };
  if (!semanticEqual(sources(spec), sources(oldSpec))) {
    w.add(
      forbidden(
        'spec.persistentvolumesource',
        `spec.persistentvolumesource is immutable after creation\n${jsonDiff(sources(oldSpec), sources(spec))}`,
      ),
    );
  }
  validateVolumeModeUpdate(w, spec, oldSpec);
}

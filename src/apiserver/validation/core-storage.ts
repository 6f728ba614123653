import type { FieldError, JsonObject, KubeObject } from '../../api/index.ts';
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

/** PersistentVolumeClaims and PersistentVolumes (pkg/apis/core/validation). */

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];
const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];

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
  const name = w.str(ds, path, 'name') ?? '';
  const kind = w.str(ds, path, 'kind') ?? '';
  const apiGroup = w.str(ds, path, 'apiGroup') ?? '';
  if (name === '') w.add(required(child(path, 'name')));
  if (kind === '') w.add(required(child(path, 'kind')));
  if (apiGroup === '' && kind !== 'PersistentVolumeClaim') {
    w.add(
      invalid(path, kind, "must be 'PersistentVolumeClaim' when referencing the default apiGroup"),
    );
  }
  if (apiGroup !== '')
    w.add(...invalidEach(child(path, 'apiGroup'), apiGroup, isDns1123Subdomain(apiGroup)));
  const ns = w.str(ds, path, 'namespace') ?? '';
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
  const sc = w.str(spec, base, 'storageClassName') ?? '';
  if (sc !== '')
    w.add(...invalidEach(child(base, 'storageClassName'), sc, nameIsDnsSubdomain(sc, false)));
  const mode = w.str(spec, base, 'volumeMode');
  if (mode !== undefined && !VOLUME_MODES.includes(mode))
    w.add(notSupported(child(base, 'volumeMode'), mode, VOLUME_MODES));
  validateDataSources(w, spec, base);
}

const TEMPLATE_META_ALLOWED = new Set(['annotations', 'labels']);

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

function storageRequest(spec: unknown): unknown {
  const s = spec as { resources?: { requests?: Record<string, unknown> } } | undefined;
  return s?.resources?.requests?.['storage'];
}

function validatePvcUpdate(
  w: Walker,
  cur: { spec: JsonObject | undefined; obj: KubeObject },
  old: KubeObject,
): void {
  const oldSpec = (old['spec'] ?? {}) as JsonObject;
  const newClone = structuredClone(cur.spec ?? {});
  const oldClone = structuredClone(oldSpec);
  if ((oldClone['volumeName'] ?? '') === '') oldClone['volumeName'] = newClone['volumeName'];
  if (oldClone['storageClassName'] === undefined && newClone['storageClassName'] !== undefined) {
    oldClone['storageClassName'] = newClone['storageClassName'];
  }
  const phase = (cur.obj['status'] as { phase?: unknown } | undefined)?.phase;
  if (phase === 'Bound') {
    const res = newClone['resources'] as { requests?: Record<string, unknown> } | undefined;
    if (res?.requests !== undefined) res.requests['storage'] = storageRequest(oldSpec) as string;
  }
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
  const mode = cur.spec?.['volumeMode'];
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
  if (field !== undefined && (w.str(at.src, at.path, field) ?? '') === '')
    w.add(required(child(at.path, field)));
  if (at.k === 'csi' && (w.str(at.src, at.path, 'driver') ?? '') === '')
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
  const capacity = readResourceList(w, { o: spec, path: 'spec' }, 'capacity') ?? [];
  if (capacity.length === 0) w.add(required('spec.capacity'));
  if (!capacity.some(([n]) => n === 'storage') || capacity.length > 1) {
    w.add(notSupported('spec.capacity', { goSyntax: goResourceList(capacity) }, ['storage']));
  }
  for (const [n, q] of capacity) {
    const p = key('spec.capacity', n);
    w.add(...validatePositiveQuantity(q, p));
  }
  const policy = w.str(spec, 'spec', 'persistentVolumeReclaimPolicy') ?? '';
  if (policy !== '' && !RECLAIM_POLICIES.includes(policy)) {
    w.add(notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  }
  validatePvSource(w, spec, 'spec');
  const sc = w.str(spec, 'spec', 'storageClassName') ?? '';
  if (sc !== '') w.add(...invalidEach('spec.storageClassName', sc, nameIsDnsSubdomain(sc, false)));
  const mode = w.str(spec, 'spec', 'volumeMode');
  if (mode !== undefined && !VOLUME_MODES.includes(mode))
    w.add(notSupported('spec.volumeMode', mode, VOLUME_MODES));
  if (old !== undefined) validatePvUpdate(w, spec, old);
  return w.errs;
}

function goResourceList(list: readonly (readonly [string, unknown])[]): string {
  return `core.ResourceList{${list.map(([n]) => `"${n}":resource.Quantity{...}`).join(', ')}}`;
}

function validatePvUpdate(w: Walker, spec: JsonObject | undefined, old: KubeObject): void {
  const oldSpec = (old['spec'] ?? {}) as JsonObject;
  const sources = (s: JsonObject | undefined): JsonObject => {
    const out: JsonObject = {};
    for (const [k] of PV_SOURCES) if (s?.[k] !== undefined) out[k] = s[k];
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
  const mode = spec?.['volumeMode'];
  w.add(
    ...validateImmutable(
      [mode, oldSpec['volumeMode']],
      'volumeMode',
      typeof mode === 'string' ? mode : null,
    ),
  );
}

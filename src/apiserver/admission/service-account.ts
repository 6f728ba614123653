import { setTimeout as delay } from 'node:timers/promises';
import type { JsonObject, KubeObject } from '../../api/index.ts';
import type { Store } from '../../store/index.ts';
import { randomIds, randomSuffix, type IdSource } from '../../util/index.ts';
import { errors } from '../errors.ts';
import {
  childObject,
  containersOf,
  isPodWrite,
  objectsIn,
  specOf,
  stringAt,
} from './pod-fields.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

/** Where kubelet mounts the API credentials in every container. */
export const API_TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const VOLUME_PREFIX = 'kube-api-access-';
/** Bound tokens are valid a little over an hour; kubelet refreshes them. */
const TOKEN_EXPIRATION_SECONDS = 3607;
const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

export interface ServiceAccountAdmissionOptions {
  readonly store: Store;
  /** Random volume-name suffixes (default: crypto random). */
  readonly ids?: IdSource;
  /**
   * Waits between lookups of the `default` account, which its controller may not have created
   * yet when a pod arrives in a new namespace (default: a real timer).
   */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The projected volume kube-apiserver adds: a bound token, the cluster CA and the namespace. */
export function apiAccessVolume(name: string): JsonObject {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        {
          configMap: {
            name: 'kube-root-ca.crt',
            items: [{ key: 'ca.crt', path: 'ca.crt' }],
          },
        },
        {
          downwardAPI: {
            items: [
              {
                path: 'namespace',
                fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' },
              },
            ],
          },
        },
      ],
    },
  };
}

/** The pod's own setting wins over the account's; both absent means mount. */
function shouldAutomount(sa: KubeObject, spec: JsonObject): boolean {
  const fromPod = spec['automountServiceAccountToken'];
  if (typeof fromPod === 'boolean') return fromPod;
  const fromSa = sa['automountServiceAccountToken'];
  return typeof fromSa === 'boolean' ? fromSa : true;
}

function mountToken(spec: JsonObject, ids: IdSource): void {
  const volumes = objectsIn(spec, 'volumes');
  const existing = volumes.find((v) => stringAt(v, 'name')?.startsWith(VOLUME_PREFIX));
  const volumeName = stringAt(existing, 'name') ?? `${VOLUME_PREFIX}${randomSuffix(ids)}`;
  let needsVolume = false;
  for (const { container } of containersOf(spec, ['initContainers', 'containers'])) {
    const mounts = objectsIn(container, 'volumeMounts');
    // A mount of its own at the token path keeps a container's choice.
    if (mounts.some((m) => m['mountPath'] === API_TOKEN_MOUNT_PATH)) continue;
    const current = Array.isArray(container['volumeMounts']) ? container['volumeMounts'] : [];
    container['volumeMounts'] = [
      ...current,
      { name: volumeName, readOnly: true, mountPath: API_TOKEN_MOUNT_PATH },
    ];
    needsVolume = true;
  }
  if (existing || !needsVolume) return;
  const current = Array.isArray(spec['volumes']) ? spec['volumes'] : [];
  spec['volumes'] = [...current, apiAccessVolume(volumeName)];
}

function copyPullSecrets(sa: KubeObject, spec: JsonObject): void {
  if (objectsIn(spec, 'imagePullSecrets').length > 0) return;
  const names = objectsIn(sa, 'imagePullSecrets').flatMap((s) => {
    const name = stringAt(s, 'name');
    return name === undefined ? [] : [{ name }];
  });
  if (names.length > 0) spec['imagePullSecrets'] = names;
}

function isMirrorPod(pod: KubeObject): boolean {
  return pod.metadata.annotations?.[MIRROR_ANNOTATION] !== undefined;
}

/**
 * ServiceAccount: pods run as an account that exists (`default` when none is named) and get
 * its API credentials as a projected volume mounted in every container, unless they opt out.
 */
export function serviceAccountAdmission(opts: ServiceAccountAdmissionOptions): AdmissionPlugin {
  const ids = opts.ids ?? randomIds;
  const sleep = opts.sleep ?? ((ms: number) => delay(ms));

  /** Like upstream, the default account gets ten tries: its controller creates it shortly. */
  async function account(a: AdmissionAttributes, name: string): Promise<KubeObject> {
    const attempts = name === 'default' ? 10 : 1;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await sleep(100);
      const sa = opts.store.get(`/serviceaccounts/${a.namespace}/${name}`)?.object;
      if (sa) return sa;
    }
    throw errors.forbidden(
      { group: a.def.group, resource: a.def.resource },
      a.name,
      `error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`,
    );
  }

  return {
    name: 'ServiceAccount',
    async admit(a) {
      if (!isPodWrite(a) || a.operation !== 'CREATE' || !a.object || isMirrorPod(a.object)) return;
      const spec = specOf(a.object);
      const given = stringAt(spec, 'serviceAccountName') ?? '';
      const name = given === '' ? 'default' : given;
      spec['serviceAccountName'] = name;
      // The deprecated alias still appears in every v1 pod.
      spec['serviceAccount'] = name;
      const sa = await account(a, name);
      if (shouldAutomount(sa, spec)) mountToken(spec, ids);
      copyPullSecrets(sa, spec);
    },
    async validate(a) {
      if (!isPodWrite(a) || a.operation !== 'CREATE' || !a.object || isMirrorPod(a.object)) return;
      const name = stringAt(childObject(a.object, 'spec'), 'serviceAccountName') ?? 'default';
      // A mutating webhook may have renamed the account after admit checked it.
      await account(a, name);
    },
  };
}

import type {
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeSpec,
  Volume,
} from 'kubernetes-types/core/v1.js';

/**
 * Reads of the cluster's storage objects, so the checks stay pure. Implementations answer
 * from a cache; `undefined` means the object does not exist.
 */
export interface FargateVolumeLookups {
  persistentVolumeClaim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  persistentVolume(name: string): PersistentVolume | undefined;
}

/** Volume sources Fargate mounts itself; persistentVolumeClaim is checked further. */
export const FARGATE_SUPPORTED_VOLUME_TYPES: readonly string[] = [
  'emptyDir',
  'configMap',
  'secret',
  'projected',
  'downwardAPI',
];

/** The only CSI driver whose persistent volumes Fargate mounts (EFS, static provisioning). */
export const FARGATE_SUPPORTED_CSI_DRIVERS: readonly string[] = ['efs.csi.aws.com'];

/** In-tree sources and the CSI driver CSI migration translates them to. */
const MIGRATED_IN_TREE: readonly (readonly [keyof PersistentVolumeSpec, string])[] = [
  ['awsElasticBlockStore', 'ebs.csi.aws.com'],
];

function volumeTypes(volume: Volume): string[] {
  return Object.keys(volume).filter((k) => k !== 'name');
}

function pvDriver(spec: PersistentVolumeSpec | undefined): string | undefined {
  if (spec?.csi !== undefined) return spec.csi.driver;
  return MIGRATED_IN_TREE.find(([source]) => spec?.[source] !== undefined)?.[1];
}

/** Why a bound PV is unusable, or undefined when it is an EFS volume. */
function pvProblem(claim: string, pv: PersistentVolume): string | undefined {
  const pvName = pv.metadata?.name ?? '';
  const driver = pvDriver(pv.spec);
  if (driver !== undefined && FARGATE_SUPPORTED_CSI_DRIVERS.includes(driver)) return undefined;
  return driver === undefined
    ? `PVC ${claim} bound to invalid PV ${pvName} of an unsupported volume Type`
    : `PVC ${claim} bound to invalid PV ${pvName} with CSI Driver: ${driver}`;
}

function claimProblem(
  namespace: string,
  claim: string,
  lookups: FargateVolumeLookups,
): string | undefined {
  const pvc = lookups.persistentVolumeClaim(namespace, claim);
  if (pvc === undefined) return `persistentvolumeclaim "${claim}" not found`;
  const pvName = pvc.spec?.volumeName ?? '';
  if (pvc.status?.phase !== 'Bound' || pvName === '') return `PVC ${claim} not bound`;
  const pv = lookups.persistentVolume(pvName);
  if (pv === undefined) return `persistentvolume "${pvName}" not found`;
  return pvProblem(claim, pv);
}

/** The message part for one volume Fargate cannot mount, or undefined when it can. */
export function volumeProblem(
  volume: Volume,
  namespace: string,
  lookups: FargateVolumeLookups,
): string | undefined {
  const types = volumeTypes(volume);
  if (types.every((t) => FARGATE_SUPPORTED_VOLUME_TYPES.includes(t))) return undefined;
  const claim = volume.persistentVolumeClaim?.claimName;
  if (types.length !== 1 || claim === undefined) {
    return `${volume.name} is of an unsupported volume Type`;
  }
  const problem = claimProblem(namespace, claim, lookups);
  return problem === undefined ? undefined : `${volume.name} not supported because: ${problem}`;
}

import type {
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
} from 'kubernetes-types/core/v1.js';
import type { KubeObject } from '../api/index.ts';
import { isNotFound, type KubeClient } from '../client/index.ts';
import type { FargateVolumeLookups } from './compatibility.ts';
import type { FargateProfile } from './types.ts';

/** The event texts the fargate-scheduler emits (EKS's where known, see each). */
export const FARGATE_EVENTS = {
  /** [GH eksctl-io/eksctl#4486] */
  loggingEnabled: 'Successfully enabled logging for pod',
  /** [UG-log] */
  loggingDisabled:
    'Disabled logging because aws-logging configmap was not found. configmap "aws-logging" not found',
  /** [GH terraform-aws-modules/terraform-aws-eks#2912] */
  misconfigured: (profile: string): string =>
    `Misconfigured Fargate Profile: fargate profile ${profile} blocked for new launches due to: Pod execution role is not found in auth config or does not have all required permissions for launching fargate pods.`,
  /** [CR#1890]: what EKS reports while a launch waits on capacity (here: the vCPU quota). */
  provisioningTimedOut: 'Pod provisioning timed out (will retry)',
  /** Kiln's wording: EKS deletes a profile's pods, so this is seen only in the window between. */
  profileNotFound: (profile: string): string => `Fargate profile ${profile} not found (will retry)`,
  profileNotActive: (profile: string, status: string): string =>
    `Fargate profile ${profile} is ${status}, not ACTIVE (will retry)`,
  /** Kiln's wording for exhausted subnets; EKS's text is not documented. */
  noFreeAddress: (subnets: readonly string[]): string =>
    `No free IP address left in the Fargate profile's subnets ${subnets.join(', ')} (will retry)`,
  scheduled: (namespace: string, pod: string, node: string): string =>
    `Successfully assigned ${namespace}/${pod} to ${node}`,
} as const;

/** The `Logging` annotation values [UG-log]. */
export const LOGGING_ANNOTATION = 'Logging';
export const LOGGING_ENABLED = 'LoggingEnabled';
export const LOGGING_DISABLED_NOT_FOUND = 'LoggingDisabled: LOGGING_CONFIGMAP_NOT_FOUND';

export const AWS_OBSERVABILITY_NAMESPACE = 'aws-observability';
export const AWS_LOGGING_CONFIGMAP = 'aws-logging';

export function asPod(obj: KubeObject): Pod {
  // SAFETY: objects from the pods informer are core/v1 Pods as the API server serves them.
  return obj as unknown as Pod;
}

export function asNode(obj: KubeObject): Node {
  // SAFETY: objects from the nodes informer are core/v1 Nodes.
  return obj as unknown as Node;
}

/** The object an event is about: list items lack kind, which events need. */
export function eventObject(pod: KubeObject): KubeObject {
  return { ...pod, apiVersion: 'v1', kind: 'Pod' };
}

export function isNodeReady(node: Node): boolean {
  return (node.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

export function internalIpOf(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

export function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

/** The vCPU of a `CapacityProvisioned` value (`0.5vCPU 1GB` → 0.5), 0 when absent. */
export function provisionedVcpu(annotation: string | undefined): number {
  const m = /^([\d.]+)vCPU\b/.exec(annotation ?? '');
  return m?.[1] === undefined ? 0 : Number(m[1]);
}

/** Why a profile cannot launch pods now, or undefined when it can. */
export function profileProblem(
  name: string,
  profile: FargateProfile | undefined,
): { message: string; retry: boolean } | undefined {
  if (profile === undefined) return { message: FARGATE_EVENTS.profileNotFound(name), retry: true };
  if (profile.status !== 'ACTIVE') {
    return { message: FARGATE_EVENTS.profileNotActive(name, profile.status), retry: true };
  }
  if ((profile.health?.issues ?? []).length > 0) {
    return { message: FARGATE_EVENTS.misconfigured(name), retry: true };
  }
  return undefined;
}

async function getOrUndefined(client: KubeClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await client.get(path);
  } catch (e: unknown) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

interface StorageObjects {
  readonly claims: Map<string, PersistentVolumeClaim>;
  readonly volumes: Map<string, PersistentVolume>;
}

async function fetchClaim(
  client: KubeClient,
  at: { namespace: string; claim: string },
  into: StorageObjects,
): Promise<void> {
  const pvc = await getOrUndefined(
    client,
    `/api/v1/namespaces/${at.namespace}/persistentvolumeclaims/${at.claim}`,
  );
  if (pvc === undefined) return;
  // SAFETY: the API server serves core/v1 PersistentVolumeClaims at this path.
  const typed = pvc as unknown as PersistentVolumeClaim;
  into.claims.set(at.claim, typed);
  const pvName = typed.spec?.volumeName ?? '';
  if (pvName === '' || into.volumes.has(pvName)) return;
  const pv = await getOrUndefined(client, `/api/v1/persistentvolumes/${pvName}`);
  // SAFETY: the API server serves core/v1 PersistentVolumes at this path.
  if (pv !== undefined) into.volumes.set(pvName, pv as unknown as PersistentVolume);
}

/**
 * Reads the claims (and their volumes) a pod mounts, so the pure compatibility checks can run
 * over them. Only pods with claims cost API calls.
 */
export async function volumeLookups(client: KubeClient, pod: Pod): Promise<FargateVolumeLookups> {
  const namespace = pod.metadata?.namespace ?? '';
  const found: StorageObjects = { claims: new Map(), volumes: new Map() };
  for (const v of pod.spec?.volumes ?? []) {
    const claim = v.persistentVolumeClaim?.claimName;
    if (claim !== undefined && !found.claims.has(claim)) {
      await fetchClaim(client, { namespace, claim }, found);
    }
  }
  return {
    persistentVolumeClaim: (ns, name) => (ns === namespace ? found.claims.get(name) : undefined),
    persistentVolume: (name) => found.volumes.get(name),
  };
}

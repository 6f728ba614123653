import type { Container, SecurityContext } from 'kubernetes-types/core/v1.js';
import { volumeProblem, type FargateVolumeLookups } from './compatibility-volumes.ts';
import { isDaemonSetPod } from './matching.ts';
import type { FargatePod } from './types.ts';

export type { FargateVolumeLookups } from './compatibility-volumes.ts';

/** The prefix of EKS's FailedScheduling event for a pod Fargate cannot run. */
export const FARGATE_UNSUPPORTED_PREFIX = 'Pod not supported on Fargate: ';

/**
 * Capabilities a container may add on Fargate: AWS documents SYS_PTRACE as addable, and EKS's
 * own CoreDNS (moved to Fargate by the documented procedure) adds NET_BIND_SERVICE. Any other,
 * even a default one like CAP_CHOWN, is refused.
 */
export const FARGATE_ALLOWED_ADDED_CAPABILITIES: readonly string[] = [
  'NET_BIND_SERVICE',
  'SYS_PTRACE',
];

function allContainers(pod: FargatePod): Container[] {
  return [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])];
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}

function group(title: string, items: readonly string[]): string | undefined {
  return items.length === 0 ? undefined : `${title}: ${unique(items).join(', ')}`;
}

const HOST_NAMESPACE_FIELDS = [
  ['hostNetwork', 'HostNetwork'],
  ['hostPID', 'HostPID'],
  ['hostIPC', 'HostIPC'],
] as const;

function hostFields(pod: FargatePod): string | undefined {
  const spec = pod.spec;
  const set = HOST_NAMESPACE_FIELDS.filter(([field]) => spec?.[field] === true);
  return group(
    'fields not supported',
    set.map(([, label]) => label),
  );
}

function capabilityName(cap: string): string {
  const upper = cap.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

function addedCapabilities(sc: SecurityContext | undefined): string[] {
  const allowed = FARGATE_ALLOWED_ADDED_CAPABILITIES.map(capabilityName);
  return (sc?.capabilities?.add ?? []).map(capabilityName).filter((c) => !allowed.includes(c));
}

function securityContextFields(pod: FargatePod): string | undefined {
  const contexts = allContainers(pod).map((c) => c.securityContext);
  const fields: string[] = [];
  if (contexts.some((sc) => sc?.privileged === true)) fields.push('Privileged');
  if (contexts.some((sc) => sc?.allowPrivilegeEscalation === true)) {
    fields.push('AllowPrivilegeEscalation');
  }
  const caps = unique(contexts.flatMap(addedCapabilities));
  if (caps.length > 0) fields.push(`Capabilities added: ${caps.join(', ')}`);
  return group('invalid SecurityContext fields', fields);
}

function hostPorts(pod: FargatePod): string | undefined {
  const ports = allContainers(pod).flatMap((c) => c.ports ?? []);
  const host = ports.some((p) => (p.hostPort ?? 0) !== 0 || (p.hostIP ?? '') !== '');
  return host ? 'port contains HostIP or HostPort' : undefined;
}

function volumes(pod: FargatePod, lookups: FargateVolumeLookups): string | undefined {
  const namespace = pod.metadata?.namespace ?? '';
  const problems = (pod.spec?.volumes ?? []).flatMap(
    (v) => volumeProblem(v, namespace, lookups) ?? [],
  );
  return group('volumes not supported', problems);
}

function isGpuResource(name: string): boolean {
  return name.endsWith('/gpu') || name.startsWith('nvidia.com/');
}

function gpuResources(pod: FargatePod): string | undefined {
  const names = allContainers(pod).flatMap((c) => [
    ...Object.keys(c.resources?.requests ?? {}),
    ...Object.keys(c.resources?.limits ?? {}),
  ]);
  return group('resources not supported', names.filter(isGpuResource));
}

function daemonSetOwned(pod: FargatePod): string | undefined {
  return isDaemonSetPod(pod) ? 'DaemonSet pods are not supported' : undefined;
}

type Check = (pod: FargatePod, lookups: FargateVolumeLookups) => string | undefined;

/** In the order EKS's combined messages list them; the last two are Kiln's wording. */
const CHECKS: readonly Check[] = [
  hostFields,
  securityContextFields,
  hostPorts,
  volumes,
  gpuResources,
  daemonSetOwned,
];

/**
 * Every reason Fargate cannot run the pod, each one part of EKS's event text, e.g.
 * `fields not supported: HostNetwork`; empty when the pod can run.
 */
export function fargateIncompatibilities(pod: FargatePod, lookups: FargateVolumeLookups): string[] {
  return CHECKS.flatMap((check) => check(pod, lookups) ?? []);
}

/** The FailedScheduling event message for the parts `fargateIncompatibilities` returned. */
export function fargateUnsupportedMessage(parts: readonly string[]): string {
  return `${FARGATE_UNSUPPORTED_PREFIX}${parts.join(', ')}`;
}

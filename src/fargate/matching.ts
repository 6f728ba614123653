import { globMatches } from './matching-glob.ts';
import type { FargatePod, FargateProfileSelector, MatchableFargateProfile } from './types.ts';

export const FARGATE_SCHEDULER_NAME = 'fargate-scheduler';
export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
/** The pod label that names (and pins) a pod's profile. */
export const FARGATE_PROFILE_LABEL = 'eks.amazonaws.com/fargate-profile';
/** The annotation (`ec2` keeps a pod off Fargate) and node label key. */
export const COMPUTE_TYPE_KEY = 'eks.amazonaws.com/compute-type';

/** Why a pod is left to the default scheduler. */
export type FargateNoMatchReason =
  | 'OtherScheduler'
  | 'ComputeTypeEc2'
  | 'DaemonSetPod'
  | 'AlreadyBound'
  | 'PinnedProfileNotMatched'
  | 'NoMatchingProfile';

export type FargateMatch<TProfile> =
  { profile: TProfile } | { reason: FargateNoMatchReason; message: string };

export interface FargateMatchContext {
  /** The pod's namespace when its metadata has none (an AdmissionRequest's `namespace`). */
  namespace?: string;
}

/** A selector matches when the namespace matches and every selector label matches a pod label. */
export function selectorMatches(
  selector: FargateProfileSelector,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  if (selector.namespace === undefined || !globMatches(selector.namespace, namespace)) return false;
  const podLabels = Object.entries(labels);
  return Object.entries(selector.labels ?? {}).every(([keyPattern, valuePattern]) =>
    podLabels.some(([k, v]) => globMatches(keyPattern, k) && globMatches(valuePattern, v)),
  );
}

/** A profile matches when any of its selectors does. */
export function profileMatches(
  profile: MatchableFargateProfile,
  namespace: string,
  labels: Readonly<Record<string, string>>,
): boolean {
  return profile.selectors.some((s) => selectorMatches(s, namespace, labels));
}

interface SkipRule {
  reason: FargateNoMatchReason;
  applies: (pod: FargatePod) => boolean;
  message: (pod: FargatePod) => string;
}

/** A pod whose controller is a DaemonSet: pinned to one node, never a Fargate pod. */
export function isDaemonSetPod(pod: FargatePod): boolean {
  return (pod.metadata?.ownerReferences ?? []).some(
    (o) => o.kind === 'DaemonSet' && o.controller === true,
  );
}

function schedulerName(pod: FargatePod): string {
  return pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME;
}

/**
 * Pods the webhook never moves to Fargate, whatever the profiles say. A custom scheduler and
 * a DaemonSet's node-pinned pods stay with their own placement; a bound pod is past scheduling.
 */
const SKIP_RULES: readonly SkipRule[] = [
  {
    reason: 'OtherScheduler',
    applies: (pod) =>
      ![DEFAULT_SCHEDULER_NAME, FARGATE_SCHEDULER_NAME].includes(schedulerName(pod)),
    message: (pod) => `pod uses scheduler "${schedulerName(pod)}"`,
  },
  {
    reason: 'ComputeTypeEc2',
    applies: (pod) => pod.metadata?.annotations?.[COMPUTE_TYPE_KEY] === 'ec2',
    message: () => `pod has annotation ${COMPUTE_TYPE_KEY}: ec2`,
  },
  {
    reason: 'DaemonSetPod',
    applies: isDaemonSetPod,
    message: () => 'pod is controlled by a DaemonSet',
  },
  {
    reason: 'AlreadyBound',
    applies: (pod) => (pod.spec?.nodeName ?? '') !== '',
    message: (pod) => `pod is already bound to node "${pod.spec?.nodeName ?? ''}"`,
  },
];

function byName(a: MatchableFargateProfile, b: MatchableFargateProfile): number {
  if (a.fargateProfileName === b.fargateProfileName) return 0;
  return a.fargateProfileName < b.fargateProfileName ? -1 : 1;
}

function matchPinned<TProfile extends MatchableFargateProfile>(
  pinned: string,
  candidates: readonly TProfile[],
  pod: { namespace: string; labels: Readonly<Record<string, string>> },
): FargateMatch<TProfile> {
  const profile = candidates.find((p) => p.fargateProfileName === pinned);
  if (profile !== undefined && profileMatches(profile, pod.namespace, pod.labels))
    return { profile };
  return {
    reason: 'PinnedProfileNotMatched',
    message: `pod is pinned by ${FARGATE_PROFILE_LABEL}=${pinned} but matches no selector of an ACTIVE profile of that name`,
  };
}

/**
 * The profile EKS's webhook would pick for a pod at creation: among ACTIVE profiles, the first
 * by name whose selectors match; with the `eks.amazonaws.com/fargate-profile` label, only that
 * profile, which must still match. Otherwise the reason the pod stays off Fargate.
 */
export function matchProfile<TProfile extends MatchableFargateProfile>(
  pod: FargatePod,
  profiles: readonly TProfile[],
  context: FargateMatchContext = {},
): FargateMatch<TProfile> {
  const skip = SKIP_RULES.find((rule) => rule.applies(pod));
  if (skip !== undefined) return { reason: skip.reason, message: skip.message(pod) };
  const namespace = pod.metadata?.namespace ?? context.namespace ?? 'default';
  const labels = pod.metadata?.labels ?? {};
  const active = profiles.filter((p) => p.status === 'ACTIVE').sort(byName);
  const pinned = labels[FARGATE_PROFILE_LABEL];
  if (pinned !== undefined) return matchPinned(pinned, active, { namespace, labels });
  const profile = active.find((p) => profileMatches(p, namespace, labels));
  if (profile !== undefined) return { profile };
  return {
    reason: 'NoMatchingProfile',
    message: `no ACTIVE Fargate profile selects namespace "${namespace}" and the pod's labels`,
  };
}

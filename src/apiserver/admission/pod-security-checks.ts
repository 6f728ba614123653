import type { JsonObject } from '../../api/index.ts';
import { childObject, containersOf, objectsIn, stringAt, type ContainerRef } from './pod-fields.ts';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

/** One failed check: the reason and what in the pod fails it, as upstream words them. */
export interface Violation {
  readonly reason: string;
  readonly detail: string;
}

/** The pod's metadata and spec: what every check reads. */
export interface PodView {
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: JsonObject;
}

interface Check {
  readonly id: string;
  readonly level: 'baseline' | 'restricted';
  /** Restricted checks that replace a baseline one name it here. */
  readonly overrides?: string;
  readonly run: (pod: PodView) => Violation | undefined;
}

const quoted = (xs: readonly string[]): string => xs.map((x) => `"${x}"`).join(', ');
const plural = (n: number, one: string, many: string): string => (n === 1 ? one : many);
const containerWord = (names: readonly string[]): string =>
  `${plural(names.length, 'container', 'containers')} ${quoted(names)}`;

const nameOf = (c: ContainerRef): string => stringAt(c.container, 'name') ?? '';
const securityContext = (c: ContainerRef): JsonObject | undefined =>
  childObject(c.container, 'securityContext');
const podContext = (p: PodView): JsonObject | undefined => childObject(p.spec, 'securityContext');
const all = (p: PodView): ContainerRef[] => containersOf(p.spec);

/** The names of the containers for which `bad` holds. */
function offending(p: PodView, bad: (c: ContainerRef) => boolean): string[] {
  return all(p).filter(bad).map(nameOf);
}

const BASELINE_CAPABILITIES = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);

const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

const RESTRICTED_VOLUME_OK = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);

function added(c: ContainerRef): string[] {
  const add = childObject(securityContext(c), 'capabilities')?.['add'];
  return Array.isArray(add) ? add.filter((x): x is string => typeof x === 'string') : [];
}

function capabilitiesBaseline(p: PodView): Violation | undefined {
  const names: string[] = [];
  const caps = new Set<string>();
  for (const c of all(p)) {
    const bad = added(c).filter((x) => !BASELINE_CAPABILITIES.has(x));
    if (bad.length === 0) continue;
    names.push(nameOf(c));
    for (const x of bad) caps.add(x);
  }
  if (names.length === 0) return undefined;
  return {
    reason: 'non-default capabilities',
    detail: `${containerWord(names)} must not include ${quoted([...caps].sort())} in securityContext.capabilities.add`,
  };
}

function capabilitiesRestricted(p: PodView): Violation | undefined {
  const noDrop: string[] = [];
  const badAdd: string[] = [];
  const caps = new Set<string>();
  for (const c of all(p)) {
    const drop = childObject(securityContext(c), 'capabilities')?.['drop'];
    if (!Array.isArray(drop) || !drop.includes('ALL')) noDrop.push(nameOf(c));
    const bad = added(c).filter((x) => x !== 'NET_BIND_SERVICE');
    if (bad.length > 0) badAdd.push(nameOf(c));
    for (const x of bad) caps.add(x);
  }
  const parts: string[] = [];
  if (noDrop.length > 0)
    parts.push(`${containerWord(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  if (badAdd.length > 0)
    parts.push(
      `${containerWord(badAdd)} must not include ${quoted([...caps].sort())} in securityContext.capabilities.add`,
    );
  return parts.length === 0
    ? undefined
    : { reason: 'unrestricted capabilities', detail: parts.join('; ') };
}

function hostNamespaces(p: PodView): Violation | undefined {
  const set = ['hostNetwork', 'hostPID', 'hostIPC'].filter((f) => p.spec[f] === true);
  if (set.length === 0) return undefined;
  return { reason: 'host namespaces', detail: set.map((f) => `${f}=true`).join(', ') };
}

function hostPathVolumes(p: PodView): Violation | undefined {
  const names = objectsIn(p.spec, 'volumes')
    .filter((v) => v['hostPath'] !== undefined)
    .map((v) => stringAt(v, 'name') ?? '');
  if (names.length === 0) return undefined;
  return {
    reason: 'hostPath volumes',
    detail: `${plural(names.length, 'volume', 'volumes')} ${quoted(names)}`,
  };
}

function hostPorts(p: PodView): Violation | undefined {
  const names: string[] = [];
  const ports: string[] = [];
  for (const c of all(p)) {
    const own = objectsIn(c.container, 'ports')
      .map((x) => x['hostPort'])
      .filter((x): x is number => typeof x === 'number' && x !== 0);
    if (own.length === 0) continue;
    names.push(nameOf(c));
    ports.push(...own.map(String));
  }
  if (names.length === 0) return undefined;
  const verb = plural(names.length, 'uses', 'use');
  return {
    reason: 'hostPort',
    detail: `${containerWord(names)} ${verb} ${plural(ports.length, 'hostPort', 'hostPorts')} ${ports.join(', ')}`,
  };
}

function privileged(p: PodView): Violation | undefined {
  const names = offending(p, (c) => securityContext(c)?.['privileged'] === true);
  if (names.length === 0) return undefined;
  return {
    reason: 'privileged',
    detail: `${containerWord(names)} must not set securityContext.privileged=true`,
  };
}

function procMount(p: PodView): Violation | undefined {
  const names = offending(p, (c) => {
    const m = stringAt(securityContext(c), 'procMount');
    return m !== undefined && m !== 'Default';
  });
  if (names.length === 0) return undefined;
  return {
    reason: 'procMount',
    detail: `${containerWord(names)} must not set securityContext.procMount to "Unmasked"`,
  };
}

const seccompType = (sc: JsonObject | undefined): string | undefined =>
  stringAt(childObject(sc, 'seccompProfile'), 'type');

function seccompBaseline(p: PodView): Violation | undefined {
  const parts: string[] = [];
  if (seccompType(podContext(p)) === 'Unconfined')
    parts.push('pod must not set securityContext.seccompProfile.type to "Unconfined"');
  const names = offending(p, (c) => seccompType(securityContext(c)) === 'Unconfined');
  if (names.length > 0)
    parts.push(
      `${containerWord(names)} must not set securityContext.seccompProfile.type to "Unconfined"`,
    );
  return parts.length === 0 ? undefined : { reason: 'seccompProfile', detail: parts.join('; ') };
}

const SECCOMP_OK = new Set(['RuntimeDefault', 'Localhost']);

function seccompRestricted(p: PodView): Violation | undefined {
  const podType = seccompType(podContext(p));
  const parts: string[] = [];
  if (podType !== undefined && !SECCOMP_OK.has(podType))
    parts.push(`pod must not set securityContext.seccompProfile.type to "${podType}"`);
  const explicitBad = offending(p, (c) => {
    const t = seccompType(securityContext(c));
    return t !== undefined && !SECCOMP_OK.has(t);
  });
  if (explicitBad.length > 0) {
    const types = all(p)
      .map((c) => seccompType(securityContext(c)))
      .filter((t): t is string => t !== undefined && !SECCOMP_OK.has(t));
    parts.push(
      `${containerWord(explicitBad)} must not set securityContext.seccompProfile.type to ${quoted([...new Set(types)])}`,
    );
  }
  if (podType === undefined) {
    const unset = offending(p, (c) => seccompType(securityContext(c)) === undefined);
    if (unset.length > 0)
      parts.push(
        `pod or ${containerWord(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`,
      );
  }
  return parts.length === 0 ? undefined : { reason: 'seccompProfile', detail: parts.join('; ') };
}

function sysctls(p: PodView): Violation | undefined {
  const bad = objectsIn(podContext(p), 'sysctls')
    .map((s) => stringAt(s, 'name') ?? '')
    .filter((n) => !SAFE_SYSCTLS.has(n));
  return bad.length === 0 ? undefined : { reason: 'forbidden sysctls', detail: bad.join(', ') };
}

function allowPrivilegeEscalation(p: PodView): Violation | undefined {
  const names = offending(p, (c) => securityContext(c)?.['allowPrivilegeEscalation'] !== false);
  if (names.length === 0) return undefined;
  return {
    reason: 'allowPrivilegeEscalation != false',
    detail: `${containerWord(names)} must set securityContext.allowPrivilegeEscalation=false`,
  };
}

function runAsNonRoot(p: PodView): Violation | undefined {
  const podValue = podContext(p)?.['runAsNonRoot'];
  const parts: string[] = [];
  if (podValue === false) parts.push('pod must not set securityContext.runAsNonRoot=false');
  const explicitFalse = offending(p, (c) => securityContext(c)?.['runAsNonRoot'] === false);
  if (explicitFalse.length > 0)
    parts.push(`${containerWord(explicitFalse)} must not set securityContext.runAsNonRoot=false`);
  if (podValue !== true) {
    const unset = offending(p, (c) => securityContext(c)?.['runAsNonRoot'] === undefined);
    if (unset.length > 0)
      parts.push(`pod or ${containerWord(unset)} must set securityContext.runAsNonRoot=true`);
  }
  return parts.length === 0
    ? undefined
    : { reason: 'runAsNonRoot != true', detail: parts.join('; ') };
}

function runAsUser(p: PodView): Violation | undefined {
  const parts: string[] = [];
  if (podContext(p)?.['runAsUser'] === 0) parts.push('pod must not set runAsUser=0');
  const names = offending(p, (c) => securityContext(c)?.['runAsUser'] === 0);
  if (names.length > 0) parts.push(`${containerWord(names)} must not set runAsUser=0`);
  return parts.length === 0 ? undefined : { reason: 'runAsUser=0', detail: parts.join('; ') };
}

function restrictedVolumes(p: PodView): Violation | undefined {
  const names: string[] = [];
  const types = new Set<string>();
  for (const v of objectsIn(p.spec, 'volumes')) {
    const bad = Object.keys(v).filter((k) => k !== 'name' && !RESTRICTED_VOLUME_OK.has(k));
    if (bad.length === 0) continue;
    names.push(stringAt(v, 'name') ?? '');
    for (const t of bad) types.add(t);
  }
  if (names.length === 0) return undefined;
  const t = [...types];
  return {
    reason: 'restricted volume types',
    detail: `${plural(names.length, 'volume', 'volumes')} ${quoted(names)} ${plural(names.length, 'uses', 'use')} ${plural(t.length, 'restricted volume type', 'restricted volume types')} ${quoted(t)}`,
  };
}

function hostProcess(p: PodView): Violation | undefined {
  const isHost = (sc: JsonObject | undefined): boolean =>
    childObject(sc, 'windowsOptions')?.['hostProcess'] === true;
  const pod = isHost(podContext(p));
  const names = offending(p, (c) => isHost(securityContext(c)));
  if (!pod && names.length === 0) return undefined;
  const who = pod
    ? names.length > 0
      ? `pod and ${containerWord(names)}`
      : 'pod'
    : containerWord(names);
  return {
    reason: 'hostProcess',
    detail: `${who} must not set securityContext.windowsOptions.hostProcess=true`,
  };
}

/** The Pod Security Standards, by check ID; each level is evaluated in ID order, as upstream. */
const CHECKS: readonly Check[] = [
  { id: 'allowPrivilegeEscalation', level: 'restricted', run: allowPrivilegeEscalation },
  { id: 'capabilities_baseline', level: 'baseline', run: capabilitiesBaseline },
  {
    id: 'capabilities_restricted',
    level: 'restricted',
    overrides: 'capabilities_baseline',
    run: capabilitiesRestricted,
  },
  { id: 'hostNamespaces', level: 'baseline', run: hostNamespaces },
  { id: 'hostPathVolumes', level: 'baseline', run: hostPathVolumes },
  { id: 'hostPorts', level: 'baseline', run: hostPorts },
  { id: 'privileged', level: 'baseline', run: privileged },
  { id: 'procMount', level: 'baseline', run: procMount },
  {
    id: 'restrictedVolumes',
    level: 'restricted',
    overrides: 'hostPathVolumes',
    run: restrictedVolumes,
  },
  { id: 'runAsNonRoot', level: 'restricted', run: runAsNonRoot },
  { id: 'runAsUser', level: 'restricted', run: runAsUser },
  { id: 'seccompProfile_baseline', level: 'baseline', run: seccompBaseline },
  {
    id: 'seccompProfile_restricted',
    level: 'restricted',
    overrides: 'seccompProfile_baseline',
    run: seccompRestricted,
  },
  { id: 'sysctls', level: 'baseline', run: sysctls },
  { id: 'windowsHostProcess', level: 'baseline', run: hostProcess },
];

/** The violations of a pod against a level, in upstream's order. */
export function evaluatePod(level: PodSecurityLevel, pod: PodView): Violation[] {
  if (level === 'privileged') return [];
  const active = CHECKS.filter((c) => level === 'restricted' || c.level === 'baseline');
  const overridden = new Set(active.map((c) => c.overrides).filter((x) => x !== undefined));
  return active
    .filter((c) => !overridden.has(c.id))
    .flatMap((c) => {
      const v = c.run(pod);
      return v ? [v] : [];
    });
}

/** `reason (detail), reason (detail)`. */
export function describeViolations(vs: readonly Violation[]): string {
  return vs.map((v) => `${v.reason} (${v.detail})`).join(', ');
}

import type { KubeObject } from '../api/index.ts';
import { rfc3339, rfc3339Micro } from '../util/index.ts';

export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** One node the agent hosts. */
export interface NodeSpec {
  readonly name: string;
  readonly capacity: { readonly cpu: string; readonly memory: string; readonly pods: number };
  readonly labels?: Readonly<Record<string, string>>;
  readonly taints?: readonly Taint[];
  /** The node's own address (InternalIP). */
  readonly internalIp: string;
  /** Where its pods' IPs come from, e.g. `10.244.1.0/24`. */
  readonly podCidr: string;
  /**
   * The one address its pod takes instead of one from `podCidr` (a Fargate node: the pod IP is
   * the node's InternalIP). Such a node reports no podCIDR.
   */
  readonly podIp?: string;
  /** e.g. `v1.32.4-eks-1a2b3c4`. */
  readonly kubeletVersion: string;
  readonly providerId?: string;
}

/** Durations of the node's heartbeat, as the kubelet's defaults. */
export const LEASE_DURATION_SECONDS = 40;

/** type, reason, message: the kubelet's healthy node conditions (only Ready is True). */
const HEALTHY: readonly (readonly [string, string, string])[] = [
  ['MemoryPressure', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'KubeletReady', 'kubelet is posting ready status'],
];

function conditions(now: number, since: number): Record<string, string>[] {
  return HEALTHY.map(([type, reason, message]) => ({
    type,
    status: type === 'Ready' ? 'True' : 'False',
    lastHeartbeatTime: rfc3339(now),
    lastTransitionTime: rfc3339(since),
    reason,
    message,
  }));
}

/** The node's status as the kubelet reports it; `since` is when the node became ready. */
export function nodeStatus(
  spec: NodeSpec,
  a: { now: number; since: number; runtimeVersion: string },
): Record<string, unknown> {
  const capacity = {
    cpu: spec.capacity.cpu,
    'ephemeral-storage': '20959212Ki',
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: spec.capacity.memory,
    pods: String(spec.capacity.pods),
  };
  return {
    capacity,
    allocatable: { ...capacity, 'ephemeral-storage': '19316009748' },
    conditions: conditions(a.now, a.since),
    addresses: [
      { type: 'InternalIP', address: spec.internalIp },
      { type: 'Hostname', address: spec.name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: '',
      systemUUID: '',
      bootID: '',
      kernelVersion: '5.10.234-225.895.amzn2.x86_64',
      osImage: 'Amazon Linux 2',
      containerRuntimeVersion: a.runtimeVersion,
      kubeletVersion: spec.kubeletVersion,
      kubeProxyVersion: spec.kubeletVersion,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}

export function nodeObject(spec: NodeSpec, a: { now: number; runtimeVersion: string }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: spec.name,
      labels: {
        'beta.kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'kubernetes.io/hostname': spec.name,
        'kubernetes.io/os': 'linux',
        ...spec.labels,
      },
      annotations: {
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: {
      ...(spec.podIp === undefined ? { podCIDR: spec.podCidr, podCIDRs: [spec.podCidr] } : {}),
      ...(spec.providerId === undefined ? {} : { providerID: spec.providerId }),
      ...(spec.taints === undefined || spec.taints.length === 0 ? {} : { taints: spec.taints }),
    },
    status: nodeStatus(spec, { now: a.now, since: a.now, runtimeVersion: a.runtimeVersion }),
  };
}

export function leaseObject(node: KubeObject, now: number): KubeObject {
  const name = node.metadata.name ?? '';
  return {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: {
      name,
      namespace: 'kube-node-lease',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name, uid: node.metadata.uid ?? '' }],
    },
    spec: {
      holderIdentity: name,
      leaseDurationSeconds: LEASE_DURATION_SECONDS,
      renewTime: rfc3339Micro(now),
    },
  };
}

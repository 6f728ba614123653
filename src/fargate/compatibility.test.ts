import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  Container,
  PersistentVolume,
  PersistentVolumeClaim,
  PersistentVolumeSpec,
  PodSpec,
  Volume,
} from 'kubernetes-types/core/v1.js';
import {
  fargateIncompatibilities,
  fargateUnsupportedMessage,
  type FargateVolumeLookups,
} from './compatibility.ts';
import type { FargatePod } from './types.ts';

function pvc(name: string, bound?: string): PersistentVolumeClaim {
  return {
    metadata: { name, namespace: 'ns' },
    spec: bound === undefined ? {} : { volumeName: bound },
    status: { phase: bound === undefined ? 'Pending' : 'Bound' },
  };
}

function pv(name: string, spec: PersistentVolumeSpec): PersistentVolume {
  return { metadata: { name }, spec };
}

const claims = new Map<string, PersistentVolumeClaim>(
  [
    pvc('efs-claim', 'efs-pv'),
    pvc('ebs-claim', 'pvc-a996c34f'),
    pvc('intree-claim', 'intree-pv'),
    pvc('nfs-claim', 'nfs-pv'),
    pvc('orphan-claim', 'gone-pv'),
    pvc('config'),
    pvc('logs'),
  ].map((c) => [`ns/${c.metadata?.name ?? ''}`, c]),
);
const volumes = new Map<string, PersistentVolume>(
  [
    pv('efs-pv', { csi: { driver: 'efs.csi.aws.com', volumeHandle: 'fs-1' } }),
    pv('pvc-a996c34f', { csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-1' } }),
    pv('intree-pv', { awsElasticBlockStore: { volumeID: 'vol-2' } }),
    pv('nfs-pv', { nfs: { server: '10.0.0.1', path: '/' } }),
  ].map((v) => [v.metadata?.name ?? '', v]),
);
const lookups: FargateVolumeLookups = {
  persistentVolumeClaim: (ns, name) => claims.get(`${ns}/${name}`),
  persistentVolume: (name) => volumes.get(name),
};

const app: Container = { name: 'app', image: 'nginx' };

function pod(spec: Partial<PodSpec>, ownerKind?: string): FargatePod {
  return {
    metadata: {
      name: 'p',
      namespace: 'ns',
      ...(ownerKind === undefined
        ? {}
        : {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: ownerKind, name: 'o', uid: 'u', controller: true },
            ],
          }),
    },
    spec: { containers: [app], ...spec },
  };
}

const claimVolume = (name: string, claimName: string): Volume => ({
  name,
  persistentVolumeClaim: { claimName },
});

const cases: { name: string; pod: FargatePod; want: string[] }[] = [
  { name: 'plain pod', pod: pod({}), want: [] },
  {
    name: 'supported volume types',
    pod: pod({
      volumes: [
        { name: 'a', emptyDir: {} },
        { name: 'b', configMap: { name: 'c' } },
        { name: 'c', secret: { secretName: 's' } },
        { name: 'd', projected: { sources: [] } },
        { name: 'e', downwardAPI: {} },
        claimVolume('f', 'efs-claim'),
      ],
    }),
    want: [],
  },
  {
    name: 'privileged',
    pod: pod({ containers: [{ ...app, securityContext: { privileged: true } }] }),
    want: ['invalid SecurityContext fields: Privileged'],
  },
  {
    name: 'privileged false is fine',
    pod: pod({
      containers: [
        { ...app, securityContext: { privileged: false, allowPrivilegeEscalation: false } },
      ],
    }),
    want: [],
  },
  {
    name: 'privileged init container',
    pod: pod({ initContainers: [{ ...app, name: 'i', securityContext: { privileged: true } }] }),
    want: ['invalid SecurityContext fields: Privileged'],
  },
  {
    name: 'allowPrivilegeEscalation',
    pod: pod({ containers: [{ ...app, securityContext: { allowPrivilegeEscalation: true } }] }),
    want: ['invalid SecurityContext fields: AllowPrivilegeEscalation'],
  },
  {
    name: 'capability added',
    pod: pod({ containers: [{ ...app, securityContext: { capabilities: { add: ['CHOWN'] } } }] }),
    want: ['invalid SecurityContext fields: Capabilities added: CAP_CHOWN'],
  },
  {
    name: 'capabilities deduplicated over containers',
    pod: pod({
      containers: [
        { ...app, securityContext: { capabilities: { add: ['CHOWN', 'NET_ADMIN'] } } },
        { ...app, name: 'b', securityContext: { capabilities: { add: ['CAP_CHOWN'] } } },
      ],
    }),
    want: ['invalid SecurityContext fields: Capabilities added: CAP_CHOWN, CAP_NET_ADMIN'],
  },
  {
    name: 'dropping capabilities is fine',
    pod: pod({ containers: [{ ...app, securityContext: { capabilities: { drop: ['ALL'] } } }] }),
    want: [],
  },
  {
    name: 'several SecurityContext fields',
    pod: pod({
      containers: [
        { ...app, securityContext: { privileged: true, capabilities: { add: ['SYS_ADMIN'] } } },
      ],
    }),
    want: ['invalid SecurityContext fields: Privileged, Capabilities added: CAP_SYS_ADMIN'],
  },
  {
    name: 'hostNetwork',
    pod: pod({ hostNetwork: true }),
    want: ['fields not supported: HostNetwork'],
  },
  {
    name: 'hostPID and hostIPC',
    pod: pod({ hostPID: true, hostIPC: true }),
    want: ['fields not supported: HostPID, HostIPC'],
  },
  {
    name: 'hostPort',
    pod: pod({ containers: [{ ...app, ports: [{ containerPort: 80, hostPort: 8080 }] }] }),
    want: ['port contains HostIP or HostPort'],
  },
  {
    name: 'hostIP',
    pod: pod({ containers: [{ ...app, ports: [{ containerPort: 80, hostIP: '0.0.0.0' }] }] }),
    want: ['port contains HostIP or HostPort'],
  },
  {
    name: 'containerPort alone is fine',
    pod: pod({ containers: [{ ...app, ports: [{ containerPort: 80 }] }] }),
    want: [],
  },
  {
    name: 'hostPath',
    pod: pod({ volumes: [{ name: 'mntdatas3fs', hostPath: { path: '/mnt' } }] }),
    want: ['volumes not supported: mntdatas3fs is of an unsupported volume Type'],
  },
  {
    name: 'CSI inline volume',
    pod: pod({ volumes: [{ name: 'tls', csi: { driver: 'csi.cert-manager.io' } }] }),
    want: ['volumes not supported: tls is of an unsupported volume Type'],
  },
  {
    name: 'generic ephemeral volume',
    pod: pod({ volumes: [{ name: 'scratch', ephemeral: {} }] }),
    want: ['volumes not supported: scratch is of an unsupported volume Type'],
  },
  {
    name: 'PVC not found',
    pod: pod({ volumes: [claimVolume('data', 'x')] }),
    want: [
      'volumes not supported: data not supported because: persistentvolumeclaim "x" not found',
    ],
  },
  {
    name: 'PVCs not bound (one part per volume)',
    pod: pod({
      volumes: [claimVolume('gitlab-config', 'config'), claimVolume('gitlab-logs', 'logs')],
    }),
    want: [
      'volumes not supported: gitlab-config not supported because: PVC config not bound, gitlab-logs not supported because: PVC logs not bound',
    ],
  },
  {
    name: 'EBS CSI PV',
    pod: pod({ volumes: [claimVolume('storage-volume', 'ebs-claim')] }),
    want: [
      'volumes not supported: storage-volume not supported because: PVC ebs-claim bound to invalid PV pvc-a996c34f with CSI Driver: ebs.csi.aws.com',
    ],
  },
  {
    name: 'in-tree EBS PV (CSI migration name)',
    pod: pod({ volumes: [claimVolume('v', 'intree-claim')] }),
    want: [
      'volumes not supported: v not supported because: PVC intree-claim bound to invalid PV intree-pv with CSI Driver: ebs.csi.aws.com',
    ],
  },
  {
    name: 'other in-tree PV',
    pod: pod({ volumes: [claimVolume('v', 'nfs-claim')] }),
    want: [
      'volumes not supported: v not supported because: PVC nfs-claim bound to invalid PV nfs-pv of an unsupported volume Type',
    ],
  },
  {
    name: 'bound PV missing',
    pod: pod({ volumes: [claimVolume('v', 'orphan-claim')] }),
    want: ['volumes not supported: v not supported because: persistentvolume "gone-pv" not found'],
  },
  {
    name: 'GPU request',
    pod: pod({
      containers: [
        {
          ...app,
          resources: { limits: { 'nvidia.com/gpu': '1' }, requests: { 'nvidia.com/gpu': '1' } },
        },
      ],
    }),
    want: ['resources not supported: nvidia.com/gpu'],
  },
  {
    name: 'DaemonSet-owned pod',
    pod: pod({}, 'DaemonSet'),
    want: ['DaemonSet pods are not supported'],
  },
  { name: 'ReplicaSet-owned pod is fine', pod: pod({}, 'ReplicaSet'), want: [] },
  {
    name: 'EFS CSI controller: the combined order EKS prints',
    pod: pod({
      hostNetwork: true,
      containers: [
        {
          ...app,
          securityContext: { privileged: true },
          ports: [{ containerPort: 9909, hostPort: 9909 }],
        },
      ],
    }),
    want: [
      'fields not supported: HostNetwork',
      'invalid SecurityContext fields: Privileged',
      'port contains HostIP or HostPort',
    ],
  },
  {
    name: 'privileged with a hostPath volume',
    pod: pod({
      containers: [{ ...app, securityContext: { privileged: true } }],
      volumes: [{ name: 'mntdatas3fs', hostPath: { path: '/' } }],
    }),
    want: [
      'invalid SecurityContext fields: Privileged',
      'volumes not supported: mntdatas3fs is of an unsupported volume Type',
    ],
  },
];

describe('fargateIncompatibilities', () => {
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(fargateIncompatibilities(c.pod, lookups), c.want);
    });
  }
});

describe('fargateUnsupportedMessage', () => {
  it('joins parts as EKS does', () => {
    const efs = cases.find((c) => c.name.startsWith('EFS CSI controller'));
    assert.ok(efs);
    assert.equal(
      fargateUnsupportedMessage(fargateIncompatibilities(efs.pod, lookups)),
      'Pod not supported on Fargate: fields not supported: HostNetwork, invalid SecurityContext fields: Privileged, port contains HostIP or HostPort',
    );
    assert.equal(
      fargateUnsupportedMessage(['invalid SecurityContext fields: Capabilities added: CAP_CHOWN']),
      'Pod not supported on Fargate: invalid SecurityContext fields: Capabilities added: CAP_CHOWN',
    );
  });
});

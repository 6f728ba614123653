import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonpatch, { type Operation } from 'fast-json-patch';
import { matchProfile } from './matching.ts';
import { escapeJsonPointer, mutationFor, setMetadataMapOps } from './matching-mutation.ts';
import type {
  FargatePod,
  FargateProfileSelector,
  FargateProfileStatus,
  JsonPatchOperation,
  MatchableFargateProfile,
} from './types.ts';

function profile(
  name: string,
  selectors: FargateProfileSelector[],
  status: FargateProfileStatus = 'ACTIVE',
): MatchableFargateProfile {
  return { fargateProfileName: name, status, selectors };
}

interface PodOpts {
  ns?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  schedulerName?: string;
  daemonSet?: boolean;
  nodeName?: string;
}

function pod(o: PodOpts = {}): FargatePod {
  return {
    metadata: {
      name: 'p',
      ...(o.ns === undefined ? {} : { namespace: o.ns }),
      ...(o.labels === undefined ? {} : { labels: o.labels }),
      ...(o.annotations === undefined ? {} : { annotations: o.annotations }),
      ...(o.daemonSet === true
        ? {
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'ds', uid: 'u', controller: true },
            ],
          }
        : {}),
    },
    spec: {
      containers: [{ name: 'c', image: 'nginx' }],
      schedulerName: o.schedulerName ?? 'default-scheduler',
      ...(o.nodeName === undefined ? {} : { nodeName: o.nodeName }),
    },
  };
}

const seedProfile = profile('wsi-app-fargate', [
  { namespace: 'wsi-skills-namespace', labels: { app: 'wsi-app' } },
]);

interface Case {
  name: string;
  pod: FargatePod;
  profiles: MatchableFargateProfile[];
  /** A profile name or a FargateNoMatchReason. */
  want: string;
  namespace?: string;
}

const cases: Case[] = [
  {
    name: 'seed: namespace and label',
    pod: pod({ ns: 'wsi-skills-namespace', labels: { app: 'wsi-app' } }),
    profiles: [seedProfile],
    want: 'wsi-app-fargate',
  },
  {
    name: 'extra pod labels are fine',
    pod: pod({ ns: 'wsi-skills-namespace', labels: { app: 'wsi-app', tier: 'web' } }),
    profiles: [seedProfile],
    want: 'wsi-app-fargate',
  },
  {
    name: 'missing selector label',
    pod: pod({ ns: 'wsi-skills-namespace', labels: { tier: 'web' } }),
    profiles: [seedProfile],
    want: 'NoMatchingProfile',
  },
  {
    name: 'other namespace',
    pod: pod({ ns: 'default', labels: { app: 'wsi-app' } }),
    profiles: [seedProfile],
    want: 'NoMatchingProfile',
  },
  {
    name: 'all selector labels required',
    pod: pod({ ns: 'a', labels: { x: '1' } }),
    profiles: [profile('p', [{ namespace: 'a', labels: { x: '1', y: '2' } }])],
    want: 'NoMatchingProfile',
  },
  {
    name: 'selector without labels matches the namespace',
    pod: pod({ ns: 'kube-system' }),
    profiles: [profile('fp-default', [{ namespace: 'default' }, { namespace: 'kube-system' }])],
    want: 'fp-default',
  },
  {
    name: 'any selector matches',
    pod: pod({ ns: 'b', labels: { k: 'v' } }),
    profiles: [profile('p', [{ namespace: 'a' }, { namespace: 'b', labels: { k: 'v' } }])],
    want: 'p',
  },
  {
    name: 'namespace wildcard *',
    pod: pod({ ns: 'prod-eu' }),
    profiles: [profile('p', [{ namespace: 'prod*' }])],
    want: 'p',
  },
  {
    name: 'namespace wildcard ?',
    pod: pod({ ns: 'team1' }),
    profiles: [profile('p', [{ namespace: 'team?' }])],
    want: 'p',
  },
  {
    name: 'namespace ? needs exactly one char',
    pod: pod({ ns: 'team12' }),
    profiles: [profile('p', [{ namespace: 'team?' }])],
    want: 'NoMatchingProfile',
  },
  {
    name: 'CLI example: labelname*? / *value1',
    pod: pod({ ns: 'prod', labels: { labelnameX: 'myvalue1' } }),
    profiles: [profile('p', [{ namespace: 'prod*', labels: { 'labelname*?': '*value1' } }])],
    want: 'p',
  },
  {
    name: 'key wildcard needs the value to match the same label',
    pod: pod({ ns: 'a', labels: { app1: 'x', app2: 'web' } }),
    profiles: [profile('p', [{ namespace: 'a', labels: { 'app?': 'web' } }])],
    want: 'p',
  },
  {
    name: 'key and value must match one label together',
    pod: pod({ ns: 'a', labels: { app1: 'x', other: 'web' } }),
    profiles: [profile('p', [{ namespace: 'a', labels: { 'app?': 'web' } }])],
    want: 'NoMatchingProfile',
  },
  {
    name: 'ties: first by name wins',
    pod: pod({ ns: 'a' }),
    profiles: [
      profile('prod-workload', [{ namespace: 'a' }]),
      profile('beta-workload', [{ namespace: '*' }]),
    ],
    want: 'beta-workload',
  },
  {
    name: 'ties: byte order, uppercase first',
    pod: pod({ ns: 'a' }),
    profiles: [
      profile('b', [{ namespace: 'a' }]),
      profile('B', [{ namespace: 'a' }]),
      profile('a1', [{ namespace: 'a' }]),
    ],
    want: 'B',
  },
  {
    name: 'non-ACTIVE profiles never match',
    pod: pod({ ns: 'a' }),
    profiles: [
      profile('a-creating', [{ namespace: 'a' }], 'CREATING'),
      profile('b-deleting', [{ namespace: 'a' }], 'DELETING'),
      profile('c-failed', [{ namespace: 'a' }], 'CREATE_FAILED'),
    ],
    want: 'NoMatchingProfile',
  },
  {
    name: 'non-ACTIVE earlier name is skipped',
    pod: pod({ ns: 'a' }),
    profiles: [
      profile('a', [{ namespace: 'a' }], 'DELETE_FAILED'),
      profile('z', [{ namespace: 'a' }]),
    ],
    want: 'z',
  },
  {
    name: 'label pins a later profile',
    pod: pod({ ns: 'a', labels: { 'eks.amazonaws.com/fargate-profile': 'z' } }),
    profiles: [profile('a', [{ namespace: 'a' }]), profile('z', [{ namespace: 'a' }])],
    want: 'z',
  },
  {
    name: 'pinned profile must still match',
    pod: pod({ ns: 'b', labels: { 'eks.amazonaws.com/fargate-profile': 'z' } }),
    profiles: [profile('a', [{ namespace: 'b' }]), profile('z', [{ namespace: 'a' }])],
    want: 'PinnedProfileNotMatched',
  },
  {
    name: 'pinned profile must exist',
    pod: pod({ ns: 'a', labels: { 'eks.amazonaws.com/fargate-profile': 'nope' } }),
    profiles: [profile('a', [{ namespace: 'a' }])],
    want: 'PinnedProfileNotMatched',
  },
  {
    name: 'pinned profile must be ACTIVE',
    pod: pod({ ns: 'a', labels: { 'eks.amazonaws.com/fargate-profile': 'z' } }),
    profiles: [profile('z', [{ namespace: 'a' }], 'CREATING')],
    want: 'PinnedProfileNotMatched',
  },
  {
    name: 'compute-type ec2 annotation keeps it off',
    pod: pod({ ns: 'a', annotations: { 'eks.amazonaws.com/compute-type': 'ec2' } }),
    profiles: [profile('a', [{ namespace: 'a' }])],
    want: 'ComputeTypeEc2',
  },
  {
    name: 'compute-type fargate annotation matches normally',
    pod: pod({ ns: 'a', annotations: { 'eks.amazonaws.com/compute-type': 'fargate' } }),
    profiles: [profile('a', [{ namespace: 'a' }])],
    want: 'a',
  },
  {
    name: 'compute-type ec2 label is not the annotation',
    pod: pod({ ns: 'a', labels: { 'eks.amazonaws.com/compute-type': 'ec2' } }),
    profiles: [profile('a', [{ namespace: 'a' }])],
    want: 'a',
  },
  {
    name: 'custom scheduler left alone',
    pod: pod({ ns: 'a', schedulerName: 'my-scheduler' }),
    profiles: [profile('a', [{ namespace: 'a' }])],
    want: 'OtherScheduler',
  },
  {
    name: 'fargate-scheduler pod still matched',
    pod: pod({ ns: 'a', schedulerName: 'fargate-scheduler' }),
    profiles: [profile('a', [{ namespace: 'a' }])],
    want: 'a',
  },
  {
    name: 'DaemonSet pods left alone',
    pod: pod({ ns: 'kube-system', daemonSet: true }),
    profiles: [profile('a', [{ namespace: 'kube-system' }])],
    want: 'DaemonSetPod',
  },
  {
    name: 'bound pods left alone',
    pod: pod({ ns: 'a', nodeName: 'ip-10-0-0-1' }),
    profiles: [profile('a', [{ namespace: 'a' }])],
    want: 'AlreadyBound',
  },
  {
    name: 'namespace from the admission request',
    pod: pod({}),
    namespace: 'team',
    profiles: [profile('a', [{ namespace: 'team' }])],
    want: 'a',
  },
  {
    name: 'selector without namespace matches nothing',
    pod: pod({ ns: 'a' }),
    profiles: [profile('a', [{ labels: {} }])],
    want: 'NoMatchingProfile',
  },
  { name: 'no profiles', pod: pod({ ns: 'a' }), profiles: [], want: 'NoMatchingProfile' },
];

describe('matchProfile', () => {
  for (const c of cases) {
    it(c.name, () => {
      const got = matchProfile(
        c.pod,
        c.profiles,
        c.namespace === undefined ? {} : { namespace: c.namespace },
      );
      const name = 'profile' in got ? got.profile.fargateProfileName : got.reason;
      assert.equal(name, c.want, 'message' in got ? got.message : '');
    });
  }

  it('returns the caller’s profile object and does not reorder the input', () => {
    const profiles = [profile('z', [{ namespace: 'a' }]), profile('a', [{ namespace: 'a' }])];
    const got = matchProfile(pod({ ns: 'a' }), profiles);
    assert.ok('profile' in got);
    assert.equal(got.profile, profiles[1]);
    assert.deepEqual(
      profiles.map((p) => p.fargateProfileName),
      ['z', 'a'],
    );
  });
});

function apply(p: FargatePod, ops: JsonPatchOperation[]): FargatePod {
  // SAFETY: JsonPatchOperation is the add/replace/remove subset of fast-json-patch's Operation.
  const operations = ops as Operation[];
  return jsonpatch.applyPatch(structuredClone(p), operations, true).newDocument;
}

describe('mutationFor', () => {
  it('adds the profile label to existing labels, escaping the slash', () => {
    const p = pod({ ns: 'a', labels: { app: 'x' } });
    const ops = mutationFor(p, { fargateProfileName: 'fp' });
    assert.ok(ops.some((o) => o.path === '/metadata/labels/eks.amazonaws.com~1fargate-profile'));
    const out = apply(p, ops);
    const { metadata, spec } = out;
    assert.deepEqual(
      [metadata?.labels, metadata?.annotations],
      [
        { app: 'x', 'eks.amazonaws.com/fargate-profile': 'fp' },
        { 'eks.amazonaws.com/compute-type': 'fargate' },
      ],
    );
    assert.deepEqual(
      [spec?.schedulerName, spec?.priorityClassName, spec?.priority],
      ['fargate-scheduler', 'system-node-critical', 2000001000],
    );
  });

  it('creates missing label and annotation maps', () => {
    const p = pod({ ns: 'a' });
    const out = apply(p, mutationFor(p, { fargateProfileName: 'fp' }));
    assert.deepEqual(out.metadata?.labels, { 'eks.amazonaws.com/fargate-profile': 'fp' });
  });

  it('creates missing metadata', () => {
    const p: FargatePod = { spec: { containers: [{ name: 'c' }] } };
    const out = apply(p, mutationFor(p, { fargateProfileName: 'fp' }));
    assert.equal(out.metadata?.labels?.['eks.amazonaws.com/fargate-profile'], 'fp');
  });

  it('overrides a user priority class, a pinned label and a compute-type annotation', () => {
    const p = pod({
      ns: 'a',
      labels: { 'eks.amazonaws.com/fargate-profile': 'old' },
      annotations: { 'eks.amazonaws.com/compute-type': 'x', keep: 'y' },
    });
    p.spec = {
      ...p.spec,
      containers: p.spec?.containers ?? [],
      priorityClassName: 'low',
      priority: 5,
      preemptionPolicy: 'Never',
    };
    const out = apply(p, mutationFor(p, { fargateProfileName: 'fp' }));
    const labels = out.metadata?.labels;
    const annotations = out.metadata?.annotations;
    assert.equal(labels?.['eks.amazonaws.com/fargate-profile'], 'fp');
    assert.deepEqual(annotations, {
      'eks.amazonaws.com/compute-type': 'fargate',
      keep: 'y',
    });
    assert.deepEqual(
      [out.spec?.priorityClassName, out.spec?.priority, out.spec?.preemptionPolicy],
      ['system-node-critical', 2000001000, 'PreemptLowerPriority'],
    );
  });

  it('escapes ~ and / in pointer tokens', () => {
    assert.equal(escapeJsonPointer('a~b/c'), 'a~0b~1c');
    const p = pod({ annotations: {} });
    const out = apply(
      p,
      setMetadataMapOps(p, 'annotations', {
        'x~/y': '1',
        CapacityProvisioned: '0.5vCPU 1GB',
      }),
    );
    assert.deepEqual(out.metadata?.annotations, {
      'x~/y': '1',
      CapacityProvisioned: '0.5vCPU 1GB',
    });
  });
});

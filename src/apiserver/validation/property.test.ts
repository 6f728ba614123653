import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { FieldError, JsonValue, KubeObject } from '../../api/index.ts';
import { defaulters, generateJobSelector, validators } from './index.ts';

/**
 * Validators and defaulters take untrusted JSON: whatever shape arrives, they must report
 * field errors and never throw. Valid objects of every kind are mutated at random paths
 * (a string where an array belongs, null for a map, …) and run through both.
 */

type Json = Record<string, unknown>;

const POD_SPEC = {
  containers: [
    {
      name: 'c',
      image: 'nginx',
      ports: [{ containerPort: 80 }],
      env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
      resources: { limits: { cpu: '500m' }, requests: { memory: '1Gi' } },
      volumeMounts: [{ name: 'v', mountPath: '/v' }],
      readinessProbe: { httpGet: { port: 80 } },
      securityContext: { runAsUser: 1000 },
    },
  ],
  initContainers: [{ name: 'i', image: 'busybox' }],
  volumes: [
    { name: 'v', emptyDir: {} },
    { name: 'cfg', configMap: { name: 'c', items: [{ key: 'k', path: 'p' }] } },
  ],
  tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
  affinity: {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: 'a', operator: 'In', values: ['b'] }] }],
      },
    },
  },
  topologySpreadConstraints: [
    { maxSkew: 1, topologyKey: 'zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: {} },
  ],
  dnsConfig: { nameservers: ['1.1.1.1'], options: [{ name: 'ndots', value: '2' }] },
};
const meta = { name: 'x', namespace: 'default', labels: { app: 'x' }, annotations: { a: 'b' } };
const template = { metadata: { labels: { app: 'x' } }, spec: POD_SPEC };
const jobTemplate = {
  metadata: { labels: { app: 'x' } },
  spec: { ...POD_SPEC, restartPolicy: 'Never' },
};
const selector = {
  matchLabels: { app: 'x' },
  matchExpressions: [{ key: 'a', operator: 'Exists' }],
};

/** One valid-ish object per resource, the starting points for mutation. */
const BASES: Readonly<Record<string, Json>> = {
  pods: { metadata: meta, spec: POD_SPEC },
  podtemplates: { metadata: meta, template },
  replicationcontrollers: { metadata: meta, spec: { selector: { app: 'x' }, template } },
  services: {
    metadata: meta,
    spec: {
      type: 'LoadBalancer',
      ports: [{ port: 80, targetPort: 'http', name: 'a' }],
      selector: { app: 'x' },
      sessionAffinity: 'ClientIP',
      ipFamilies: ['IPv4'],
      clusterIPs: ['10.0.0.1'],
    },
  },
  endpoints: {
    metadata: meta,
    subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 1 }] }],
  },
  configmaps: { metadata: meta, data: { a: 'b' }, binaryData: { c: 'eA==' } },
  secrets: {
    metadata: meta,
    type: 'kubernetes.io/tls',
    data: { 'tls.crt': 'eA==', 'tls.key': 'eA==' },
  },
  serviceaccounts: { metadata: meta, secrets: [{ name: 's' }], imagePullSecrets: [{ name: 'p' }] },
  namespaces: { metadata: { name: 'x' }, spec: { finalizers: ['kubernetes'] } },
  nodes: {
    metadata: { name: 'n' },
    spec: { podCIDRs: ['10.0.0.0/24'], taints: [{ key: 'a', effect: 'NoSchedule' }] },
    status: { capacity: { cpu: '4' } },
  },
  persistentvolumeclaims: {
    metadata: meta,
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '1Gi' } },
      dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'x' },
    },
    status: { phase: 'Bound' },
  },
  persistentvolumes: {
    metadata: { name: 'pv' },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      csi: { driver: 'd', volumeHandle: 'h' },
    },
  },
  limitranges: {
    metadata: meta,
    spec: {
      limits: [
        {
          type: 'Container',
          max: { cpu: '1' },
          min: { cpu: '100m' },
          maxLimitRequestRatio: { cpu: '2' },
        },
      ],
    },
  },
  resourcequotas: {
    metadata: meta,
    spec: {
      hard: { pods: '3' },
      scopeSelector: {
        matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['a'] }],
      },
    },
  },
  events: {
    metadata: meta,
    involvedObject: { kind: 'Pod', name: 'p', namespace: 'default' },
    type: 'Normal',
    eventTime: '2024-01-01T00:00:00Z',
    series: { count: 2 },
  },
  'deployments.apps': {
    metadata: meta,
    spec: {
      selector,
      template,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '10%' } },
    },
  },
  'replicasets.apps': { metadata: meta, spec: { selector, template } },
  'statefulsets.apps': {
    metadata: meta,
    spec: {
      selector,
      template,
      serviceName: 's',
      volumeClaimTemplates: [
        {
          metadata: { name: 'd' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
      ordinals: { start: 1 },
    },
  },
  'daemonsets.apps': {
    metadata: meta,
    spec: { selector, template, updateStrategy: { type: 'OnDelete' } },
  },
  'controllerrevisions.apps': { metadata: meta, data: { a: 1 }, revision: 2 },
  'jobs.batch': {
    metadata: { ...meta, uid: 'u' },
    spec: {
      template: jobTemplate,
      completionMode: 'Indexed',
      completions: 3,
      backoffLimitPerIndex: 1,
      podFailurePolicy: {
        rules: [{ action: 'Ignore', onExitCodes: { operator: 'In', values: [1, 2] } }],
      },
      successPolicy: { rules: [{ succeededCount: 1 }] },
    },
  },
  'cronjobs.batch': {
    metadata: meta,
    spec: {
      schedule: '*/5 * * * *',
      timeZone: 'Etc/UTC',
      jobTemplate: { spec: { template: jobTemplate } },
    },
  },
  'events.events.k8s.io': {
    metadata: meta,
    eventTime: '2024-01-01T00:00:00.000000Z',
    reportingController: 'a/b',
    reportingInstance: 'i',
    action: 'A',
    reason: 'R',
    type: 'Warning',
    regarding: { kind: 'Pod', name: 'p' },
    series: { count: 2, lastObservedTime: '2024-01-01T00:00:00.000000Z' },
  },
  'leases.coordination.k8s.io': {
    metadata: meta,
    spec: { holderIdentity: 'h', leaseDurationSeconds: 10 },
  },
  'poddisruptionbudgets.policy': { metadata: meta, spec: { maxUnavailable: '10%', selector } },
  'priorityclasses.scheduling.k8s.io': {
    metadata: { name: 'p' },
    value: 10,
    preemptionPolicy: 'Never',
  },
  'endpointslices.discovery.k8s.io': {
    metadata: meta,
    addressType: 'IPv4',
    endpoints: [
      {
        addresses: ['10.0.0.1'],
        conditions: { ready: true },
        hints: { forZones: [{ name: 'z' }] },
      },
    ],
    ports: [{ port: 80 }],
  },
  'ingresses.networking.k8s.io': {
    metadata: meta,
    spec: {
      tls: [{ hosts: ['a.b'], secretName: 's' }],
      rules: [
        {
          host: '*.a.b',
          http: {
            paths: [
              {
                path: '/x',
                pathType: 'Exact',
                backend: { service: { name: 's', port: { name: 'http' } } },
              },
            ],
          },
        },
      ],
    },
  },
  'runtimeclasses.node.k8s.io': {
    metadata: { name: 'r' },
    handler: 'runc',
    overhead: { podFixed: { cpu: '10m' } },
    scheduling: { nodeSelector: { a: 'b' }, tolerations: [{ operator: 'Exists' }] },
  },
};

/** Every path into `v` (objects and arrays alike), the root included. */
function paths(v: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  const out = [prefix];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...prefix, i])));
  else if (typeof v === 'object' && v !== null)
    for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...prefix, k]));
  return out;
}

function replaceAt(root: Json, path: (string | number)[], value: unknown): void {
  let cur: unknown = root;
  for (const k of path.slice(0, -1)) cur = (cur as Record<string | number, unknown>)[k]; // SAFETY: path from paths().
  const last = path.at(-1);
  if (last !== undefined) (cur as Record<string | number, unknown>)[last] = value; // SAFETY: as above.
}

const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom(
    '',
    'x',
    -1,
    0,
    1.5,
    2 ** 40,
    true,
    null,
    [],
    {},
    [null],
    { '': 1 },
    '1e1000',
    '-0',
  ),
);

function checkErrors(errs: unknown): void {
  assert.ok(Array.isArray(errs));
  // SAFETY: the elements' fields are checked right here.
  for (const e of errs as FieldError[]) {
    assert.equal(typeof e.type, 'string');
    assert.ok(e.message.startsWith(`${e.field}: `), e.message);
  }
}

function exercise(resource: string, obj: Json, old: Json): void {
  // SAFETY: the point is to hand the functions objects that break the KubeObject type.
  const o = obj as unknown as KubeObject;
  const validate = validators[resource];
  assert.ok(validate);
  checkErrors(validate(o));
  checkErrors(validate(o, old as unknown as KubeObject)); // SAFETY: as above.
  const copy = structuredClone(o);
  defaulters[resource]?.(copy);
  if (resource === 'jobs.batch') generateJobSelector(copy);
  checkErrors(validate(copy));
  checkErrors(validate(copy, old as unknown as KubeObject)); // SAFETY: as above.
  JSON.stringify(copy satisfies JsonValue | KubeObject);
}

const mutation = fc.record({
  resource: fc.constantFrom(...Object.keys(BASES)),
  edits: fc.array(fc.tuple(fc.nat(), weird), { minLength: 1, maxLength: 3 }),
});

void describe('validators and defaulters on arbitrary JSON', () => {
  void it('bases validate after defaulting without throwing', () => {
    for (const [resource, base] of Object.entries(BASES)) exercise(resource, base, base);
  });

  void it('never throw on mutated objects', () => {
    fc.assert(
      fc.property(mutation, ({ resource, edits }) => {
        const base = BASES[resource] ?? {};
        const obj = structuredClone(base);
        for (const [n, value] of edits) {
          const all = paths(obj).filter((p) => p.length > 0);
          const path = all[n % all.length];
          if (path !== undefined) replaceAt(obj, path, structuredClone(value));
        }
        exercise(resource, obj, base);
      }),
      { numRuns: 3000 },
    );
  });

  void it('never throw on arbitrary top-level shapes', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...Object.keys(validators)),
        fc.dictionary(
          fc.constantFrom('spec', 'status', 'data', 'template', 'subsets', 'metadata', 'x'),
          weird,
        ),
        (resource, fields) => {
          exercise(
            resource,
            { metadata: { name: 'x', namespace: 'default' }, ...fields },
            { metadata: {} },
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  void it('report spec.containers given as a string as a field error', () => {
    const errs = validators['pods']?.({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: { containers: 'nginx' },
    });
    assert.ok(
      errs?.some((e) => e.field === 'spec.containers' && e.type === 'FieldValueTypeInvalid'),
    );
  });
});

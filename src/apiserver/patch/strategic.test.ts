import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import jsonMergePatch from 'json-merge-patch';
import type { GroupVersionKind, JsonObject, JsonValue } from '../../api/index.ts';
import { applyStrategicMergePatch, hasStrategicMergeSchema, PatchError } from './index.ts';

const POD: GroupVersionKind = { group: '', version: 'v1', kind: 'Pod' };
const NODE: GroupVersionKind = { group: '', version: 'v1', kind: 'Node' };
const SERVICE: GroupVersionKind = { group: '', version: 'v1', kind: 'Service' };
const DEPLOYMENT: GroupVersionKind = { group: 'apps', version: 'v1', kind: 'Deployment' };
const PDB: GroupVersionKind = { group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' };
const CONFIG_MAP: GroupVersionKind = { group: '', version: 'v1', kind: 'ConfigMap' };

/** A list at the end of a path, where `[field, key, value]` steps into the one item of a keyed list. */
type Step = string | readonly [string, string, JsonValue];

function nest(path: readonly Step[], leaf: JsonValue): JsonObject {
  let value: JsonValue = leaf;
  for (const step of [...path].reverse()) {
    value =
      typeof step === 'string'
        ? { [step]: value }
        : { [step[0]]: [{ [step[1]]: step[2], ...(value as JsonObject) }] };
  }
  // SAFETY: a non-empty path always ends in an object.
  return value as JsonObject;
}

const podSpec = (spec: JsonObject): JsonObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p' },
  spec,
});

function deployment(podSpecFields: JsonObject, spec: JsonObject = {}): JsonObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas: 1,
      ...spec,
      template: { metadata: { labels: { app: 'web' } }, spec: podSpecFields },
    },
  };
}

void describe('applyStrategicMergePatch: the captured kubectl apply', () => {
  void it('keeps container ports while kubectl updates the image (kubectl 1.32, second apply)', () => {
    const original = deployment({
      containers: [{ name: 'nginx', image: 'nginx:1.25', ports: [{ containerPort: 80 }] }],
    });
    const lastApplied = '{"apiVersion":"apps/v1","kind":"Deployment"}';
    const patch: JsonObject = {
      metadata: {
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
      },
      spec: {
        replicas: 3,
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'nginx' }],
            containers: [{ image: 'nginx:1.27', name: 'nginx' }],
          },
        },
      },
    };
    const result = applyStrategicMergePatch(original, patch, DEPLOYMENT);
    assert.deepEqual(result, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'web',
        namespace: 'default',
        annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied },
      },
      spec: {
        replicas: 3,
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
          },
        },
      },
    });
  });

  void it('applies a kubectl diff that deletes one env var and adds another, keeping a server-only one', () => {
    const env = [
      { name: 'A', value: 'a' },
      { name: 'INJECTED', value: 'x' },
      { name: 'B', value: 'b' },
      { name: 'C', value: 'c' },
    ];
    const original = deployment({ containers: [{ name: 'app', image: 'app:1', env }] });
    const patch = nest(['spec', 'template', 'spec', ['containers', 'name', 'app']], {
      '$setElementOrder/env': [{ name: 'A' }, { name: 'C' }, { name: 'D' }],
      env: [
        { name: 'D', value: 'd' },
        { $patch: 'delete', name: 'B' },
      ],
    });
    const result = applyStrategicMergePatch(original, patch, DEPLOYMENT);
    assert.deepEqual(
      result,
      deployment({
        containers: [
          {
            name: 'app',
            image: 'app:1',
            env: [
              { name: 'A', value: 'a' },
              { name: 'INJECTED', value: 'x' },
              { name: 'C', value: 'c' },
              { name: 'D', value: 'd' },
            ],
          },
        ],
      }),
    );
  });
});

interface Case {
  name: string;
  gvk: GroupVersionKind;
  original: JsonObject;
  patch: JsonObject;
  want: JsonObject;
}

const cases: Case[] = [
  {
    name: 'objects merge recursively',
    gvk: POD,
    original: { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { b: '3', c: '4' } } },
    want: { metadata: { name: 'p', labels: { a: '1', b: '3', c: '4' } } },
  },
  {
    name: 'null deletes a key, and is a no-op for an absent one',
    gvk: POD,
    original: { metadata: { name: 'p', labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { b: null, zz: null } } },
    want: { metadata: { name: 'p', labels: { a: '1' } } },
  },
  {
    name: 'nulls inside a new object are dropped',
    gvk: POD,
    original: { metadata: { name: 'p' } },
    patch: { metadata: { annotations: { x: '1', y: null } } },
    want: { metadata: { name: 'p', annotations: { x: '1' } } },
  },
  {
    name: 'a value of another type replaces the original',
    gvk: POD,
    original: { spec: { nodeSelector: { a: 'b' } } },
    patch: { spec: { nodeSelector: 'oops' } },
    want: { spec: { nodeSelector: 'oops' } },
  },
  {
    name: 'lists without a strategy are replaced (tolerations)',
    gvk: POD,
    original: podSpec({ tolerations: [{ key: 'a' }, { key: 'b' }] }),
    patch: { spec: { tolerations: [{ key: 'c' }] } },
    want: podSpec({ tolerations: [{ key: 'c' }] }),
  },
  {
    name: 'Node taints are replaced: upstream tags them +listType=atomic, no patchStrategy',
    gvk: NODE,
    original: { spec: { taints: [{ key: 'a', effect: 'NoSchedule' }] } },
    patch: { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } },
    want: { spec: { taints: [{ key: 'b', effect: 'NoExecute' }] } },
  },
  {
    name: 'merge lists merge items by key and append new ones',
    gvk: POD,
    original: podSpec({
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:1' },
      ],
    }),
    patch: {
      spec: {
        containers: [
          { name: 'b', image: 'b:2' },
          { name: 'c', image: 'c:1' },
        ],
      },
    },
    want: podSpec({
      containers: [
        { name: 'a', image: 'a:1' },
        { name: 'b', image: 'b:2' },
        { name: 'c', image: 'c:1' },
      ],
    }),
  },
  {
    name: 'primitive merge lists behave as sets (finalizers)',
    gvk: POD,
    original: { metadata: { finalizers: ['a', 'b'] } },
    patch: { metadata: { finalizers: ['b', 'c'] } },
    want: { metadata: { finalizers: ['a', 'b', 'c'] } },
  },
  {
    name: 'Node podCIDRs merge as a set',
    gvk: NODE,
    original: { spec: { podCIDRs: ['10.0.0.0/24'] } },
    patch: { spec: { podCIDRs: ['10.0.0.0/24', 'fd00::/64'] } },
    want: { spec: { podCIDRs: ['10.0.0.0/24', 'fd00::/64'] } },
  },
  {
    name: '$deleteFromPrimitiveList removes items from a set',
    gvk: POD,
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'zz'] } },
    want: { metadata: { finalizers: ['a', 'c'] } },
  },
  {
    name: '$deleteFromPrimitiveList also works on a list without a strategy, and never adds a list',
    gvk: POD,
    original: podSpec({ containers: [{ name: 'a', args: ['x', 'y'] }] }),
    patch: {
      spec: {
        containers: [
          {
            name: 'a',
            '$deleteFromPrimitiveList/args': ['x'],
            '$deleteFromPrimitiveList/command': ['x'],
          },
        ],
      },
    },
    want: podSpec({ containers: [{ name: 'a', args: ['y'] }] }),
  },
  {
    name: '$patch: delete removes a list item by key',
    gvk: POD,
    original: podSpec({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: {
      spec: {
        containers: [
          { name: 'b', $patch: 'delete' },
          { name: 'zz', $patch: 'delete' },
        ],
      },
    },
    want: podSpec({ containers: [{ name: 'a' }] }),
  },
  {
    name: 'a {"$patch":"replace"} item replaces the whole list',
    gvk: POD,
    original: podSpec({ containers: [{ name: 'a', image: 'a' }, { name: 'b' }] }),
    patch: { spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z' }] } },
    want: podSpec({ containers: [{ name: 'z', image: 'z' }] }),
  },
  {
    name: '$patch: replace on an object replaces it',
    gvk: POD,
    original: { metadata: { labels: { a: '1', b: '2' } } },
    patch: { metadata: { labels: { $patch: 'replace', c: '3' } } },
    want: { metadata: { labels: { c: '3' } } },
  },
  {
    name: '$patch: delete on an object empties it',
    gvk: POD,
    original: { metadata: { labels: { a: '1' } } },
    patch: { metadata: { labels: { $patch: 'delete' } } },
    want: { metadata: { labels: {} } },
  },
  {
    name: 'an object carrying $patch is dropped where the original has nothing',
    gvk: POD,
    original: podSpec({}),
    patch: { spec: { affinity: { $patch: 'delete' }, volumes: [{ name: 'v', $patch: 'delete' }] } },
    want: podSpec({ volumes: [] }),
  },
  {
    name: '$setElementOrder orders a list and never adds the items it names',
    gvk: POD,
    original: podSpec({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: {
      spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'ghost' }, { name: 'a' }] },
    },
    want: podSpec({ containers: [{ name: 'b' }, { name: 'a' }] }),
  },
  {
    name: '$setElementOrder places new items',
    gvk: POD,
    original: podSpec({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }],
        containers: [{ name: 'c', image: 'c' }],
      },
    },
    want: podSpec({ containers: [{ name: 'c', image: 'c' }, { name: 'a' }, { name: 'b' }] }),
  },
  {
    name: '$setElementOrder on a primitive list',
    gvk: POD,
    original: { metadata: { finalizers: ['a', 'b', 'c'] } },
    patch: { metadata: { '$setElementOrder/finalizers': ['c', 'a', 'b'] } },
    want: { metadata: { finalizers: ['c', 'a', 'b'] } },
  },
  {
    name: '$retainKeys clears the fields a Deployment strategy no longer has',
    gvk: DEPLOYMENT,
    original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
    patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
    want: { spec: { strategy: { type: 'Recreate' } } },
  },
  {
    name: '$retainKeys switches a volume source',
    gvk: POD,
    original: podSpec({
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'w', emptyDir: {} },
      ],
    }),
    patch: {
      spec: {
        volumes: [{ $retainKeys: ['configMap', 'name'], name: 'v', configMap: { name: 'cm' } }],
      },
    },
    want: podSpec({
      volumes: [
        { name: 'v', configMap: { name: 'cm' } },
        { name: 'w', emptyDir: {} },
      ],
    }),
  },
  {
    name: 'unknown directives are ignored and never reach the result',
    gvk: POD,
    original: { metadata: { name: 'p' } },
    patch: { $foo: 1, metadata: { $bar: {}, labels: { $baz: 'x', a: 'b' } } },
    want: { metadata: { name: 'p', labels: { a: 'b' } } },
  },
  {
    name: 'directives inside new list items are dropped',
    gvk: POD,
    original: podSpec({ containers: [{ name: 'a' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
        containers: [
          { name: 'b', env: [{ name: 'X', $patch: 'delete' }], resources: { $retainKeys: [] } },
        ],
      },
    },
    want: podSpec({
      containers: [{ name: 'a' }, { name: 'b', env: [{ name: 'X' }], resources: {} }],
    }),
  },
  {
    name: 'without $setElementOrder, new items go before server-only ones (as upstream orders them)',
    gvk: POD,
    original: podSpec({ containers: [{ name: 'a' }] }),
    patch: { spec: { containers: [{ name: 'b' }] } },
    want: podSpec({ containers: [{ name: 'b' }, { name: 'a' }] }),
  },
  {
    name: 'patchStrategy replace on an object (PodDisruptionBudget selector)',
    gvk: PDB,
    original: { spec: { selector: { matchLabels: { a: '1' } }, minAvailable: 1 } },
    patch: { spec: { selector: { matchLabels: { b: '2' } } } },
    want: { spec: { selector: { matchLabels: { b: '2' } }, minAvailable: 1 } },
  },
  {
    name: 'an empty patch changes nothing',
    gvk: DEPLOYMENT,
    original: deployment({ containers: [{ name: 'a' }] }),
    patch: {},
    want: deployment({ containers: [{ name: 'a' }] }),
  },
  {
    name: '{"$patch":"replace"} at the top replaces the object',
    gvk: CONFIG_MAP,
    original: { metadata: { name: 'c' }, data: { a: '1' } },
    patch: { $patch: 'replace', metadata: { name: 'c' }, data: { b: '2' } },
    want: { metadata: { name: 'c' }, data: { b: '2' } },
  },
];

void describe('applyStrategicMergePatch: directives and strategies', () => {
  for (const c of cases) {
    void it(c.name, () => {
      assert.deepEqual(applyStrategicMergePatch(c.original, c.patch, c.gvk), c.want);
    });
  }
});

interface KeyedCase {
  gvk: GroupVersionKind;
  path: readonly Step[];
  mergeKey: string;
  keys: readonly [JsonValue, JsonValue];
}

/** One merged list per row of the table, reached the way real objects nest it. */
const keyedLists: KeyedCase[] = [
  { gvk: POD, path: ['spec', 'containers'], mergeKey: 'name', keys: ['a', 'b'] },
  { gvk: POD, path: ['spec', 'initContainers'], mergeKey: 'name', keys: ['a', 'b'] },
  { gvk: POD, path: ['spec', 'ephemeralContainers'], mergeKey: 'name', keys: ['a', 'b'] },
  { gvk: POD, path: ['spec', 'volumes'], mergeKey: 'name', keys: ['a', 'b'] },
  { gvk: POD, path: ['spec', 'imagePullSecrets'], mergeKey: 'name', keys: ['a', 'b'] },
  { gvk: POD, path: ['spec', 'hostAliases'], mergeKey: 'ip', keys: ['10.0.0.1', '10.0.0.2'] },
  {
    gvk: POD,
    path: ['spec', 'topologySpreadConstraints'],
    mergeKey: 'topologyKey',
    keys: ['zone', 'host'],
  },
  { gvk: POD, path: ['spec', 'schedulingGates'], mergeKey: 'name', keys: ['a', 'b'] },
  { gvk: POD, path: ['spec', 'resourceClaims'], mergeKey: 'name', keys: ['a', 'b'] },
  {
    gvk: POD,
    path: ['spec', ['containers', 'name', 'c'], 'ports'],
    mergeKey: 'containerPort',
    keys: [80, 443],
  },
  {
    gvk: POD,
    path: ['spec', ['containers', 'name', 'c'], 'env'],
    mergeKey: 'name',
    keys: ['A', 'B'],
  },
  {
    gvk: POD,
    path: ['spec', ['containers', 'name', 'c'], 'volumeMounts'],
    mergeKey: 'mountPath',
    keys: ['/a', '/b'],
  },
  {
    gvk: POD,
    path: ['spec', ['initContainers', 'name', 'c'], 'volumeDevices'],
    mergeKey: 'devicePath',
    keys: ['/dev/a', '/dev/b'],
  },
  {
    gvk: POD,
    path: ['spec', ['ephemeralContainers', 'name', 'c'], 'env'],
    mergeKey: 'name',
    keys: ['A', 'B'],
  },
  { gvk: POD, path: ['status', 'conditions'], mergeKey: 'type', keys: ['Ready', 'Initialized'] },
  { gvk: POD, path: ['status', 'podIPs'], mergeKey: 'ip', keys: ['10.0.0.1', 'fd00::1'] },
  { gvk: POD, path: ['metadata', 'ownerReferences'], mergeKey: 'uid', keys: ['u1', 'u2'] },
  {
    gvk: POD,
    path: [
      'spec',
      ['volumes', 'name', 'v'],
      'ephemeral',
      'volumeClaimTemplate',
      'metadata',
      'ownerReferences',
    ],
    mergeKey: 'uid',
    keys: ['u1', 'u2'],
  },
  { gvk: SERVICE, path: ['spec', 'ports'], mergeKey: 'port', keys: [80, 443] },
  { gvk: SERVICE, path: ['status', 'conditions'], mergeKey: 'type', keys: ['A', 'B'] },
  { gvk: NODE, path: ['status', 'addresses'], mergeKey: 'type', keys: ['InternalIP', 'Hostname'] },
  {
    gvk: NODE,
    path: ['status', 'conditions'],
    mergeKey: 'type',
    keys: ['Ready', 'MemoryPressure'],
  },
  {
    gvk: { group: '', version: 'v1', kind: 'ServiceAccount' },
    path: ['secrets'],
    mergeKey: 'name',
    keys: ['a', 'b'],
  },
  {
    gvk: { group: '', version: 'v1', kind: 'Namespace' },
    path: ['status', 'conditions'],
    mergeKey: 'type',
    keys: ['A', 'B'],
  },
  {
    gvk: { group: '', version: 'v1', kind: 'PersistentVolumeClaim' },
    path: ['status', 'conditions'],
    mergeKey: 'type',
    keys: ['A', 'B'],
  },
  {
    gvk: { group: '', version: 'v1', kind: 'PodTemplate' },
    path: ['template', 'spec', 'containers'],
    mergeKey: 'name',
    keys: ['a', 'b'],
  },
  {
    gvk: DEPLOYMENT,
    path: ['spec', 'template', 'spec', 'containers'],
    mergeKey: 'name',
    keys: ['a', 'b'],
  },
  {
    gvk: DEPLOYMENT,
    path: ['spec', 'template', 'metadata', 'finalizers'],
    mergeKey: '',
    keys: ['a', 'b'],
  },
  {
    gvk: DEPLOYMENT,
    path: ['status', 'conditions'],
    mergeKey: 'type',
    keys: ['Available', 'Progressing'],
  },
  {
    gvk: { group: 'apps', version: 'v1', kind: 'ReplicaSet' },
    path: ['spec', 'template', 'spec', 'volumes'],
    mergeKey: 'name',
    keys: ['a', 'b'],
  },
  {
    gvk: { group: 'apps', version: 'v1', kind: 'DaemonSet' },
    path: ['spec', 'template', 'spec', 'containers'],
    mergeKey: 'name',
    keys: ['a', 'b'],
  },
  {
    gvk: { group: 'apps', version: 'v1', kind: 'StatefulSet' },
    path: ['spec', 'template', 'spec', 'containers'],
    mergeKey: 'name',
    keys: ['a', 'b'],
  },
  {
    gvk: { group: 'batch', version: 'v1', kind: 'Job' },
    path: ['spec', 'template', 'spec', 'containers'],
    mergeKey: 'name',
    keys: ['a', 'b'],
  },
  {
    gvk: { group: 'batch', version: 'v1', kind: 'Job' },
    path: ['status', 'conditions'],
    mergeKey: 'type',
    keys: ['Complete', 'Failed'],
  },
  {
    gvk: { group: 'batch', version: 'v1', kind: 'CronJob' },
    path: ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'],
    mergeKey: 'name',
    keys: ['a', 'b'],
  },
  { gvk: PDB, path: ['status', 'conditions'], mergeKey: 'type', keys: ['A', 'B'] },
  {
    gvk: {
      group: 'admissionregistration.k8s.io',
      version: 'v1',
      kind: 'MutatingWebhookConfiguration',
    },
    path: ['webhooks'],
    mergeKey: 'name',
    keys: ['a.example.com', 'b.example.com'],
  },
  {
    gvk: { group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' },
    path: ['metadata', 'finalizers'],
    mergeKey: '',
    keys: ['a', 'b'],
  },
  {
    gvk: { group: 'events.k8s.io', version: 'v1', kind: 'Event' },
    path: ['metadata', 'ownerReferences'],
    mergeKey: 'uid',
    keys: ['u1', 'u2'],
  },
];

void describe('applyStrategicMergePatch: every merge key of the table', () => {
  for (const c of keyedLists) {
    const label = `${c.gvk.kind} ${c.path.map((s) => (typeof s === 'string' ? s : s[0])).join('.')}`;
    void it(`${label} merges by ${c.mergeKey === '' ? 'value' : c.mergeKey}`, () => {
      const [k1, k2] = c.keys;
      const item = (key: JsonValue, extra: JsonObject): JsonValue =>
        c.mergeKey === '' ? key : { [c.mergeKey]: key, ...extra };
      const original = nest(c.path, [item(k1, { x: 'old' }), item(k2, { x: 'keep' })]);
      const patch = nest(c.path, [item(k1, { x: 'new' })]);
      const want = nest(c.path, [item(k1, { x: 'new' }), item(k2, { x: 'keep' })]);
      assert.deepEqual(applyStrategicMergePatch(original, patch, c.gvk), want);
    });
  }

  const replaced: [GroupVersionKind, readonly Step[]][] = [
    [POD, ['spec', 'readinessGates']],
    [POD, ['spec', ['containers', 'name', 'c'], 'envFrom']],
    [POD, ['spec', ['containers', 'name', 'c'], 'resizePolicy']],
    [POD, ['status', 'containerStatuses']],
    [{ group: '', version: 'v1', kind: 'Endpoints' }, ['subsets']],
    [{ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }, ['endpoints']],
    [{ group: 'networking.k8s.io', version: 'v1', kind: 'Ingress' }, ['spec', 'rules']],
    [{ group: 'apps', version: 'v1', kind: 'StatefulSet' }, ['spec', 'volumeClaimTemplates']],
    [DEPLOYMENT, ['spec', 'selector', 'matchExpressions']],
  ];
  for (const [gvk, path] of replaced) {
    void it(`${gvk.kind} ${path.map((s) => (typeof s === 'string' ? s : s[0])).join('.')} is replaced`, () => {
      const original = nest(path, [{ name: 'a', x: 1 }, { name: 'b' }]);
      const patch = nest(path, [{ name: 'a', y: 2 }]);
      assert.deepEqual(applyStrategicMergePatch(original, patch, gvk), patch);
    });
  }
});

interface ErrorCase {
  name: string;
  original: JsonObject;
  patch: JsonObject;
  code: string;
  message: string;
  httpStatus: number;
}

const withContainers = podSpec({ containers: [{ name: 'nginx', image: 'nginx' }] });

const errorCases: ErrorCase[] = [
  {
    name: 'a merged list item without its merge key',
    original: withContainers,
    patch: { spec: { containers: [{ image: 'x' }] } },
    code: 'KILN_PATCH_MISSING_MERGE_KEY',
    message: 'map: map[image:x] does not contain declared merge key: name',
    httpStatus: 500,
  },
  {
    name: 'a $patch: delete item without its merge key',
    original: withContainers,
    patch: { spec: { containers: [{ $patch: 'delete', image: 'x' }] } },
    code: 'KILN_PATCH_MISSING_MERGE_KEY',
    message: 'map: map[$patch:delete image:x] does not contain declared merge key: name',
    httpStatus: 500,
  },
  {
    name: 'an unknown $patch value on an object',
    original: { metadata: { labels: { a: 'b' } } },
    patch: { metadata: { labels: { $patch: 'foo', a: 'c' } } },
    code: 'KILN_PATCH_BAD_DIRECTIVE',
    message: 'unknown patch type: foo in map: map[$patch:foo a:c]',
    httpStatus: 500,
  },
  {
    name: '$patch: merge on an object (apimachinery accepts only replace and delete there)',
    original: { metadata: { labels: { a: 'b' } } },
    patch: { metadata: { labels: { $patch: 'merge' } } },
    code: 'KILN_PATCH_BAD_DIRECTIVE',
    message: 'unknown patch type: merge in map: map[$patch:merge]',
    httpStatus: 500,
  },
  {
    name: '$patch: merge on a list item',
    original: withContainers,
    patch: { spec: { containers: [{ $patch: 'merge', name: 'nginx' }] } },
    code: 'KILN_PATCH_BAD_DIRECTIVE',
    message: 'merging lists cannot yet be specified in the patch',
    httpStatus: 500,
  },
  {
    name: 'a non-string $patch value on a list item',
    original: withContainers,
    patch: { spec: { containers: [{ $patch: 1, name: 'nginx' }] } },
    code: 'KILN_PATCH_BAD_DIRECTIVE',
    message: 'unknown patch type: %!s(int64=1) in map: map[$patch:1 name:nginx]',
    httpStatus: 500,
  },
  {
    name: '$retainKeys that is not a list',
    original: { spec: { strategy: { type: 'Recreate' } } },
    patch: { spec: { strategy: { $retainKeys: 'type' } } },
    code: 'KILN_PATCH_BAD_RETAIN_KEYS',
    message: 'invalid patch format of retainKeys',
    httpStatus: 400,
  },
  {
    name: '$retainKeys that drops a key the patch sets',
    original: { spec: { strategy: { type: 'Recreate' } } },
    patch: {
      spec: { strategy: { $retainKeys: ['type'], type: 'RollingUpdate', rollingUpdate: {} } },
    },
    code: 'KILN_PATCH_BAD_RETAIN_KEYS',
    message: 'invalid patch format of retainKeys',
    httpStatus: 400,
  },
  {
    name: '$setElementOrder without a field',
    original: withContainers,
    patch: { spec: { $setElementOrder: [] } },
    code: 'KILN_PATCH_BAD_SET_ELEMENT_ORDER',
    message: 'invalid patch format of setElementOrder list',
    httpStatus: 400,
  },
  {
    name: '$deleteFromPrimitiveList without a field',
    original: { metadata: { finalizers: ['a'] } },
    patch: { metadata: { $deleteFromPrimitiveListfinalizers: ['a'] } },
    code: 'KILN_PATCH_BAD_PRIMITIVE_LIST',
    message: 'invalid patch format of primitive list',
    httpStatus: 400,
  },
  {
    name: '$setElementOrder that is not a list',
    original: withContainers,
    patch: { spec: { '$setElementOrder/containers': 'nginx' } },
    code: 'KILN_PATCH_BAD_TYPE',
    message: 'expected a []interface {}, but received a string',
    httpStatus: 500,
  },
  {
    name: 'a patch list out of $setElementOrder order',
    original: podSpec({ containers: [{ name: 'a' }, { name: 'b' }] }),
    patch: {
      spec: {
        '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
        containers: [{ name: 'b' }, { name: 'a' }],
      },
    },
    code: 'KILN_PATCH_ORDER_MISMATCH',
    message:
      "The order in patch list:\n[map[name:b] map[name:a]]\n doesn't match $setElementOrder list:\n[map[name:a] map[name:b]]\n",
    httpStatus: 500,
  },
  {
    name: 'a string where a list item object is required',
    original: withContainers,
    patch: { spec: { containers: ['nginx'] } },
    code: 'KILN_PATCH_BAD_TYPE',
    message: 'list element types are not identical: [[map[image:nginx name:nginx]] [nginx]]',
    httpStatus: 500,
  },
  {
    name: 'a list of lists',
    original: { metadata: { finalizers: [] } },
    patch: { metadata: { finalizers: [['a']] } },
    code: 'KILN_PATCH_LIST_OF_LISTS',
    message: 'lists of lists are not supported',
    httpStatus: 422,
  },
  {
    name: '$deleteFromPrimitiveList on a list of objects without a merge key',
    original: podSpec({ tolerations: [{ key: 'a' }] }),
    patch: { spec: { '$deleteFromPrimitiveList/tolerations': [{ key: 'a' }] } },
    code: 'KILN_PATCH_NO_MERGE_KEY',
    message: 'cannot merge lists without merge key for struct',
    httpStatus: 500,
  },
];

void describe('applyStrategicMergePatch: malformed patches', () => {
  for (const c of errorCases) {
    void it(c.name, () => {
      assert.throws(
        () => applyStrategicMergePatch(c.original, c.patch, POD),
        (e: unknown) => {
          assert.ok(e instanceof PatchError);
          assert.equal(e.code, c.code);
          assert.equal(e.message, c.message);
          assert.equal(e.httpStatus, c.httpStatus);
          return true;
        },
      );
    });
  }

  void it('refuses kinds without a schema with 415', () => {
    const crd: GroupVersionKind = { group: 'example.com', version: 'v1', kind: 'Widget' };
    assert.throws(() => applyStrategicMergePatch({}, {}, crd), {
      code: 'KILN_PATCH_SMP_UNSUPPORTED',
      httpStatus: 415,
      message: 'strategic merge patch format is not supported',
    });
  });

  void it('refuses a body that is not an object with 400', () => {
    // SAFETY: deliberately the wrong type, as an undisciplined caller might pass.
    const notAnObject = ['x'] as unknown as JsonObject;
    assert.throws(() => applyStrategicMergePatch({}, notAnObject, POD), {
      code: 'KILN_PATCH_NOT_AN_OBJECT',
      httpStatus: 400,
      message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    });
  });
});

void describe('hasStrategicMergeSchema', () => {
  const covered: [string, string, string][] = [
    ['', 'v1', 'Pod'],
    ['', 'v1', 'PodTemplate'],
    ['', 'v1', 'Service'],
    ['', 'v1', 'Node'],
    ['', 'v1', 'Namespace'],
    ['', 'v1', 'ConfigMap'],
    ['', 'v1', 'Secret'],
    ['', 'v1', 'ServiceAccount'],
    ['', 'v1', 'Endpoints'],
    ['', 'v1', 'Event'],
    ['', 'v1', 'PersistentVolume'],
    ['', 'v1', 'PersistentVolumeClaim'],
    ['', 'v1', 'LimitRange'],
    ['', 'v1', 'ResourceQuota'],
    ['apps', 'v1', 'Deployment'],
    ['apps', 'v1', 'ReplicaSet'],
    ['apps', 'v1', 'DaemonSet'],
    ['apps', 'v1', 'StatefulSet'],
    ['apps', 'v1', 'ControllerRevision'],
    ['batch', 'v1', 'Job'],
    ['batch', 'v1', 'CronJob'],
    ['policy', 'v1', 'PodDisruptionBudget'],
    ['coordination.k8s.io', 'v1', 'Lease'],
    ['scheduling.k8s.io', 'v1', 'PriorityClass'],
    ['discovery.k8s.io', 'v1', 'EndpointSlice'],
    ['networking.k8s.io', 'v1', 'Ingress'],
    ['node.k8s.io', 'v1', 'RuntimeClass'],
    ['events.k8s.io', 'v1', 'Event'],
    ['autoscaling', 'v1', 'Scale'],
  ];
  for (const [group, version, kind] of covered) {
    void it(`covers ${group === '' ? 'core' : group}/${version} ${kind}`, () => {
      assert.equal(hasStrategicMergeSchema({ group, version, kind }), true);
    });
  }
  void it('does not cover custom resources or unknown versions', () => {
    assert.equal(
      hasStrategicMergeSchema({ group: 'example.com', version: 'v1', kind: 'Widget' }),
      false,
    );
    assert.equal(
      hasStrategicMergeSchema({ group: 'apps', version: 'v1beta1', kind: 'Deployment' }),
      false,
    );
    assert.equal(hasStrategicMergeSchema({ group: '', version: 'v1', kind: 'Deployment' }), false);
  });
});

// Properties

const plainKey = fc.constantFrom(
  'a',
  'b',
  'name',
  'spec',
  'metadata',
  'containers',
  'image',
  'finalizers',
  '__proto__',
);
const { value: plainValue } = fc.letrec<{ value: JsonValue; object: JsonObject }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constant(null),
    fc.boolean(),
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom('a', 'b', 'nginx'),
    fc.array(tie('value'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.dictionary(plainKey, tie('value'), { maxKeys: 4, noNullPrototype: true }),
}));
const plainObject = fc.dictionary(plainKey, plainValue, { maxKeys: 4, noNullPrototype: true });

const directiveKey = fc.constantFrom(
  '$patch',
  '$retainKeys',
  '$setElementOrder/containers',
  '$setElementOrder/finalizers',
  '$deleteFromPrimitiveList/finalizers',
  '$unknown',
);
const directiveValue = fc.oneof(
  fc.constantFrom('replace', 'delete', 'merge', 'bogus'),
  fc.array(
    fc.oneof(
      fc.constantFrom('a', 'b', 'name', 'image'),
      fc.record({ name: fc.constantFrom('a', 'b') }, { noNullPrototype: true }),
    ),
    { maxLength: 3 },
  ),
);
const { object: patchObject } = fc.letrec<{ value: JsonValue; object: JsonObject }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    plainValue,
    fc.array(tie('object'), { maxLength: 3 }),
    tie('object'),
  ),
  object: fc.oneof(
    fc.dictionary(plainKey, tie('value'), { maxKeys: 4, noNullPrototype: true }),
    fc
      .tuple(
        fc.dictionary(plainKey, tie('value'), { maxKeys: 3, noNullPrototype: true }),
        directiveKey,
        directiveValue,
      )
      .map(([o, k, v]) => ({ ...o, [k]: v })),
  ),
}));

const gvks = fc.constantFrom(POD, DEPLOYMENT, NODE, SERVICE, PDB, CONFIG_MAP);

function directiveKeysIn(v: JsonValue | undefined): string[] {
  if (Array.isArray(v)) return v.flatMap(directiveKeysIn);
  if (v === null || typeof v !== 'object') return [];
  return Object.entries(v).flatMap(([k, x]) => (k.startsWith('$') ? [k] : directiveKeysIn(x)));
}

function objectsIn(v: JsonValue | undefined, into = new Set<object>()): Set<object> {
  if (v !== null && typeof v === 'object') {
    into.add(v);
    for (const x of Object.values(v)) objectsIn(x, into);
  }
  return into;
}

/** Runs the patch; a PatchError is an acceptable outcome, anything else thrown is a bug. */
function tryPatch(
  original: JsonObject,
  patch: JsonObject,
  gvk: GroupVersionKind,
): JsonObject | undefined {
  try {
    return applyStrategicMergePatch(original, patch, gvk);
  } catch (e: unknown) {
    if (e instanceof PatchError) return undefined;
    throw e;
  }
}

void describe('applyStrategicMergePatch: properties', () => {
  void it('an empty patch is the identity', () => {
    fc.assert(
      fc.property(plainObject, gvks, (original, gvk) => {
        assert.deepEqual(applyStrategicMergePatch(original, {}, gvk), original);
      }),
    );
  });

  void it('never leaves a $-directive key in the result, and only fails with PatchError', () => {
    fc.assert(
      fc.property(plainObject, patchObject, gvks, (original, patch, gvk) => {
        const result = tryPatch(original, patch, gvk);
        assert.deepEqual(directiveKeysIn(result ?? null), []);
      }),
      { numRuns: 300 },
    );
  });

  void it('never mutates its inputs and shares no structure with them', () => {
    fc.assert(
      fc.property(plainObject, patchObject, gvks, (original, patch, gvk) => {
        const before = structuredClone({ original, patch });
        const result = tryPatch(original, patch, gvk);
        assert.deepEqual({ original, patch }, before);
        const inputs = objectsIn([original, patch]);
        for (const o of objectsIn(result ?? null)) assert.ok(!inputs.has(o));
      }),
      { numRuns: 300 },
    );
  });

  void it('is RFC 7396 JSON merge patch on documents without lists or directives', () => {
    const { object: listFree } = fc.letrec<{ value: JsonValue; object: JsonObject }>((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.integer(),
        fc.constantFrom('x', 'y'),
        tie('object'),
      ),
      object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'labels', 'data'), tie('value'), {
        maxKeys: 4,
      }),
    }));
    const dropNulls = (o: JsonObject): JsonObject =>
      JSON.parse(JSON.stringify(o, (_k, v: unknown) => v ?? undefined)) as JsonObject;
    fc.assert(
      fc.property(listFree, listFree, (original, patch) => {
        const live = dropNulls(original);
        const expected: unknown = jsonMergePatch.apply(structuredClone(live), patch);
        assert.deepEqual(applyStrategicMergePatch(live, patch, CONFIG_MAP), expected);
      }),
    );
  });

  void it('patching one container by name never loses the others', () => {
    const names = fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), {
      minLength: 1,
      maxLength: 5,
    });
    fc.assert(
      fc.property(names, fc.nat(), fc.constantFrom('img:1', 'img:2'), (list, pick, image) => {
        const target = list[pick % list.length] ?? 'a';
        const original = podSpec({
          containers: list.map((name) => ({ name, image: 'old', ports: [{ containerPort: 80 }] })),
        });
        const result = applyStrategicMergePatch(
          original,
          { spec: { containers: [{ name: target, image }] } },
          POD,
        );
        assert.deepEqual(
          result,
          podSpec({
            containers: list.map((name) => ({
              name,
              image: name === target ? image : 'old',
              ports: [{ containerPort: 80 }],
            })),
          }),
        );
      }),
    );
  });
});

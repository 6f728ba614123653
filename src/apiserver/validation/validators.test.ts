import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../api/index.ts';
import { defaulters, generateJobSelector, validators } from './index.ts';

/**
 * Table-driven validator cases. Each object is defaulted first, as kube-apiserver does
 * before validating; the expected strings are kube-apiserver 1.32's messages verbatim.
 */

type Json = Record<string, unknown>;

interface Case {
  readonly name: string;
  readonly obj: Json;
  /** For updates: the stored object (defaulted, given resourceVersion "1"). */
  readonly old?: Json;
  /** Changes the update makes to a copy of `old`; used instead of `obj` when given. */
  readonly update?: (o: Json) => void;
  readonly want: readonly string[];
  /** Validate the object as given, without defaulting it. */
  readonly raw?: boolean;
}

function defaulted(resource: string, obj: Json): Json {
  const copy = structuredClone(obj);
  // SAFETY: every case object is a KubeObject-shaped literal; the defaulter only reads JSON.
  defaulters[resource]?.(copy as KubeObject);
  return copy;
}

function run(resource: string, c: Case): string[] {
  const validate = validators[resource];
  assert.ok(validate, `no validator for ${resource}`);
  const obj = c.raw === true ? structuredClone(c.obj) : defaulted(resource, c.obj);
  if (resource === 'jobs.batch') generateJobSelector(obj as KubeObject); // SAFETY: as above.
  let oldObj: Json | undefined;
  let newObj = obj;
  if (c.old !== undefined || c.update !== undefined) {
    oldObj = c.old !== undefined ? defaulted(resource, c.old) : obj;
    if (resource === 'jobs.batch') generateJobSelector(oldObj as KubeObject); // SAFETY: as above.
    setResourceVersion(oldObj);
    newObj = structuredClone(oldObj);
    c.update?.(newObj);
  }
  // SAFETY: as above; validators accept any JSON under the KubeObject type.
  const errs = validate(newObj as KubeObject, oldObj as KubeObject | undefined);
  for (const e of errs) assert.ok(e.message.startsWith(`${e.field}: `), e.message);
  return errs.map((e) => e.message);
}

function setResourceVersion(o: Json): void {
  const meta = o['metadata'];
  if (typeof meta === 'object' && meta !== null) Object.assign(meta, { resourceVersion: '1' });
}

function table(resource: string, cases: readonly Case[]): void {
  void describe(resource, () => {
    for (const c of cases) {
      void it(c.name, () => {
        assert.deepEqual(run(resource, c), c.want);
      });
    }
  });
}

/** Walks `o` along `path`, for update mutators. */
function at(o: Json, ...path: (string | number)[]): Json {
  let cur: unknown = o;
  for (const k of path) cur = (cur as Record<string | number, unknown>)[k]; // SAFETY: test data.
  return cur as Json; // SAFETY: test data; the path names an object.
}

const NS = 'default';
const meta = (name: string): Json => ({ name, namespace: NS });
const C0 = { name: 'c', image: 'nginx' };
const pod = (spec: Json, m: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { ...meta('p'), ...m },
  spec,
});

const RFC1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const RFC1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const CONFIG_KEY =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";
const POD_UPDATE =
  'spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

table('pods', [
  { name: 'valid pod', obj: pod({ containers: [C0] }), want: [] },
  {
    name: 'name or generateName required',
    obj: { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: NS }, spec: { containers: [C0] } },
    want: ['metadata.name: Required value: name or generateName is required'],
  },
  {
    name: 'name must be a DNS subdomain',
    obj: pod({ containers: [C0] }, { name: 'Foo' }),
    want: [`metadata.name: Invalid value: "Foo": ${RFC1123_SUBDOMAIN}`],
  },
  {
    name: 'namespace required',
    obj: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [C0] } },
    want: ['metadata.namespace: Required value'],
  },
  {
    name: 'labels, annotations size and finalizers',
    obj: pod(
      { containers: [C0] },
      {
        labels: { 'a/b/c': 'x', ok: '-bad' },
        annotations: { x: 'y'.repeat(262144) },
        finalizers: ['Bad Fin'],
      },
    ),
    want: [
      `metadata.labels: Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
      `metadata.labels: Invalid value: "-bad": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
      'metadata.annotations: Too long: may not be more than 262144 bytes',
      `metadata.finalizers: Invalid value: "Bad Fin": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
      'metadata.finalizers[0]: Invalid value: "Bad Fin": name is neither a standard finalizer name nor is it fully qualified',
    ],
  },
  {
    name: 'ownerReferences fields',
    obj: pod(
      { containers: [C0] },
      { ownerReferences: [{ apiVersion: '', kind: '', name: '', uid: '' }] },
    ),
    want: [
      'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ],
  },
  {
    name: 'containers required',
    obj: pod({ containers: [] }),
    want: ['spec.containers: Required value'],
  },
  {
    name: 'container name DNS label and unique, image required',
    obj: pod({
      containers: [
        { name: 'Bad_Name', image: 'x' },
        { name: 'c', image: '' },
        { name: 'c', image: 'y' },
      ],
    }),
    want: [
      `spec.containers[0].name: Invalid value: "Bad_Name": ${RFC1123_LABEL}`,
      'spec.containers[1].image: Required value',
      'spec.containers[2].name: Duplicate value: "c"',
    ],
  },
  {
    name: 'container ports range and protocol',
    obj: pod({
      containers: [
        { ...C0, ports: [{ containerPort: 70000, protocol: 'FOO' }, { containerPort: 0 }] },
      ],
    }),
    want: [
      'spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
      'spec.containers[0].ports[0].protocol: Unsupported value: "FOO": supported values: "SCTP", "TCP", "UDP"',
      'spec.containers[0].ports[1].containerPort: Required value',
    ],
  },
  {
    name: 'requests must not exceed limits',
    obj: pod({
      containers: [{ ...C0, resources: { limits: { cpu: '500m' }, requests: { cpu: '1' } } }],
    }),
    want: [
      'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
    ],
  },
  {
    name: 'resource quantities must parse',
    obj: pod({ containers: [{ ...C0, resources: { requests: { memory: 'abc' } } }] }),
    want: [
      'spec.containers[0].resources.requests[memory]: Invalid value: "abc": quantities must match the regular expression \'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$\'',
    ],
  },
  {
    name: 'restartPolicy values',
    obj: pod({ restartPolicy: 'Sometimes', containers: [C0] }),
    want: [
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ],
  },
  {
    name: 'volume names unique, mounts reference volumes',
    obj: pod({
      containers: [
        {
          ...C0,
          volumeMounts: [
            { name: 'missing', mountPath: '/x' },
            { name: 'v', mountPath: '' },
          ],
        },
      ],
      volumes: [
        { name: 'v', emptyDir: {} },
        { name: 'v', emptyDir: {} },
      ],
    }),
    want: [
      'spec.volumes[1].name: Duplicate value: "v"',
      'spec.containers[0].volumeMounts[0].name: Not found: "missing"',
      'spec.containers[0].volumeMounts[1].mountPath: Required value',
    ],
  },
  {
    name: 'malformed containers are field errors',
    raw: true,
    obj: pod({ containers: 'x' }),
    want: [
      'spec.terminationGracePeriodSeconds: Required value',
      'spec.containers: Invalid value: "string": spec.containers in body must be of type array: "string"',
      'spec.containers: Required value',
      'spec.restartPolicy: Required value',
      'spec.dnsPolicy: Required value',
    ],
  },
  {
    name: 'update may change image and activeDeadlineSeconds',
    old: pod({ containers: [C0] }),
    update: (o) => {
      at(o, 'spec', 'containers', 0)['image'] = 'nginx:2';
      at(o, 'spec')['activeDeadlineSeconds'] = 5;
    },
    obj: {},
    want: [],
  },
  {
    name: 'update may not change restartPolicy',
    old: pod({ containers: [C0] }),
    update: (o) => {
      at(o, 'spec')['restartPolicy'] = 'Never';
    },
    obj: {},
    want: [`${POD_UPDATE}\n- restartPolicy: "Always"\n+ restartPolicy: "Never"`],
  },
]);

const tmpl = (labels: Json | undefined, spec: Json = { containers: [C0] }): Json => ({
  metadata: labels === undefined ? {} : { labels },
  spec,
});
const workload = (kind: string, spec: Json, name = 'w'): Json => ({
  apiVersion: 'apps/v1',
  kind,
  metadata: meta(name),
  spec,
});
const SEL = { matchLabels: { app: 'x' } };

table('deployments.apps', [
  {
    name: 'seed deployment',
    obj: workload('Deployment', {
      replicas: 1,
      selector: { matchLabels: { app: 'nginx' } },
      template: tmpl(
        { service: 'nginx', app: 'nginx', node: 'fargate' },
        {
          containers: [
            {
              image: 'nginx',
              name: 'nginx-to-scaleout',
              resources: {
                limits: { cpu: '500m', memory: '512Mi' },
                requests: { cpu: '500m', memory: '512Mi' },
              },
            },
          ],
        },
      ),
    }),
    want: [],
  },
  {
    name: 'selector must match template labels',
    obj: workload('Deployment', { selector: SEL, template: tmpl({ app: 'y' }) }),
    want: [
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: 'selector required',
    obj: workload('Deployment', { template: tmpl({ app: 'y' }) }),
    want: [
      'spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"y"}: `selector` does not match template `labels`',
    ],
  },
  {
    name: 'replicas >= 0',
    obj: workload('Deployment', { replicas: -1, selector: SEL, template: tmpl({ app: 'x' }) }),
    want: ['spec.replicas: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'maxUnavailable and maxSurge both 0',
    obj: workload('Deployment', {
      selector: SEL,
      template: tmpl({ app: 'x' }),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
    }),
    want: [
      'spec.strategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:""}: may not be 0 when `maxSurge` is 0',
    ],
  },
  {
    name: 'template pod spec is validated',
    obj: workload('Deployment', {
      selector: SEL,
      template: tmpl({ app: 'x' }, { containers: [] }),
    }),
    want: ['spec.template.spec.containers: Required value'],
  },
  {
    name: 'selector is immutable',
    old: workload('Deployment', { selector: SEL, template: tmpl({ app: 'x', b: 'c' }) }),
    update: (o) => {
      at(o, 'spec')['selector'] = { matchLabels: { app: 'x', b: 'c' } };
    },
    obj: {},
    want: [
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":"x", "b":"c"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
    ],
  },
  {
    name: 'scaling is an allowed update',
    old: workload('Deployment', { selector: SEL, template: tmpl({ app: 'x' }) }),
    update: (o) => {
      at(o, 'spec')['replicas'] = 3;
    },
    obj: {},
    want: [],
  },
]);

table('replicasets.apps', [
  {
    name: 'valid',
    obj: workload('ReplicaSet', { selector: SEL, template: tmpl({ app: 'x' }) }),
    want: [],
  },
  {
    name: 'selector must match',
    obj: workload('ReplicaSet', { selector: SEL, template: tmpl(undefined) }),
    want: [
      'spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template `labels`',
    ],
  },
]);

table('daemonsets.apps', [
  {
    name: 'valid',
    obj: workload('DaemonSet', { selector: SEL, template: tmpl({ app: 'x' }) }),
    want: [],
  },
  {
    name: 'restartPolicy must be Always',
    obj: workload('DaemonSet', {
      selector: SEL,
      template: tmpl({ app: 'x' }, { restartPolicy: 'Never', containers: [C0] }),
    }),
    want: [
      'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"',
    ],
  },
]);

table('statefulsets.apps', [
  {
    name: 'valid',
    obj: workload('StatefulSet', { serviceName: 's', selector: SEL, template: tmpl({ app: 'x' }) }),
    want: [],
  },
  {
    name: 'name must be a DNS label',
    obj: workload(
      'StatefulSet',
      { serviceName: 's', selector: SEL, template: tmpl({ app: 'x' }) },
      'web.x',
    ),
    want: ['metadata.name: Invalid value: "web.x": must not contain dots'],
  },
  {
    name: 'only some spec fields may change',
    old: workload('StatefulSet', { serviceName: 's', selector: SEL, template: tmpl({ app: 'x' }) }),
    update: (o) => {
      at(o, 'spec')['serviceName'] = 't';
    },
    obj: {},
    want: [
      "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    ],
  },
]);

table('controllerrevisions.apps', [
  {
    name: 'valid',
    obj: {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: meta('c'),
      data: {},
      revision: 1,
    },
    want: [],
  },
  {
    name: 'data required, revision >= 0',
    obj: { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: meta('c'), revision: -1 },
    want: [
      'data: Required value: data is mandatory',
      'revision: Invalid value: -1: must be greater than or equal to 0',
    ],
  },
]);

const job = (template: Json, extra: Json = {}): Json => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { ...meta('j'), uid: '0f7e4d1c-0000-4000-8000-000000000001' },
  spec: { template, ...extra },
});
const JOB_PODS = (restartPolicy?: string): Json => ({
  spec: { ...(restartPolicy === undefined ? {} : { restartPolicy }), containers: [C0] },
});

table('jobs.batch', [
  { name: 'valid', obj: job(JOB_PODS('OnFailure')), want: [] },
  {
    name: 'restartPolicy must be OnFailure or Never',
    obj: job(JOB_PODS('Always')),
    want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  },
  {
    name: 'unset restartPolicy defaults to Always and is rejected',
    obj: job(JOB_PODS()),
    want: ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"'],
  },
  {
    name: 'negative counts',
    obj: job(JOB_PODS('Never'), { parallelism: -1, backoffLimit: -2 }),
    want: [
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -2: must be greater than or equal to 0',
    ],
  },
]);

const cron = (schedule: string, extra: Json = {}): Json => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: meta('cj'),
  spec: { schedule, ...extra, jobTemplate: { spec: { template: JOB_PODS('OnFailure') } } },
});

table('cronjobs.batch', [
  { name: 'valid */5', obj: cron('*/5 * * * *'), want: [] },
  { name: 'valid @hourly', obj: cron('@hourly'), want: [] },
  { name: 'valid @every', obj: cron('@every 5m'), want: [] },
  {
    name: 'field count',
    obj: cron('* * *'),
    want: ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]'],
  },
  {
    name: 'seconds field not allowed',
    obj: cron('* * * * * *'),
    want: [
      'spec.schedule: Invalid value: "* * * * * *": expected exactly 5 fields, found 6: [* * * * * *]',
    ],
  },
  {
    name: 'range above maximum',
    obj: cron('61 * * * *'),
    want: ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
  },
  {
    name: 'reversed range',
    obj: cron('5-3 * * * *'),
    want: [
      'spec.schedule: Invalid value: "5-3 * * * *": beginning of range (5) beyond end of range (3): 5-3',
    ],
  },
  {
    name: 'not a number',
    obj: cron('a b c d e'),
    want: [
      'spec.schedule: Invalid value: "a b c d e": failed to parse int from a: strconv.Atoi: parsing "a": invalid syntax',
    ],
  },
  {
    name: 'TZ in schedule',
    obj: cron('TZ=UTC * * * * *'),
    want: [
      'spec.schedule: Invalid value: "TZ=UTC * * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
    ],
  },
  {
    name: 'unknown time zone',
    obj: cron('* * * * *', { timeZone: 'Mars/Olympus' }),
    want: ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus'],
  },
  {
    name: 'name at most 52 characters',
    obj: { ...cron('* * * * *'), metadata: meta('a'.repeat(53)) },
    want: [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`],
  },
  {
    name: 'job template restartPolicy',
    obj: {
      ...cron('* * * * *'),
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: JOB_PODS('Always') } } },
    },
    want: [
      'spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"',
    ],
  },
]);

const svc = (spec: Json, name = 's'): Json => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: meta(name),
  spec,
});

table('services', [
  {
    name: 'valid',
    obj: svc({
      selector: { a: 'b' },
      ports: [{ port: 80 }],
      clusterIP: '10.96.0.10',
      clusterIPs: ['10.96.0.10'],
    }),
    want: [],
  },
  {
    name: 'ports required',
    obj: svc({ selector: { a: 'b' } }),
    want: ['spec.ports: Required value'],
  },
  {
    name: 'name must be a DNS-1035 label',
    obj: svc({ ports: [{ port: 80 }] }, '1abc'),
    want: [
      "metadata.name: Invalid value: \"1abc\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ],
  },
  {
    name: 'port, protocol, type',
    obj: svc({
      type: 'Foo',
      ports: [
        { port: 0, protocol: 'X', name: 'a' },
        { port: 80, name: 'a' },
      ],
    }),
    want: [
      'spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[0].protocol: Unsupported value: "X": supported values: "SCTP", "TCP", "UDP"',
      'spec.ports[0].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[1].name: Duplicate value: "a"',
      'spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
    ],
  },
  {
    name: 'duplicate ports need names',
    obj: svc({ ports: [{ port: 80 }, { port: 80 }] }),
    want: [
      'spec.ports[0].name: Required value',
      'spec.ports[1].name: Required value',
      'spec.ports[1]: Duplicate value: core.ServicePort{Name:"", Protocol:"TCP", AppProtocol:(*string)(nil), Port:80, TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
    ],
  },
  {
    name: 'nodePort only for NodePort/LoadBalancer',
    obj: svc({ type: 'ClusterIP', ports: [{ port: 80, nodePort: 30000 }] }),
    want: ["spec.ports[0].nodePort: Forbidden: may not be used when `type` is 'ClusterIP'"],
  },
  {
    name: 'clusterIP immutable',
    old: svc({ ports: [{ port: 80 }], clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] }),
    update: (o) => {
      at(o, 'spec')['clusterIP'] = '10.96.0.11';
      at(o, 'spec')['clusterIPs'] = ['10.96.0.11'];
    },
    obj: {},
    want: ['spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set'],
  },
]);

table('endpoints', [
  {
    name: 'valid',
    obj: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('s'),
      subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
    },
    want: [],
  },
  {
    name: 'bad ip and port',
    obj: {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: meta('s'),
      subsets: [{ addresses: [{ ip: 'nope' }], ports: [{ port: 0 }] }],
    },
    want: [
      'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].addresses[0].ip: Invalid value: "nope": must be a valid IP address',
      'subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive',
    ],
  },
]);

const cm = (data: Json, extra: Json = {}): Json => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: meta('c'),
  data,
  ...extra,
});

table('configmaps', [
  { name: 'valid', obj: cm({ 'a.b_c-d': 'x' }), want: [] },
  {
    name: 'key format',
    obj: cm({ 'a/b': 'x', '..': 'y' }),
    want: [
      'data[..]: Invalid value: "..": must not be \'..\'',
      `data[a/b]: Invalid value: "a/b": ${CONFIG_KEY}`,
    ],
  },
  {
    name: 'size 1 MiB',
    obj: cm({ a: 'x'.repeat(1048577) }),
    want: ['[]: Too long: may not be more than 1048576 bytes'],
  },
  {
    name: 'key in data and binaryData',
    obj: cm({ a: 'x' }, { binaryData: { a: 'eA==' } }),
    want: ['data[a]: Invalid value: "a": duplicate of key present in binaryData'],
  },
]);

const secret = (extra: Json): Json => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: meta('s'),
  ...extra,
});

table('secrets', [
  { name: 'valid', obj: secret({ data: { a: 'eA==' } }), want: [] },
  {
    name: 'tls keys required',
    obj: secret({ type: 'kubernetes.io/tls', data: {} }),
    want: ['data[tls.crt]: Required value', 'data[tls.key]: Required value'],
  },
  {
    name: 'key format',
    obj: secret({ data: { 'a b': 'eA==' } }),
    want: [`data[a b]: Invalid value: "a b": ${CONFIG_KEY}`],
  },
  {
    name: 'size 1 MiB',
    obj: secret({ data: { a: Buffer.alloc(1048577).toString('base64') } }),
    want: ['data: Too long: may not be more than 1048576 bytes'],
  },
  {
    name: 'immutable data',
    old: secret({ data: { a: 'eA==' }, immutable: true }),
    update: (o) => {
      at(o, 'data')['a'] = 'eQ==';
    },
    obj: {},
    want: ['data: Forbidden: field is immutable when `immutable` is set'],
  },
]);

const ns = (m: Json): Json => ({ apiVersion: 'v1', kind: 'Namespace', metadata: m });

table('namespaces', [
  { name: 'valid', obj: ns({ name: 'wsi-skills-namespace' }), want: [] },
  {
    name: 'name is a DNS label',
    obj: ns({ name: 'Bad' }),
    want: [`metadata.name: Invalid value: "Bad": ${RFC1123_LABEL}`],
  },
  {
    name: 'no dots',
    obj: ns({ name: 'a.b' }),
    want: ['metadata.name: Invalid value: "a.b": must not contain dots'],
  },
  {
    name: 'cluster-scoped',
    obj: ns({ name: 'x', namespace: 'y' }),
    want: ['metadata.namespace: Forbidden: not allowed on this type'],
  },
]);

table('serviceaccounts', [
  {
    name: 'valid',
    obj: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta('default') },
    want: [],
  },
]);

table('nodes', [
  {
    name: 'valid',
    obj: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'kiln-node' },
      spec: { podCIDR: '10.244.0.0/24', podCIDRs: ['10.244.0.0/24'] },
    },
    want: [],
  },
  {
    name: 'taint effect and pod CIDR',
    obj: {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name: 'n' },
      spec: { taints: [{ key: 'a', effect: 'Bogus' }], podCIDRs: ['x'] },
    },
    want: [
      // Upstream names node taints under metadata.
      'metadata.taints[0].effect: Unsupported value: "Bogus": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'spec.podCIDRs[0]: Invalid value: "x": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
    ],
  },
]);

const pvc = (spec: Json): Json => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: meta('c'),
  spec,
});

table('persistentvolumeclaims', [
  {
    name: 'valid',
    obj: pvc({ accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } }),
    want: [],
  },
  {
    name: 'access mode and storage request',
    obj: pvc({ accessModes: ['Sometimes'], resources: {} }),
    want: [
      'spec.accessModes: Unsupported value: "Sometimes": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
      'spec.resources[storage]: Required value',
    ],
  },
]);

const pv = (spec: Json): Json => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name: 'pv' },
  spec,
});

table('persistentvolumes', [
  {
    name: 'valid',
    obj: pv({
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      hostPath: { path: '/tmp/x' },
    }),
    want: [],
  },
  {
    name: 'capacity and source required',
    obj: pv({ accessModes: ['ReadWriteOnce'] }),
    want: [
      'spec.capacity: Required value',
      'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"',
      'spec: Required value: must specify a volume type',
    ],
  },
]);

const lr = (limits: Json[]): Json => ({
  apiVersion: 'v1',
  kind: 'LimitRange',
  metadata: meta('l'),
  spec: { limits },
});

table('limitranges', [
  {
    name: 'valid',
    obj: lr([
      {
        type: 'Container',
        default: { cpu: '500m' },
        defaultRequest: { cpu: '100m' },
        max: { cpu: '1' },
      },
    ]),
    want: [],
  },
  {
    name: 'min above max',
    obj: lr([{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }]),
    want: [
      'spec.limits[0].min[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than max value 1',
      'spec.limits[0].defaultRequest[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:1, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1", Format:"DecimalSI"}: min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: resource.Quantity{i:resource.int64Amount{value:2, scale:0}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"2", Format:"DecimalSI"}: min value 2 is greater than default value 1',
    ],
  },
]);

const rq = (hard: Json): Json => ({
  apiVersion: 'v1',
  kind: 'ResourceQuota',
  metadata: meta('q'),
  spec: { hard },
});

table('resourcequotas', [
  { name: 'valid', obj: rq({ pods: '10', 'requests.cpu': '4' }), want: [] },
  {
    name: 'negative',
    obj: rq({ pods: '-1' }),
    want: ['spec.hard[pods]: Invalid value: "-1": must be greater than or equal to 0'],
  },
]);

const coreEvent = (extra: Json): Json => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: meta('e.1'),
  involvedObject: { kind: 'Pod', name: 'p', namespace: NS },
  ...extra,
});

table('events', [
  {
    name: 'valid',
    obj: coreEvent({
      reason: 'Started',
      message: 'x',
      type: 'Normal',
      source: { component: 'kubelet' },
      count: 1,
    }),
    want: [],
  },
  {
    name: 'namespace mismatch',
    obj: coreEvent({ involvedObject: { kind: 'Pod', name: 'p', namespace: 'other' } }),
    want: ['involvedObject.namespace: Invalid value: "other": does not match event.namespace'],
  },
]);

const v1Event = (extra: Json): Json => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: meta('e.1'),
  regarding: { kind: 'Pod', name: 'p', namespace: NS },
  ...extra,
});

table('events.events.k8s.io', [
  {
    name: 'valid',
    obj: v1Event({
      eventTime: '2024-01-01T00:00:00.000000Z',
      reportingController: 'kiln/ctl',
      reportingInstance: 'kiln-1',
      action: 'Create',
      reason: 'R',
      type: 'Normal',
    }),
    want: [],
  },
  {
    name: 'eventTime and type',
    obj: v1Event({}),
    want: ['eventTime: Required value', 'type: Invalid value: "": has invalid value: '],
  },
  {
    name: 'reporting fields required once eventTime is set',
    obj: v1Event({ eventTime: '2024-01-01T00:00:00.000000Z', type: 'Normal' }),
    want: [
      'reportingController: Required value',
      'reportingController: Invalid value: "": name part must be non-empty',
      "reportingController: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      'reportingInstance: Required value',
      'action: Required value',
      'reason: Required value',
    ],
  },
]);

const lease = (spec: Json): Json => ({
  apiVersion: 'coordination.k8s.io/v1',
  kind: 'Lease',
  metadata: { name: 'l', namespace: 'kube-node-lease' },
  spec,
});

table('leases.coordination.k8s.io', [
  { name: 'valid', obj: lease({ holderIdentity: 'x', leaseDurationSeconds: 40 }), want: [] },
  {
    name: 'duration and transitions',
    obj: lease({ leaseDurationSeconds: 0, leaseTransitions: -1 }),
    want: [
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ],
  },
]);

const pdb = (spec: Json): Json => ({
  apiVersion: 'policy/v1',
  kind: 'PodDisruptionBudget',
  metadata: meta('p'),
  spec,
});

table('poddisruptionbudgets.policy', [
  { name: 'valid', obj: pdb({ minAvailable: 1, selector: SEL }), want: [] },
  {
    name: 'generic metadata rules once the spec is valid',
    obj: { ...pdb({ minAvailable: 1 }), metadata: meta('a/b') },
    want: ['metadata.name: Invalid value: "a/b": may not contain \'/\''],
  },
  {
    name: 'spec errors first',
    obj: { ...pdb({ minAvailable: -1 }), metadata: meta('a/b') },
    want: ['spec.minAvailable: Invalid value: -1: must be greater than or equal to 0'],
  },
  {
    name: 'both set, percent above 100',
    obj: pdb({ minAvailable: 1, maxUnavailable: '120%' }),
    want: [
      'spec: Invalid value: map[string]interface {}{"maxUnavailable":"120%", "minAvailable":1}: minAvailable and maxUnavailable cannot be both set',
      'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"120%"}: must not be greater than 100%',
    ],
  },
]);

const pc = (name: string, value: number): Json => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
});

table('priorityclasses.scheduling.k8s.io', [
  { name: 'valid', obj: pc('high', 1000), want: [] },
  {
    name: 'system- prefix reserved',
    obj: pc('system-foo', 2000000000),
    want: [
      "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class",
    ],
  },
]);

const eps = (extra: Json): Json => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: meta('e'),
  ...extra,
});

table('endpointslices.discovery.k8s.io', [
  {
    name: 'valid',
    obj: eps({
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.0.0.1'] }],
      ports: [{ port: 80, name: 'http', protocol: 'TCP' }],
    }),
    want: [],
  },
  {
    name: 'address type and addresses',
    obj: eps({ addressType: 'IPv5', endpoints: [{ addresses: [] }] }),
    want: [
      'addressType: Unsupported value: "IPv5": supported values: "FQDN", "IPv4", "IPv6"',
      'endpoints[0].addresses: Required value: must contain at least 1 address',
    ],
  },
]);

const ingress = (rules: Json[]): Json => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: meta('i'),
  spec: { rules },
});

table('ingresses.networking.k8s.io', [
  {
    name: 'valid',
    obj: ingress([
      {
        host: 'a.example.com',
        http: {
          paths: [
            {
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: 's', port: { number: 80 } } },
            },
          ],
        },
      },
    ]),
    want: [],
  },
  {
    name: 'host, path and backend',
    obj: ingress([
      { host: 'A..com', http: { paths: [{ path: 'x', pathType: 'Prefix', backend: {} }] } },
    ]),
    want: [
      `spec.rules[0].host: Invalid value: "A..com": ${RFC1123_SUBDOMAIN}`,
      'spec.rules[0].http.paths[0].path: Invalid value: "x": must be an absolute path',
      'spec.rules[0].http.paths[0].backend: Invalid value: "": resource or service backend is required',
    ],
  },
]);

table('runtimeclasses.node.k8s.io', [
  {
    name: 'valid',
    obj: {
      apiVersion: 'node.k8s.io/v1',
      kind: 'RuntimeClass',
      metadata: { name: 'runc' },
      handler: 'runc',
    },
    want: [],
  },
  {
    name: 'handler is a DNS label',
    obj: {
      apiVersion: 'node.k8s.io/v1',
      kind: 'RuntimeClass',
      metadata: { name: 'runc' },
      handler: 'Bad_H',
    },
    want: [`handler: Invalid value: "Bad_H": ${RFC1123_LABEL}`],
  },
]);

void describe('validator table', () => {
  void it('covers every resource with a defaulter', () => {
    for (const r of Object.keys(defaulters)) assert.ok(validators[r], r);
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';
import { defaulters, generateJobSelector, validators } from './index.ts';

/** The value as a JSON object, failing the test when it is not one. */
function rec(v: unknown): JsonObject {
  assert.ok(isJsonObject(v));
  return v;
}

function recs(v: unknown): JsonObject[] {
  assert.ok(Array.isArray(v));
  return v.map(rec);
}

function defaulted(resource: string, obj: KubeObject): KubeObject {
  const copy = structuredClone(obj);
  const d = defaulters[resource];
  assert.ok(d, `no defaulter for ${resource}`);
  d(copy);
  return copy;
}

/** The seed workflow's Deployment. */
const SEED: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx-to-scaleout', namespace: 'wsi-skills-namespace' },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: 'nginx' } },
    template: {
      metadata: { labels: { service: 'nginx', app: 'nginx', node: 'fargate' } },
      spec: {
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
    },
  },
};

/** The spec kube-apiserver 1.32 stores (and `kubectl get -o json` shows) for SEED. */
const SEED_STORED: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'nginx-to-scaleout', namespace: 'wsi-skills-namespace' },
  spec: {
    progressDeadlineSeconds: 600,
    replicas: 1,
    revisionHistoryLimit: 10,
    selector: { matchLabels: { app: 'nginx' } },
    strategy: { rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' }, type: 'RollingUpdate' },
    template: {
      metadata: {
        creationTimestamp: null,
        labels: { app: 'nginx', node: 'fargate', service: 'nginx' },
      },
      spec: {
        containers: [
          {
            image: 'nginx',
            imagePullPolicy: 'Always',
            name: 'nginx-to-scaleout',
            resources: {
              limits: { cpu: '500m', memory: '512Mi' },
              requests: { cpu: '500m', memory: '512Mi' },
            },
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
          },
        ],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        schedulerName: 'default-scheduler',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    },
  },
};

void describe('defaulters', () => {
  void it('default the seed Deployment to what kube-apiserver stores, and it validates', () => {
    const d = defaulted('deployments.apps', SEED);
    assert.deepEqual(d, SEED_STORED);
    assert.deepEqual(validators['deployments.apps']?.(d), []);
  });

  void it('are idempotent', () => {
    const once = defaulted('deployments.apps', SEED);
    assert.deepEqual(defaulted('deployments.apps', once), once);
  });

  void it('default a Pod: requests from limits, pull policy by tag, ports, probes, volumes', () => {
    const pod = defaulted('pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'default' },
      spec: {
        containers: [
          {
            name: 'a',
            image: 'nginx:1.25',
            ports: [{ containerPort: 80 }],
            resources: { limits: { cpu: '0.5', memory: '1Gi' }, requests: { cpu: '100m' } },
            readinessProbe: { httpGet: { port: 80 } },
            env: [{ name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          },
          { name: 'b', image: 'busybox:latest' },
          { name: 'c', image: 'registry.k8s.io/pause@sha256:' + 'a'.repeat(64) },
        ],
        volumes: [{ name: 'scratch' }, { name: 'cfg', configMap: { name: 'c' } }],
      },
    });
    const spec = rec(pod['spec']);
    const [a, b, c] = recs(spec['containers']);
    assert.deepEqual(a, {
      name: 'a',
      image: 'nginx:1.25',
      ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: {
        limits: { cpu: '500m', memory: '1Gi' },
        requests: { cpu: '100m', memory: '1Gi' },
      },
      readinessProbe: {
        httpGet: { port: 80, path: '/', scheme: 'HTTP' },
        timeoutSeconds: 1,
        periodSeconds: 10,
        successThreshold: 1,
        failureThreshold: 3,
      },
      env: [
        { name: 'N', valueFrom: { fieldRef: { fieldPath: 'metadata.name', apiVersion: 'v1' } } },
      ],
      imagePullPolicy: 'IfNotPresent',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
    assert.equal(b?.['imagePullPolicy'], 'Always');
    assert.equal(c?.['imagePullPolicy'], 'IfNotPresent');
    assert.deepEqual(b['resources'], {});
    assert.deepEqual(spec['volumes'], [
      { name: 'scratch', emptyDir: {} },
      { name: 'cfg', configMap: { name: 'c', defaultMode: 420 } },
    ]);
    assert.equal(spec['enableServiceLinks'], true);
    assert.equal(spec['priority'], undefined, 'priority comes from admission, not defaulting');
    assert.equal(spec['serviceAccountName'], undefined, 'serviceAccountName comes from admission');
    assert.deepEqual(validators['pods']?.(pod), []);
  });

  void it('default a Service', () => {
    const svc = defaulted('services', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'default' },
      spec: { selector: { app: 'x' }, ports: [{ port: 80 }] },
    });
    assert.deepEqual(svc['spec'], {
      selector: { app: 'x' },
      ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
      internalTrafficPolicy: 'Cluster',
      ipFamilyPolicy: 'SingleStack',
      ipFamilies: ['IPv4'],
    });
    assert.deepEqual(validators['services']?.(svc), []);
    const lb = defaulted('services', {
      metadata: { name: 'l', namespace: 'd' },
      spec: { type: 'LoadBalancer', ports: [{ port: 443, targetPort: 'https' }] },
    });
    const lbSpec = rec(lb['spec']);
    assert.equal(lbSpec['externalTrafficPolicy'], 'Cluster');
    assert.equal(lbSpec['allocateLoadBalancerNodePorts'], true);
    assert.deepEqual(lbSpec['ports'], [{ port: 443, targetPort: 'https', protocol: 'TCP' }]);
  });

  void it('default a Job and a CronJob', () => {
    const job = defaulted('jobs.batch', {
      metadata: { name: 'j', namespace: 'd' },
      spec: {
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    const js = rec(job['spec']);
    assert.deepEqual(Object.fromEntries(Object.entries(js).filter(([k]) => k !== 'template')), {
      completions: 1,
      parallelism: 1,
      backoffLimit: 6,
      completionMode: 'NonIndexed',
      suspend: false,
      podReplacementPolicy: 'TerminatingOrFailed',
      manualSelector: false,
    });
    assert.deepEqual(
      job.metadata.labels,
      { a: 'b' },
      'a job takes its template labels when it has none',
    );
    const generated = defaulted('jobs.batch', {
      metadata: { name: 'pi', namespace: 'd', uid: '5b1a2c3d-0000-4000-8000-00000000abcd' },
      spec: {
        template: {
          spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] },
        },
      },
    });
    generateJobSelector(generated);
    const uid = '5b1a2c3d-0000-4000-8000-00000000abcd';
    const jobLabels = {
      'batch.kubernetes.io/controller-uid': uid,
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': uid,
      'job-name': 'pi',
    };
    assert.deepEqual(rec(generated['spec'])['selector'], {
      matchLabels: { 'batch.kubernetes.io/controller-uid': uid },
    });
    assert.deepEqual(rec(rec(rec(generated['spec'])['template'])['metadata']), {
      creationTimestamp: null,
      labels: jobLabels,
    });
    assert.deepEqual(
      generated.metadata.labels,
      jobLabels,
      'stored jobs carry the generated labels',
    );
    assert.deepEqual(validators['jobs.batch']?.(generated), []);
    const cron = defaulted('cronjobs.batch', {
      metadata: { name: 'c', namespace: 'd' },
      spec: {
        schedule: '*/5 * * * *',
        jobTemplate: {
          spec: {
            template: {
              spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] },
            },
          },
        },
      },
    });
    const cs = rec(cron['spec']);
    assert.equal(cs['concurrencyPolicy'], 'Allow');
    assert.equal(cs['suspend'], false);
    assert.equal(cs['successfulJobsHistoryLimit'], 3);
    assert.equal(cs['failedJobsHistoryLimit'], 1);
    const jt = rec(cs['jobTemplate']);
    assert.deepEqual(jt['metadata'], { creationTimestamp: null });
    assert.equal(
      rec(jt['spec'])['backoffLimit'],
      undefined,
      'job defaults do not apply inside a CronJob template',
    );
    assert.deepEqual(validators['cronjobs.batch']?.(cron), []);
  });

  void it('default a StatefulSet and a DaemonSet', () => {
    const sts = defaulted('statefulsets.apps', {
      metadata: { name: 'web', namespace: 'd' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        serviceName: 'web',
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
          },
        ],
      },
    });
    const ss = rec(sts['spec']);
    assert.equal(ss['podManagementPolicy'], 'OrderedReady');
    assert.deepEqual(ss['updateStrategy'], {
      type: 'RollingUpdate',
      rollingUpdate: { partition: 0 },
    });
    assert.deepEqual(ss['persistentVolumeClaimRetentionPolicy'], {
      whenDeleted: 'Retain',
      whenScaled: 'Retain',
    });
    assert.equal(ss['replicas'], 1);
    assert.equal(ss['revisionHistoryLimit'], 10);
    assert.deepEqual(ss['volumeClaimTemplates'], [
      {
        metadata: { name: 'data' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          resources: { requests: { storage: '1Gi' } },
          volumeMode: 'Filesystem',
        },
        status: { phase: 'Pending' },
      },
    ]);
    assert.deepEqual(validators['statefulsets.apps']?.(sts), []);
    const ds = defaulted('daemonsets.apps', {
      metadata: { name: 'ds', namespace: 'd' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { containers: [{ name: 'c', image: 'nginx' }] },
        },
      },
    });
    const dss = rec(ds['spec']);
    assert.deepEqual(dss['updateStrategy'], {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
    });
    assert.equal(dss['revisionHistoryLimit'], 10);
    assert.deepEqual(validators['daemonsets.apps']?.(ds), []);
  });

  void it('default a Namespace, a Secret, a PVC and quantities', () => {
    const ns = defaulted('namespaces', { metadata: { name: 'team-a' } });
    assert.deepEqual(ns, {
      metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      // spec.finalizers ["kubernetes"] is the create strategy's (PrepareForCreate), not a default.
      status: { phase: 'Active' },
    });
    assert.equal(defaulted('secrets', { metadata: { name: 's' } })['type'], 'Opaque');
    const pvc = defaulted('persistentvolumeclaims', {
      metadata: { name: 'c', namespace: 'd' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: 0.5 } } },
    });
    assert.deepEqual(pvc['spec'], {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: '500m' } },
      volumeMode: 'Filesystem',
    });
    assert.deepEqual(pvc['status'], { phase: 'Pending' });
  });

  void it('default EndpointSlice ports and PriorityClass preemption', () => {
    const es = defaulted('endpointslices.discovery.k8s.io', {
      metadata: { name: 'e' },
      addressType: 'IPv4',
      ports: [{ port: 80 }],
    });
    assert.deepEqual(es['ports'], [{ port: 80, name: '', protocol: 'TCP' }]);
    assert.equal(
      defaulted('priorityclasses.scheduling.k8s.io', { metadata: { name: 'p' }, value: 1 })[
        'preemptionPolicy'
      ],
      'PreemptLowerPriority',
    );
  });
});

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tablePrinterFor } from './registry.ts';
import { ago, cellsOf, columnNames, DAY, HOUR, MINUTE, obj, SECOND } from './test-fixtures.ts';

const template = {
  metadata: { labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'app', image: 'nginx:1.27' },
      { name: 'sidecar', image: 'envoy:v1.31' },
    ],
  },
};

void describe('apps/v1 printers', () => {
  void it('deployments', () => {
    const p = tablePrinterFor('deployments.apps');
    assert.deepEqual(columnNames(p), [
      'Name',
      'Ready',
      'Up-to-date',
      'Available',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    assert.deepEqual(
      p.columns.map((c) => c.type),
      ['string', 'string', 'string', 'string', 'string', 'string', 'string', 'string'],
    );
    const d = obj(
      'apps/v1/Deployment',
      { name: 'web', creationTimestamp: ago(7 * MINUTE + 5 * SECOND) },
      {
        spec: {
          replicas: 3,
          selector: {
            matchLabels: { app: 'web' },
            matchExpressions: [
              { key: 'tier', operator: 'In', values: ['frontend', 'edge'] },
              { key: 'canary', operator: 'DoesNotExist' },
            ],
          },
          template,
        },
        status: { replicas: 3, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1 },
      },
    );
    assert.deepEqual(cellsOf(p, d), [
      'web',
      '1/3',
      2,
      1,
      '7m5s',
      'app,sidecar',
      'nginx:1.27,envoy:v1.31',
      'app=web,!canary,tier in (edge,frontend)',
    ]);
    const fresh = obj('apps/v1/Deployment', { name: 'new' }, { spec: { replicas: 2, template } });
    assert.deepEqual(cellsOf(p, fresh).slice(1, 4), ['0/2', 0, 0]);
    const bad = obj(
      'apps/v1/Deployment',
      { name: 'bad' },
      {
        spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Like' }] } },
      },
    );
    assert.equal(cellsOf(p, bad)[7], '<invalid>');
    const none = obj('apps/v1/Deployment', { name: 'none' }, { spec: {} });
    assert.equal(cellsOf(p, none)[7], '');
  });

  void it('replicasets', () => {
    const p = tablePrinterFor('replicasets.apps');
    assert.deepEqual(columnNames(p), [
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    assert.deepEqual(
      p.columns.slice(1, 4).map((c) => c.type),
      ['integer', 'integer', 'integer'],
    );
    const rs = obj(
      'apps/v1/ReplicaSet',
      { name: 'web-5d8f7c9b4' },
      {
        spec: {
          replicas: 3,
          selector: { matchLabels: { app: 'web', 'pod-template-hash': '5d8f7c9b4' } },
          template,
        },
        status: { replicas: 3, readyReplicas: 2 },
      },
    );
    assert.deepEqual(cellsOf(p, rs), [
      'web-5d8f7c9b4',
      3,
      3,
      2,
      '5d',
      'app,sidecar',
      'nginx:1.27,envoy:v1.31',
      'app=web,pod-template-hash=5d8f7c9b4',
    ]);
    const empty = obj('apps/v1/ReplicaSet', { name: 'x' }, { spec: { selector: {} } });
    assert.equal(cellsOf(p, empty)[7], '<none>');
  });

  void it('daemonsets', () => {
    const p = tablePrinterFor('daemonsets.apps');
    assert.deepEqual(columnNames(p), [
      'Name',
      'Desired',
      'Current',
      'Ready',
      'Up-to-date',
      'Available',
      'Node Selector',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    const ds = obj(
      'apps/v1/DaemonSet',
      { name: 'kube-proxy', creationTimestamp: ago(3 * HOUR) },
      {
        spec: {
          selector: { matchLabels: { 'k8s-app': 'kube-proxy' } },
          template: {
            spec: {
              nodeSelector: { 'kubernetes.io/os': 'linux' },
              containers: [{ name: 'kube-proxy', image: 'kube-proxy:v1.32' }],
            },
          },
        },
        status: {
          desiredNumberScheduled: 4,
          currentNumberScheduled: 4,
          numberReady: 3,
          updatedNumberScheduled: 4,
          numberAvailable: 3,
        },
      },
    );
    assert.deepEqual(cellsOf(p, ds), [
      'kube-proxy',
      4,
      4,
      3,
      4,
      3,
      'kubernetes.io/os=linux',
      '3h',
      'kube-proxy',
      'kube-proxy:v1.32',
      'k8s-app=kube-proxy',
    ]);
  });

  void it('statefulsets', () => {
    const p = tablePrinterFor('statefulsets.apps');
    assert.deepEqual(columnNames(p), ['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
    const sts = obj(
      'apps/v1/StatefulSet',
      { name: 'db' },
      {
        spec: { replicas: 3, template },
        status: { readyReplicas: 3 },
      },
    );
    assert.deepEqual(cellsOf(p, sts), ['db', '3/3', '5d', 'app,sidecar', 'nginx:1.27,envoy:v1.31']);
  });

  void it('controllerrevisions', () => {
    const p = tablePrinterFor('controllerrevisions.apps');
    assert.deepEqual(columnNames(p), ['Name', 'Controller', 'Revision', 'Age']);
    const cr = obj(
      'apps/v1/ControllerRevision',
      {
        name: 'db-7c9f8d',
        ownerReferences: [
          { apiVersion: 'v1', kind: 'ConfigMap', name: 'not-controller', uid: 'u0' },
          { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u1', controller: true },
        ],
      },
      { revision: 2, data: {} },
    );
    assert.deepEqual(cellsOf(p, cr), ['db-7c9f8d', 'statefulset.apps/db', 2, '5d']);
    const core = obj('apps/v1/ControllerRevision', {
      name: 'x',
      ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u', controller: true }],
    });
    assert.equal(cellsOf(p, core)[1], 'pod/p');
    assert.equal(cellsOf(p, obj('apps/v1/ControllerRevision', { name: 'y' }))[1], '<none>');
  });
});

void describe('batch/v1 printers', () => {
  const p = tablePrinterFor('jobs.batch');
  const job = (spec: Record<string, unknown>, status: Record<string, unknown>, deleting = false) =>
    obj(
      'batch/v1/Job',
      {
        name: 'pi',
        creationTimestamp: ago(20 * MINUTE),
        ...(deleting ? { deletionTimestamp: ago(0) } : {}),
      },
      {
        spec: { template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }] } }, ...spec },
        status,
      },
    );

  void it('jobs', () => {
    assert.deepEqual(columnNames(p), [
      'Name',
      'Status',
      'Completions',
      'Duration',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    const done = job(
      {
        completions: 1,
        parallelism: 1,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc' } },
      },
      {
        succeeded: 1,
        startTime: ago(20 * MINUTE),
        completionTime: ago(20 * MINUTE - 13 * SECOND),
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True' },
          { type: 'Complete', status: 'True' },
        ],
      },
    );
    assert.deepEqual(cellsOf(p, done), [
      'pi',
      'Complete',
      '1/1',
      '13s',
      '20m',
      'pi',
      'perl:5.34',
      'batch.kubernetes.io/controller-uid=abc',
    ]);
  });

  void it('job completions, duration and status precedence', () => {
    const cells = (
      spec: Record<string, unknown>,
      status: Record<string, unknown>,
      deleting = false,
    ) => cellsOf(p, job(spec, status, deleting)).slice(1, 4);
    assert.deepEqual(cells({ parallelism: 3 }, { succeeded: 1, startTime: ago(4 * MINUTE) }), [
      'Running',
      '1/1 of 3',
      '4m',
    ]);
    assert.deepEqual(cells({}, {}), ['Running', '0/1', '']);
    assert.deepEqual(
      cells({ completions: 5 }, { succeeded: 2, conditions: [{ type: 'Failed', status: 'True' }] }),
      ['Failed', '2/5', ''],
    );
    assert.deepEqual(cells({}, { conditions: [{ type: 'Suspended', status: 'True' }] }, true), [
      'Terminating',
      '0/1',
      '',
    ]);
    assert.deepEqual(cells({}, { conditions: [{ type: 'Suspended', status: 'True' }] }), [
      'Suspended',
      '0/1',
      '',
    ]);
    assert.deepEqual(cells({}, { conditions: [{ type: 'FailureTarget', status: 'True' }] }), [
      'FailureTarget',
      '0/1',
      '',
    ]);
    assert.deepEqual(cells({}, { conditions: [{ type: 'Complete', status: 'False' }] }), [
      'Running',
      '0/1',
      '',
    ]);
  });

  void it('cronjobs', () => {
    const cp = tablePrinterFor('cronjobs.batch');
    assert.deepEqual(columnNames(cp), [
      'Name',
      'Schedule',
      'Timezone',
      'Suspend',
      'Active',
      'Last Schedule',
      'Age',
      'Containers*',
      'Images*',
      'Selector*',
    ]);
    assert.equal(cp.columns[3]?.type, 'boolean');
    assert.equal(cp.columns[4]?.type, 'integer');
    const cj = obj(
      'batch/v1/CronJob',
      { name: 'nightly', creationTimestamp: ago(10 * DAY) },
      {
        spec: {
          schedule: '0 3 * * *',
          timeZone: 'Europe/Paris',
          suspend: false,
          jobTemplate: {
            spec: { template: { spec: { containers: [{ name: 'backup', image: 'restic' }] } } },
          },
        },
        status: { active: [{ name: 'nightly-1' }], lastScheduleTime: ago(9 * HOUR) },
      },
    );
    assert.deepEqual(cellsOf(cp, cj), [
      'nightly',
      '0 3 * * *',
      'Europe/Paris',
      'False',
      1,
      '9h',
      '10d',
      'backup',
      'restic',
      '<none>',
    ]);
    const bare = obj(
      'batch/v1/CronJob',
      { name: 'x' },
      { spec: { schedule: '@hourly', suspend: true } },
    );
    assert.deepEqual(cellsOf(cp, bare).slice(1, 6), ['@hourly', '<none>', 'True', 0, '<none>']);
    const unset = obj('batch/v1/CronJob', { name: 'y' }, { spec: { schedule: '* * * * *' } });
    assert.equal(cellsOf(cp, unset)[3], '<unset>');
  });
});

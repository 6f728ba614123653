import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject, ObjectMeta } from '../../api/index.ts';
import { tablePrinterFor } from './registry.ts';
import { ago, cellsOf, columnNames, DAY, MINUTE, NOW, obj, SECOND } from './test-fixtures.ts';

const printer = tablePrinterFor('pods');

function pod(
  spec: Record<string, unknown>,
  status: Record<string, unknown>,
  metadata: ObjectMeta = {},
): KubeObject {
  return obj('v1/Pod', { name: 'web-1', namespace: 'default', ...metadata }, { spec, status });
}

const oneContainer = { containers: [{ name: 'app', image: 'nginx:1.27' }] };
const running = { running: { startedAt: ago(DAY) } };
const readyCondition = (status: string) => ({ type: 'Ready', status });

function conditionsOf(p: KubeObject): unknown {
  return printer.conditions?.(p);
}

/** Ready, Status, Restarts: the cells the status logic decides. */
function summary(p: KubeObject): [unknown, unknown, unknown] {
  const cells = cellsOf(printer, p);
  return [cells[1], cells[2], cells[3]];
}

void describe('pod printer', () => {
  void it('has upstream columns, the last four wide', () => {
    assert.deepEqual(columnNames(printer), [
      'Name',
      'Ready',
      'Status',
      'Restarts',
      'Age',
      'IP*',
      'Node*',
      'Nominated Node*',
      'Readiness Gates*',
    ]);
    assert.equal(printer.columns[3]?.type, 'string');
    assert.equal(printer.columns[0]?.format, 'name');
  });

  void it('prints a running pod, wide cells included', () => {
    const p = pod(
      {
        ...oneContainer,
        nodeName: 'fargate-ip-10-0-1-5',
        readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }],
      },
      {
        phase: 'Running',
        podIP: '10.0.1.7',
        podIPs: [{ ip: '10.0.1.7' }, { ip: 'fd00::7' }],
        conditions: [readyCondition('True'), { type: 'example.com/lb', status: 'True' }],
        containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
      },
      { creationTimestamp: ago(3 * MINUTE + 10 * SECOND) },
    );
    assert.deepEqual(cellsOf(printer, p), [
      'web-1',
      '1/1',
      'Running',
      '0',
      '3m10s',
      '10.0.1.7',
      'fargate-ip-10-0-1-5',
      '<none>',
      '1/2',
    ]);
    assert.equal(conditionsOf(p), undefined);
  });

  void it('prints <none> for unscheduled wide cells and falls back to status.podIP', () => {
    const pending = pod(oneContainer, { phase: 'Pending' });
    assert.deepEqual(cellsOf(printer, pending).slice(5), ['<none>', '<none>', '<none>', '<none>']);
    const legacy = pod(oneContainer, { phase: 'Running', podIP: '10.0.0.9' });
    assert.equal(cellsOf(printer, legacy)[5], '10.0.0.9');
  });

  void it('shows a waiting reason (ContainerCreating, CrashLoopBackOff)', () => {
    const creating = pod(oneContainer, {
      phase: 'Pending',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 0,
          state: { waiting: { reason: 'ContainerCreating' } },
        },
      ],
    });
    assert.deepEqual(summary(creating), ['0/1', 'ContainerCreating', '0']);
  });

  void it('shows restarts with the age of the last one', () => {
    const crashing = pod(oneContainer, {
      phase: 'Running',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 5,
          state: { waiting: { reason: 'CrashLoopBackOff' } },
          lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * MINUTE) } },
        },
      ],
    });
    assert.deepEqual(summary(crashing), ['0/1', 'CrashLoopBackOff', '5 (5m ago)']);
  });

  void it('prints restarts without an age when no termination time is known', () => {
    const p = pod(oneContainer, {
      phase: 'Running',
      containerStatuses: [{ name: 'app', ready: true, restartCount: 2, state: running }],
    });
    assert.deepEqual(summary(p), ['1/1', 'Running', '2']);
  });

  void it('shows Completed with the Completed row condition for a succeeded pod', () => {
    const done = pod(oneContainer, {
      phase: 'Succeeded',
      containerStatuses: [
        {
          name: 'app',
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
    });
    assert.deepEqual(summary(done), ['0/1', 'Completed', '0']);
    assert.deepEqual(conditionsOf(done), [
      {
        type: 'Completed',
        status: 'True',
        reason: 'Succeeded',
        message: 'The pod has completed successfully.',
      },
    ]);
    const failed = pod(oneContainer, { phase: 'Failed', reason: 'Evicted' });
    assert.deepEqual(summary(failed), ['0/1', 'Evicted', '0']);
    assert.deepEqual(conditionsOf(failed), [
      { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
    ]);
  });

  void it('prints ExitCode:N and Signal:N for terminations without a reason', () => {
    const exited = pod(oneContainer, {
      phase: 'Failed',
      containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 137 } } }],
    });
    assert.equal(summary(exited)[1], 'ExitCode:137');
    const signalled = pod(oneContainer, {
      phase: 'Failed',
      containerStatuses: [{ name: 'app', state: { terminated: { exitCode: 0, signal: 9 } } }],
    });
    assert.equal(summary(signalled)[1], 'Signal:9');
  });

  void it('turns Completed back into Running or NotReady while another container runs', () => {
    const spec = { containers: [{ name: 'a' }, { name: 'b' }] };
    const statuses = [
      { name: 'a', ready: true, restartCount: 0, state: running },
      {
        name: 'b',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 0, reason: 'Completed' } },
      },
    ];
    const ready = pod(spec, {
      phase: 'Running',
      conditions: [readyCondition('True')],
      containerStatuses: statuses,
    });
    assert.deepEqual(summary(ready), ['1/2', 'Running', '0']);
    const notReady = pod(spec, {
      phase: 'Running',
      conditions: [readyCondition('False')],
      containerStatuses: statuses,
    });
    assert.deepEqual(summary(notReady), ['1/2', 'NotReady', '0']);
  });

  void it('takes the first container that explains the status (statuses walked in reverse)', () => {
    const p = pod(
      { containers: [{ name: 'a' }, { name: 'b' }] },
      {
        phase: 'Pending',
        containerStatuses: [
          { name: 'a', state: { waiting: { reason: 'ImagePullBackOff' } } },
          { name: 'b', state: { waiting: { reason: 'ContainerCreating' } } },
        ],
      },
    );
    assert.equal(summary(p)[1], 'ImagePullBackOff');
  });

  void describe('init containers', () => {
    const spec = {
      initContainers: [{ name: 'migrate' }, { name: 'seed' }],
      containers: [{ name: 'app' }],
    };

    void it('prints Init:i/n while an init container runs', () => {
      const p = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'migrate', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          { name: 'seed', state: running },
        ],
        containerStatuses: [{ name: 'app', state: { waiting: { reason: 'PodInitializing' } } }],
      });
      assert.deepEqual(summary(p), ['0/1', 'Init:1/2', '0']);
    });

    void it('prints Init:0/n when the first one waits with PodInitializing', () => {
      const p = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'migrate', state: { waiting: { reason: 'PodInitializing' } } },
          { name: 'seed', state: { waiting: { reason: 'PodInitializing' } } },
        ],
      });
      assert.equal(summary(p)[1], 'Init:0/2');
    });

    void it('prefixes waiting and failure reasons with Init:', () => {
      const backoff = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          {
            name: 'migrate',
            restartCount: 3,
            state: { waiting: { reason: 'CrashLoopBackOff' } },
            lastState: { terminated: { exitCode: 1, finishedAt: ago(40 * SECOND) } },
          },
        ],
      });
      assert.deepEqual(summary(backoff), ['0/1', 'Init:CrashLoopBackOff', '3 (40s ago)']);
      const failed = pod(spec, {
        phase: 'Failed',
        initContainerStatuses: [
          { name: 'migrate', state: { terminated: { exitCode: 1, reason: 'Error' } } },
        ],
      });
      assert.equal(summary(failed)[1], 'Init:Error');
      const code = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [{ name: 'migrate', state: { terminated: { exitCode: 2 } } }],
      });
      assert.equal(summary(code)[1], 'Init:ExitCode:2');
      const signal = pod(spec, {
        phase: 'Pending',
        initContainerStatuses: [
          { name: 'migrate', state: { terminated: { exitCode: 2, signal: 15 } } },
        ],
      });
      assert.equal(summary(signal)[1], 'Init:Signal:15');
    });

    void it('counts a started sidecar (restartPolicy Always) as a container', () => {
      const p = pod(
        {
          initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
          containers: [{ name: 'app' }],
        },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }, readyCondition('True')],
          initContainerStatuses: [
            {
              name: 'proxy',
              ready: true,
              started: true,
              restartCount: 1,
              state: running,
              lastState: { terminated: { exitCode: 1, finishedAt: ago(2 * DAY) } },
            },
          ],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
        },
      );
      assert.deepEqual(summary(p), ['2/2', 'Running', '1 (2d ago)']);
    });

    void it('counts main containers once Initialized is True, keeping the init reason', () => {
      const p = pod(
        {
          initContainers: [{ name: 'proxy', restartPolicy: 'Always' }],
          containers: [{ name: 'app' }],
        },
        {
          phase: 'Running',
          conditions: [{ type: 'Initialized', status: 'True' }],
          initContainerStatuses: [
            { name: 'proxy', started: false, state: { waiting: { reason: 'CrashLoopBackOff' } } },
          ],
          containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: running }],
        },
      );
      assert.deepEqual(summary(p), ['1/2', 'Init:CrashLoopBackOff', '0']);
    });
  });

  void describe('overrides', () => {
    void it('prints SchedulingGated for a gated pod', () => {
      const p = pod(
        { ...oneContainer, schedulingGates: [{ name: 'example.com/quota' }] },
        {
          phase: 'Pending',
          conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }],
        },
      );
      assert.equal(summary(p)[1], 'SchedulingGated');
    });

    void it('prints Terminating once deletionTimestamp is set on a live pod', () => {
      const p = pod(
        oneContainer,
        { phase: 'Running', containerStatuses: [{ name: 'app', ready: true, state: running }] },
        { deletionTimestamp: new Date(NOW).toISOString() },
      );
      assert.deepEqual(summary(p), ['1/1', 'Terminating', '0']);
    });

    void it('keeps the terminal status of a finished pod being deleted', () => {
      const p = pod(
        oneContainer,
        {
          phase: 'Succeeded',
          containerStatuses: [
            { name: 'app', state: { terminated: { exitCode: 0, reason: 'Completed' } } },
          ],
        },
        { deletionTimestamp: new Date(NOW).toISOString() },
      );
      assert.equal(summary(p)[1], 'Completed');
    });

    void it('prints Unknown for a pod deleted from a lost node', () => {
      const p = pod(
        oneContainer,
        { phase: 'Running', reason: 'NodeLost' },
        { deletionTimestamp: new Date(NOW).toISOString() },
      );
      assert.equal(summary(p)[1], 'Unknown');
    });
  });

  void it('survives an object with no spec or status', () => {
    const bare: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'bare' } };
    assert.deepEqual(cellsOf(printer, bare), [
      'bare',
      '0/0',
      '',
      '0',
      '<unknown>',
      '<none>',
      '<none>',
      '<none>',
      '<none>',
    ]);
  });
});

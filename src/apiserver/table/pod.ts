import type { KubeObject } from '../../api/index.ts';
import { column, docColumn, AGE_COLUMN, NAME_COLUMN } from './columns.ts';
import { humanDuration, parseTimestamp, sinceText } from './duration.ts';
import { at, bool, num, rec, records, str, type JsonRecord } from './fields.ts';
import type { TablePrinter, TableRowCondition } from './types.ts';

/** The pod printer of printers.go (`printPod`), Kubernetes 1.32. */

const POD_COLUMNS = [
  NAME_COLUMN,
  column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
  column('Status', 'The aggregate status of the containers in this pod.'),
  column(
    'Restarts',
    'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
  ),
  AGE_COLUMN,
  docColumn('IP', 'PodStatus.podIP', { wide: true }),
  docColumn('Node', 'PodSpec.nodeName', { wide: true }),
  docColumn('Nominated Node', 'PodStatus.nominatedNodeName', { wide: true }),
  docColumn('Readiness Gates', 'PodSpec.readinessGates', { wide: true }),
] as const;

const SUCCEEDED: readonly TableRowCondition[] = Object.freeze([
  {
    type: 'Completed',
    status: 'True',
    reason: 'Succeeded',
    message: 'The pod has completed successfully.',
  },
]);
const FAILED: readonly TableRowCondition[] = Object.freeze([
  { type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' },
]);

/** node.NodeUnreachablePodReason */
const NODE_LOST = 'NodeLost';

/** What the container pass accumulates; mirrors printPod's locals. */
interface PodTally {
  reason: string;
  ready: number;
  total: number;
  restarts: number;
  /** Epoch ms of the latest `lastState.terminated.finishedAt`, 0 for Go's zero time. */
  lastRestart: number;
}

function conditionOf(status: JsonRecord, type: string): JsonRecord | undefined {
  return records(status['conditions']).find((c) => c['type'] === type);
}

function hasCondition(status: JsonRecord, type: string, value: string): boolean {
  return records(status['conditions']).some((c) => c['type'] === type && c['status'] === value);
}

function isRestartable(container: JsonRecord | undefined): boolean {
  return container?.['restartPolicy'] === 'Always';
}

function finishedAt(cs: JsonRecord): number {
  const t = at(cs, 'lastState', 'terminated');
  if (t === undefined || t === null) return 0;
  return parseTimestamp(rec(t)['finishedAt']) ?? 0;
}

function hasTerminated(state: JsonRecord): boolean {
  return state['terminated'] !== undefined && state['terminated'] !== null;
}

function hasWaiting(state: JsonRecord): boolean {
  return state['waiting'] !== undefined && state['waiting'] !== null;
}

/** `Signal:N` / `ExitCode:N` when a terminated state has no reason. */
function terminatedText(terminated: JsonRecord, prefix: string): string {
  const reason = str(terminated['reason']);
  if (reason !== '') return prefix + reason;
  const signal = num(terminated['signal']);
  if (signal !== 0) return `${prefix}Signal:${signal}`;
  return `${prefix}ExitCode:${num(terminated['exitCode'])}`;
}

/** The init-container result for one status, or undefined to keep scanning. */
function initContainerReason(
  cs: JsonRecord,
  restartable: boolean,
  position: string,
): { reason: string } | { ready: boolean } | undefined {
  const state = rec(cs['state']);
  const terminated = rec(state['terminated']);
  if (hasTerminated(state) && num(terminated['exitCode']) === 0) return undefined;
  if (restartable && bool(cs['started'])) return { ready: bool(cs['ready']) };
  if (hasTerminated(state)) return { reason: terminatedText(terminated, 'Init:') };
  const waiting = str(rec(state['waiting'])['reason']);
  if (hasWaiting(state) && waiting !== '' && waiting !== 'PodInitializing') {
    return { reason: `Init:${waiting}` };
  }
  return { reason: `Init:${position}` };
}

interface InitPass {
  initializing: boolean;
  sidecarRestarts: number;
  sidecarLastRestart: number;
}

function scanInitContainers(spec: JsonRecord, status: JsonRecord, tally: PodTally): InitPass {
  const initSpecs = records(spec['initContainers']);
  const byName = new Map(initSpecs.map((c) => [str(c['name']), c]));
  const pass: InitPass = { initializing: false, sidecarRestarts: 0, sidecarLastRestart: 0 };
  const statuses = records(status['initContainerStatuses']);
  for (const [i, cs] of statuses.entries()) {
    const restartCount = num(cs['restartCount']);
    const finished = finishedAt(cs);
    tally.restarts += restartCount;
    tally.lastRestart = Math.max(tally.lastRestart, finished);
    const restartable = isRestartable(byName.get(str(cs['name'])));
    if (restartable) {
      pass.sidecarRestarts += restartCount;
      pass.sidecarLastRestart = Math.max(pass.sidecarLastRestart, finished);
    }
    const result = initContainerReason(cs, restartable, `${i}/${initSpecs.length}`);
    if (result === undefined) continue;
    if ('ready' in result) {
      if (result.ready) tally.ready += 1;
      continue;
    }
    tally.reason = result.reason;
    pass.initializing = true;
    break;
  }
  return pass;
}

function scanContainers(status: JsonRecord, tally: PodTally): void {
  let hasRunning = false;
  const statuses = records(status['containerStatuses']);
  for (let i = statuses.length - 1; i >= 0; i--) {
    const cs = statuses[i] ?? {};
    tally.restarts += num(cs['restartCount']);
    tally.lastRestart = Math.max(tally.lastRestart, finishedAt(cs));
    const state = rec(cs['state']);
    const waiting = str(rec(state['waiting'])['reason']);
    if (hasWaiting(state) && waiting !== '') {
      tally.reason = waiting;
    } else if (hasTerminated(state)) {
      tally.reason = terminatedText(rec(state['terminated']), '');
    } else if (bool(cs['ready']) && state['running'] !== undefined && state['running'] !== null) {
      hasRunning = true;
      tally.ready += 1;
    }
  }
  if (tally.reason === 'Completed' && hasRunning) {
    tally.reason = hasCondition(status, 'Ready', 'True') ? 'Running' : 'NotReady';
  }
}

/** Status, readiness and restarts as printPod computes them. */
function podSummary(pod: KubeObject): PodTally {
  const spec = rec(pod['spec']);
  const status = rec(pod['status']);
  const phase = str(status['phase']);
  const initSpecs = records(spec['initContainers']);
  const tally: PodTally = {
    reason: str(status['reason']) || phase,
    ready: 0,
    total: records(spec['containers']).length + initSpecs.filter(isRestartable).length,
    restarts: 0,
    lastRestart: 0,
  };
  for (const c of records(status['conditions'])) {
    if (c['type'] === 'PodScheduled' && c['reason'] === 'SchedulingGated') {
      tally.reason = 'SchedulingGated';
    }
  }
  const init = scanInitContainers(spec, status, tally);
  if (!init.initializing || initializedConditionTrue(status)) {
    tally.restarts = init.sidecarRestarts;
    tally.lastRestart = init.sidecarLastRestart;
    scanContainers(status, tally);
  }
  if (pod.metadata.deletionTimestamp !== undefined) {
    if (str(status['reason']) === NODE_LOST) tally.reason = 'Unknown';
    else if (phase !== 'Failed' && phase !== 'Succeeded') tally.reason = 'Terminating';
  }
  return tally;
}

function initializedConditionTrue(status: JsonRecord): boolean {
  return conditionOf(status, 'Initialized')?.['status'] === 'True';
}

function readinessGatesText(spec: JsonRecord, status: JsonRecord): string {
  const gates = records(spec['readinessGates']);
  if (gates.length === 0) return '<none>';
  const trueCount = gates.filter(
    (g) => conditionOf(status, str(g['conditionType']))?.['status'] === 'True',
  ).length;
  return `${trueCount}/${gates.length}`;
}

function podIP(status: JsonRecord): string {
  // v1 → internal conversion fills podIPs from podIP when only the latter is set.
  const first = records(status['podIPs'])[0];
  const ip = first === undefined ? str(status['podIP']) : str(first['ip']);
  return ip === '' ? '<none>' : ip;
}

function orNone(s: string): string {
  return s === '' ? '<none>' : s;
}

export const podPrinter: TablePrinter = {
  columns: POD_COLUMNS,
  cells(pod, { now }) {
    const spec = rec(pod['spec']);
    const status = rec(pod['status']);
    const t = podSummary(pod);
    const restarts =
      t.restarts !== 0 && t.lastRestart !== 0
        ? `${t.restarts} (${humanDuration(now - t.lastRestart)} ago)`
        : String(t.restarts);
    return [
      pod.metadata.name ?? '',
      `${t.ready}/${t.total}`,
      t.reason,
      restarts,
      sinceText(pod.metadata.creationTimestamp, now),
      podIP(status),
      orNone(str(spec['nodeName'])),
      orNone(str(status['nominatedNodeName'])),
      readinessGatesText(spec, status),
    ];
  },
  conditions(pod) {
    const phase = rec(pod['status'])['phase'];
    if (phase === 'Succeeded') return SUCCEEDED;
    if (phase === 'Failed') return FAILED;
    return undefined;
  },
};

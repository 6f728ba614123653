import type { KubeObject } from '../../api/index.ts';
import {
  AGE_COLUMN,
  column,
  docColumn,
  NAME_COLUMN,
  TEMPLATE_CONTAINERS_COLUMN,
  TEMPLATE_IMAGES_COLUMN,
} from './columns.ts';
import { ageOf, nameOf, type PrinterTable } from './common.ts';
import { humanDuration, parseTimestamp, sinceText } from './duration.ts';
import { arr, num, optBool, optNum, optStr, rec, records, type JsonRecord } from './fields.ts';
import { containerCells, formatLabelSelector } from './format.ts';
import type { TablePrinter } from './types.ts';

/** batch/v1 printers from printers.go, Kubernetes 1.32. */

function completionsText(spec: JsonRecord, succeeded: number): string {
  const completions = optNum(spec['completions']);
  if (completions !== undefined) return `${succeeded}/${completions}`;
  const parallelism = optNum(spec['parallelism']) ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function durationText(status: JsonRecord, now: number): string {
  const start = parseTimestamp(status['startTime']);
  if (start === undefined) return '';
  const end = parseTimestamp(status['completionTime']) ?? now;
  return humanDuration(end - start);
}

/** printers.go `hasJobCondition`: the first condition of that type decides. */
function hasJobCondition(status: JsonRecord, type: string): boolean {
  return records(status['conditions']).find((c) => c['type'] === type)?.['status'] === 'True';
}

/** The Status column, in upstream's order of precedence. */
const JOB_STATUS: readonly (readonly [string, (job: KubeObject, s: JsonRecord) => boolean])[] = [
  ['Complete', (_, s) => hasJobCondition(s, 'Complete')],
  ['Failed', (_, s) => hasJobCondition(s, 'Failed')],
  ['Terminating', (job) => job.metadata.deletionTimestamp !== undefined],
  ['Suspended', (_, s) => hasJobCondition(s, 'Suspended')],
  ['FailureTarget', (_, s) => hasJobCondition(s, 'FailureTarget')],
];

function jobStatus(job: KubeObject, status: JsonRecord): string {
  return JOB_STATUS.find(([, test]) => test(job, status))?.[0] ?? 'Running';
}

const jobPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    column('Status', 'Status of the job.'),
    docColumn('Completions', 'JobStatus.succeeded'),
    column('Duration', 'Time required to complete the job.'),
    AGE_COLUMN,
    TEMPLATE_CONTAINERS_COLUMN,
    TEMPLATE_IMAGES_COLUMN,
    docColumn('Selector', 'JobSpec.selector', { wide: true }),
  ],
  cells(job, { now }) {
    const spec = rec(job['spec']);
    const status = rec(job['status']);
    const [names, images] = containerCells(rec(spec, 'template', 'spec')['containers']);
    return [
      nameOf(job),
      jobStatus(job, status),
      completionsText(spec, num(status['succeeded'])),
      durationText(status, now),
      ageOf(job, now),
      names,
      images,
      formatLabelSelector(spec['selector']),
    ];
  },
};

/** printers.go `printBoolPtr`. */
function boolPtrText(v: boolean | undefined): string {
  if (v === undefined) return '<unset>';
  return v ? 'True' : 'False';
}

const cronJobPrinter: TablePrinter = {
  columns: [
    NAME_COLUMN,
    docColumn('Schedule', 'CronJobSpec.schedule'),
    docColumn('Timezone', 'CronJobSpec.timeZone'),
    docColumn('Suspend', 'CronJobSpec.suspend', { type: 'boolean' }),
    docColumn('Active', 'CronJobStatus.active', { type: 'integer' }),
    docColumn('Last Schedule', 'CronJobStatus.lastScheduleTime'),
    AGE_COLUMN,
    TEMPLATE_CONTAINERS_COLUMN,
    TEMPLATE_IMAGES_COLUMN,
    docColumn('Selector', 'JobSpec.selector', { wide: true }),
  ],
  cells(cj, { now }) {
    const spec = rec(cj['spec']);
    const status = rec(cj['status']);
    const jobSpec = rec(spec, 'jobTemplate', 'spec');
    const [names, images] = containerCells(rec(jobSpec, 'template', 'spec')['containers']);
    const last = status['lastScheduleTime'];
    return [
      nameOf(cj),
      optStr(spec['schedule']) ?? '',
      optStr(spec['timeZone']) ?? '<none>',
      boolPtrText(optBool(spec['suspend'])),
      arr(status['active']).length,
      last === undefined || last === null ? '<none>' : sinceText(last, now),
      ageOf(cj, now),
      names,
      images,
      formatLabelSelector(jobSpec['selector']),
    ];
  },
};

export const batchPrinters: PrinterTable = {
  'jobs.batch': jobPrinter,
  'cronjobs.batch': cronJobPrinter,
};

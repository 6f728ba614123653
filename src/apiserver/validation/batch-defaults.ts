import type { JsonObject, KubeObject } from '../../api/index.ts';
import { defaultPodTemplateSpec } from './core-defaults.ts';
import { metaMap, metaOf } from './walker.ts';
import {
  defaultTemplateMetadata,
  ensureObject,
  objectAt,
  objectsAt,
  setDefault,
  specOf,
} from './defaults-helpers.ts';

/** batch/v1 defaulting (pkg/apis/batch/v1/defaults.go and the generated call tree). */

const MAX_INT32 = 2147483647;

/** SetDefaults_Job (JobPodReplacementPolicy is on by default in 1.32). */
export function defaultJob(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec === undefined) return;
  const unset = (k: string): boolean => spec[k] === undefined || spec[k] === null;
  if (unset('completions') && unset('parallelism')) {
    spec['completions'] = 1;
    spec['parallelism'] = 1;
  }
  setDefault(spec, 'parallelism', 1);
  if (unset('backoffLimit')) spec['backoffLimit'] = unset('backoffLimitPerIndex') ? 6 : MAX_INT32;
  defaultJobLabels(obj, spec);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  const pfp = objectAt(spec, 'podFailurePolicy');
  for (const rule of objectsAt(pfp, 'rules')) {
    for (const pattern of objectsAt(rule, 'onPodConditions')) setDefault(pattern, 'status', 'True');
  }
  if (unset('podReplacementPolicy'))
    spec['podReplacementPolicy'] = pfp !== undefined ? 'Failed' : 'TerminatingOrFailed';
  setDefault(spec, 'manualSelector', false);
  defaultPodTemplateSpec(ensureObject(spec, 'template'));
}

/** `if len(obj.Labels) == 0 { obj.Labels = obj.Spec.Template.Labels }`. */
export function defaultJobLabels(obj: KubeObject, spec: JsonObject): void {
  const labels = objectAt(objectAt(objectAt(spec, 'template'), 'metadata'), 'labels');
  const meta = metaOf(obj);
  if (labels !== undefined && Object.keys(metaMap(obj, 'labels')).length === 0)
    meta['labels'] = Object.fromEntries(
      Object.entries(labels).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
}

/**
 * SetDefaults_CronJob. The job template gets only the PodSpec defaults, not SetDefaults_Job,
 * because the generated defaulter walks into the PodSpec but Job defaults live on Job.
 */
export function defaultCronJob(obj: KubeObject): void {
  const spec = specOf(obj);
  if (spec === undefined) return;
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobTemplate = ensureObject(spec, 'jobTemplate');
  if (jobTemplate === undefined) return;
  defaultTemplateMetadata(jobTemplate);
  const jobSpec = ensureObject(jobTemplate, 'spec');
  if (jobSpec !== undefined) defaultPodTemplateSpec(ensureObject(jobSpec, 'template'));
}

import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import { defaultJobLabels } from './batch-defaults.ts';
import { validatePodTemplateSpec } from './core-pod.ts';
import { ensureObject, ensurePath, objectAt, objectsAt, specOf } from './defaults-helpers.ts';
import { cronScheduleError, loadLocationError } from './cron.ts';
import { semanticEqual } from './equality.ts';
import {
  child,
  duplicate,
  index,
  invalid,
  invalidEach,
  notSupported,
  OMIT_VALUE,
  required,
  tooLong,
  tooMany,
} from './field.ts';
import { goJson, goLabelSelector, goQuote } from './go-format.ts';
import {
  labelSelectorAsSelector,
  readLabelSelector,
  selectorMatches,
  validateLabelSelector,
} from './label-selector.ts';
import {
  domainPrefixedPathProblems,
  isDns1123Label,
  isQualifiedName,
  nameIsDnsSubdomain,
} from './names.ts';
import {
  checkObjectMeta,
  checkObjectMetaUpdate,
  FIELD_IMMUTABLE,
  validateNonnegative,
} from './object-meta.ts';
import { metaText, Walker, type Located } from './walker.ts';
import { templateLabels } from './workload-template.ts';
import { cloneJson } from '../../util/index.ts';

/** batch/v1 Jobs and CronJobs (pkg/apis/batch/validation and the registry strategies). */

const LEGACY_JOB_NAME = 'job-name';
const JOB_NAME = 'batch.kubernetes.io/job-name';
const LEGACY_CONTROLLER_UID = 'controller-uid';
const CONTROLLER_UID = 'batch.kubernetes.io/controller-uid';

const MAX_PARALLELISM_INDEXED = 100000;
const MAX_FAILED_INDEXES = 100000;
const COMPLETIONS_SOFT_LIMIT = 100000;
const PARALLELISM_HIGH_COMPLETIONS = 10000;
const MAX_FAILED_HIGH_COMPLETIONS = 10000;

/**
 * The Job strategy's PrepareForCreate selector generation: unless `manualSelector` is
 * true, label the template with the job name and uid and select on the uid. Needs the
 * object's uid, so the REST layer calls it after assigning one and before validating.
 *
 * Upstream also defaults every object it decodes from storage, so the stored job that
 * create returns has SetDefaults_Job's label copy applied to the generated template labels
 * when the job had none of its own; that copy is repeated here.
 */
export function generateJobSelector(job: KubeObject): void {
  const spec = specOf(job);
  if (spec === undefined || spec['manualSelector'] === true) return;
  const name = metaText(job, 'name');
  const uid = metaText(job, 'uid');
  const labels = ensurePath(spec, ['template', 'metadata', 'labels']);
  if (labels !== undefined) {
    for (const k of [LEGACY_JOB_NAME, JOB_NAME]) labels[k] ??= name;
    for (const k of [LEGACY_CONTROLLER_UID, CONTROLLER_UID]) labels[k] ??= uid;
  }
  const matchLabels = ensurePath(spec, ['selector', 'matchLabels']);
  if (matchLabels !== undefined) matchLabels[CONTROLLER_UID] ??= uid;
  defaultJobLabels(job, spec);
}

function hasLabel(
  w: Walker,
  labels: Readonly<Record<string, string>> | undefined,
  pair: readonly [string, string],
): void {
  const [k, expected] = pair;
  const path = `spec.template.metadata.labels[${k}]`;
  const actual = labels?.[k];
  if (actual === undefined) w.add(required(path, `must be '${expected}'`));
  else if (actual !== expected) {
    w.add(
      invalid(
        path,
        {
          goSyntax: `map[string]string{${Object.keys(labels ?? {})
            .sort()
            .map((l) => `${goQuote(l)}:${goQuote(labels?.[l] ?? '')}`)
            .join(', ')}}`,
        },
        `must be '${expected}'`,
      ),
    );
  }
}

function hasPrefixedLabels(job: KubeObject): boolean {
  const spec = isJsonObject(job['spec']) ? job['spec'] : {};
  const labels = templateLabels(isJsonObject(spec['template']) ? spec['template'] : undefined);
  return labels?.[CONTROLLER_UID] !== undefined && labels[JOB_NAME] !== undefined;
}

/** validateGeneratedSelector. */
function validateGeneratedSelector(
  w: Walker,
  job: KubeObject,
  at: { spec: JsonObject | undefined; prefixed: boolean },
): void {
  const { spec, prefixed } = at;
  if (spec === undefined || spec['manualSelector'] === true || !isJsonObject(spec['selector']))
    return;
  const uid = metaText(job, 'uid');
  const name = metaText(job, 'name');
  if (uid === '') w.add(required('metadata.uid'));
  const labels = templateLabels(isJsonObject(spec['template']) ? spec['template'] : undefined);
  hasLabel(w, labels, [LEGACY_CONTROLLER_UID, uid]);
  hasLabel(w, labels, [LEGACY_JOB_NAME, name]);
  const expected: Record<string, string> = {};
  if (prefixed) {
    hasLabel(w, labels, [CONTROLLER_UID, uid]);
    hasLabel(w, labels, [JOB_NAME, name]);
    expected[CONTROLLER_UID] = uid;
    expected[JOB_NAME] = name;
  }
  expected[LEGACY_CONTROLLER_UID] = uid;
  expected[LEGACY_JOB_NAME] = name;
  const selector = labelSelectorAsSelector(
    readLabelSelector(new Walker(), { o: spec, path: 'spec' }, 'selector'),
  );
  if (selector !== 'error' && !selectorMatches(selector, expected)) {
    w.add(
      invalid(
        'spec.selector',
        { goSyntax: goLabelSelector(spec['selector']) },
        '`selector` not auto-generated',
      ),
    );
  }
}

function nonnegatives(w: Walker, spec: JsonObject, path: string): void {
  for (const k of [
    'parallelism',
    'completions',
    'activeDeadlineSeconds',
    'backoffLimit',
    'ttlSecondsAfterFinished',
    'backoffLimitPerIndex',
  ]) {
    const v = w.int(spec, path, k);
    if (v !== undefined) w.add(...validateNonnegative(v, child(path, k)));
  }
}

function validateManagedBy(w: Walker, spec: JsonObject, path: string): void {
  const managedBy = w.str(spec, path, 'managedBy');
  if (managedBy === undefined) return;
  const field = child(path, 'managedBy');
  const problems = domainPrefixedPathProblems(managedBy);
  if (problems === 'empty') w.add(required(field));
  else if (problems === 'shape')
    w.add(invalid(field, managedBy, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  else {
    w.add(...invalidEach(field, problems.host, problems.hostErrs));
    if (problems.pathErr !== undefined)
      w.add(invalid(field, problems.path ?? '', problems.pathErr));
  }
  if (managedBy.length > 63) w.add(tooLong(field, 63));
}

interface JobNums {
  readonly completions: number | undefined;
  readonly parallelism: number | undefined;
  readonly backoffLimitPerIndex: number | undefined;
  readonly maxFailedIndexes: number | undefined;
}

function readNums(spec: JsonObject): JobNums {
  const n = (k: string): number | undefined => (typeof spec[k] === 'number' ? spec[k] : undefined);
  return {
    completions: n('completions'),
    parallelism: n('parallelism'),
    backoffLimitPerIndex: n('backoffLimitPerIndex'),
    maxFailedIndexes: n('maxFailedIndexes'),
  };
}

/** Reports `value` when it is set and above `max`. */
function atMost(
  w: Walker,
  at: { path: string; value: number | undefined },
  limit: { max: number; msg: string },
): void {
  if (at.value !== undefined && at.value > limit.max) w.add(invalid(at.path, at.value, limit.msg));
}

function validateIndexed(w: Walker, nums: JobNums, path: string): void {
  const { completions, parallelism, maxFailedIndexes } = nums;
  if (completions === undefined)
    w.add(required(child(path, 'completions'), 'when completion mode is Indexed'));
  atMost(
    w,
    { path: child(path, 'parallelism'), value: parallelism },
    {
      max: MAX_PARALLELISM_INDEXED,
      msg: `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`,
    },
  );
  if (completions !== undefined) {
    atMost(
      w,
      { path: child(path, 'maxFailedIndexes'), value: maxFailedIndexes },
      { max: completions, msg: 'must be less than or equal to completions' },
    );
  }
  atMost(
    w,
    { path: child(path, 'maxFailedIndexes'), value: maxFailedIndexes },
    { max: MAX_FAILED_INDEXES, msg: `must be less than or equal to ${MAX_FAILED_INDEXES}` },
  );
  validateHighCompletions(w, nums, path);
}

function validateHighCompletions(w: Walker, nums: JobNums, path: string): void {
  const { completions, parallelism, maxFailedIndexes, backoffLimitPerIndex } = nums;
  if (
    completions === undefined ||
    completions <= COMPLETIONS_SOFT_LIMIT ||
    backoffLimitPerIndex === undefined
  )
    return;
  if (maxFailedIndexes === undefined) {
    w.add(
      required(
        child(path, 'maxFailedIndexes'),
        `must be specified when completions is above ${COMPLETIONS_SOFT_LIMIT}`,
      ),
    );
  }
  const suffix = `when completions are above ${COMPLETIONS_SOFT_LIMIT} and used with backoff limit per index`;
  atMost(
    w,
    { path: child(path, 'parallelism'), value: parallelism },
    {
      max: PARALLELISM_HIGH_COMPLETIONS,
      msg: `must be less than or equal to ${PARALLELISM_HIGH_COMPLETIONS} ${suffix}`,
    },
  );
  atMost(
    w,
    { path: child(path, 'maxFailedIndexes'), value: maxFailedIndexes },
    {
      max: MAX_FAILED_HIGH_COMPLETIONS,
      msg: `must be less than or equal to ${MAX_FAILED_HIGH_COMPLETIONS} ${suffix}`,
    },
  );
}

function validateCompletionMode(w: Walker, spec: JsonObject, path: string): string {
  const nums = readNums(spec);
  const maxFailed = w.int(spec, path, 'maxFailedIndexes');
  if (maxFailed !== undefined) {
    w.add(...validateNonnegative(maxFailed, child(path, 'maxFailedIndexes')));
    if (nums.backoffLimitPerIndex === undefined)
      w.add(required(child(path, 'backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  validateManagedBy(w, spec, path);
  const mode = w.str(spec, path, 'completionMode');
  if (mode !== undefined) {
    if (mode !== 'NonIndexed' && mode !== 'Indexed')
      w.add(notSupported(child(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
    if (mode === 'Indexed') validateIndexed(w, nums, path);
  }
  if (mode === undefined || mode === 'NonIndexed') {
    if (nums.backoffLimitPerIndex !== undefined) {
      w.add(
        invalid(
          child(path, 'backoffLimitPerIndex'),
          nums.backoffLimitPerIndex,
          'requires indexed completion mode',
        ),
      );
    }
    if (nums.maxFailedIndexes !== undefined) {
      w.add(
        invalid(
          child(path, 'maxFailedIndexes'),
          nums.maxFailedIndexes,
          'requires indexed completion mode',
        ),
      );
    }
  }
  return mode ?? 'NonIndexed';
}

const FAILURE_ACTIONS: readonly string[] = ['Count', 'FailIndex', 'FailJob', 'Ignore'];

function validateOnExitCodes(
  w: Walker,
  req: JsonObject,
  at: { path: string; containerNames: ReadonlySet<string> },
): void {
  const { path } = at;
  const op = w.text(req, path, 'operator');
  if (op === '') w.add(required(child(path, 'operator'), 'valid values: ["In" "NotIn"]'));
  else if (op !== 'In' && op !== 'NotIn')
    w.add(notSupported(child(path, 'operator'), op, ['In', 'NotIn']));
  const container = w.str(req, path, 'containerName');
  if (container !== undefined && !at.containerNames.has(container)) {
    w.add(
      invalid(
        child(path, 'containerName'),
        container,
        'must be one of the container or initContainer names in the pod template',
      ),
    );
  }
  const valuesPath = child(path, 'values');
  const values = (w.arr(req, path, 'values') ?? []).map(
    (v, i) => w.asInt(v, index(valuesPath, i)) ?? 0,
  );
  if (values.length === 0)
    w.add(invalid(valuesPath, { goSyntax: '[]int32(nil)' }, 'at least one value is required'));
  else if (values.length > 255) w.add(tooMany(valuesPath, values.length, 255));
  const seen = new Set<number>();
  values.forEach((v, j) => {
    if (op === 'In' && v === 0)
      w.add(invalid(index(valuesPath, j), 0, 'must not be 0 for the In operator'));
    if (seen.has(v)) w.add(duplicate(index(valuesPath, j), v));
    seen.add(v);
  });
  const ordered = values.every((v, j) => j === 0 || (values[j - 1] ?? 0) <= v);
  if (!ordered)
    w.add(invalid(valuesPath, { goSyntax: `[]int32{${values.join(', ')}}` }, 'must be ordered'));
}

function validateOnPodConditions(w: Walker, rule: JsonObject, path: string): number {
  const items = w.items(rule, path, 'onPodConditions');
  if (items.length > 20) w.add(tooMany(child(path, 'onPodConditions'), items.length, 20));
  for (const { o, path: p } of items) {
    const type = w.text(o, p, 'type');
    w.add(...invalidEach(child(p, 'type'), type, isQualifiedName(type)));
    const status = w.text(o, p, 'status');
    if (status === '')
      w.add(required(child(p, 'status'), 'valid values: ["False" "True" "Unknown"]'));
    else if (!['False', 'True', 'Unknown'].includes(status))
      w.add(notSupported(child(p, 'status'), status, ['False', 'True', 'Unknown']));
  }
  return items.length;
}

function templateContainerNames(spec: JsonObject): Set<string> {
  const names = new Set<string>();
  const tspec = objectAt(objectAt(spec, 'template'), 'spec');
  for (const k of ['containers', 'initContainers']) {
    for (const c of objectsAt(tspec, k)) if (typeof c['name'] === 'string') names.add(c['name']);
  }
  return names;
}

function validatePodFailurePolicy(w: Walker, spec: JsonObject, path: string): void {
  const pfpPath = child(path, 'podFailurePolicy');
  const pfp = w.obj(spec, path, 'podFailurePolicy');
  if (pfp === undefined) return;
  const rules = w.items(pfp, pfpPath, 'rules');
  if (rules.length > 20) w.add(tooMany(child(pfpPath, 'rules'), rules.length, 20));
  const containerNames = templateContainerNames(spec);
  for (const rule of rules) validateFailureRule(w, rule, { spec, containerNames });
}

function validateFailureRule(
  w: Walker,
  rule: Located,
  ctx: { spec: JsonObject; containerNames: ReadonlySet<string> },
): void {
  const { o, path: rp } = rule;
  const action = w.text(o, rp, 'action');
  if (action === '')
    w.add(required(child(rp, 'action'), 'valid values: ["Count" "FailIndex" "FailJob" "Ignore"]'));
  else if (action === 'FailIndex') {
    if (ctx.spec['backoffLimitPerIndex'] === undefined)
      w.add(invalid(child(rp, 'action'), action, 'requires the backoffLimitPerIndex to be set'));
  } else if (!FAILURE_ACTIONS.includes(action))
    w.add(notSupported(child(rp, 'action'), action, FAILURE_ACTIONS));
  const exit = w.obj(o, rp, 'onExitCodes');
  if (exit !== undefined)
    validateOnExitCodes(w, exit, {
      path: child(rp, 'onExitCodes'),
      containerNames: ctx.containerNames,
    });
  const conditions = validateOnPodConditions(w, o, rp);
  if (exit !== undefined && conditions > 0)
    w.add(
      invalid(rp, OMIT_VALUE, 'specifying both OnExitCodes and OnPodConditions is not supported'),
    );
  if (exit === undefined && conditions === 0)
    w.add(invalid(rp, OMIT_VALUE, 'specifying one of OnExitCodes and OnPodConditions is required'));
}

function validateReplacementPolicy(w: Walker, spec: JsonObject, path: string): void {
  const policy = w.str(spec, path, 'podReplacementPolicy');
  if (policy === undefined) return;
  const field = child(path, 'podReplacementPolicy');
  if (spec['podFailurePolicy'] !== undefined && spec['podFailurePolicy'] !== null) {
    if (policy !== 'Failed') w.add(notSupported(field, policy, ['Failed']));
  } else if (policy !== 'Failed' && policy !== 'TerminatingOrFailed') {
    w.add(notSupported(field, policy, ['Failed', 'TerminatingOrFailed']));
  }
}

function validateRestartPolicy(w: Walker, spec: JsonObject, path: string): void {
  const tspec = objectAt(objectAt(spec, 'template'), 'spec');
  const restart = typeof tspec?.['restartPolicy'] === 'string' ? tspec['restartPolicy'] : '';
  const field = child(path, 'template', 'spec', 'restartPolicy');
  if (restart === 'Always' || restart === '')
    w.add(required(field, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never')
    w.add(notSupported(field, restart, ['OnFailure', 'Never']));
  else if (
    spec['podFailurePolicy'] !== undefined &&
    spec['podFailurePolicy'] !== null &&
    restart !== 'Never'
  ) {
    w.add(invalid(field, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  }
}

/** validateJobSpec (the part shared with CronJob job templates). */
function validateJobSpecCore(w: Walker, spec: JsonObject, path: string): void {
  nonnegatives(w, spec, path);
  const mode = validateCompletionMode(w, spec, path);
  validatePodFailurePolicy(w, spec, path);
  if (spec['successPolicy'] !== undefined && spec['successPolicy'] !== null && mode !== 'Indexed') {
    w.add(
      invalid(
        child(path, 'successPolicy'),
        { goSyntax: goJson(spec['successPolicy']) },
        'requires indexed completion mode',
      ),
    );
  }
  validateReplacementPolicy(w, spec, path);
  validatePodTemplateSpec(w, w.obj(spec, path, 'template'), child(path, 'template'));
  validateRestartPolicy(w, spec, path);
}

/** ValidateJobSpec: the core rules plus the selector. */
function validateJobSpec(w: Walker, spec: JsonObject): void {
  validateJobSpecCore(w, spec, 'spec');
  const sel = readLabelSelector(w, { o: spec, path: 'spec' }, 'selector');
  if (sel === undefined) w.add(required('spec.selector'));
  else w.add(...validateLabelSelector(sel, 'spec.selector'));
  const selector = labelSelectorAsSelector(sel);
  const labels = templateLabels(isJsonObject(spec['template']) ? spec['template'] : undefined);
  if (selector !== 'error' && !selectorMatches(selector, labels)) {
    const shown = `map[string]string{${Object.keys(labels ?? {})
      .sort()
      .map((l) => `${goQuote(l)}:${goQuote(labels?.[l] ?? '')}`)
      .join(', ')}}`;
    w.add(
      invalid(
        'spec.template.metadata.labels',
        { goSyntax: labels === undefined ? 'map[string]string(nil)' : shown },
        '`selector` does not match template `labels`',
      ),
    );
  }
}

function validateIndexedHostname(w: Walker, job: KubeObject, spec: JsonObject): void {
  const completions = spec['completions'];
  if (spec['completionMode'] !== 'Indexed' || typeof completions !== 'number' || completions <= 0)
    return;
  const name = metaText(job, 'name');
  const hostname = `${name}-${completions - 1}`;
  if (isDns1123Label(hostname).length > 0) {
    w.add(
      invalid(
        'metadata.name',
        name,
        `will not able to create pod with invalid DNS label: ${hostname}`,
      ),
    );
  }
}

function immutableSpecFields(w: Walker, spec: JsonObject, oldSpec: JsonObject): void {
  const indexed = spec['completionMode'] === 'Indexed';
  const completions = spec['completions'];
  if (!indexed) immutable(w, [completions, oldSpec['completions']], 'spec.completions');
  else if (
    !semanticEqual(completions, oldSpec['completions']) &&
    typeof completions === 'number' &&
    completions !== spec['parallelism']
  ) {
    w.add(
      invalid(
        'spec.completions',
        completions,
        'can only be modified in tandem with spec.parallelism',
      ),
    );
  }
  const sel = spec['selector'];
  if (!semanticEqual(sel, oldSpec['selector']))
    w.add(
      invalid(
        'spec.selector',
        sel === undefined ? null : { goSyntax: goLabelSelector(sel) },
        FIELD_IMMUTABLE,
      ),
    );
  for (const k of [
    'completionMode',
    'podFailurePolicy',
    'backoffLimitPerIndex',
    'managedBy',
    'successPolicy',
  ]) {
    immutable(w, [spec[k], oldSpec[k]], `spec.${k}`);
  }
}

function immutable(w: Walker, pair: readonly [unknown, unknown], path: string): void {
  if (semanticEqual(pair[0], pair[1])) return;
  const v = pair[0];
  const shown =
    v === undefined || v === null
      ? null
      : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
        ? v
        : { goSyntax: goJson(v) };
  w.add(invalid(path, shown, FIELD_IMMUTABLE));
}

/**
 * The old template with the scheduling directives a suspended, never-started job may
 * change copied from the new one (validatePodTemplateUpdate's mutable fields).
 */
function withMutableScheduling(oldTemplate: JsonObject, template: JsonObject): void {
  const t = objectAt(template, 'spec') ?? {};
  const ot = ensureObject(oldTemplate, 'spec');
  if (ot !== undefined) {
    for (const k of ['nodeSelector', 'tolerations', 'schedulingGates']) ot[k] = t[k];
    ot['affinity'] = {
      ...objectAt(ot, 'affinity'),
      nodeAffinity: objectAt(t, 'affinity')?.['nodeAffinity'],
    };
  }
  const meta = ensureObject(oldTemplate, 'metadata');
  const newMeta = objectAt(template, 'metadata') ?? {};
  if (meta === undefined) return;
  meta['labels'] = newMeta['labels'];
  meta['annotations'] = newMeta['annotations'];
}

/** validatePodTemplateUpdate; scheduling directives may change on suspended, unstarted jobs. */
function validateTemplateUpdate(w: Walker, spec: JsonObject, old: KubeObject): void {
  const oldSpec = specOf(old) ?? {};
  const oldStatus = specOf(old, 'status') ?? {};
  const template = spec['template'];
  const oldTemplateValue = cloneJson(oldSpec['template'] ?? {});
  const oldTemplate = isJsonObject(oldTemplateValue) ? oldTemplateValue : {};
  const unstarted = (oldStatus['startTime'] ?? null) === null;
  if (oldSpec['suspend'] === true && unstarted && isJsonObject(template))
    withMutableScheduling(oldTemplate, template);
  if (!semanticEqual(template, isJsonObject(oldTemplateValue) ? oldTemplate : oldTemplateValue))
    w.add(
      invalid(
        'spec.template',
        { goSyntax: `core.PodTemplateSpec${goJson(template)}` },
        FIELD_IMMUTABLE,
      ),
    );
}

/** Validator for jobs.batch: ValidateJob, plus ValidateJobUpdate on update. */
export function validateJob(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  const spec = w.obj(w.asObj(obj, ''), '', 'spec') ?? {};
  // validationOptionsForJob: prefixed labels are required on create, and on update only when
  // the stored template already carries them.
  const prefixed = old === undefined || hasPrefixedLabels(old);
  validateGeneratedSelector(w, obj, { spec: spec, prefixed });
  validateJobSpec(w, spec);
  validateIndexedHostname(w, obj, spec);
  if (old !== undefined) {
    checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
    validateJobSpec(w, spec);
    immutableSpecFields(w, spec, isJsonObject(old['spec']) ? old['spec'] : {});
    validateTemplateUpdate(w, spec, old);
  }
  return w.errs;
}

const TIME_ZONE_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(w: Walker, spec: JsonObject): void {
  const tz = w.str(spec, 'spec', 'timeZone');
  if (tz === undefined) return;
  if (tz === '') {
    w.add(invalid('spec.timeZone', tz, 'timeZone must be nil or non-empty string'));
    return;
  }
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TIME_ZONE_PART.test(part)) {
      {
        w.add(invalid('spec.timeZone', tz, `unknown time zone ${tz}`));
        return;
      }
    }
  }
  if (tz.toLowerCase() === 'local') {
    w.add(
      invalid(
        'spec.timeZone',
        tz,
        'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ),
    );
  }
  const err = loadLocationError(tz);
  if (err !== undefined) w.add(invalid('spec.timeZone', tz, err));
}

function validateSchedule(w: Walker, spec: JsonObject, oldSpec: JsonObject | undefined): void {
  const schedule = w.text(spec, 'spec', 'schedule');
  if (schedule === '') {
    w.add(required('spec.schedule'));
    return;
  }
  const err = cronScheduleError(schedule);
  if (err !== undefined) w.add(invalid('spec.schedule', schedule, err));
  const allowTz = typeof oldSpec?.['schedule'] === 'string' && oldSpec['schedule'].includes('TZ');
  if (
    allowTz &&
    schedule.includes('TZ') &&
    spec['timeZone'] !== undefined &&
    spec['timeZone'] !== null
  ) {
    w.add(
      invalid(
        'spec.schedule',
        schedule,
        'cannot use both timeZone field and TZ or CRON_TZ in schedule',
      ),
    );
  } else if (!allowTz && schedule.includes('TZ')) {
    w.add(
      invalid(
        'spec.schedule',
        schedule,
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ),
    );
  }
}

function validateCronJobSpec(w: Walker, spec: JsonObject, oldSpec: JsonObject | undefined): void {
  validateSchedule(w, spec, oldSpec);
  const deadline = w.int(spec, 'spec', 'startingDeadlineSeconds');
  if (deadline !== undefined)
    w.add(...validateNonnegative(deadline, 'spec.startingDeadlineSeconds'));
  if (oldSpec === undefined || !semanticEqual(oldSpec['timeZone'], spec['timeZone']))
    validateTimeZone(w, spec);
  const policy = w.text(spec, 'spec', 'concurrencyPolicy');
  if (policy === '') w.add(required('spec.concurrencyPolicy'));
  else if (!['Allow', 'Forbid', 'Replace'].includes(policy))
    w.add(notSupported('spec.concurrencyPolicy', policy, ['Allow', 'Forbid', 'Replace']));
  const jt = w.obj(spec, 'spec', 'jobTemplate');
  const jobSpec = w.obj(jt, 'spec.jobTemplate', 'spec') ?? {};
  validateJobSpecCore(w, jobSpec, 'spec.jobTemplate.spec');
  if (isJsonObject(jobSpec['selector'])) {
    w.add(
      invalid(
        'spec.jobTemplate.spec.selector',
        { goSyntax: goLabelSelector(jobSpec['selector']) },
        '`selector` will be auto-generated',
      ),
    );
  }
  if (jobSpec['manualSelector'] === true)
    w.add(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  for (const k of ['successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) {
    const v = w.int(spec, 'spec', k);
    if (v !== undefined) w.add(...validateNonnegative(v, `spec.${k}`));
  }
}

/** Validator for cronjobs.batch. */
export function validateCronJob(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  if (old !== undefined) checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  else
    checkObjectMeta(w, obj.metadata, {
      namespaced: true,
      nameFn: nameIsDnsSubdomain,
      kubeFinalizers: true,
    });
  const spec = w.obj(w.asObj(obj, ''), '', 'spec') ?? {};
  validateCronJobSpec(
    w,
    spec,
    old === undefined ? undefined : isJsonObject(old['spec']) ? old['spec'] : {},
  );
  const name = metaText(obj, 'name');
  if (old === undefined && typeof name === 'string' && name.length > 52) {
    w.add(invalid('metadata.name', name, 'must be no more than 52 characters'));
  }
  return w.errs;
}

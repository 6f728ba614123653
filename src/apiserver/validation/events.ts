import {
  isJsonObject,
  type FieldError,
  type JsonObject,
  type KubeObject,
} from '../../api/index.ts';
import { semanticEqual } from './equality.ts';
import { invalid, invalidEach, required } from './field.ts';
import { goJson } from './go-format.ts';
import { byteLength, isDns1123Subdomain, isQualifiedName, nameIsDnsSubdomain } from './names.ts';
import { checkObjectMeta, checkObjectMetaUpdate, FIELD_IMMUTABLE } from './object-meta.ts';
import { Walker } from './walker.ts';

/**
 * Events (pkg/apis/core/validation/events.go). Both API versions are validated over the
 * internal field names, which is how upstream's errors name them: events.k8s.io/v1's
 * `regarding` is `involvedObject`, `note` is `message`, `deprecatedSource` is `source`.
 */

interface EventView {
  readonly namespace: string;
  readonly involvedNamespace: string;
  readonly eventTime: unknown;
  readonly reportingController: string;
  readonly reportingInstance: string;
  readonly action: string;
  readonly reason: string;
  readonly message: string;
  readonly type: string;
  readonly firstTimestamp: unknown;
  readonly lastTimestamp: unknown;
  readonly count: number;
  readonly source: JsonObject;
  readonly series: JsonObject | undefined;
  readonly related: unknown;
  readonly involvedObject: unknown;
}

type Naming = Readonly<
  Record<
    | 'involvedObject'
    | 'message'
    | 'source'
    | 'firstTimestamp'
    | 'lastTimestamp'
    | 'count'
    | 'reportingController',
    string
  >
>;

const CORE_NAMES: Naming = {
  involvedObject: 'involvedObject',
  message: 'message',
  source: 'source',
  firstTimestamp: 'firstTimestamp',
  lastTimestamp: 'lastTimestamp',
  count: 'count',
  reportingController: 'reportingComponent',
};
const EVENTS_NAMES: Naming = {
  involvedObject: 'regarding',
  message: 'note',
  source: 'deprecatedSource',
  firstTimestamp: 'deprecatedFirstTimestamp',
  lastTimestamp: 'deprecatedLastTimestamp',
  count: 'deprecatedCount',
  reportingController: 'reportingController',
};

function readView(w: Walker, obj: KubeObject, names: Naming): EventView {
  const r = w.asObj(obj, '') ?? {};
  const involved = w.obj(r, '', names.involvedObject);
  const meta: unknown = obj.metadata;
  return {
    namespace: isJsonObject(meta) && typeof meta['namespace'] === 'string' ? meta['namespace'] : '',
    involvedNamespace: w.text(involved, names.involvedObject, 'namespace'),
    eventTime: r['eventTime'] ?? null,
    reportingController: w.text(r, '', names.reportingController),
    reportingInstance: w.text(r, '', 'reportingInstance'),
    action: w.text(r, '', 'action'),
    reason: w.text(r, '', 'reason'),
    message: w.text(r, '', names.message),
    type: w.text(r, '', 'type'),
    firstTimestamp: r[names.firstTimestamp] ?? null,
    lastTimestamp: r[names.lastTimestamp] ?? null,
    count: w.num(r, '', names.count),
    source: w.obj(r, '', names.source) ?? {},
    series: w.obj(r, '', 'series'),
    related: r['related'] ?? null,
    involvedObject: involved ?? null,
  };
}

function isZeroTime(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

function lengthLimit(w: Walker, at: { field: string; value: string }, limit: number): void {
  if (byteLength(at.value) > limit)
    w.add(invalid(at.field, '', `can have at most ${limit} characters`));
}

function validateNewStyleFields(w: Walker, e: EventView): void {
  if (e.involvedNamespace === '' && e.namespace !== 'default' && e.namespace !== 'kube-system') {
    w.add(
      invalid('involvedObject.namespace', e.involvedNamespace, 'does not match event.namespace'),
    );
  }
  if (e.reportingController === '') w.add(required('reportingController'));
  w.add(
    ...invalidEach(
      'reportingController',
      e.reportingController,
      isQualifiedName(e.reportingController),
    ),
  );
  if (e.reportingInstance === '') w.add(required('reportingInstance'));
  lengthLimit(w, { field: 'reportingInstance', value: e.reportingInstance }, 128);
  if (e.action === '') w.add(required('action'));
  lengthLimit(w, { field: 'action', value: e.action }, 128);
  if (e.reason === '') w.add(required('reason'));
  lengthLimit(w, { field: 'reason', value: e.reason }, 128);
  lengthLimit(w, { field: 'message', value: e.message }, 1024);
}

/** legacyValidateEvent. */
function legacyValidate(w: Walker, e: EventView): void {
  if (isZeroTime(e.eventTime)) {
    const nsMismatch =
      e.involvedNamespace === ''
        ? e.namespace !== '' && e.namespace !== 'default'
        : e.namespace !== e.involvedNamespace;
    if (nsMismatch)
      w.add(
        invalid('involvedObject.namespace', e.involvedNamespace, 'does not match event.namespace'),
      );
  } else validateNewStyleFields(w, e);
  w.add(...invalidEach('namespace', e.namespace, isDns1123Subdomain(e.namespace)));
}

function validateSeries(w: Walker, e: EventView): void {
  if (e.series === undefined) return;
  const count = typeof e.series['count'] === 'number' ? e.series['count'] : 0;
  if (count < 2) w.add(invalid('series.count', '', 'should be at least 2'));
  if (isZeroTime(e.series['lastObservedTime'])) w.add(required('series.lastObservedTime'));
}

function validateStrictCreate(w: Walker, obj: KubeObject, e: EventView): void {
  checkObjectMeta(w, obj.metadata, {
    namespaced: true,
    nameFn: nameIsDnsSubdomain,
    kubeFinalizers: true,
  });
  validateSeries(w, e);
  if (isZeroTime(e.eventTime)) w.add(required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning')
    w.add(invalid('type', '', `has invalid value: ${e.type}`));
  if (!isZeroTime(e.firstTimestamp)) w.add(invalid('firstTimestamp', '', 'needs to be unset'));
  if (!isZeroTime(e.lastTimestamp)) w.add(invalid('lastTimestamp', '', 'needs to be unset'));
  if (e.count !== 0) w.add(invalid('count', '', 'needs to be unset'));
  const component = typeof e.source['component'] === 'string' ? e.source['component'] : '';
  const host = typeof e.source['host'] === 'string' ? e.source['host'] : '';
  if (component !== '' || host !== '') w.add(invalid('source', '', 'needs to be unset'));
}

const IMMUTABLE_FIELDS: readonly (readonly [keyof EventView, string])[] = [
  ['involvedObject', 'involvedObject'],
  ['reason', 'reason'],
  ['message', 'message'],
  ['source', 'source'],
  ['firstTimestamp', 'firstTimestamp'],
  ['lastTimestamp', 'lastTimestamp'],
  ['count', 'count'],
  ['reason', 'reason'],
  ['type', 'type'],
  ['eventTime', 'eventTime'],
  ['action', 'action'],
  ['related', 'related'],
  ['reportingController', 'reportingController'],
  ['reportingInstance', 'reportingInstance'],
];

function validateStrictUpdate(
  w: Walker,
  pair: readonly [KubeObject, KubeObject],
  views: readonly [EventView, EventView],
): void {
  const [obj, old] = pair;
  const [e, o] = views;
  checkObjectMetaUpdate(w, [obj.metadata, old.metadata], true);
  if (!semanticEqual(e.series, o.series)) validateSeries(w, e);
  for (const [k, field] of IMMUTABLE_FIELDS) {
    const v = e[k];
    if (semanticEqual(v, o[k])) continue;
    const shown =
      typeof v === 'string' || typeof v === 'number'
        ? v
        : v === null
          ? null
          : { goSyntax: goJson(v) };
    w.add(invalid(field, shown, FIELD_IMMUTABLE));
  }
}

/** Validator for core/v1 events: only the legacy rules, for backward compatibility. */
export function validateCoreEvent(obj: KubeObject): FieldError[] {
  const w = new Walker();
  legacyValidate(w, readView(w, obj, CORE_NAMES));
  return w.errs;
}

/** Validator for events.events.k8s.io: the legacy rules plus the strict v1 ones. */
export function validateEventsV1Event(obj: KubeObject, old?: KubeObject): FieldError[] {
  const w = new Walker();
  const e = readView(w, obj, EVENTS_NAMES);
  legacyValidate(w, e);
  if (old === undefined) validateStrictCreate(w, obj, e);
  else validateStrictUpdate(w, [obj, old], [e, readView(new Walker(), old, EVENTS_NAMES)]);
  return w.errs;
}

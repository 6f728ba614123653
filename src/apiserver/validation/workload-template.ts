import { isJsonObject, type JsonObject, type KubeObject } from '../../api/index.ts';
import { validatePodTemplateSpec } from './core-pod.ts';
import { forbidden, invalid, notSupported, required } from './field.ts';
import { goLabelSelector, goStringMap } from './go-format.ts';
import {
  labelSelectorAsSelector,
  readLabelSelector,
  selectorEmpty,
  selectorMatches,
  validateLabelSelector,
  type LabelSelectorValue,
  type Selector,
} from './label-selector.ts';
import { FIELD_IMMUTABLE } from './object-meta.ts';
import { semanticEqual } from './equality.ts';
import { Walker } from './walker.ts';

/** Selector and pod-template checks shared by the workload validators. */

export interface SelectorRead {
  readonly raw: JsonObject | undefined;
  readonly value: LabelSelectorValue | undefined;
}

/** Reads and validates `spec.selector` (Required when absent and `required`). */
export function readSelector(
  w: Walker,
  spec: JsonObject | undefined,
  opts: { required: boolean },
): SelectorRead {
  const raw = isJsonObject(spec?.['selector']) ? spec['selector'] : undefined;
  const value = readLabelSelector(w, { o: spec, path: 'spec' }, 'selector');
  if (value === undefined) {
    if (opts.required) w.add(required('spec.selector'));
    return { raw, value };
  }
  w.add(...validateLabelSelector(value, 'spec.selector'));
  return { raw, value };
}

/** A present selector with no requirements is invalid for controllers; `kind` words it. */
export function checkNotEmpty(w: Walker, sel: SelectorRead, kind: string): void {
  const v = sel.value;
  if (
    v !== undefined &&
    Object.keys(v.matchLabels ?? {}).length + v.matchExpressions.length === 0
  ) {
    w.add(
      invalid(
        'spec.selector',
        { goSyntax: goLabelSelector(sel.raw) },
        `empty selector is invalid for ${kind}`,
      ),
    );
  }
}

/** readSelector then checkNotEmpty, in the order Deployments and ReplicaSets report them. */
export function checkSelector(
  w: Walker,
  spec: JsonObject | undefined,
  opts: { required: boolean; kind: string },
): SelectorRead {
  const sel = readSelector(w, spec, opts);
  checkNotEmpty(w, sel, opts.kind);
  return sel;
}

/** The template's labels, read without re-reporting type errors. */
export function templateLabels(
  template: JsonObject | undefined,
): Record<string, string> | undefined {
  const meta = template?.['metadata'];
  return isJsonObject(meta) ? new Walker().strMap(meta, '', 'labels') : undefined;
}

/** The "`selector` does not match template `labels`" check. */
export function checkSelectorMatches(
  w: Walker,
  selector: Selector,
  template: JsonObject | undefined,
): void {
  const labels = templateLabels(template);
  if (!selectorMatches(selector, labels)) {
    w.add(
      invalid(
        'spec.template.metadata.labels',
        { goSyntax: goStringMap(labels) },
        '`selector` does not match template `labels`',
      ),
    );
  }
}

/** ValidatePodTemplateSpecForReplicaSet (also used for Deployments). */
export function checkReplicaSetTemplate(
  w: Walker,
  spec: JsonObject | undefined,
  sel: SelectorRead,
): void {
  const template = w.obj(spec, 'spec', 'template');
  const selector = labelSelectorAsSelector(sel.value);
  if (selector === 'error') {
    w.add(
      invalid('spec.selector', { goSyntax: goLabelSelector(sel.raw) }, 'invalid label selector'),
    );
    return;
  }
  if (!selectorEmpty(selector)) checkSelectorMatches(w, selector, template);
  validatePodTemplateSpec(w, template, 'spec.template');
  checkAlwaysRestart(w, template, 'ReplicaSet');
}

/** Controllers' pods must restart always and may not set activeDeadlineSeconds. */
export function checkAlwaysRestart(
  w: Walker,
  template: JsonObject | undefined,
  kind: string,
): void {
  const tspec = isJsonObject(template?.['spec']) ? template['spec'] : {};
  const restart = typeof tspec['restartPolicy'] === 'string' ? tspec['restartPolicy'] : '';
  if (restart !== 'Always')
    w.add(notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (tspec['activeDeadlineSeconds'] !== undefined && tspec['activeDeadlineSeconds'] !== null) {
    w.add(
      forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        `activeDeadlineSeconds in ${kind} is not Supported`,
      ),
    );
  }
}

/** The strategies' selector immutability check for apps/v1 updates. */
export function checkSelectorImmutable(w: Walker, obj: KubeObject, old: KubeObject): void {
  const sel = isJsonObject(obj['spec']) ? obj['spec']['selector'] : undefined;
  const oldSel = isJsonObject(old['spec']) ? old['spec']['selector'] : undefined;
  if (!semanticEqual(sel, oldSel)) {
    const shown = sel === undefined || sel === null ? null : { goSyntax: goLabelSelector(sel) };
    w.add(invalid('spec.selector', shown, FIELD_IMMUTABLE));
  }
}

import type { AwsResult } from '../types.ts';
import type { EksContext, EksRequest } from './context.ts';
import { invalidParameter, resourceInUse } from './errors.ts';
import {
  optInt,
  optObject,
  optObjectList,
  optString,
  optStringList,
  optStringMap,
  type Body,
} from './input.ts';
import { eksKeys, withResource, type Nodegroup, type Taint, type UpdateParam } from './model.ts';
import { checkScaling, loadNodegroup, parseScaling, parseTaints } from './nodegroups.ts';
import { findUpdateByToken, startUpdate } from './updates.ts';

interface Plan {
  params: UpdateParam[];
  patch: Record<string, unknown>;
}

function scalingPart(ng: Nodegroup, body: Body, plan: Plan): void {
  const scaling = optObject(body, 'scalingConfig');
  if (!scaling) return;
  const next = parseScaling(scaling, ng.scalingConfig);
  checkScaling(next);
  const fields = [
    ['MinSize', 'minSize'],
    ['MaxSize', 'maxSize'],
    ['DesiredSize', 'desiredSize'],
  ] as const;
  for (const [type, field] of fields) {
    if (scaling[field] !== undefined) plan.params.push({ type, value: String(next[field]) });
  }
  plan.patch['scalingConfig'] = next;
}

function labelsPart(ng: Nodegroup, body: Body, plan: Plan): void {
  const labels = optObject(body, 'labels');
  if (!labels) return;
  const add = optStringMap(labels, 'addOrUpdateLabels') ?? {};
  const remove = optStringList(labels, 'removeLabels') ?? [];
  const both = remove.filter((k) => k in add);
  if (both.length > 0) {
    throw invalidParameter(
      `The following labels are specified both to add and to remove: ${both.join(', ')}`,
    );
  }
  const next = Object.fromEntries(
    Object.entries({ ...ng.labels, ...add }).filter(([k]) => !remove.includes(k)),
  );
  if (Object.keys(add).length > 0)
    plan.params.push({ type: 'LabelsToAdd', value: JSON.stringify(add) });
  if (remove.length > 0)
    plan.params.push({ type: 'LabelsToRemove', value: JSON.stringify(remove) });
  plan.patch['labels'] = next;
}

function sameTaint(a: Taint, b: Taint): boolean {
  return a.key === b.key && a.effect === b.effect;
}

function taintsPart(ng: Nodegroup, body: Body, plan: Plan): void {
  const taints = optObject(body, 'taints');
  if (!taints) return;
  const add = parseTaints(optObjectList(taints, 'addOrUpdateTaints'));
  const remove = parseTaints(optObjectList(taints, 'removeTaints'));
  const kept = (ng.taints ?? []).filter(
    (t) => !remove.some((r) => sameTaint(r, t)) && !add.some((a) => sameTaint(a, t)),
  );
  if (add.length > 0) plan.params.push({ type: 'TaintsToAdd', value: JSON.stringify(add) });
  if (remove.length > 0)
    plan.params.push({ type: 'TaintsToRemove', value: JSON.stringify(remove) });
  plan.patch['taints'] = [...kept, ...add];
}

function updateConfigPart(body: Body, plan: Plan): void {
  const cfg = optObject(body, 'updateConfig');
  if (!cfg) return;
  const maxUnavailable = optInt(cfg, 'maxUnavailable');
  const pct = optInt(cfg, 'maxUnavailablePercentage');
  if (maxUnavailable !== undefined && pct !== undefined) {
    throw invalidParameter(
      'Only one of maxUnavailable and maxUnavailablePercentage may be specified',
    );
  }
  if (maxUnavailable !== undefined) {
    if (maxUnavailable < 1 || maxUnavailable > 100) {
      throw invalidParameter('maxUnavailable must be between 1 and 100');
    }
    plan.params.push({ type: 'MaxUnavailable', value: String(maxUnavailable) });
    plan.patch['updateConfig'] = { maxUnavailable };
  }
  if (pct !== undefined) {
    if (pct < 1 || pct > 100)
      throw invalidParameter('maxUnavailablePercentage must be between 1 and 100');
    plan.params.push({ type: 'MaxUnavailablePercentage', value: String(pct) });
    plan.patch['updateConfig'] = { maxUnavailablePercentage: pct };
  }
}

export async function updateNodegroupConfig(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const { region, cluster, name, rec } = loadNodegroup(ctx, req);
  const body = req.call.json;
  const token = optString(body, 'clientRequestToken');
  const previous = findUpdateByToken(ctx, { region, clusterName: cluster, token });
  if (previous) return { body: { update: previous } };
  const ng = rec.resource;
  if (ng.status !== 'ACTIVE' && ng.status !== 'DEGRADED') {
    throw resourceInUse(`Nodegroup ${name} is currently ${ng.status}; wait until it is ACTIVE`, {
      clusterName: cluster,
      nodegroupName: name,
    });
  }
  const plan: Plan = { params: [], patch: {} };
  scalingPart(ng, body, plan);
  labelsPart(ng, body, plan);
  taintsPart(ng, body, plan);
  updateConfigPart(body, plan);
  if (plan.params.length === 0)
    throw invalidParameter('No changes needed for the nodegroup config provided');
  const update = await startUpdate(ctx, {
    region,
    clusterName: cluster,
    nodegroupName: name,
    type: 'ConfigUpdate',
    ...plan,
    token,
    delay: ctx.delays.nodegroupUpdate,
  });
  await ctx.store.update(
    eksKeys.nodegroup(region, cluster, name),
    withResource(rec, { ...ng, status: 'UPDATING' }, rec.pending),
  );
  return { body: { update } };
}

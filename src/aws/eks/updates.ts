import type { AwsResult } from '../types.ts';
import {
  getRecord,
  listRecords,
  nowSeconds,
  param,
  type EksContext,
  type EksRequest,
} from './context.ts';
import { resourceNotFound } from './errors.ts';
import { loadCluster } from './clusters.ts';
import {
  eksKeys,
  makeRecord,
  type Update,
  type UpdateParam,
  type UpdateRecordBody,
} from './model.ts';
import { pageParams, paginate } from './pagination.ts';

export interface NewUpdate {
  readonly region: string;
  readonly clusterName: string;
  readonly nodegroupName?: string;
  readonly type: string;
  readonly params: UpdateParam[];
  readonly patch: Readonly<Record<string, unknown>>;
  readonly token: string | undefined;
  readonly delay: number;
}

/** A previous update made with the same clientRequestToken, for idempotent retries. */
export function findUpdateByToken(
  ctx: EksContext,
  opts: { region: string; clusterName: string; token: string | undefined },
): Update | undefined {
  if (opts.token === undefined) return undefined;
  return listRecords<UpdateRecordBody>(ctx, eksKeys.updates(opts.region, opts.clusterName)).find(
    (r) => r.clientRequestToken === opts.token,
  )?.resource.update;
}

/** Stores an InProgress update; the reconciler applies its patch when it is due. */
export async function startUpdate(ctx: EksContext, u: NewUpdate): Promise<Update> {
  const update: Update = {
    id: ctx.ids.uuid(),
    status: 'InProgress',
    type: u.type,
    params: u.params,
    createdAt: nowSeconds(ctx),
    errors: [],
  };
  const body: UpdateRecordBody = {
    update,
    clusterName: u.clusterName,
    ...(u.nodegroupName !== undefined ? { nodegroupName: u.nodegroupName } : {}),
    patch: u.patch,
  };
  await ctx.store.create(
    eksKeys.update(u.region, u.clusterName, update.id),
    makeRecord({
      kind: 'EksUpdate',
      name: update.id,
      resource: body,
      pending: { action: 'complete', at: ctx.clock.now() + u.delay },
      clientRequestToken: u.token,
    }),
  );
  return update;
}

export function describeUpdate(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const cluster = param(req, 'name');
  loadCluster(ctx, region, cluster);
  const id = param(req, 'updateId');
  const rec = getRecord<UpdateRecordBody>(ctx, eksKeys.update(region, cluster, id));
  const nodegroup = req.call.query.get('nodegroupName') ?? undefined;
  if (!rec || rec.resource.nodegroupName !== nodegroup) {
    throw resourceNotFound(`No update found for ID: ${id}`, { clusterName: cluster });
  }
  return Promise.resolve({ body: { update: rec.resource.update } });
}

export function listUpdates(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const cluster = param(req, 'name');
  loadCluster(ctx, region, cluster);
  const nodegroup = req.call.query.get('nodegroupName') ?? undefined;
  if (nodegroup !== undefined && !getRecord(ctx, eksKeys.nodegroup(region, cluster, nodegroup))) {
    throw resourceNotFound(`No node group found for name: ${nodegroup}.`, {
      clusterName: cluster,
      nodegroupName: nodegroup,
    });
  }
  const ids = listRecords<UpdateRecordBody>(ctx, eksKeys.updates(region, cluster))
    .filter((r) => r.resource.nodegroupName === nodegroup)
    .map((r) => r.resource.update.id);
  const page = paginate(ids, pageParams(req.call.query));
  return Promise.resolve({
    body: { updateIds: page.items, ...(page.nextToken ? { nextToken: page.nextToken } : {}) },
  });
}

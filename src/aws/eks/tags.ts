import type { AwsError, AwsResult } from '../types.ts';
import { getRecord, param, type EksContext, type EksRequest } from './context.ts';
import { badRequest, notFound } from './errors.ts';
import { optStringMap } from './input.ts';
import { eksKeys, withResource, type Tags } from './model.ts';

/** Tag limits: 1–50 tags, keys 1–128 and values up to 256 characters. */
export function checkTags(tags: Tags, fail: (message: string) => AwsError): void {
  const entries = Object.entries(tags);
  if (entries.length > 50) throw fail('Tags must contain no more than 50 entries');
  for (const [k, v] of entries) {
    if (k.length < 1 || k.length > 128) {
      throw fail(`Tag key '${k}' must be between 1 and 128 characters long`);
    }
    if (v.length > 256) throw fail(`Tag value for key '${k}' must be at most 256 characters long`);
    if (k.toLowerCase().startsWith('aws:'))
      throw fail(`Tag keys beginning with 'aws:' are reserved`);
  }
}

/** Where a taggable resource lives in the store, from its ARN. */
function keyOfArn(ctx: EksContext, arn: string): string | undefined {
  const m = /^arn:aws:eks:([^:]+):(\d{12}):(cluster|fargateprofile|nodegroup)\/(.+)$/.exec(arn);
  if (!m) return undefined;
  const [, region = '', account, kind, rest = ''] = m;
  if (account !== ctx.accountId) return undefined;
  const parts = rest.split('/');
  if (kind === 'cluster') return parts.length === 1 ? eksKeys.cluster(region, rest) : undefined;
  if (parts.length !== 3) return undefined;
  const [cluster = '', name = ''] = parts;
  return kind === 'fargateprofile'
    ? eksKeys.profile(region, cluster, name)
    : eksKeys.nodegroup(region, cluster, name);
}

interface Taggable {
  tags: Tags;
  arn?: string;
  fargateProfileArn?: string;
  nodegroupArn?: string;
}

function resolve(ctx: EksContext, req: EksRequest) {
  const arn = param(req, 'resourceArn');
  const key = keyOfArn(ctx, arn);
  if (key === undefined) throw badRequest(`${arn} is not a valid resource ARN`);
  const rec = getRecord<Taggable>(ctx, key);
  const r = rec?.resource;
  const own = r?.arn ?? r?.fargateProfileArn ?? r?.nodegroupArn;
  if (!rec || own !== arn) throw notFound(`Resource ${arn} was not found`);
  return { key, rec };
}

export function listTags(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const { rec } = resolve(ctx, req);
  return Promise.resolve({ body: { tags: rec.resource.tags } });
}

export async function tagResource(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const { key, rec } = resolve(ctx, req);
  const add = optStringMap(req.call.json, 'tags');
  if (!add || Object.keys(add).length === 0) throw badRequest('tags must be provided');
  const tags = { ...rec.resource.tags, ...add };
  checkTags(tags, badRequest);
  await ctx.store.update(key, withResource(rec, { ...rec.resource, tags }, rec.pending));
  return { body: {} };
}

export async function untagResource(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const { key, rec } = resolve(ctx, req);
  const remove = req.call.query.getAll('tagKeys');
  if (remove.length === 0) throw badRequest('tagKeys must be provided');
  const tags = Object.fromEntries(
    Object.entries(rec.resource.tags).filter(([k]) => !remove.includes(k)),
  );
  await ctx.store.update(key, withResource(rec, { ...rec.resource, tags }, rec.pending));
  return { body: {} };
}

import type { AwsResult } from '../types.ts';
import { createCluster, deleteCluster, describeCluster, listClusters } from './clusters.ts';
import { updateClusterConfig } from './cluster-update.ts';
import type { EksContext, EksRequest } from './context.ts';
import { notFound } from './errors.ts';
import {
  createFargateProfile,
  deleteFargateProfile,
  describeFargateProfile,
  listFargateProfiles,
} from './fargate-profiles.ts';
import { updateNodegroupConfig } from './nodegroup-update.ts';
import {
  createNodegroup,
  deleteNodegroup,
  describeNodegroup,
  listNodegroups,
} from './nodegroups.ts';
import { listTags, tagResource, untagResource } from './tags.ts';
import { describeUpdate, listUpdates } from './updates.ts';

type Handler = (ctx: EksContext, req: EksRequest) => Promise<AwsResult>;

interface Route {
  readonly method: string;
  /** Path segments; `{x}` binds one segment to parameter x. */
  readonly segments: readonly string[];
  readonly handler: Handler;
}

function route(method: string, path: string, handler: Handler): Route {
  return { method, segments: path.split('/').filter((s) => s !== ''), handler };
}

/** The EKS REST operations this service implements, as botocore's model routes them. */
const ROUTES: readonly Route[] = [
  route('POST', '/clusters', createCluster),
  route('GET', '/clusters', listClusters),
  route('GET', '/clusters/{name}', describeCluster),
  route('DELETE', '/clusters/{name}', deleteCluster),
  route('POST', '/clusters/{name}/update-config', updateClusterConfig),
  route('GET', '/clusters/{name}/updates', listUpdates),
  route('GET', '/clusters/{name}/updates/{updateId}', describeUpdate),
  route('POST', '/clusters/{name}/fargate-profiles', createFargateProfile),
  route('GET', '/clusters/{name}/fargate-profiles', listFargateProfiles),
  route('GET', '/clusters/{name}/fargate-profiles/{fargateProfileName}', describeFargateProfile),
  route('DELETE', '/clusters/{name}/fargate-profiles/{fargateProfileName}', deleteFargateProfile),
  route('POST', '/clusters/{name}/node-groups', createNodegroup),
  route('GET', '/clusters/{name}/node-groups', listNodegroups),
  route('GET', '/clusters/{name}/node-groups/{nodegroupName}', describeNodegroup),
  route('DELETE', '/clusters/{name}/node-groups/{nodegroupName}', deleteNodegroup),
  route(
    'POST',
    '/clusters/{name}/node-groups/{nodegroupName}/update-config',
    updateNodegroupConfig,
  ),
  route('GET', '/tags/{resourceArn}', listTags),
  route('POST', '/tags/{resourceArn}', tagResource),
  route('DELETE', '/tags/{resourceArn}', untagResource),
];

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Splits the raw path into decoded segments. A resource ARN whose `/` the client left
 * unencoded still forms one `{resourceArn}` segment.
 */
function segmentsOf(path: string): string[] {
  const raw = path.split('?')[0] ?? '';
  const parts = raw.split('/').filter((s) => s !== '');
  if (parts[0] === 'tags' && parts.length > 2) return ['tags', decode(parts.slice(1).join('/'))];
  return parts.map(decode);
}

function match(r: Route, segments: readonly string[]): Record<string, string> | undefined {
  if (r.segments.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, want] of r.segments.entries()) {
    const got = segments[i] ?? '';
    if (want.startsWith('{')) params[want.slice(1, -1)] = got;
    else if (want !== got) return undefined;
  }
  return params;
}

/** The handler and path parameters for a call; unknown routes are NotFoundException (404). */
export function resolveRoute(
  method: string,
  path: string,
): { handler: Handler; params: Record<string, string> } {
  const segments = segmentsOf(path);
  for (const r of ROUTES) {
    if (r.method !== method.toUpperCase()) continue;
    const params = match(r, segments);
    if (params) return { handler: r.handler, params };
  }
  throw notFound(`No EKS operation for ${method.toUpperCase()} ${path}`);
}

import type { AwsResult } from '../types.ts';
import { param, type EksContext, type EksRequest } from './context.ts';
import { invalidParameter, resourceInUse } from './errors.ts';
import { loadCluster, LOG_TYPES, normaliseLogging } from './clusters.ts';
import { optBool, optObject, optObjectList, optString, optStringList, type Body } from './input.ts';
import { eksKeys, withResource, type Cluster, type UpdateParam } from './model.ts';
import { findUpdateByToken, startUpdate } from './updates.ts';

interface UpdatePlan {
  readonly type: string;
  readonly params: UpdateParam[];
  readonly patch: Readonly<Record<string, unknown>>;
}

function loggingPlan(cluster: Cluster, logging: Body): UpdatePlan {
  const enabled = new Set(
    cluster.logging.clusterLogging.filter((s) => s.enabled).flatMap((s) => s.types),
  );
  for (const entry of optObjectList(logging, 'clusterLogging') ?? []) {
    const on = optBool(entry, 'enabled') ?? false;
    for (const t of optStringList(entry, 'types') ?? []) {
      if (!LOG_TYPES.includes(t)) throw invalidParameter(`Unknown log type: ${t}`);
      if (on) enabled.add(t);
      else enabled.delete(t);
    }
  }
  const clusterLogging = normaliseLogging(enabled);
  if (JSON.stringify(clusterLogging) === JSON.stringify(cluster.logging.clusterLogging)) {
    throw invalidParameter('No changes needed for the logging config provided');
  }
  return {
    type: 'LoggingUpdate',
    params: [{ type: 'ClusterLogging', value: JSON.stringify({ clusterLogging }) }],
    patch: { logging: { clusterLogging } },
  };
}

function endpointPlan(cluster: Cluster, vpc: Body): UpdatePlan {
  const cur = cluster.resourcesVpcConfig;
  const pub = optBool(vpc, 'endpointPublicAccess') ?? cur.endpointPublicAccess;
  const priv = optBool(vpc, 'endpointPrivateAccess') ?? cur.endpointPrivateAccess;
  const cidrs = optStringList(vpc, 'publicAccessCidrs') ?? cur.publicAccessCidrs;
  if (!pub && !priv) {
    throw invalidParameter('Private and public endpoint access cannot both be disabled');
  }
  if (
    pub === cur.endpointPublicAccess &&
    priv === cur.endpointPrivateAccess &&
    JSON.stringify(cidrs) === JSON.stringify(cur.publicAccessCidrs)
  ) {
    throw invalidParameter(
      `Cluster is already at the desired configuration with endpointPrivateAccess: ${priv} , endpointPublicAccess: ${pub}, and Public Endpoint Restrictions: [${cidrs.join(', ')}]`,
    );
  }
  return {
    type: 'EndpointAccessUpdate',
    params: [
      { type: 'EndpointPublicAccess', value: String(pub) },
      { type: 'EndpointPrivateAccess', value: String(priv) },
      { type: 'PublicAccessCidrs', value: JSON.stringify(cidrs) },
    ],
    patch: {
      resourcesVpcConfig: {
        ...cur,
        endpointPublicAccess: pub,
        endpointPrivateAccess: priv,
        publicAccessCidrs: cidrs,
      },
    },
  };
}

/** Authentication modes only move towards API: CONFIG_MAP → API_AND_CONFIG_MAP → API. */
const AUTH_MODES = ['CONFIG_MAP', 'API_AND_CONFIG_MAP', 'API'];

function accessPlan(cluster: Cluster, access: Body): UpdatePlan {
  const from = cluster.accessConfig.authenticationMode;
  const to = optString(access, 'authenticationMode') ?? from;
  if (!AUTH_MODES.includes(to)) throw invalidParameter(`Unsupported authentication mode: ${to}`);
  if (to === from) throw invalidParameter(`Cluster is already using authentication mode ${to}`);
  if (AUTH_MODES.indexOf(to) < AUTH_MODES.indexOf(from)) {
    throw invalidParameter(`Unsupported authentication mode update from ${from} to ${to}`);
  }
  return {
    type: 'AccessConfigUpdate',
    params: [{ type: 'AuthenticationMode', value: to }],
    patch: { accessConfig: { ...cluster.accessConfig, authenticationMode: to } },
  };
}

function planFor(cluster: Cluster, body: Body): UpdatePlan {
  const kinds = [
    ['logging', loggingPlan],
    ['resourcesVpcConfig', endpointPlan],
    ['accessConfig', accessPlan],
  ] as const;
  const present = kinds.flatMap(([field, plan]) => {
    const v = optObject(body, field);
    return v ? [() => plan(cluster, v)] : [];
  });
  const only = present[0];
  if (!only) throw invalidParameter('No changes provided in the update request');
  if (present.length > 1) throw invalidParameter('Only one type of update can be allowed.');
  return only();
}

export async function updateClusterConfig(ctx: EksContext, req: EksRequest): Promise<AwsResult> {
  const region = req.call.region;
  const name = param(req, 'name');
  const rec = loadCluster(ctx, region, name);
  const token = optString(req.call.json, 'clientRequestToken');
  const previous = findUpdateByToken(ctx, { region, clusterName: name, token });
  if (previous) return { body: { update: previous } };
  if (rec.resource.status !== 'ACTIVE') {
    throw resourceInUse(
      `Cluster ${name} is currently ${rec.resource.status}; wait until it is ACTIVE`,
      {
        clusterName: name,
      },
    );
  }
  const plan = planFor(rec.resource, req.call.json);
  const update = await startUpdate(ctx, {
    region,
    clusterName: name,
    ...plan,
    token,
    delay: ctx.delays.clusterUpdate,
  });
  await ctx.store.update(
    eksKeys.cluster(region, name),
    withResource(rec, { ...rec.resource, status: 'UPDATING' }, rec.pending),
  );
  return { body: { update } };
}

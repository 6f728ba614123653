import type { JsonObject } from '../api/index.ts';
import { jsonResponse, type ApiResponse } from './http-types.ts';
import type { ResourceRegistry } from './resources/registry.ts';
import type { ResourceDefinition } from './resources/types.ts';

interface SubresourceInfo {
  readonly group?: string;
  readonly version?: string;
  readonly kind?: string;
  readonly verbs: readonly string[];
}

const GET_PATCH_UPDATE = ['get', 'patch', 'update'];

/** What each subresource answers with and which verbs it takes, as kube-apiserver lists them. */
const SUBRESOURCES: Readonly<Record<string, SubresourceInfo>> = {
  status: { verbs: GET_PATCH_UPDATE },
  scale: { group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: GET_PATCH_UPDATE },
  binding: { kind: 'Binding', verbs: ['create'] },
  eviction: { group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] },
  log: { verbs: ['get'] },
  exec: { kind: 'PodExecOptions', verbs: ['create', 'get'] },
  attach: { kind: 'PodAttachOptions', verbs: ['create', 'get'] },
  portforward: { kind: 'PodPortForwardOptions', verbs: ['create', 'get'] },
  proxy: { kind: 'PodProxyOptions', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  ephemeralcontainers: { verbs: GET_PATCH_UPDATE },
  resize: { verbs: GET_PATCH_UPDATE },
  finalize: { verbs: ['update'] },
  token: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] },
};

function subKind(
  def: ResourceDefinition,
  sub: string,
): { group: string; version: string; kind: string } {
  const info = SUBRESOURCES[sub];
  const kind =
    def.resource === 'nodes' && sub === 'proxy'
      ? 'NodeProxyOptions'
      : def.resource === 'services' && sub === 'proxy'
        ? 'ServiceProxyOptions'
        : (info?.kind ?? def.kind);
  return { group: info?.group ?? def.group, version: info?.version ?? def.version, kind };
}

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.4-kiln',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-11-01T00:00:00Z',
  goVersion: 'go1.23.8',
  compiler: 'gc',
  platform: 'linux/amd64',
} as const;

function resourceListEntries(defs: readonly ResourceDefinition[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const d of defs) {
    out.push({
      name: d.resource,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: [...d.verbs],
      ...(d.shortNames.length > 0 ? { shortNames: [...d.shortNames] } : {}),
      ...(d.categories.length > 0 ? { categories: [...d.categories] } : {}),
    });
    for (const sub of d.subresources) {
      const k = subKind(d, sub);
      out.push({
        name: `${d.resource}/${sub}`,
        singularName: '',
        namespaced: d.namespaced,
        // Another group-version's kind (policy/v1 Eviction) names both, as kube-apiserver does;
        // kubectl drain looks for them to decide it can evict.
        ...(k.group === d.group && k.version === d.version
          ? {}
          : { group: k.group, version: k.version }),
        kind: k.kind,
        verbs: [...(SUBRESOURCES[sub]?.verbs ?? ['get'])],
      });
    }
  }
  return out;
}

export function apiResourceList(
  registry: ResourceRegistry,
  group: string,
  version: string,
): JsonObject | undefined {
  const defs = registry.forGroupVersion(group, version);
  if (defs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: resourceListEntries(defs),
  };
}

function groupEntry(group: string, versions: readonly string[]): JsonObject {
  const vs = versions.map((v) => ({ groupVersion: `${group}/${v}`, version: v }));
  return { name: group, versions: vs, preferredVersion: vs[0] ?? null };
}

export function apiGroup(registry: ResourceRegistry, group: string): JsonObject | undefined {
  const versions = registry.groups().get(group);
  if (!versions || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, versions) };
}

function discoveryResource(d: ResourceDefinition): JsonObject {
  return {
    resource: d.resource,
    responseKind: { group: d.group, version: d.version, kind: d.kind },
    scope: d.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: d.singular,
    verbs: [...d.verbs],
    ...(d.shortNames.length > 0 ? { shortNames: [...d.shortNames] } : {}),
    ...(d.categories.length > 0 ? { categories: [...d.categories] } : {}),
    ...(d.subresources.length > 0
      ? {
          subresources: d.subresources.map((sub) => ({
            subresource: sub,
            responseKind: subKind(d, sub),
            verbs: [...(SUBRESOURCES[sub]?.verbs ?? ['get'])],
          })),
        }
      : {}),
  };
}

function aggregated(registry: ResourceRegistry, legacy: boolean, apiVersion: string): JsonObject {
  const items: JsonObject[] = [];
  for (const [group, versions] of registry.groups()) {
    if ((group === '') !== legacy) continue;
    items.push({
      metadata: legacy ? {} : { name: group },
      versions: versions.map((v) => ({
        version: v,
        resources: registry.forGroupVersion(group, v).map(discoveryResource),
        freshness: 'Current',
      })),
    });
  }
  return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items };
}

/** The aggregated discovery version the client accepts, if any (v2 preferred). */
function aggregatedVersion(accept: string | undefined): string | undefined {
  if (accept === undefined) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s/g, '');
    if (!p.includes('g=apidiscovery.k8s.io') || !p.includes('as=APIGroupDiscoveryList')) continue;
    if (p.includes('v=v2beta1')) return 'v2beta1';
    if (p.includes('v=v2')) return 'v2';
  }
  return undefined;
}

export function discoveryRoot(
  registry: ResourceRegistry,
  a: { legacy: boolean; accept: string | undefined },
): ApiResponse {
  const v = aggregatedVersion(a.accept);
  if (v !== undefined) {
    return jsonResponse(200, aggregated(registry, a.legacy, `apidiscovery.k8s.io/${v}`), {
      'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${v};as=APIGroupDiscoveryList`,
      Vary: 'Accept',
    });
  }
  if (a.legacy) {
    return jsonResponse(200, {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1:6443' }],
    });
  }
  const groups: JsonObject[] = [];
  for (const [group, versions] of registry.groups())
    if (group !== '') groups.push(groupEntry(group, versions));
  return jsonResponse(200, { kind: 'APIGroupList', apiVersion: 'v1', groups });
}

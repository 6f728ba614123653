import type { KubeClient } from './client.ts';

export interface DiscoveredResource {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced: boolean;
  readonly verbs: readonly string[];
}

interface ResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[];
}

interface GroupList {
  groups: { name: string; preferredVersion?: { version: string } | null }[];
}

/** Every top-level resource the server serves (preferred versions), from legacy discovery. */
export async function discoverResources(client: KubeClient): Promise<DiscoveredResource[]> {
  const lists: { group: string; list: ResourceList }[] = [
    { group: '', list: await client.raw<ResourceList>('/api/v1') },
  ];
  const groups = await client.raw<GroupList>('/apis');
  for (const g of groups.groups) {
    const v = g.preferredVersion?.version;
    if (v === undefined) continue;
    lists.push({ group: g.name, list: await client.raw<ResourceList>(`/apis/${g.name}/${v}`) });
  }
  const out: DiscoveredResource[] = [];
  for (const { group, list } of lists) {
    const version = list.groupVersion.includes('/')
      ? (list.groupVersion.split('/')[1] ?? '')
      : list.groupVersion;
    for (const r of list.resources) {
      if (r.name.includes('/')) continue;
      out.push({
        group,
        version,
        resource: r.name,
        kind: r.kind,
        namespaced: r.namespaced,
        verbs: r.verbs,
      });
    }
  }
  return out;
}

export function collectionPath(
  r: Pick<DiscoveredResource, 'group' | 'version' | 'resource'>,
  namespace = '',
): string {
  const base = r.group === '' ? `/api/${r.version}` : `/apis/${r.group}/${r.version}`;
  return namespace === ''
    ? `${base}/${r.resource}`
    : `${base}/namespaces/${namespace}/${r.resource}`;
}

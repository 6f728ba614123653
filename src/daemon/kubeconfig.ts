import { stringify } from 'yaml';

export interface KubeconfigInput {
  readonly server: string;
  readonly caPem: string;
  readonly token: string;
  readonly name: string;
}

/** A kubeconfig with one cluster, one token user and one current context. */
export function buildKubeconfig(k: KubeconfigInput): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: k.name,
        cluster: {
          server: k.server,
          'certificate-authority-data': Buffer.from(k.caPem).toString('base64'),
        },
      },
    ],
    users: [{ name: `${k.name}-admin`, user: { token: k.token } }],
    contexts: [{ name: k.name, context: { cluster: k.name, user: `${k.name}-admin` } }],
    'current-context': k.name,
    preferences: {},
  });
}

interface Named {
  name: string;
}

interface Config {
  clusters?: Named[];
  users?: Named[];
  contexts?: Named[];
  'current-context'?: string;
  [k: string]: unknown;
}

function upsert(list: Named[] | undefined, items: Named[] | undefined): Named[] {
  const out = [...(list ?? [])];
  for (const item of items ?? []) {
    const i = out.findIndex((x) => x.name === item.name);
    if (i >= 0) out[i] = item;
    else out.push(item);
  }
  return out;
}

/** Merges `addition` into `existing` (both kubeconfig documents), as `kubectl config` would. */
export function mergeKubeconfig(existing: Config | undefined, addition: Config): Config {
  const base: Config = existing ?? { apiVersion: 'v1', kind: 'Config', preferences: {} };
  return {
    ...base,
    clusters: upsert(base.clusters, addition.clusters),
    users: upsert(base.users, addition.users),
    contexts: upsert(base.contexts, addition.contexts),
    'current-context': addition['current-context'] ?? base['current-context'] ?? '',
  };
}

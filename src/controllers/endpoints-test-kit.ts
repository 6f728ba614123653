import type { JsonObject, KubeObject } from '../api/index.ts';
import type { KubeClient } from '../client/index.ts';

/** Pods and Services for the endpoints controllers' tests, written as a kubelet would. */

export interface TestPod {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly ip?: string;
  readonly ready?: boolean;
  readonly node?: string;
  readonly ports?: JsonObject[];
  readonly readySince?: string;
}

export async function createPod(client: KubeClient, p: TestPod): Promise<KubeObject> {
  const base = '/api/v1/namespaces/default/pods';
  await client.create(base, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: p.name, labels: p.labels },
    spec: {
      ...(p.node === undefined ? {} : { nodeName: p.node }),
      containers: [{ name: 'c', image: 'nginx', ports: p.ports ?? [] }],
    },
  });
  return setPodStatus(client, p);
}

export function setPodStatus(client: KubeClient, p: TestPod): Promise<KubeObject> {
  return client.patch(`/api/v1/namespaces/default/pods/${p.name}/status`, {
    status: {
      phase: 'Running',
      ...(p.ip === undefined ? {} : { podIP: p.ip, podIPs: [{ ip: p.ip }] }),
      conditions: [
        {
          type: 'Ready',
          status: p.ready === false ? 'False' : 'True',
          lastTransitionTime: p.readySince ?? '2026-01-01T00:00:10Z',
        },
      ],
    },
  });
}

export function service(name: string, spec: JsonObject): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec };
}

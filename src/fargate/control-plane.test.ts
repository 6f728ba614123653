import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject } from '../api/index.ts';
import { agentNodeLauncher, NodeAgent } from '../agent/index.ts';
import { realSleep } from '../client/index.ts';
import { Cluster } from '../daemon/index.ts';
import { createCa, issueCertificate } from '../daemon/pki.ts';
import { TimerScheduler } from '../runtime/index.ts';
import { SimRuntime } from '../runtime/sim/index.ts';
import { sequentialIds, systemClock } from '../util/index.ts';
import { FargateControlPlane } from './control-plane.ts';
import { InMemoryProfileSource, SubnetIpSource } from './profile-source.ts';
import type { FargateProfile } from './types.ts';
import { FARGATE_WEBHOOK_NAME } from './webhook.ts';
import { startCluster } from '../../test/support/controller-kit.ts';

type Json = Record<string, unknown>;

const profile: FargateProfile = {
  fargateProfileName: 'skills-fargates',
  fargateProfileArn: 'arn:aws:eks:ap-northeast-2:000000000000:fargateprofile/c/skills-fargates/x',
  clusterName: 'c',
  createdAt: 0,
  podExecutionRoleArn: 'arn:aws:iam::000000000000:role/FargateRole',
  subnets: ['subnet-a', 'subnet-b'],
  selectors: [{ namespace: 'fg', labels: { node: 'fargate' } }],
  status: 'ACTIVE',
  tags: {},
};

interface Env {
  readonly cluster: Cluster;
  stop(): Promise<void>;
}

async function start(): Promise<Env> {
  const cluster = await startCluster();
  await cluster.client.create('/api/v1/namespaces', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'fg' },
  });
  const ca = await createCa({ commonName: 'test-ca', clock: systemClock });
  const leaf = await issueCertificate({
    ca,
    commonName: 'fargate-webhook',
    ipAddresses: ['127.0.0.1'],
    usage: 'server',
    clock: systemClock,
  });
  const agent = new NodeAgent({
    client: cluster.client,
    clock: systemClock,
    sleep: realSleep,
    runtime: new SimRuntime({ scheduler: new TimerScheduler(systemClock) }),
    nodes: [],
  });
  const plane = new FargateControlPlane({
    client: cluster.client,
    clock: systemClock,
    sleep: realSleep,
    ids: sequentialIds(),
    region: 'ap-northeast-2',
    profiles: new InMemoryProfileSource([profile]),
    ips: new SubnetIpSource([
      { id: 'subnet-a', cidr: '192.168.96.0/19', zone: 'ap-northeast-2a' },
      { id: 'subnet-b', cidr: '192.168.128.0/19', zone: 'ap-northeast-2b' },
    ]),
    launcher: agentNodeLauncher(agent),
    tls: { cert: leaf.cert, key: leaf.key, caPem: ca.cert },
  });
  const ac = new AbortController();
  const running = Promise.all([agent.run(ac.signal), plane.run(ac.signal)]);
  await eventually(async () => {
    const list = await cluster.client.list(
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
    );
    return list.items.some((c) => c.metadata.name === FARGATE_WEBHOOK_NAME) ? true : undefined;
  });
  return {
    cluster,
    stop: async () => {
      ac.abort();
      await running;
      cluster.close();
    },
  };
}

async function eventually<T>(probe: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (e: unknown) {
      last = e;
    }
    if (Date.now() > end) throw new Error('condition not met', { cause: last });
    await new Promise((r) => setTimeout(r, 20));
  }
}

function podObject(name: string, extra: { labels?: Json; container?: Json } = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { node: 'fargate', ...extra.labels } },
    spec: {
      containers: [
        {
          name: 'nginx',
          image: 'nginx',
          resources: {
            requests: { cpu: '500m', memory: '512Mi' },
            limits: { cpu: '500m', memory: '512Mi' },
          },
          ...extra.container,
        },
      ],
    },
  };
}

const field = (o: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Json)[k] : undefined),
    o,
  );

async function eventsFor(env: Env, pod: string): Promise<KubeObject[]> {
  const list = await env.cluster.client.list('/api/v1/namespaces/fg/events');
  return list.items.filter((e) => field(e, 'involvedObject', 'name') === pod);
}

describe('Fargate control plane (webhook, fargate-scheduler, node agent)', () => {
  let env: Env;
  before(async () => {
    env = await start();
  });
  after(async () => {
    await env.stop();
  });

  it('mutates a matching pod, launches its node and runs it with the node IP', async () => {
    const c = env.cluster.client;
    const created = await c.create('/api/v1/namespaces/fg/pods', podObject('web'));
    assert.equal(field(created, 'spec', 'schedulerName'), 'fargate-scheduler');
    assert.equal(created.metadata.labels?.['eks.amazonaws.com/fargate-profile'], 'skills-fargates');
    assert.equal(field(created, 'spec', 'priorityClassName'), 'system-node-critical');
    const running = await eventually(async () => {
      const p = await c.get('/api/v1/namespaces/fg/pods/web');
      return field(p, 'status', 'phase') === 'Running' ? p : undefined;
    });
    const nodeName = field(running, 'spec', 'nodeName');
    assert.equal(typeof nodeName, 'string');
    const podIp = field(running, 'status', 'podIP');
    assert.equal(
      nodeName,
      `fargate-ip-${String(podIp).replaceAll('.', '-')}.ap-northeast-2.compute.internal`,
    );
    assert.equal(running.metadata.annotations?.['CapacityProvisioned'], '0.5vCPU 1GB');
    assert.equal(
      running.metadata.annotations['Logging'],
      'LoggingDisabled: LOGGING_CONFIGMAP_NOT_FOUND',
    );
    const node = await c.get(`/api/v1/nodes/${nodeName}`);
    const addresses = field(node, 'status', 'addresses') as Json[];
    assert.deepEqual(addresses[0], { type: 'InternalIP', address: podIp });
    assert.equal(field(running, 'status', 'hostIP'), podIp);
    assert.equal(node.metadata.labels?.['eks.amazonaws.com/compute-type'], 'fargate');
    assert.equal(node.metadata.labels['topology.kubernetes.io/region'], 'ap-northeast-2');
    assert.match(
      node.metadata.labels['failure-domain.beta.kubernetes.io/zone'] ?? '',
      /^ap-northeast-2[ab]$/,
    );
    assert.deepEqual(field(node, 'spec', 'taints'), [
      { key: 'eks.amazonaws.com/compute-type', value: 'fargate', effect: 'NoSchedule' },
    ]);
    assert.equal(field(node, 'spec', 'podCIDR'), undefined);
    assert.match(
      String(field(node, 'status', 'nodeInfo', 'kubeletVersion')),
      /^v1\.32\.\d+-eks-[0-9a-f]+$/,
    );
    const events = await eventually(async () => {
      const evs = await eventsFor(env, 'web');
      return evs.some((e) => e['reason'] === 'Scheduled') ? evs : undefined;
    });
    const scheduled = events.find((e) => e['reason'] === 'Scheduled');
    assert.equal(scheduled?.['message'], `Successfully assigned fg/web to ${nodeName}`);
    assert.equal(field(scheduled, 'source', 'component'), 'fargate-scheduler');
    const logging = events.find((e) => e['reason'] === 'LoggingDisabled');
    assert.equal(logging?.['type'], 'Warning');
    assert.equal(
      logging['message'],
      'Disabled logging because aws-logging configmap was not found. configmap "aws-logging" not found',
    );

    await c.delete('/api/v1/namespaces/fg/pods/web');
    await eventually(async () => {
      const nodes = await c.list('/api/v1/nodes');
      return nodes.items.some((n) => n.metadata.name === nodeName) ? undefined : true;
    });
    const leases = await c.list('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases');
    assert.ok(!leases.items.some((l) => l.metadata.name === nodeName));
  });

  it("leaves an unsupported pod Pending with EKS's FailedScheduling event", async () => {
    const c = env.cluster.client;
    await c.create(
      '/api/v1/namespaces/fg/pods',
      podObject('priv', { container: { securityContext: { privileged: true } } }),
    );
    const ev = await eventually(async () =>
      (await eventsFor(env, 'priv')).find((e) => e['reason'] === 'FailedScheduling'),
    );
    assert.equal(ev['type'], 'Warning');
    assert.equal(
      ev['message'],
      'Pod not supported on Fargate: invalid SecurityContext fields: Privileged',
    );
    assert.equal(field(ev, 'source', 'component'), 'fargate-scheduler');
    const pod = await c.get('/api/v1/namespaces/fg/pods/priv');
    assert.equal(field(pod, 'spec', 'nodeName'), undefined);
  });

  it('leaves pods no profile selects to the default scheduler', async () => {
    const created = await env.cluster.client.create(
      '/api/v1/namespaces/fg/pods',
      podObject('ec2', { labels: { node: 'ec2' } }),
    );
    assert.equal(field(created, 'spec', 'schedulerName'), 'default-scheduler');
    assert.equal(created.metadata.labels?.['eks.amazonaws.com/fargate-profile'], undefined);
  });
});

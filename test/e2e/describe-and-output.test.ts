import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertGolden } from './golden.ts';
import { startCluster, type TestCluster } from './harness.ts';

const NODE = {
  apiVersion: 'v1',
  kind: 'Node',
  metadata: {
    name: 'ip-10-0-1-10.ec2.internal',
    labels: { 'kubernetes.io/hostname': 'ip-10-0-1-10', 'node-role.kubernetes.io/worker': '' },
  },
  spec: {},
  status: {
    capacity: { cpu: '2', memory: '8Gi', pods: '110' },
    allocatable: { cpu: '1930m', memory: '7Gi', pods: '110' },
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: '2026-01-01T00:00:00Z',
        lastTransitionTime: '2026-01-01T00:00:00Z',
      },
    ],
    addresses: [
      { type: 'InternalIP', address: '10.0.1.10' },
      { type: 'Hostname', address: 'ip-10-0-1-10.ec2.internal' },
    ],
    nodeInfo: {
      kubeletVersion: 'v1.32.4',
      osImage: 'Amazon Linux 2023',
      kernelVersion: '6.1.0',
      containerRuntimeVersion: 'containerd://1.7.0',
      architecture: 'amd64',
      operatingSystem: 'linux',
      machineID: '',
      systemUUID: '',
      bootID: '',
      kubeProxyVersion: '',
    },
  },
};

const DEPLOY = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop' },
  spec: {
    replicas: 0,
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }],
      },
    },
  },
};

const POD = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name: 'web-1',
    namespace: 'shop',
    labels: { app: 'web' },
    finalizers: ['kiln.dev/test-hold'],
  },
  spec: {
    nodeName: 'ip-10-0-1-10.ec2.internal',
    terminationGracePeriodSeconds: 5,
    containers: [
      {
        name: 'nginx',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80 }],
        resources: { requests: { cpu: '500m', memory: '512Mi' } },
      },
    ],
  },
};

for (const version of ['1.32', '1.33'] as const) {
  describe(`describe and printed output (kubectl ${version})`, () => {
    let c: TestCluster;
    before(async () => {
      c = await startCluster();
      for (const [path, obj] of [
        ['/api/v1/namespaces', { metadata: { name: 'shop' } }],
        ['/api/v1/nodes', NODE],
        ['/apis/apps/v1/namespaces/shop/deployments', DEPLOY],
        ['/api/v1/namespaces/shop/pods', POD],
        [
          '/api/v1/namespaces/shop/services',
          {
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 'web', namespace: 'shop' },
            spec: {
              selector: { app: 'web' },
              ports: [{ port: 80, targetPort: 80 }],
              clusterIP: '10.100.0.10',
              clusterIPs: ['10.100.0.10'],
            },
          },
        ],
      ] as const) {
        const r = await fetchJson(c, 'POST', path, obj);
        assert.equal(r.status, 201, JSON.stringify(r.body));
      }
      const pod = (await fetchJson(c, 'GET', '/api/v1/namespaces/shop/pods/web-1')).body as {
        metadata: { uid: string; resourceVersion: string };
      };
      const status = {
        phase: 'Running',
        podIP: '10.0.1.23',
        podIPs: [{ ip: '10.0.1.23' }],
        hostIP: '10.0.1.10',
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            lastTransitionTime: '2026-01-01T00:00:00Z',
            lastProbeTime: null,
          },
        ],
        containerStatuses: [
          {
            name: 'nginx',
            ready: true,
            restartCount: 0,
            image: 'nginx:1.27',
            imageID: '',
            started: true,
            state: { running: { startedAt: '2026-01-01T00:00:00Z' } },
          },
        ],
      };
      assert.equal(
        (
          await fetchJson(
            c,
            'PATCH',
            '/api/v1/namespaces/shop/pods/web-1/status',
            { status },
            'application/merge-patch+json',
          )
        ).status,
        200,
      );
      const ev = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'web-1.1', namespace: 'shop' },
        involvedObject: {
          kind: 'Pod',
          namespace: 'shop',
          name: 'web-1',
          uid: pod.metadata.uid,
          apiVersion: 'v1',
        },
        reason: 'Scheduled',
        message: 'Successfully assigned shop/web-1 to ip-10-0-1-10.ec2.internal',
        type: 'Normal',
        source: { component: 'default-scheduler' },
        count: 1,
        firstTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        lastTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        reportingComponent: 'default-scheduler',
        reportingInstance: '',
      };
      assert.equal((await fetchJson(c, 'POST', '/api/v1/namespaces/shop/events', ev)).status, 201);
    });
    after(async () => {
      await c.stop();
    });

    it('prints pods, nodes, deployments, services and events as kube-apiserver does', async () => {
      for (const [name, args] of [
        ['get-pods-wide.txt', ['get', 'pods', '-n', 'shop', '-o', 'wide']],
        ['get-pod-yaml.txt', ['get', 'pod', 'web-1', '-n', 'shop', '-o', 'yaml']],
        ['get-nodes-wide.txt', ['get', 'nodes', '-o', 'wide']],
        ['get-deploy-wide.txt', ['get', 'deploy', '-n', 'shop', '-o', 'wide']],
        ['get-svc.txt', ['get', 'svc', '-n', 'shop']],
        ['get-events.txt', ['get', 'events', '-n', 'shop']],
        ['get-ns.txt', ['get', 'ns']],
      ] as const) {
        const r = await c.kubectl(version, args);
        assert.equal(r.code, 0, r.stderr);
        assertGolden(`${version}/${name}`, r.stdout);
      }
    });

    it('describes a pod, a deployment, a node and a namespace with their events', async () => {
      const pod = await c.kubectl(version, ['describe', 'pod', 'web-1', '-n', 'shop']);
      assert.equal(pod.code, 0, pod.stderr);
      assert.match(pod.stdout, /^Name:\s+web-1$/m);
      assert.match(pod.stdout, /^Node:\s+ip-10-0-1-10\.ec2\.internal\/10\.0\.1\.10$/m);
      assert.match(pod.stdout, /^IP:\s+10\.0\.1\.23$/m);
      assert.match(
        pod.stdout,
        /Normal\s+Scheduled\s+\S+\s+default-scheduler\s+Successfully assigned shop\/web-1 to ip-10-0-1-10\.ec2\.internal/,
      );
      assertGolden(`${version}/describe-pod.txt`, pod.stdout);
      const deploy = await c.kubectl(version, ['describe', 'deployment', 'web', '-n', 'shop']);
      assert.equal(deploy.code, 0, deploy.stderr);
      assert.match(
        deploy.stdout,
        /^Replicas:\s+0 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m,
      );
      assert.match(deploy.stdout, /^StrategyType:\s+RollingUpdate$/m);
      assert.match(deploy.stdout, /^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
      const node = await c.kubectl(version, ['describe', 'node', 'ip-10-0-1-10.ec2.internal']);
      assert.equal(node.code, 0, node.stderr);
      assert.match(node.stdout, /shop\s+web-1\s+500m \(25%\)\s+0 \(0%\)\s+512Mi \(7%\)\s+0 \(0%\)/);
      const ns = await c.kubectl(version, ['describe', 'namespace', 'shop']);
      assert.equal(ns.code, 0, ns.stderr);
      assert.match(ns.stdout, /^Status:\s+Active$/m);
    });

    it('deletes a pod with a grace period and kubectl waits until it is gone', async () => {
      const del = c.kubectl(version, [
        'delete',
        'pod',
        'web-1',
        '-n',
        'shop',
        '--grace-period=5',
        '--timeout=60s',
      ]);
      await new Promise((r) => setTimeout(r, 1500));
      const during = await c.kubectl(version, ['get', 'pod', 'web-1', '-n', 'shop']);
      assert.match(during.stdout, /web-1\s+1\/1\s+Terminating/);
      const pod = (await fetchJson(c, 'GET', '/api/v1/namespaces/shop/pods/web-1')).body as {
        metadata: { deletionGracePeriodSeconds: number; deletionTimestamp: string };
      };
      assert.equal(pod.metadata.deletionGracePeriodSeconds, 5);
      // The kubelet's part: release the pod once its containers stopped.
      const released = await fetchJson(
        c,
        'PATCH',
        '/api/v1/namespaces/shop/pods/web-1',
        { metadata: { finalizers: null } },
        'application/merge-patch+json',
      );
      assert.equal(released.status, 200, JSON.stringify(released.body));
      const gone = await fetchJson(c, 'DELETE', '/api/v1/namespaces/shop/pods/web-1', {
        gracePeriodSeconds: 0,
      });
      assert.equal(gone.status, 200, JSON.stringify(gone.body));
      const r = await del;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'pod "web-1" deleted');
    });
  });
}

async function fetchJson(
  c: TestCluster,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<{ status: number; body: unknown }> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${c.url}${path}`,
      {
        method,
        ca: c.caPem,
        headers: {
          Authorization: `Bearer ${c.token}`,
          ...(data === undefined
            ? {}
            : { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(data) }),
        },
      },
      (res) => {
        let out = '';
        res.on('data', (d: Buffer) => (out += d.toString()));
        res.on('end', () => {
          resolve({
            status: res.statusCode ?? 0,
            body: out === '' ? out : (JSON.parse(out) as unknown),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

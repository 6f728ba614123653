import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startCluster, type TestCluster } from './harness.ts';

describe('kube-system as on EKS (kubectl 1.32)', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ workerNodes: 2, eksAddons: true });
  });
  after(async () => {
    await c.stop();
  });

  it('runs CoreDNS (2 replicas) behind kube-dns, and kube-proxy and aws-node on every node', async () => {
    for (const target of ['deploy/coredns', 'ds/kube-proxy', 'ds/aws-node']) {
      const r = await c.kubectl('1.32', [
        'rollout',
        'status',
        '-n',
        'kube-system',
        target,
        '--timeout=60s',
      ]);
      assert.equal(r.code, 0, `${target}: ${r.stderr}`);
    }
    const ds = await c.kubectl('1.32', ['get', 'ds', '-n', 'kube-system', '--no-headers']);
    assert.match(ds.stdout, /^aws-node\s+2\s+2\s+2\s+2\s+2\s/m);
    assert.match(ds.stdout, /^kube-proxy\s+2\s+2\s+2\s+2\s+2\s/m);
    const svc = await c.kubectl('1.32', [
      'get',
      'svc',
      '-n',
      'kube-system',
      'kube-dns',
      '--no-headers',
    ]);
    assert.match(
      svc.stdout,
      /^kube-dns\s+ClusterIP\s+10\.100\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP\s/,
    );
    await eventually('kube-dns endpoints', async () => {
      const ep = await c.kubectl('1.32', [
        'get',
        'endpoints',
        '-n',
        'kube-system',
        'kube-dns',
        '--no-headers',
      ]);
      return /^kube-dns\s+\S+:53,\S+:53,\S+:53 \+ 3 more\.\.\./.test(ep.stdout);
    });
    // kube-proxy runs in the host network: its pod IP is its node's.
    const proxy = await c.kubectl('1.32', [
      'get',
      'pods',
      '-n',
      'kube-system',
      '-l',
      'k8s-app=kube-proxy',
      '-o',
      'jsonpath={range .items[*]}{.status.podIP}={.status.hostIP}{"\\n"}{end}',
    ]);
    for (const line of proxy.stdout.trim().split('\n')) {
      const [pod, host] = line.split('=');
      assert.equal(pod, host);
    }
  });
});

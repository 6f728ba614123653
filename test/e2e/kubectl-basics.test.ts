import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { eventually, startCluster, type TestCluster } from './harness.ts';

const DEPLOYMENT = (image: string, replicas = 1): string => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: demo
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 500m
            memory: 512Mi
`;

for (const version of ['1.32', '1.33'] as const) {
  describe(`kubectl ${version} against kiln`, () => {
    let c: TestCluster;
    before(async () => {
      c = await startCluster();
    });
    after(async () => {
      await c.stop();
    });

    it('creates a namespace (protobuf body) and answers a repeat with AlreadyExists', async () => {
      const r = await c.kubectl(version, ['create', 'namespace', 'demo']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'namespace/demo created');
      const again = await c.kubectl(version, ['create', 'namespace', 'demo']);
      assert.notEqual(again.code, 0);
      assert.match(
        again.stderr,
        /Error from server \(AlreadyExists\): namespaces "demo" already exists/,
      );
    });

    it('applies a deployment, re-applies a change and keeps the container ports', async () => {
      const r1 = await c.kubectl(version, ['apply', '-f', '-'], {
        stdin: DEPLOYMENT('nginx:1.25'),
      });
      assert.equal(r1.code, 0, r1.stderr);
      assert.equal(r1.stdout.trim(), 'deployment.apps/web created');
      const r2 = await c.kubectl(version, ['apply', '-f', '-'], {
        stdin: DEPLOYMENT('nginx:1.27', 3),
      });
      assert.equal(r2.code, 0, r2.stderr);
      assert.equal(r2.stdout.trim(), 'deployment.apps/web configured');
      const got = await c.kubectl(version, [
        'get',
        'deployment',
        'web',
        '-n',
        'demo',
        '-o',
        'json',
      ]);
      assert.equal(got.code, 0, got.stderr);
      const d = JSON.parse(got.stdout) as {
        spec: {
          replicas: number;
          template: { spec: { containers: { image: string; ports?: unknown[] }[] } };
        };
        metadata: { generation: number };
      };
      assert.equal(d.spec.replicas, 3);
      const [container] = d.spec.template.spec.containers;
      assert.ok(container);
      assert.equal(container.image, 'nginx:1.27');
      assert.deepEqual(container.ports, [{ containerPort: 80, protocol: 'TCP' }]);
      assert.equal(d.metadata.generation, 2);
    });

    it('prints tables, wide output, names, jsonpath and custom columns', async () => {
      const t = await c.kubectl(version, ['get', 'deploy', '-n', 'demo']);
      assert.equal(t.code, 0, t.stderr);
      assert.match(t.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
      // No worker nodes here: the controllers create the pods, none becomes ready.
      assert.match(t.stdout, /\nweb\s+0\/3\s+\d+\s+0\s+\d+s\n/);
      const wide = await c.kubectl(version, ['get', 'deploy', '-n', 'demo', '-o', 'wide']);
      assert.match(wide.stdout, /CONTAINERS\s+IMAGES\s+SELECTOR/);
      assert.match(wide.stdout, /nginx\s+nginx:1\.27\s+app=web/);
      const names = await c.kubectl(version, ['get', 'ns', '-o', 'name']);
      assert.match(names.stdout, /namespace\/demo\n/);
      assert.match(names.stdout, /namespace\/kube-system\n/);
      const jp = await c.kubectl(version, [
        'get',
        'deploy',
        'web',
        '-n',
        'demo',
        '-o',
        'jsonpath={.spec.template.spec.containers[0].image}',
      ]);
      assert.equal(jp.stdout, 'nginx:1.27');
      const cc = await c.kubectl(version, [
        'get',
        'deploy',
        '-n',
        'demo',
        '-o',
        'custom-columns=NAME:.metadata.name,REPLICAS:.spec.replicas',
      ]);
      assert.match(cc.stdout, /NAME\s+REPLICAS\nweb\s+3\n/);
      const all = await c.kubectl(version, ['get', 'ns', '--show-labels']);
      assert.match(all.stdout, /demo\s+Active\s+\S+\s+kubernetes\.io\/metadata\.name=demo/);
      const allNs = await c.kubectl(version, ['get', 'deploy', '-A']);
      assert.match(allNs.stdout, /NAMESPACE\s+NAME\s+READY/);
      assert.match(allNs.stdout, /\ndemo\s+web\s+0\/3\s/);
    });

    it('scales, labels, annotates and patches', async () => {
      const s = await c.kubectl(version, [
        'scale',
        '--replicas=10',
        'deployment/web',
        '-n',
        'demo',
      ]);
      assert.equal(s.code, 0, s.stderr);
      assert.equal(s.stdout.trim(), 'deployment.apps/web scaled');
      const l = await c.kubectl(version, [
        'label',
        'deployment',
        'web',
        '-n',
        'demo',
        'tier=frontend',
      ]);
      assert.equal(l.stdout.trim(), 'deployment.apps/web labeled');
      const a = await c.kubectl(version, [
        'annotate',
        'deployment',
        'web',
        '-n',
        'demo',
        'owner=team-a',
      ]);
      assert.equal(a.stdout.trim(), 'deployment.apps/web annotated');
      const sel = await c.kubectl(version, [
        'get',
        'deploy',
        '-n',
        'demo',
        '-l',
        'tier in (frontend)',
        '-o',
        'name',
      ]);
      assert.equal(sel.stdout.trim(), 'deployment.apps/web');
      const smp = await c.kubectl(version, [
        'patch',
        'deployment',
        'web',
        '-n',
        'demo',
        '--type',
        'strategic',
        '-p',
        '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.28"}]}}}}',
      ]);
      assert.equal(smp.code, 0, smp.stderr);
      const merge = await c.kubectl(version, [
        'patch',
        'deployment',
        'web',
        '-n',
        'demo',
        '--type',
        'merge',
        '-p',
        '{"metadata":{"labels":{"patched":"yes"}}}',
      ]);
      assert.equal(merge.code, 0, merge.stderr);
      const json = await c.kubectl(version, [
        'patch',
        'deployment',
        'web',
        '-n',
        'demo',
        '--type',
        'json',
        '-p',
        '[{"op":"replace","path":"/spec/replicas","value":4}]',
      ]);
      assert.equal(json.code, 0, json.stderr);
      const got = JSON.parse(
        (await c.kubectl(version, ['get', 'deploy', 'web', '-n', 'demo', '-o', 'json'])).stdout,
      ) as {
        spec: {
          replicas: number;
          template: { spec: { containers: { image: string; ports: unknown[] }[] } };
        };
        metadata: { labels: Record<string, string>; annotations: Record<string, string> };
      };
      assert.equal(got.spec.replicas, 4);
      const [container] = got.spec.template.spec.containers;
      assert.ok(container);
      assert.equal(container.image, 'nginx:1.28');
      assert.equal(container.ports.length, 1);
      assert.equal(got.metadata.labels['tier'], 'frontend');
      assert.equal(got.metadata.labels['patched'], 'yes');
      assert.equal(got.metadata.annotations['owner'], 'team-a');
    });

    it('creates a deployment, configmap and secret with protobuf bodies', async () => {
      for (const args of [
        [
          'create',
          'deployment',
          'pb',
          '-n',
          'demo',
          '--image=nginx:1.27',
          '--replicas=2',
          '--port=80',
        ],
        ['create', 'configmap', 'cfg', '-n', 'demo', '--from-literal=a=b'],
        ['create', 'secret', 'generic', 'sec', '-n', 'demo', '--from-literal=k=v'],
      ]) {
        const r = await c.kubectl(version, args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      }
      const cm = JSON.parse(
        (await c.kubectl(version, ['get', 'cm', 'cfg', '-n', 'demo', '-o', 'json'])).stdout,
      ) as { data: Record<string, string> };
      assert.deepEqual(cm.data, { a: 'b' });
      const sec = JSON.parse(
        (await c.kubectl(version, ['get', 'secret', 'sec', '-n', 'demo', '-o', 'json'])).stdout,
      ) as { data: Record<string, string>; type: string };
      assert.deepEqual(sec.data, { k: Buffer.from('v').toString('base64') });
      assert.equal(sec.type, 'Opaque');
      const d = JSON.parse(
        (await c.kubectl(version, ['get', 'deploy', 'pb', '-n', 'demo', '-o', 'json'])).stdout,
      ) as { spec: { replicas: number } };
      assert.equal(d.spec.replicas, 2);
    });

    it('applies server-side and reports ownership conflicts', async () => {
      const r = await c.kubectl(version, ['apply', '--server-side', '-f', '-'], {
        stdin: DEPLOYMENT('nginx:1.29', 2).replace('name: web', 'name: ssa'),
      });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'deployment.apps/ssa serverside-applied');
      const again = await c.kubectl(
        version,
        ['apply', '--server-side', '--field-manager', 'other', '-f', '-'],
        {
          stdin: DEPLOYMENT('nginx:1.29', 5).replace('name: web', 'name: ssa'),
        },
      );
      assert.notEqual(again.code, 0);
      assert.match(again.stderr, /conflict/i);
      assert.match(again.stderr, /\.spec\.replicas/);
      const forced = await c.kubectl(
        version,
        ['apply', '--server-side', '--force-conflicts', '--field-manager', 'other', '-f', '-'],
        {
          stdin: DEPLOYMENT('nginx:1.29', 5).replace('name: web', 'name: ssa'),
        },
      );
      assert.equal(forced.code, 0, forced.stderr);
      const got = JSON.parse(
        (
          await c.kubectl(version, [
            'get',
            'deploy',
            'ssa',
            '-n',
            'demo',
            '-o',
            'json',
            '--show-managed-fields',
          ])
        ).stdout,
      ) as {
        spec: { replicas: number };
        metadata: { managedFields: { manager: string; operation: string }[] };
      };
      assert.equal(got.spec.replicas, 5);
      assert.ok(
        got.metadata.managedFields.some((m) => m.manager === 'other' && m.operation === 'Apply'),
      );
    });

    it('rejects unknown fields under Strict and invalid names with Status errors', async () => {
      const bad = DEPLOYMENT('nginx:1.27')
        .replace('replicas: 1', 'replicas: 1\n  replicaz: 2')
        .replace('name: web', 'name: strict');
      const r = await c.kubectl(version, ['apply', '-f', '-'], { stdin: bad });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /strict decoding error: unknown field "spec\.replicaz"/);
      const inv = await c.kubectl(version, ['create', 'configmap', 'Bad_Name', '-n', 'demo']);
      assert.notEqual(inv.code, 0);
      assert.match(inv.stderr, /Invalid value: "Bad_Name"/);
    });

    it('watches pods with get -w and streams changes', async () => {
      const pod = (name: string): string =>
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name, namespace: 'demo' },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        });
      assert.equal(
        (await c.kubectl(version, ['create', '-f', '-'], { stdin: pod('first') })).code,
        0,
      );
      const w = c.spawnKubectl(version, ['get', 'pods', '-n', 'demo', '-w']);
      let out = '';
      w.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      w.stderr?.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await eventually('the watch header and first row', () =>
          /NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\nfirst\s+0\/1\s+Pending/.test(out),
        );
        const r = await c.kubectl(version, ['create', '-f', '-'], { stdin: pod('watched') });
        assert.equal(r.code, 0, r.stderr);
        await eventually('the new pod row', () => /watched\s+0\/1\s+Pending\s+0\s+\d+s/.test(out));
        await c.kubectl(version, ['label', 'pod', 'first', '-n', 'demo', 'x=y']);
        await eventually(
          'the modified pod row',
          () => (out.match(/first\s+0\/1/g) ?? []).length >= 2,
        );
        assert.equal(w.exitCode, null, 'kubectl get -w stays open');
      } finally {
        w.kill();
      }
    });

    it('waits for a jsonpath condition', async () => {
      const waiter = c.kubectl(version, [
        'wait',
        '--for=jsonpath={.metadata.labels.ready}=yes',
        'configmap/cfg',
        '-n',
        'demo',
        '--timeout=30s',
      ]);
      await new Promise((r) => setTimeout(r, 500));
      await c.kubectl(version, ['label', 'configmap', 'cfg', '-n', 'demo', 'ready=yes']);
      const r = await waiter;
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'configmap/cfg condition met');
    });

    it('deletes a namespace and everything in it', async () => {
      const r = await c.kubectl(version, ['delete', 'namespace', 'demo', '--timeout=60s']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim(), 'namespace "demo" deleted');
      const get = await c.kubectl(version, ['get', 'namespace', 'demo']);
      assert.notEqual(get.code, 0);
      assert.match(get.stderr, /namespaces "demo" not found/);
      assert.equal(c.daemon.defaultCluster.store.count('/deployments.apps/demo/'), 0);
    });

    it('lists api-resources and api-versions', async () => {
      const r = await c.kubectl(version, ['api-resources']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
      assert.match(r.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
      const v = await c.kubectl(version, ['api-versions']);
      assert.match(v.stdout, /^apps\/v1$/m);
      assert.match(v.stdout, /^v1$/m);
    });

    it('explains fields from the OpenAPI schema', async () => {
      const r = await c.kubectl(version, ['explain', 'pod.spec.containers']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /FIELDS:/);
      assert.match(r.stdout, /image\s+<string>/);
    });
  });
}

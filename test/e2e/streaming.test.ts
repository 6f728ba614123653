import assert from 'node:assert/strict';
import { get } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { eventually, startCluster, type TestCluster } from './harness.ts';

const PODS = `apiVersion: v1
kind: Pod
metadata:
  name: web
  annotations: {sim.kiln.dev/pull-after: 0s, sim.kiln.dev/log-interval: 100ms, sim.kiln.dev/http.8080: hello from web}
spec: {containers: [{name: app, image: nginx, ports: [{containerPort: 8080}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: creating, annotations: {sim.kiln.dev/pull-after: 1h}}
spec: {containers: [{name: app, image: nginx}]}
---
apiVersion: v1
kind: Pod
metadata: {name: unscheduled}
spec: {nodeSelector: {nowhere: "true"}, containers: [{name: app, image: nginx}]}
`;

function httpGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/' }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => {
        resolve(`${String(res.statusCode)} ${body}`);
      });
    }).on('error', reject);
  });
}

describe('exec, attach and port-forward through the real kubectl', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster({ workerNodes: 1 });
    assert.equal((await c.kubectl('1.32', ['apply', '-f', '-'], { stdin: PODS })).code, 0);
    await eventually('web running', async () => {
      const r = await c.kubectl('1.32', ['get', 'pod', 'web', '-o', 'jsonpath={.status.phase}']);
      return r.stdout === 'Running';
    });
  });
  after(async () => {
    await c.stop();
  });

  for (const v of ['1.32', '1.33'] as const) {
    it(`kubectl ${v} exec: output, exit codes, stdin, missing programs`, async () => {
      assert.deepEqual(await c.kubectl(v, ['exec', 'web', '--', 'echo', 'hi']), {
        code: 0,
        stdout: 'hi\n',
        stderr: '',
      });
      const f = await c.kubectl(v, ['exec', 'web', '--', 'false']);
      assert.equal(f.code, 1);
      assert.equal(f.stderr, 'command terminated with exit code 1\n');
      const cat = await c.kubectl(v, ['exec', '-i', 'web', '--', 'cat'], { stdin: 'a\nb\n' });
      assert.deepEqual(cat, { code: 0, stdout: 'a\nb\n', stderr: '' });
      const sh = await c.kubectl(v, ['exec', 'web', '--', 'sh']);
      assert.equal(sh.code, 1);
      assert.match(
        sh.stderr,
        /^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]{64}": OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in \$PATH: unknown\n$/,
      );
    });

    it(`kubectl ${v} exec errors: unknown container, container not started, no node`, async () => {
      const bad = await c.kubectl(v, ['exec', 'web', '-c', 'nope', '--', 'ls']);
      assert.equal(
        bad.stderr,
        'Error from server (BadRequest): container nope is not valid for pod web\n',
      );
      const creating = await c.kubectl(v, ['exec', 'creating', '--', 'ls']);
      assert.equal(
        creating.stderr,
        'error: unable to upgrade connection: container not found ("app")\n',
      );
      const pending = await c.kubectl(v, ['exec', 'unscheduled', '--', 'ls']);
      assert.equal(
        pending.stderr,
        'Error from server (BadRequest): pod unscheduled does not have a host assigned\n',
      );
    });

    it(`kubectl ${v} attach streams the container's output`, async () => {
      const child = c.spawnKubectl(v, ['attach', 'web']);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await eventually('attached output', () => /app: tick \d+\n/.test(out), 10_000);
      } finally {
        child.kill();
      }
    });

    it(`kubectl ${v} port-forward serves the pod's port and reports refused ones`, async () => {
      const child = c.spawnKubectl(v, ['port-forward', 'pod/web', ':8080']);
      let out = '';
      child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await eventually('forwarding', () => /127\.0\.0\.1:\d+ -> 8080/.test(out), 10_000);
        const port = Number(/127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
        assert.equal(await httpGet(port), '200 hello from web\n');
        assert.equal(await httpGet(port), '200 hello from web\n');
      } finally {
        child.kill();
      }
      const refused = c.spawnKubectl(v, ['port-forward', 'pod/web', ':9090']);
      let text = '';
      refused.stdout?.on('data', (d: Buffer) => (text += d.toString()));
      refused.stderr?.on('data', (d: Buffer) => (text += d.toString()));
      try {
        await eventually('forwarding', () => /127\.0\.0\.1:\d+ -> 9090/.test(text), 10_000);
        const port = Number(/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
        await assert.rejects(httpGet(port));
        await eventually('the refusal', () => text.includes('connect: connection refused'), 10_000);
        assert.match(
          text,
          /error forwarding port 9090 to pod [0-9a-f]{64}, uid : failed to execute portforward/,
        );
      } finally {
        refused.kill();
      }
    });
  }
});

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { kubectlBinary, startCluster, type TestCluster } from './harness.ts';
import { execFile } from 'node:child_process';

function run(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(kubectlBinary('1.32'), args, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : 1, stdout, stderr });
    });
  });
}

describe('several clusters behind one endpoint', () => {
  let c: TestCluster;
  before(async () => {
    c = await startCluster();
  });
  after(async () => {
    await c.stop();
  });

  it('serves a second cluster at /eks/<region>/<name> with its own keyspace', async () => {
    await c.daemon.addCluster({ region: 'ap-northeast-2', name: 'wsi-eks-cluster' });
    const kubeconfig = join(c.stateDir, 'eks.kubeconfig');
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [
          {
            name: 'eks',
            cluster: {
              server: `${c.url}/eks/ap-northeast-2/wsi-eks-cluster`,
              'certificate-authority-data': Buffer.from(c.caPem).toString('base64'),
            },
          },
        ],
        users: [{ name: 'admin', user: { token: c.token } }],
        contexts: [{ name: 'eks', context: { cluster: 'eks', user: 'admin' } }],
        'current-context': 'eks',
      }),
    );
    const eks = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
      run(['--kubeconfig', kubeconfig, '--cache-dir', join(c.stateDir, 'eks-cache'), ...args]);
    assert.equal((await c.kubectl('1.32', ['create', 'namespace', 'only-in-default'])).code, 0);
    const created = await eks(['create', 'namespace', 'wsi-skills-namespace']);
    assert.equal(created.code, 0, created.stderr);
    const names = await eks(['get', 'ns', '-o', 'name']);
    assert.match(names.stdout, /namespace\/wsi-skills-namespace/);
    assert.doesNotMatch(names.stdout, /only-in-default/);
    const def = await c.kubectl('1.32', ['get', 'ns', '-o', 'name']);
    assert.doesNotMatch(def.stdout, /wsi-skills-namespace/);
    const unknown = await run([
      '--kubeconfig',
      kubeconfig,
      '--server',
      `${c.url}/eks/ap-northeast-2/missing`,
      '--cache-dir',
      join(c.stateDir, 'x'),
      'get',
      'ns',
    ]);
    assert.notEqual(unknown.code, 0);
  });
});

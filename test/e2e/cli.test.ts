import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { parse } from 'yaml';
import { kubectlBinary } from './harness.ts';
import { freePort, runKiln } from './process-harness.ts';
import { execFileSync } from 'node:child_process';

it('kiln up (background), status, kubeconfig --merge and down', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kiln-cli-'));
  const home = mkdtempSync(join(tmpdir(), 'kiln-home-'));
  const port = await freePort();
  const env = { HOME: home, KUBECONFIG: '', KILN_AWS_PORT: '0' };
  try {
    const up = await runKiln(['up', '--state-dir', stateDir, '--port', String(port)], env);
    assert.equal(up.code, 0, up.stderr);
    assert.match(up.stdout, new RegExp(`Kiln is up: https://127\\.0\\.0\\.1:${port}`));
    assert.ok(existsSync(join(stateDir, 'kiln.pid')));
    const again = await runKiln(['up', '--state-dir', stateDir, '--port', String(port)], env);
    assert.match(again.stdout, /already running/);
    const status = await runKiln(['status', '--state-dir', stateDir], env);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /\(ready\)/);
    const kc = await runKiln(['kubeconfig', '--state-dir', stateDir], env);
    assert.equal((parse(kc.stdout) as { 'current-context': string })['current-context'], 'kiln');
    const merged = await runKiln(['kubeconfig', '--merge', '--state-dir', stateDir], env);
    assert.equal(merged.code, 0, merged.stderr);
    const target = join(home, '.kube', 'config');
    const out = execFileSync(
      kubectlBinary('1.32'),
      [
        '--kubeconfig',
        target,
        '--cache-dir',
        join(home, 'cache'),
        'get',
        'ns',
        'default',
        '-o',
        'name',
      ],
      { encoding: 'utf8' },
    );
    assert.equal(out.trim(), 'namespace/default');
    const anon = execFileSync(
      'curl',
      [
        '-sk',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-X',
        'POST',
        `https://127.0.0.1:${port}/api/v1/namespaces`,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(anon, '401', 'anonymous writes are refused');
    const down = await runKiln(['down', '--state-dir', stateDir], env);
    assert.equal(down.code, 0, down.stderr);
    assert.match(down.stdout, /Kiln stopped/);
    const after = await runKiln(['status', '--state-dir', stateDir], env);
    assert.equal(after.code, 1);
    assert.match(after.stdout, /not running/);
    assert.ok(readFileSync(join(stateDir, 'kiln.log'), 'utf8').includes('kiln is up'));
  } finally {
    await runKiln(['down', '--state-dir', stateDir], env);
    rmSync(stateDir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
});

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { apiRequest, freePort, startKilnProcess, type Endpoint } from './process-harness.ts';

it('keeps every acknowledged write across kill -9, with resourceVersions still ordered', async () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'kiln-durable-'));
  const port = await freePort();
  let child = await startKilnProcess(stateDir, port);
  try {
    const ep: Endpoint = {
      url: `https://127.0.0.1:${port}`,
      caPem: readFileSync(join(stateDir, 'pki', 'ca.crt'), 'utf8'),
      token: readFileSync(join(stateDir, 'admin.token'), 'utf8').trim(),
    };
    const acked: { name: string; rv: number }[] = [];
    let stop = false;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        const r = await apiRequest(ep, 'POST', '/api/v1/namespaces/default/configmaps', {
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: { name },
          data: { i: String(i) },
        }).catch(() => undefined);
        if (r === undefined) return;
        if (r.status === 201) {
          const obj = JSON.parse(r.body) as { metadata: { resourceVersion: string } };
          acked.push({ name, rv: Number(obj.metadata.resourceVersion) });
        }
      }
    };
    const writers = [0, 1, 2, 3].map((w) => writer(w));
    await new Promise((r) => setTimeout(r, 1500));
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    assert.ok(acked.length > 20, `only ${acked.length} writes were acknowledged`);
    child = await startKilnProcess(stateDir, port);
    const list = await apiRequest(ep, 'GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(list.status, 200);
    const items = (
      JSON.parse(list.body) as { items: { metadata: { name: string; resourceVersion: string } }[] }
    ).items;
    const found = new Map(items.map((i) => [i.metadata.name, Number(i.metadata.resourceVersion)]));
    const lost = acked.filter((a) => found.get(a.name) !== a.rv);
    assert.deepEqual(lost, [], `${lost.length} of ${acked.length} acknowledged writes were lost`);
    const next = await apiRequest(ep, 'POST', '/api/v1/namespaces/default/configmaps', {
      metadata: { name: 'after-restart' },
    });
    const rv = Number(
      (JSON.parse(next.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion,
    );
    assert.ok(
      rv > Math.max(...acked.map((a) => a.rv)),
      'resourceVersions keep increasing after the restart',
    );
  } finally {
    child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  }
});

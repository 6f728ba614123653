import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../util/index.ts';
import { runtimeConformance } from '../conformance.ts';
import { isRuntimeError } from '../errors.ts';
import { ManualScheduler } from '../scheduler.ts';
import { parseDuration, resolveBehaviour } from './behaviour.ts';
import { SimRuntime } from './sim-runtime.ts';

function harness(): { rt: SimRuntime; sched: ManualScheduler } {
  const sched = new ManualScheduler(new ManualClock());
  return { rt: new SimRuntime({ scheduler: sched }), sched };
}

runtimeConformance('sim', () => {
  const { rt, sched } = harness();
  return Promise.resolve({
    runtime: rt,
    advance: (ms) => sched.advance(ms),
    longRunning: { image: 'nginx:1.27', command: [], annotations: {} },
    exitsWith: (code) => ({
      image: 'nginx:1.27',
      command: [],
      annotations: { 'sim.kiln.dev/exit-after': '1s', 'sim.kiln.dev/exit-code': String(code) },
    }),
    exitWithinMs: 2000,
    unpullable: {
      image: 'nginx:nope',
      command: [],
      annotations: { 'sim.kiln.dev/pull-fail': 'true' },
    },
  });
});

describe('sim behaviour data', () => {
  it('parses Go durations', () => {
    assert.equal(parseDuration('200ms'), 200);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('soon'), undefined);
  });

  it('lets a container-specific annotation win over the pod-wide one', () => {
    const b = resolveBehaviour({
      image: 'nginx',
      container: 'web',
      command: [],
      annotations: { 'sim.kiln.dev/exit-code': '3', 'sim.kiln.dev/exit-code.web': '7' },
    });
    assert.equal(b.exitCode, 7);
  });

  it('runs shell images for as long as their command says', () => {
    const b = (command: string[]): ReturnType<typeof resolveBehaviour> =>
      resolveBehaviour({ image: 'busybox:1.36', container: 'c', command, annotations: {} });
    assert.equal(b(['sh', '-c', 'sleep 3600']).exitAfterMs, 3_600_000);
    assert.equal(b(['sleep', 'infinity']).exitAfterMs, undefined);
    assert.equal(b(['sh', '-c', 'echo done; exit 2']).exitCode, 2);
    assert.deepEqual(b(['sh', '-c', 'echo done; exit 2']).startLines, ['done']);
    assert.equal(b([]).exitAfterMs, 100);
  });
});

describe('sim runtime', () => {
  async function run(
    annotations: Record<string, string>,
    image = 'nginx',
  ): Promise<{ rt: SimRuntime; sched: ManualScheduler; id: string }> {
    const { rt, sched } = harness();
    const sb = await rt.createSandbox({ podUid: 'u', namespace: 'd', name: 'pod-a', annotations });
    const id = await rt.createContainer({
      sandboxId: sb.id,
      name: 'c',
      image,
      command: [],
      args: [],
      env: { A: '1' },
      attempt: 0,
    });
    await rt.startContainer(id);
    return { rt, sched, id };
  }

  it('writes deterministic, timestamped log lines and honours tail and since', async () => {
    const { rt, sched, id } = await run({ 'sim.kiln.dev/log-interval': '1s' });
    await sched.advance(3500);
    const read = async (opts: { tailLines?: number; sinceMs?: number }): Promise<string[]> => {
      const out: string[] = [];
      await rt.readLogs(
        id,
        { ...opts, timestamps: true, follow: false, signal: new AbortController().signal },
        (l) => out.push(l) > 0,
      );
      return out;
    };
    const all = await read({});
    assert.equal(all.length, 5 + 3);
    assert.equal(all.at(-1), '2026-01-01T00:00:03.000000000Z c: tick 3\n');
    assert.deepEqual(await read({ tailLines: 1 }), [all.at(-1)]);
    assert.equal((await read({ sinceMs: Date.UTC(2026, 0, 1, 0, 0, 2) })).length, 2);
  });

  it('follows logs until the container exits', async () => {
    const { rt, sched, id } = await run({
      'sim.kiln.dev/log-interval': '1s',
      'sim.kiln.dev/exit-after': '2500ms',
      'sim.kiln.dev/logs': 'hello',
    });
    const out: string[] = [];
    const following = rt.readLogs(
      id,
      { timestamps: false, follow: true, signal: new AbortController().signal },
      (l) => out.push(l) > 0,
    );
    await sched.advance(5000);
    await following;
    assert.deepEqual(out, ['hello\n', 'c: tick 1\n', 'c: tick 2\n']);
  });

  it('answers exec from data, and refuses commands it does not simulate', async () => {
    const { rt, id } = await run({ 'sim.kiln.dev/exec.nginx': 'nginx version: nginx/1.27.0' });
    assert.equal((await rt.exec(id, ['sh', '-c', 'hostname'])).stdout, 'pod-a\n');
    assert.equal((await rt.exec(id, ['printenv', 'A'])).stdout, '1\n');
    assert.equal((await rt.exec(id, ['nginx', '-v'])).stdout, 'nginx version: nginx/1.27.0\n');
    await assert.rejects(rt.exec(id, ['curl', 'x']), (e) => {
      assert.ok(isRuntimeError(e, 'Unsupported'));
      assert.match(e.message, /does not simulate "curl x"/);
      return true;
    });
  });

  it('answers probes from data', async () => {
    const { rt, sched, id } = await run({
      'sim.kiln.dev/ready-after': '2s',
      'sim.kiln.dev/liveness-fail-after': '10s',
    });
    assert.equal((await rt.probe(id, 'readiness')).success, false);
    await sched.advance(2000);
    assert.equal((await rt.probe(id, 'readiness')).success, true);
    assert.equal((await rt.probe(id, 'liveness')).success, true);
    await sched.advance(8000);
    assert.equal((await rt.probe(id, 'liveness')).success, false);
  });

  it('kills a container that ignores SIGTERM at the end of its grace period', async () => {
    const { rt, sched, id } = await run({ 'sim.kiln.dev/exit-after': 'never' }, 'busybox');
    const stopping = rt.stopContainer(id, 5000);
    await sched.advance(4999);
    assert.equal((await rt.containerStatus(id)).state, 'running');
    await sched.advance(1);
    await stopping;
    const s = await rt.containerStatus(id);
    assert.equal(s.exitCode, 137);
  });

  it('keeps thousands of pods on a handful of timers', async () => {
    const { rt, sched } = harness();
    for (let i = 0; i < 3000; i++) {
      const sb = await rt.createSandbox({
        podUid: `u${i}`,
        namespace: 'd',
        name: `p${i}`,
        annotations: { 'sim.kiln.dev/exit-after': '10s' },
      });
      const id = await rt.createContainer({
        sandboxId: sb.id,
        name: 'c',
        image: 'nginx',
        command: [],
        args: [],
        env: {},
        attempt: 0,
      });
      await rt.startContainer(id);
    }
    assert.equal(sched.pending, 3000);
    await sched.advance(10_000);
    assert.equal(sched.pending, 0);
  });
});

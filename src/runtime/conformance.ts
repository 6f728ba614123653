import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isRuntimeError } from './errors.ts';
import {
  hasExec,
  hasLogs,
  hasProbes,
  hasStats,
  type ContainerChange,
  type ContainerRuntime,
  type SandboxInfo,
} from './types.ts';

/** A container the harness knows how to make behave a certain way on its runtime. */
export interface Workload {
  readonly image: string;
  readonly command: readonly string[];
  /** Pod annotations (the sim takes its instructions from them). */
  readonly annotations: Readonly<Record<string, string>>;
}

/** What the suite needs from a runtime under test; a new one per test. */
export interface ConformanceHarness {
  readonly runtime: ContainerRuntime;
  /** Lets `ms` of runtime time pass: a manual scheduler advances, a real runtime sleeps. */
  advance(ms: number): Promise<void>;
  /** Runs until stopped, and stops promptly on SIGTERM. */
  readonly longRunning: Workload;
  /** Exits by itself with `code`, within `exitWithinMs` of starting. */
  exitsWith(code: number): Workload;
  readonly exitWithinMs: number;
  /** Its image cannot be pulled. */
  readonly unpullable: Workload;
  close?(): Promise<void>;
}

const NODE = 'conformance-node';

async function sandboxFor(h: ConformanceHarness, w: Workload, name = 'p'): Promise<SandboxInfo> {
  return h.runtime.createSandbox({
    podUid: `uid-${name}`,
    namespace: 'default',
    name,
    annotations: w.annotations,
  });
}

async function started(
  h: ConformanceHarness,
  w: Workload,
): Promise<{ sb: SandboxInfo; id: string }> {
  const rt = h.runtime;
  const pulling = rt.pullImage(w.image, { node: NODE, annotations: w.annotations });
  await h.advance(60_000);
  await pulling;
  const sb = await sandboxFor(h, w);
  const id = await rt.createContainer({
    sandboxId: sb.id,
    name: 'c',
    image: w.image,
    command: w.command,
    args: [],
    env: { GREETING: 'hello' },
    attempt: 0,
  });
  const starting = rt.startContainer(id);
  await h.advance(h.exitWithinMs / 4);
  await starting;
  return { sb, id };
}

async function withHarness(
  factory: () => Promise<ConformanceHarness>,
  body: (h: ConformanceHarness) => Promise<void>,
): Promise<void> {
  const h = await factory();
  try {
    await body(h);
  } finally {
    await h.close?.();
  }
}

/**
 * The contract of `ContainerRuntime` (src/runtime/types.ts) as tests: every runtime registers
 * itself here, from its own test file, with a factory for fresh harnesses.
 */
export function runtimeConformance(name: string, factory: () => Promise<ConformanceHarness>): void {
  const test = (title: string, body: (h: ConformanceHarness) => Promise<void>): void => {
    it(title, () => withHarness(factory, body));
  };

  describe(`runtime conformance: ${name}`, () => {
    test('pulls idempotently and reports the image as present afterwards', async (h) => {
      const w = h.longRunning;
      const ctx = { node: NODE, annotations: w.annotations };
      assert.equal(await h.runtime.imageStatus(w.image, ctx), undefined);
      const pulling = h.runtime.pullImage(w.image, ctx);
      await h.advance(60_000);
      const first = await pulling;
      const again = h.runtime.pullImage(w.image, ctx);
      await h.advance(60_000);
      assert.equal((await again).imageId, first.imageId);
      assert.match(first.imageId, /@sha256:[0-9a-f]{64}$/);
      assert.ok(first.sizeBytes > 0);
      assert.equal((await h.runtime.imageStatus(w.image, ctx))?.imageId, first.imageId);
      assert.equal(await h.runtime.imageStatus(w.image, { ...ctx, node: 'other' }), undefined);
    });

    test('fails an unpullable image with ImagePull', async (h) => {
      const w = h.unpullable;
      const pulling = h.runtime.pullImage(w.image, { node: NODE, annotations: w.annotations });
      const outcome = pulling.then(
        () => undefined,
        (e: unknown) => e,
      );
      await h.advance(60_000);
      const e = await outcome;
      assert.ok(isRuntimeError(e, 'ImagePull'), String(e));
    });

    test('gives each sandbox its own id and an IPv4 address', async (h) => {
      const a = await sandboxFor(h, h.longRunning, 'a');
      const b = await sandboxFor(h, h.longRunning, 'b');
      assert.notEqual(a.id, b.id);
      assert.match(a.ip, /^\d+\.\d+\.\d+\.\d+$/);
      assert.notEqual(a.ip, b.ip);
    });

    test('runs a container: created, running, then stopped with times and an exit code', async (h) => {
      const { id } = await started(h, h.longRunning);
      const s = await h.runtime.containerStatus(id);
      assert.equal(s.state, 'running');
      assert.ok(s.startedAt !== undefined && s.startedAt >= s.createdAt);
      const stopping = h.runtime.stopContainer(id, 30_000);
      await h.advance(1000);
      await stopping;
      const after = await h.runtime.containerStatus(id);
      assert.equal(after.state, 'exited');
      assert.equal(typeof after.exitCode, 'number');
      assert.ok(after.finishedAt !== undefined && after.finishedAt >= (s.startedAt ?? 0));
      // Stopping again is a no-op.
      await h.runtime.stopContainer(id, 30_000);
    });

    test('announces a container exiting by itself, with its exit code', async (h) => {
      const changes: ContainerChange[] = [];
      const unwatch = h.runtime.watch((c) => changes.push(c));
      const { id } = await started(h, h.exitsWith(3));
      await h.advance(h.exitWithinMs);
      unwatch();
      const s = await h.runtime.containerStatus(id);
      assert.equal(s.state, 'exited');
      assert.equal(s.exitCode, 3);
      assert.equal(s.reason, 'Error');
      assert.ok(changes.some((c) => c.containerId === id && c.state === 'exited'));
    });

    test('refuses to start a container twice', async (h) => {
      const { id } = await started(h, h.longRunning);
      await assert.rejects(h.runtime.startContainer(id), (e) => isRuntimeError(e, 'InvalidState'));
    });

    test('answers NotFound for unknown ids, and removal is idempotent', async (h) => {
      await assert.rejects(h.runtime.containerStatus('nope'), (e) => isRuntimeError(e, 'NotFound'));
      await assert.rejects(
        h.runtime.createContainer({
          sandboxId: 'nope',
          name: 'c',
          image: h.longRunning.image,
          command: [],
          args: [],
          env: {},
          attempt: 0,
        }),
        (e) => isRuntimeError(e, 'NotFound'),
      );
      await h.runtime.removeContainer('nope');
      await h.runtime.removeSandbox('nope');
    });

    test('removing a sandbox stops and removes its containers', async (h) => {
      const { sb, id } = await started(h, h.longRunning);
      const removing = h.runtime.removeSandbox(sb.id);
      await h.advance(1000);
      await removing;
      await assert.rejects(h.runtime.containerStatus(id), (e) => isRuntimeError(e, 'NotFound'));
    });

    test('optional capabilities behave as their contracts say', async (h) => {
      const rt = h.runtime;
      const { id } = await started(h, h.longRunning);
      if (hasLogs(rt)) {
        const lines: string[] = [];
        await rt.readLogs(
          id,
          { timestamps: true, follow: false, signal: new AbortController().signal },
          (l) => lines.push(l) > 0,
        );
        for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\S+Z .*\n$/);
      }
      if (hasExec(rt)) {
        const r = await rt.exec(id, ['echo', 'hi']);
        assert.deepEqual(r, { exitCode: 0, stdout: 'hi\n', stderr: '' });
        const unknown = await rt.exec(id, ['no-such-program-xyz']).then(
          (res) => res.exitCode,
          (e: unknown) => (isRuntimeError(e, 'Unsupported') ? 'unsupported' : e),
        );
        assert.ok(unknown === 'unsupported' || (typeof unknown === 'number' && unknown !== 0));
      }
      if (hasStats(rt)) assert.ok((await rt.stats(id)).memoryWorkingSetBytes >= 0);
      if (hasProbes(rt)) assert.equal(typeof (await rt.probe(id, 'liveness')).success, 'boolean');
    });
  });
}

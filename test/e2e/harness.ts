import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Daemon, loadConfig, statePaths, type DaemonConfig } from '../../src/daemon/index.ts';
import { noopLogger } from '../../src/telemetry/index.ts';
import type { Scheduler } from '../../src/runtime/index.ts';
import { randomIds, systemClock, type Clock } from '../../src/util/index.ts';

/** The folder that holds kubectl.1.27 … kubectl.1.33 beside gcloud's version dispatcher. */
function kubectlDir(): string {
  const candidates = ['/usr/lib/google-cloud-sdk/bin'];
  for (const p of (process.env['PATH'] ?? '').split(':')) {
    const k = join(p, 'kubectl');
    if (existsSync(k)) candidates.push(dirname(realpathSync(k)));
  }
  for (const c of candidates) if (existsSync(join(c, 'kubectl.1.32'))) return c;
  throw new Error('kubectl.1.32 not found beside the kubectl dispatcher (google-cloud-sdk bin/)');
}

export function kubectlBinary(version: '1.32' | '1.33'): string {
  return join(kubectlDir(), `kubectl.${version}`);
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface TestCluster {
  readonly daemon: Daemon;
  readonly stateDir: string;
  readonly kubeconfig: string;
  readonly url: string;
  readonly token: string;
  readonly caPem: string;
  /** Runs kubectl of the given version against the cluster with a fresh cache dir. */
  kubectl(
    version: '1.32' | '1.33',
    args: readonly string[],
    opts?: { stdin?: string; timeoutMs?: number },
  ): Promise<RunResult>;
  /** Starts a long-running kubectl (e.g. `get -w`). */
  spawnKubectl(version: '1.32' | '1.33', args: readonly string[]): ChildProcess;
  stop(): Promise<void>;
}

/** Starts an in-process daemon on a free port of 127.0.0.1 with its own state dir. */
export async function startCluster(
  opts: {
    inMemory?: boolean;
    workerNodes?: number;
    clock?: Clock;
    timers?: Scheduler;
    eksAddons?: boolean;
    /** Any other daemon settings the test needs. */
    config?: Partial<DaemonConfig>;
  } = {},
): Promise<TestCluster> {
  const stateDir = mkdtempSync(join(tmpdir(), 'kiln-e2e-'));
  const cacheDir = join(stateDir, 'kube-cache');
  const config = loadConfig(
    {
      stateDir,
      port: 0,
      host: '127.0.0.1',
      inMemory: opts.inMemory ?? true,
      fsync: false,
      // API-semantics tests want no kubelet acting on their pods; workload tests ask for nodes.
      workerNodes: opts.workerNodes ?? 0,
      // Likewise no kube-system add-ons unless a test asks for the EKS-shaped cluster.
      eksAddons: opts.eksAddons ?? false,
      awsPort: 0,
      eksDelayMs: 0,
      metricsPort: 0,
      ...opts.config,
    },
    {},
  );
  const daemon = new Daemon({
    config,
    clock: opts.clock ?? systemClock,
    ids: randomIds,
    logger: noopLogger,
    ...(opts.timers === undefined ? {} : { timers: opts.timers }),
  });
  await daemon.start();
  const p = statePaths(stateDir);
  const env = { ...process.env, KUBECONFIG: p.kubeconfig, HOME: stateDir };
  const baseArgs = ['--kubeconfig', p.kubeconfig, '--cache-dir', cacheDir];
  return {
    daemon,
    stateDir,
    kubeconfig: p.kubeconfig,
    url: daemon.url,
    token: readFileSync(p.adminToken, 'utf8').trim(),
    caPem: readFileSync(p.caCert, 'utf8'),
    kubectl: (version, args, o = {}) =>
      new Promise((resolve) => {
        const child = execFile(
          kubectlBinary(version),
          [...baseArgs, ...args],
          { env, timeout: o.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
          (err, stdout, stderr) => {
            const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
            resolve({ code, stdout, stderr });
          },
        );
        if (o.stdin !== undefined) child.stdin?.end(o.stdin);
        else child.stdin?.end();
      }),
    spawnKubectl: (version, args) => spawn(kubectlBinary(version), [...baseArgs, ...args], { env }),
    stop: async () => {
      await daemon.stop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` returns true, polling; throws after the timeout with `what`. */
export async function eventually(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

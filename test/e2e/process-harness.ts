import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'kiln.js');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      s.close(() => {
        resolve(port);
      });
    });
  });
}

/** Runs the real CLI: `kiln <args>`, resolving with its exit code and output. */
export function runKiln(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => {
      resolve({ code: code ?? 1, stdout, stderr });
    });
  });
}

/** Starts `kiln up --foreground` as a child process and waits for /readyz. */
export async function startKilnProcess(stateDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [BIN, 'up', '--foreground', '--state-dir', stateDir, '--port', String(port), '--aws-port', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const ca = join(stateDir, 'pki', 'ca.crt');
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`kiln exited early: ${log}`);
    if (existsSync(ca)) {
      const r = await apiRequest(
        { url: `https://127.0.0.1:${port}`, caPem: readFileSync(ca, 'utf8'), token: '' },
        'GET',
        '/readyz',
      ).catch(() => undefined);
      if (r?.status === 200) return child;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`kiln did not become ready: ${log}`);
}

export interface Endpoint {
  readonly url: string;
  readonly caPem: string;
  readonly token: string;
}

export function apiRequest(
  ep: Endpoint,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request(
      `${ep.url}${path}`,
      {
        method,
        ca: ep.caPem,
        headers: {
          ...(ep.token === '' ? {} : { Authorization: `Bearer ${ep.token}` }),
          ...(data === undefined ? {} : { 'Content-Type': 'application/json' }),
        },
        agent: false,
      },
      (res) => {
        let out = '';
        res.on('data', (d: Buffer) => (out += d.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, body: out });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

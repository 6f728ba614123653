import { RuntimeError } from '../errors.ts';
import type { ByteDuplex, ExecResult, ProcessIO } from '../types.ts';
import { ANNOTATION_PREFIX } from './behaviour.ts';
import { simulateExec, type ExecContext } from './exec.ts';

/**
 * Interactive exec, attach and port-forward of the sim: the deterministic programs of exec.ts
 * with stdin where a program reads it, and HTTP answers declared by pod annotations. What the
 * sim cannot run fails as containerd fails for a missing binary — never a pretended success.
 */

const SHELLS = new Set(['sh', 'bash', 'ash', 'zsh']);

const baseName = (program: string): string => program.slice(program.lastIndexOf('/') + 1);

/** containerd's error for a program missing from the image (runc's text, wrapped by the CRI). */
export function missingExecutable(execId: string, program: string): RuntimeError {
  return new RuntimeError(
    'NotFound',
    `failed to exec in container: failed to start exec ${JSON.stringify(execId)}: OCI runtime exec failed: exec failed: unable to start container process: exec: ${JSON.stringify(program)}: executable file not found in $PATH: unknown`,
  );
}

/** A terminal turns each newline into CR LF (the tty's onlcr). */
function forTerminal(text: string, tty: boolean): Buffer {
  return Buffer.from(tty ? text.replace(/\r?\n/g, '\r\n') : text);
}

async function echoStdin(io: ProcessIO): Promise<number> {
  if (io.stdin === undefined) return 0;
  for await (const chunk of io.stdin) {
    if (io.signal.aborted) break;
    io.stdout?.(chunk);
  }
  return 0;
}

function emit(result: ExecResult, io: ProcessIO): number {
  if (result.stdout !== '') io.stdout?.(forTerminal(result.stdout, io.tty));
  if (result.stderr !== '') {
    // With a tty there is one output stream, as with a real terminal.
    const sink = io.tty ? io.stdout : io.stderr;
    sink?.(forTerminal(result.stderr, io.tty));
  }
  return result.exitCode;
}

/** Whether `argv` is `sh -c <script>` (which the sim interprets word by word). */
const isShellScript = (argv: readonly string[]): boolean =>
  SHELLS.has(baseName(argv[0] ?? '')) && argv[1] === '-c' && argv[2] !== undefined;

/** Runs `sh -c <script>`: the script's command, or the shell's "not found" (exit 127). */
function runScript(argv: readonly string[], ctx: ExecContext, io: ProcessIO): number {
  try {
    return emit(simulateExec(argv, ctx), io);
  } catch (e: unknown) {
    if (!(e instanceof RuntimeError)) throw e;
    const inner = /\S+/.exec(argv[2] ?? '')?.[0] ?? '';
    return emit(
      { exitCode: 127, stdout: '', stderr: `${baseName(argv[0] ?? '')}: ${inner}: not found\n` },
      io,
    );
  }
}

/**
 * Runs `argv` with the given streams and resolves with its exit code. `cat` with no file copies
 * stdin; interactive shells and unknown programs are missing from the sim's image.
 */
export async function runInteractive(
  argv: readonly string[],
  ctx: ExecContext & { readonly execId: string },
  io: ProcessIO,
): Promise<number> {
  const program = argv[0] ?? '';
  const base = baseName(program);
  if (base === 'cat' && argv.length === 1 && ctx.extra['cat'] === undefined) return echoStdin(io);
  if (isShellScript(argv)) return runScript(argv, ctx, io);
  if (SHELLS.has(base) || !knownProgram(base, ctx)) throw missingExecutable(ctx.execId, program);
  return emit(simulateExec(argv, ctx), io);
}

const KNOWN = new Set([
  'echo',
  'true',
  'false',
  'hostname',
  'env',
  'printenv',
  'pwd',
  'whoami',
  'id',
  'date',
  'cat',
]);

function knownProgram(base: string, ctx: ExecContext): boolean {
  return KNOWN.has(base) || ctx.extra[base] !== undefined;
}

/** The HTTP body a sandbox serves on `port`, from `sim.kiln.dev/http.<port>`; undefined if none. */
export function httpBody(
  annotations: Readonly<Record<string, string>>,
  port: number,
): string | undefined {
  return annotations[`${ANNOTATION_PREFIX}http.${String(port)}`];
}

/** containerd's error when nothing listens on the port inside the pod's network namespace. */
export function connectionRefused(sandboxId: string, port: number): RuntimeError {
  const p = String(port);
  return new RuntimeError(
    'InvalidState',
    `failed to execute portforward in network namespace "/var/run/netns/cni-${sandboxId.slice(0, 8)}-${sandboxId.slice(8, 12)}": failed to connect to localhost:${p} inside namespace ${JSON.stringify(sandboxId)}, IPv4: dial tcp4 127.0.0.1:${p}: connect: connection refused IPv6 dial tcp6 [::1]:${p}: connect: connection refused `,
  );
}

const HEAD_END = Buffer.from('\r\n\r\n');

function httpResponse(body: string, method: string): Buffer {
  const text = body.endsWith('\n') ? body : `${body}\n`;
  const head = [
    'HTTP/1.1 200 OK',
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${String(Buffer.byteLength(text))}`,
    '',
    '',
  ].join('\r\n');
  return Buffer.from(method === 'HEAD' ? head : head + text);
}

/** Answers every HTTP request on the connection with `body`, until the client closes it. */
export async function serveHttp(body: string, conn: ByteDuplex): Promise<void> {
  let pending = Buffer.alloc(0);
  for await (const chunk of conn.input) {
    pending = Buffer.concat([pending, chunk]);
    for (let end = pending.indexOf(HEAD_END); end >= 0; end = pending.indexOf(HEAD_END)) {
      const head = pending.subarray(0, end).toString('latin1');
      const length = Number(/^content-length:\s*(\d+)/im.exec(head)?.[1] ?? '0');
      // The request body is read and dropped: the sim's answer does not depend on it.
      const total = end + HEAD_END.length + length;
      if (pending.length < total) break;
      pending = pending.subarray(total);
      conn.write(httpResponse(body, head.split(' ', 1)[0] ?? 'GET'));
    }
    if (conn.signal.aborted) return;
  }
}

import type { ExecResult } from '../types.ts';
import { RuntimeError } from '../errors.ts';

/** What an exec needs to know about the container it runs in. */
export interface ExecContext {
  readonly hostname: string;
  readonly env: Readonly<Record<string, string>>;
  /** Program → stdout, from the pod's `sim.kiln.dev/exec.<program>` annotations. */
  readonly extra: Readonly<Record<string, string>>;
  readonly now: number;
}

type Program = (args: readonly string[], ctx: ExecContext) => ExecResult;

const ok = (stdout: string): ExecResult => ({ exitCode: 0, stdout, stderr: '' });

const envText = (ctx: ExecContext): string =>
  Object.entries({ HOSTNAME: ctx.hostname, ...ctx.env })
    .map(([k, v]) => `${k}=${v}\n`)
    .join('');

/** The commands the sim answers, each as a real shell would for a container with no files. */
const PROGRAMS: Readonly<Record<string, Program>> = {
  echo: (args) => ok(`${args.join(' ')}\n`),
  true: () => ok(''),
  false: () => ({ exitCode: 1, stdout: '', stderr: '' }),
  hostname: (_a, ctx) => ok(`${ctx.hostname}\n`),
  env: (_a, ctx) => ok(envText(ctx)),
  printenv: (args, ctx) => {
    if (args.length === 0) return ok(envText(ctx));
    const all: Record<string, string> = { HOSTNAME: ctx.hostname, ...ctx.env };
    const found = args.flatMap((a) => (all[a] === undefined ? [] : [`${all[a]}\n`]));
    return { exitCode: found.length === args.length ? 0 : 1, stdout: found.join(''), stderr: '' };
  },
  pwd: () => ok('/\n'),
  whoami: () => ok('root\n'),
  id: () => ok('uid=0(root) gid=0(root) groups=0(root)\n'),
  date: (_a, ctx) => ok(`${new Date(ctx.now).toUTCString()}\n`),
  cat: (args, ctx) => {
    if (args.length === 1 && args[0] === '/etc/hostname') return ok(`${ctx.hostname}\n`);
    const missing = args.map((a) => `cat: can't open '${a}': No such file or directory\n`);
    return { exitCode: 1, stdout: '', stderr: missing.join('') };
  },
};

/** Splits a simple shell command line; quotes group words, nothing else is interpreted. */
function splitWords(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3] ?? '');
}

const SHELLS = new Set(['sh', 'bash', '/bin/sh', '/bin/bash', 'ash']);

/** Runs `argv` as the sim's data says, or throws `Unsupported` naming what it can run. */
export function simulateExec(argv: readonly string[], ctx: ExecContext): ExecResult {
  const [program = '', ...args] = argv;
  if (SHELLS.has(program) && args[0] === '-c' && args[1] !== undefined) {
    return simulateExec(splitWords(args[1]), ctx);
  }
  const base = program.slice(program.lastIndexOf('/') + 1);
  const extra = ctx.extra[base];
  if (extra !== undefined) return ok(extra.endsWith('\n') ? extra : `${extra}\n`);
  const run = PROGRAMS[base];
  if (run) return run(args, ctx);
  throw new RuntimeError(
    'Unsupported',
    `the sim runtime does not simulate ${JSON.stringify(argv.join(' '))}: it answers ${Object.keys(PROGRAMS).join(', ')}, sh -c with one of those, and programs given by sim.kiln.dev/exec.<program> annotations`,
  );
}

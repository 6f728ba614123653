import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { parse } from 'yaml';
import {
  Daemon,
  loadConfig,
  mergeKubeconfig,
  mergeTarget,
  statePaths,
  type DaemonConfig,
} from '../daemon/index.ts';
import { jsonLogger } from '../telemetry/index.ts';
import { randomIds, systemClock } from '../util/index.ts';
import { addCostCompareCommand } from '../cost/compare/index.ts';
import { findPriceOverrideFile, loadPriceCatalogue } from '../pricing/index.ts';
import { addCostCommand } from './cost.ts';
import { addClusterCommands } from './eksctl/cluster-commands.ts';
import { addFargateCommands } from './eksctl/commands.ts';
import { CliError } from './eksctl/config-file.ts';
import { AwsCallError } from './eksctl/aws-call-error.ts';
import { isReady } from './health.ts';
import { runningPid, sleep } from './process.ts';

interface UpFlags {
  foreground?: boolean;
  port?: number;
  host?: string;
  stateDir?: string;
  inMemory?: boolean;
  fsync?: boolean;
  awsPort?: number;
  metricsPort?: number;
  region?: string;
  clusterName?: string;
  awsMode?: 'strict' | 'lenient';
}

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError('a port is a number from 0 to 65535');
  return n;
}

function parseAwsMode(v: string): 'strict' | 'lenient' {
  if (v === 'strict' || v === 'lenient') return v;
  throw new InvalidArgumentError('the AWS validation mode is strict or lenient');
}

function configFrom(flags: UpFlags): DaemonConfig {
  return loadConfig({
    ...(flags.port === undefined ? {} : { port: flags.port }),
    ...(flags.host === undefined ? {} : { host: flags.host }),
    ...(flags.stateDir === undefined ? {} : { stateDir: flags.stateDir }),
    ...(flags.inMemory === undefined ? {} : { inMemory: flags.inMemory }),
    ...(flags.fsync === undefined ? {} : { fsync: flags.fsync }),
    ...(flags.awsPort === undefined ? {} : { awsPort: flags.awsPort }),
    ...(flags.metricsPort === undefined ? {} : { metricsPort: flags.metricsPort }),
    ...(flags.region === undefined ? {} : { region: flags.region }),
    ...(flags.clusterName === undefined ? {} : { clusterName: flags.clusterName }),
    ...(flags.awsMode === undefined ? {} : { awsMode: flags.awsMode }),
  });
}

async function runForeground(config: DaemonConfig): Promise<void> {
  const p = statePaths(config.stateDir);
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const logger = jsonLogger(
    (l) => process.stdout.write(l),
    () => Date.now(),
  );
  const daemon = new Daemon({ config, clock: systemClock, ids: randomIds, logger });
  await daemon.start();
  writeFileSync(p.pidFile, `${process.pid}\n`);
  process.stdout.write(`Kiln is up: ${daemon.url}\nkubeconfig: ${p.kubeconfig}\n`);
  const shutdown = (): void => {
    void daemon.stop().finally(() => {
      rmSync(p.pidFile, { force: true });
      process.exit(0);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

async function runBackground(config: DaemonConfig, flags: UpFlags): Promise<void> {
  const p = statePaths(config.stateDir);
  const existing = runningPid(p.pidFile);
  if (existing !== undefined) {
    process.stdout.write(`Kiln is already running (pid ${existing}). Stop it with: kiln down\n`);
    return;
  }
  mkdirSync(config.stateDir, { recursive: true, mode: 0o700 });
  const log = openSync(p.logFile, 'a');
  const args = [
    process.argv[1] ?? '',
    'up',
    '--foreground',
    '--state-dir',
    config.stateDir,
    '--port',
    String(config.port),
    '--host',
    config.host,
    '--aws-port',
    String(config.awsPort),
    '--metrics-port',
    String(config.metricsPort),
    '--region',
    config.region,
    '--cluster-name',
    config.clusterName,
    '--aws-mode',
    config.awsMode,
  ];
  if (flags.inMemory === true) args.push('--in-memory');
  if (flags.fsync === true) args.push('--fsync');
  const child = spawn(process.execPath, [...process.execArgv, ...args], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  rmSync(p.endpointFile, { force: true });
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) break;
    if (existsSync(p.endpointFile) && existsSync(p.caCert)) {
      const url = readFileSync(p.endpointFile, 'utf8').trim();
      if (await isReady(url, readFileSync(p.caCert, 'utf8'))) {
        writeFileSync(p.pidFile, `${child.pid ?? ''}\n`);
        process.stdout.write(
          `Kiln is up: ${url} (pid ${child.pid ?? '?'})\nkubeconfig: ${p.kubeconfig}\nlog: ${p.logFile}\n\n  export KUBECONFIG=${p.kubeconfig}\n`,
        );
        return;
      }
    }
    await sleep(100);
  }
  process.stderr.write(`Kiln did not start; see ${p.logFile}\n`);
  process.exitCode = 1;
}

async function down(config: DaemonConfig): Promise<void> {
  const p = statePaths(config.stateDir);
  const pid = runningPid(p.pidFile);
  if (pid === undefined) {
    process.stdout.write('Kiln is not running.\n');
    return;
  }
  process.kill(pid, 'SIGTERM');
  for (let i = 0; i < 100; i++) {
    if (runningPid(p.pidFile) === undefined) break;
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await sleep(100);
  }
  rmSync(p.pidFile, { force: true });
  process.stdout.write(`Kiln stopped (pid ${pid}).\n`);
}

async function status(config: DaemonConfig): Promise<void> {
  const p = statePaths(config.stateDir);
  const pid = runningPid(p.pidFile);
  if (pid === undefined) {
    process.stdout.write('Kiln is not running. Start it with: kiln up\n');
    process.exitCode = 1;
    return;
  }
  const url = existsSync(p.endpointFile) ? readFileSync(p.endpointFile, 'utf8').trim() : '';
  const ready = url !== '' && (await isReady(url, readFileSync(p.caCert, 'utf8')));
  process.stdout.write(
    `Kiln is running (pid ${pid})\n  API: ${url} (${ready ? 'ready' : 'not ready'})\n  kubeconfig: ${p.kubeconfig}\n  state: ${config.stateDir}\n`,
  );
  if (existsSync(p.metricsEndpointFile)) {
    process.stdout.write(`  metrics: ${readFileSync(p.metricsEndpointFile, 'utf8').trim()}\n`);
  }
  if (!ready) process.exitCode = 1;
}

function kubeconfig(config: DaemonConfig, merge: boolean): void {
  const p = statePaths(config.stateDir);
  if (!existsSync(p.kubeconfig)) {
    process.stderr.write(`No kubeconfig yet at ${p.kubeconfig}: start Kiln first with: kiln up\n`);
    process.exitCode = 1;
    return;
  }
  const text = readFileSync(p.kubeconfig, 'utf8');
  if (!merge) {
    process.stdout.write(text);
    return;
  }
  const target = mergeTarget();
  const existing = existsSync(target)
    ? (parse(readFileSync(target, 'utf8')) as Parameters<typeof mergeKubeconfig>[0])
    : undefined;
  const merged = mergeKubeconfig(
    existing ?? undefined,
    parse(text) as Parameters<typeof mergeKubeconfig>[1],
  );
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, JSON.stringify(merged, null, 2), { mode: 0o600 });
  process.stdout.write(`Merged the kiln context into ${target} and made it current.\n`);
}

export function buildCli(): Command {
  const program = new Command('kiln')
    .description('AWS Fargate on EKS, on your own machine')
    .showHelpAfterError();
  const common = (c: Command): Command =>
    c.option(
      '--state-dir <dir>',
      'where Kiln keeps its state (default ~/.kiln, or $KILN_STATE_DIR)',
    );
  common(
    program
      .command('up')
      .description('start Kiln (in the background unless --foreground)')
      .option('--foreground', 'run in this process')
      .option('--port <port>', 'API port (default 6443)', parsePort)
      .option('--host <host>', 'address to listen on (default 127.0.0.1)')
      .option('--in-memory', 'keep no state on disk')
      .option('--fsync', 'fsync every write (survives power loss; slower)')
      .option('--aws-port <port>', 'AWS endpoint port (default 4566)', parsePort)
      .option('--metrics-port <port>', 'Prometheus /metrics port (default 9464)', parsePort)
      .option('--region <region>', 'region of the default cluster (default us-east-1)')
      .option('--cluster-name <name>', 'EKS name of the default cluster (default kiln)')
      .option(
        '--aws-mode <mode>',
        'strict: validate AWS calls as AWS does (default); lenient: clusters and profiles ACTIVE at once, unknown subnets and roles accepted',
        parseAwsMode,
      ),
  ).action(async (flags: UpFlags) => {
    const config = configFrom(flags);
    await (flags.foreground === true ? runForeground(config) : runBackground(config, flags));
  });
  common(program.command('down').description('stop Kiln')).action((flags: UpFlags) =>
    down(configFrom(flags)),
  );
  common(program.command('status').description('say whether Kiln runs, and where')).action(
    (flags: UpFlags) => status(configFrom(flags)),
  );
  common(
    program
      .command('kubeconfig')
      .description('print the kubeconfig, or merge it into ~/.kube/config')
      .option('--merge', 'merge into ~/.kube/config (or the first $KUBECONFIG file)'),
  ).action((flags: UpFlags & { merge?: boolean }) => {
    kubeconfig(configFrom(flags), flags.merge === true);
  });
  const eksctl = {
    create: program.command('create').description('create EKS resources (as eksctl create)'),
    get: program.command('get').description('get EKS resources (as eksctl get)'),
    delete: program.command('delete').description('delete EKS resources (as eksctl delete)'),
    scale: program.command('scale').description('scale EKS resources (as eksctl scale)'),
  };
  const eksctlOptions = {
    env: process.env,
    // The AWS endpoint of the Kiln this state directory belongs to, when it runs.
    runningEndpoint: () => {
      const file = statePaths(loadConfig().stateDir).awsEndpointFile;
      return existsSync(file) ? readFileSync(file, 'utf8').trim() : undefined;
    },
  };
  addFargateCommands(eksctl, eksctlOptions);
  addClusterCommands(eksctl, eksctlOptions);
  const cost = addCostCommand(program, {
    stateDir: () => loadConfig().stateDir,
    clock: systemClock,
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
  });
  addCostCompareCommand(cost, {
    loadCatalogue: () => {
      const overrideFile = findPriceOverrideFile(loadConfig().stateDir);
      return loadPriceCatalogue(overrideFile === undefined ? {} : { overrideFile });
    },
    defaultRegion: () => loadConfig().region,
  });
  return program;
}

await buildCli()
  .parseAsync(process.argv)
  .catch((e: unknown) => {
    // eksctl's commands report failures as eksctl does; the rest as kiln.
    const message = e instanceof Error ? e.message : String(e);
    const eksctlStyle = e instanceof CliError || e instanceof AwsCallError;
    process.stderr.write(eksctlStyle ? `Error: ${message}\n` : `kiln: ${message}\n`);
    process.exitCode = 1;
  });

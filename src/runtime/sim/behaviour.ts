/**
 * The sim's behaviour is data: a table of image profiles, overridden per pod by annotations
 * (`sim.kiln.dev/<key>`, or `sim.kiln.dev/<key>.<container>` for one container).
 */

export const ANNOTATION_PREFIX = 'sim.kiln.dev/';

/** How one container behaves in the sim. Durations are milliseconds. */
export interface Behaviour {
  readonly pullMs: number;
  /** Set when pulls fail: the registry's message. */
  readonly pullFailure: string | undefined;
  readonly sizeBytes: number;
  readonly startMs: number;
  /** Exits on its own this long after starting; undefined runs until stopped. */
  readonly exitAfterMs: number | undefined;
  readonly exitCode: number;
  readonly neverReady: boolean;
  readonly readyAfterMs: number;
  readonly livenessFailAfterMs: number | undefined;
  /** Ignores SIGTERM, so a stop takes the whole grace period and ends in SIGKILL (137). */
  readonly ignoresSigterm: boolean;
  /** Lines written at start. */
  readonly startLines: readonly string[];
  /** A line every this many ms while running; undefined writes none. */
  readonly tickMs: number | undefined;
  readonly cpuNanoCores: number;
  readonly memoryBytes: number;
  /** Extra exec answers: program → stdout. */
  readonly exec: Readonly<Record<string, string>>;
}

interface ImageProfile {
  readonly match: RegExp;
  readonly base: Partial<Behaviour>;
  /** Shell-like images run their command, so it decides how long they live. */
  readonly runsCommand: boolean;
}

const SHELL_IMAGES =
  /^(?:[\w.-]+(?::\d+)?\/)?(?:library\/)?(busybox|alpine|ubuntu|debian|bash|perl|python|curlimages\/curl)(?:[:@].*)?$/;

const PROFILES: readonly ImageProfile[] = [
  {
    match: /^(?:[\w.-]+(?::\d+)?\/)?(?:library\/)?nginx(?:[:@].*)?$/,
    runsCommand: false,
    base: {
      sizeBytes: 72_099_410,
      startLines: [
        '/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will attempt to perform configuration',
        '/docker-entrypoint.sh: Looking for shell scripts in /docker-entrypoint.d/',
        '/docker-entrypoint.sh: Configuration complete; ready for start up',
        '[notice] 1#1: using the "epoll" event method',
        '[notice] 1#1: start worker processes',
      ],
    },
  },
  {
    // The VPC CNI's init container copies the CNI binaries onto the node and exits.
    match: /^(?:[\w.-]+(?::\d+)?\/)?amazon-k8s-cni-init(?:[:@].*)?$/,
    runsCommand: false,
    base: {
      sizeBytes: 61_343_772,
      exitAfterMs: 800,
      startLines: ['Copying CNI plugin binaries ...'],
    },
  },
  {
    match: SHELL_IMAGES,
    runsCommand: true,
    base: { sizeBytes: 2_155_134, ignoresSigterm: true, exitAfterMs: 100 },
  },
];

const DEFAULTS: Behaviour = {
  pullMs: 1200,
  pullFailure: undefined,
  sizeBytes: 50_000_000,
  startMs: 0,
  exitAfterMs: undefined,
  exitCode: 0,
  neverReady: false,
  readyAfterMs: 0,
  livenessFailAfterMs: undefined,
  ignoresSigterm: false,
  startLines: [],
  tickMs: undefined,
  cpuNanoCores: 1_000_000,
  memoryBytes: 8 * 1024 * 1024,
  exec: {},
};

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration (`200ms`, `1.5s`, `1m30s`); undefined when it is not one. */
export function parseDuration(text: string): number | undefined {
  const s = text.trim();
  if (!/^(\d+(\.\d+)?(ms|s|m|h))+$/.test(s)) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)) {
    total += Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? 0);
  }
  return total;
}

const QUANTITY: Readonly<Record<string, number>> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  Ki: 1024,
  Mi: 1024 ** 2,
  Gi: 1024 ** 3,
};

/** Parses a resource quantity (`100m`, `64Mi`, `2`); undefined when it is not one. */
export function parseQuantity(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(n|u|m|k|M|G|Ki|Mi|Gi)?$/.exec(text.trim());
  if (!m) return undefined;
  const factor = QUANTITY[m[2] ?? ''];
  return factor === undefined ? undefined : Number(m[1]) * factor;
}

/** What a shell-like image's command does: how long it lives and what it echoes. */
function commandBehaviour(argv: readonly string[]): Partial<Behaviour> {
  const script = argv.join(' ');
  if (script === '') return {};
  const lines = [
    ...script.matchAll(/\becho\s+(?:-n\s+)?(["']?)([^;&|\n]*?)\1\s*(?:[;&|\n]|$)/g),
  ].map((m) => (m[2] ?? '').trim());
  const sleep = /\bsleep\s+(infinity|\d+(?:\.\d+)?)/.exec(script);
  const exit = /\bexit\s+(\d+)/.exec(script);
  let exitAfterMs: number | undefined = 100;
  if (sleep?.[1] === 'infinity') exitAfterMs = undefined;
  else if (sleep?.[1] !== undefined) exitAfterMs = Number(sleep[1]) * 1000;
  if (/\bwhile\s+true\b|\btail\s+-f\b/.test(script)) exitAfterMs = undefined;
  return {
    startLines: lines,
    exitAfterMs,
    ...(exit?.[1] === undefined ? {} : { exitCode: Number(exit[1]) }),
  };
}

type Reader = (key: string) => string | undefined;
type Override = (read: Reader) => Partial<Behaviour>;

const duration = (read: Reader, key: string): number | undefined => {
  const v = read(key);
  return v === undefined ? undefined : parseDuration(v);
};
const flag = (read: Reader, key: string): boolean | undefined => {
  const v = read(key);
  return v === undefined ? undefined : v === 'true';
};
const defined = (key: keyof Behaviour, v: unknown): Partial<Behaviour> =>
  v === undefined ? {} : { [key]: v };

/** Annotation key → the behaviour it sets. Unparseable values are ignored, as unknown keys are. */
const OVERRIDES: readonly Override[] = [
  (r) => defined('pullMs', duration(r, 'pull-after')),
  (r) => {
    const v = r('pull-fail');
    if (v === undefined || v === 'false') return {};
    return { pullFailure: v === 'true' ? 'simulated registry failure' : v };
  },
  (r) => defined('startMs', duration(r, 'start-after')),
  (r) => {
    const v = r('exit-after');
    if (v === undefined) return {};
    return v === 'never' ? { exitAfterMs: undefined } : defined('exitAfterMs', parseDuration(v));
  },
  (r) => {
    const code = Number(r('exit-code') ?? 'x');
    return Number.isInteger(code) && code >= 0 && code <= 255 ? { exitCode: code } : {};
  },
  (r) => defined('neverReady', flag(r, 'never-ready')),
  (r) => defined('readyAfterMs', duration(r, 'ready-after')),
  (r) => defined('livenessFailAfterMs', duration(r, 'liveness-fail-after')),
  (r) => defined('ignoresSigterm', flag(r, 'ignore-sigterm')),
  (r) => defined('tickMs', duration(r, 'log-interval')),
  (r) => defined('startLines', r('logs')?.split('\n')),
  (r) => {
    const v = r('cpu-usage');
    const n = v === undefined ? undefined : parseQuantity(v);
    return defined('cpuNanoCores', n === undefined ? undefined : Math.round(n * 1e9));
  },
  (r) => defined('memoryBytes', parseQuantity(r('memory-usage') ?? 'x')),
];

function execOverrides(
  annotations: Readonly<Record<string, string>>,
): Readonly<Record<string, string>> {
  const out: Record<string, string> = {};
  const prefix = `${ANNOTATION_PREFIX}exec.`;
  for (const [k, v] of Object.entries(annotations)) {
    if (k.startsWith(prefix)) out[k.slice(prefix.length)] = v;
  }
  return out;
}

export interface BehaviourInput {
  readonly image: string;
  readonly container: string;
  readonly command: readonly string[];
  readonly annotations: Readonly<Record<string, string>>;
}

/** The behaviour of one container: defaults, then its image's profile, then annotations. */
export function resolveBehaviour(input: BehaviourInput): Behaviour {
  const profile = PROFILES.find((p) => p.match.test(input.image));
  const fromCommand = profile?.runsCommand === true ? commandBehaviour(input.command) : {};
  const read: Reader = (key) =>
    input.annotations[`${ANNOTATION_PREFIX}${key}.${input.container}`] ??
    input.annotations[`${ANNOTATION_PREFIX}${key}`];
  let b: Behaviour = { ...DEFAULTS, ...profile?.base, ...fromCommand };
  for (const o of OVERRIDES) b = { ...b, ...o(read) };
  return { ...b, exec: execOverrides(input.annotations) };
}

/** The behaviour of an image pull, which only depends on the image and the pod. */
export function resolvePull(
  image: string,
  annotations: Readonly<Record<string, string>>,
): Behaviour {
  return resolveBehaviour({ image, container: '', command: [], annotations });
}

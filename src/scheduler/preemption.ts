import { fitErrorMessage, runFilters } from './algorithm.ts';
import type { CycleContext, FilterStatus } from './framework.ts';
import type { NodeInfo, PodInfo } from './model.ts';

export interface PreemptionResult {
  /** Set when preemption found room: where the pod is nominated and whom to evict. */
  readonly candidate?: { readonly node: string; readonly victims: readonly PodInfo[] };
  /** The PostFilter message; empty when a candidate was found. */
  readonly message: string;
}

const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

function startTime(p: PodInfo): number {
  const t = p.pod.status?.startTime ?? p.pod.metadata?.creationTimestamp;
  return t === undefined ? 0 : Date.parse(t);
}

/** util.MoreImportantPod: higher priority first, then the one started earlier. */
function moreImportantFirst(a: PodInfo, b: PodInfo): number {
  return b.priority - a.priority || startTime(a) - startTime(b);
}

type Victims = { readonly victims: PodInfo[] } | { readonly status: FilterStatus };

/** SelectVictimsOnNode without PDBs: remove all lower-priority pods, then reprieve greedily. */
function selectVictims(ctx: CycleContext, node: NodeInfo): Victims {
  const trial = node.clone();
  const candidates = [...trial.pods.values()].filter((p) => p.priority < ctx.pod.priority);
  if (candidates.length === 0)
    return { status: { code: 'UnschedulableAndUnresolvable', reasons: [NO_VICTIMS], plugin: '' } };
  for (const p of candidates) trial.removePod(p.key);
  const status = runFilters(ctx, trial);
  if (status !== undefined) return { status };
  const victims: PodInfo[] = [];
  for (const p of candidates.sort(moreImportantFirst)) {
    trial.addPod(p);
    if (runFilters(ctx, trial) === undefined) continue;
    trial.removePod(p.key);
    victims.push(p);
  }
  return { victims };
}

interface Candidate {
  readonly node: string;
  readonly victims: PodInfo[];
}

function rank(c: Candidate): number[] {
  const prios = c.victims.map((v) => v.priority);
  const highest = Math.max(...prios);
  // Shifted by 2^31 so that negative priorities still add up to a larger sum per victim.
  const sum = prios.reduce((a, p) => a + p + 2 ** 31, 0);
  const earliestOfHighest = Math.min(
    ...c.victims.filter((v) => v.priority === highest).map(startTime),
  );
  return [highest, sum, c.victims.length, -earliestOfHighest];
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** pickOneNodeForPreemption without PDBs: lowest highest-victim priority, then the rest. */
function pickCandidate(cands: readonly Candidate[]): Candidate | undefined {
  let best: { c: Candidate; r: number[] } | undefined;
  for (const c of cands) {
    const r = rank(c);
    if (best === undefined || compareRanks(r, best.r) < 0) best = { c, r };
  }
  return best?.c;
}

function hasTerminatingLowerOnNominated(ctx: CycleContext): boolean {
  const nominated = ctx.pod.pod.status?.nominatedNodeName ?? '';
  if (nominated === '') return false;
  const node = ctx.cache.node(nominated);
  if (node === undefined) return false;
  for (const p of node.pods.values())
    if (p.terminating && p.priority < ctx.pod.priority) return true;
  return false;
}

/**
 * DefaultPreemption's PostFilter: finds a node where evicting lower-priority pods lets the pod
 * fit, or explains, in kube-scheduler's words, why none exists.
 */
export function preempt(
  ctx: CycleContext,
  nodes: readonly NodeInfo[],
  statuses: ReadonlyMap<string, FilterStatus>,
): PreemptionResult {
  if (ctx.pod.pod.spec?.preemptionPolicy === 'Never')
    return { message: 'preemption: not eligible due to preemptionPolicy=Never.' };
  if (hasTerminatingLowerOnNominated(ctx))
    return { message: 'preemption: not eligible due to a terminating pod on the nominated node.' };
  const dryRun = new Map<string, FilterStatus>();
  const cands: Candidate[] = [];
  for (const node of nodes) {
    if (statuses.get(node.name)?.code !== 'Unschedulable') continue;
    const r = selectVictims(ctx, node);
    if ('status' in r) dryRun.set(node.name, r.status);
    else if (r.victims.length > 0) cands.push({ node: node.name, victims: r.victims });
  }
  const best = pickCandidate(cands);
  if (best !== undefined) return { candidate: best, message: '' };
  const inner = fitErrorMessage(nodes.length, dryRun.values(), {
    count: nodes.length - dryRun.size,
    reason: NOT_HELPFUL,
  });
  return { message: `preemption: ${inner}` };
}

import type { NodeRoom, PodNeed } from './node-shape.ts';

/** Identical pods to place: one workload at one replica count. */
export interface PodGroup {
  need: PodNeed;
  count: number;
}

/** `count` nodes that have the same room left. */
interface NodeBucket {
  free: NodeRoom;
  count: number;
}

function podsThatFit(free: NodeRoom, need: PodNeed): number {
  const byCpu = need.milliCpu > 0 ? Math.floor(free.milliCpu / need.milliCpu) : Infinity;
  const byMemory = need.memoryMi > 0 ? Math.floor(free.memoryMi / need.memoryMi) : Infinity;
  return Math.max(0, Math.min(free.pods, byCpu, byMemory));
}

function take(free: NodeRoom, need: PodNeed, n: number): NodeRoom {
  return {
    milliCpu: free.milliCpu - need.milliCpu * n,
    memoryMi: free.memoryMi - need.memoryMi * n,
    pods: free.pods - n,
  };
}

/** Places up to `count` pods on a bucket; returns the buckets it became and the pods placed. */
function fillBucket(b: NodeBucket, need: PodNeed, count: number): [NodeBucket[], number] {
  const k = podsThatFit(b.free, need);
  if (k === 0) return [[b], 0];
  const fullNodes = Math.min(b.count, Math.floor(count / k));
  const rest = count - fullNodes * k;
  const out: NodeBucket[] = [];
  if (fullNodes > 0) out.push({ free: take(b.free, need, k), count: fullNodes });
  let placed = fullNodes * k;
  let untouched = b.count - fullNodes;
  if (untouched > 0 && rest > 0 && rest < k) {
    out.push({ free: take(b.free, need, rest), count: 1 });
    placed += rest;
    untouched -= 1;
  }
  if (untouched > 0) out.push({ free: b.free, count: untouched });
  return [out, placed];
}

function size(need: PodNeed): number {
  return need.milliCpu + need.memoryMi;
}

/**
 * Nodes needed to run `groups` on nodes with `empty` room each: first-fit decreasing (largest
 * pods first, each onto the first node with room, a new node when none has). Identical nodes
 * are tracked as buckets, so thousands of replicas cost a handful of steps. Returns undefined
 * when a pod cannot fit on an empty node.
 */
export function packNodes(groups: readonly PodGroup[], empty: NodeRoom): number | undefined {
  let buckets: NodeBucket[] = [];
  const sorted = [...groups].sort((a, b) => size(b.need) - size(a.need));
  for (const g of sorted) {
    let left = g.count;
    const next: NodeBucket[] = [];
    for (const b of buckets) {
      const [parts, placed] = left > 0 ? fillBucket(b, g.need, left) : [[b], 0];
      next.push(...parts);
      left -= placed;
    }
    if (left > 0) {
      const perNode = podsThatFit(empty, g.need);
      if (perNode === 0) return undefined;
      const [parts] = fillBucket({ free: empty, count: Math.ceil(left / perNode) }, g.need, left);
      next.push(...parts);
    }
    buckets = next;
  }
  return buckets.reduce((n, b) => n + b.count, 0);
}

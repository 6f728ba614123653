import type { Node } from 'kubernetes-types/core/v1.js';
import { NodeInfo, type PodInfo } from './model.ts';

/**
 * The scheduler's view of nodes and the pods on them, including pods it has assumed onto a node
 * before the binding is observed (the scheduler cache with its assume/forget protocol).
 */
export class SchedulerCache {
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #podNode = new Map<string, string>();
  readonly #assumed = new Set<string>();
  /** Nodes holding pods with (anti-)affinity terms: the snapshot's HavePodsWith…List. */
  readonly #withAffinity = new Set<NodeInfo>();
  readonly #withRequiredAnti = new Set<NodeInfo>();
  #list: NodeInfo[] | undefined;

  #info(name: string): NodeInfo {
    let info = this.#nodes.get(name);
    if (info === undefined) {
      info = new NodeInfo(name);
      this.#nodes.set(name, info);
    }
    return info;
  }

  /** Nodes that exist, in a stable order (by name), for the filter loop. */
  nodes(): readonly NodeInfo[] {
    this.#list ??= [...this.#nodes.values()]
      .filter((n) => n.node !== undefined)
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return this.#list;
  }

  /** Existing nodes with at least one pod that has pod affinity or anti-affinity terms. */
  *nodesWithAffinityPods(): Generator<NodeInfo> {
    for (const n of this.#withAffinity) if (n.node !== undefined) yield n;
  }

  /** Existing nodes with at least one pod that has required anti-affinity terms. */
  *nodesWithRequiredAntiAffinityPods(): Generator<NodeInfo> {
    for (const n of this.#withRequiredAnti) if (n.node !== undefined) yield n;
  }

  #trackAffinity(info: NodeInfo): void {
    if (info.podsWithAffinity.size > 0) this.#withAffinity.add(info);
    else this.#withAffinity.delete(info);
    if (info.podsWithRequiredAntiAffinity.size > 0) this.#withRequiredAnti.add(info);
    else this.#withRequiredAnti.delete(info);
  }

  node(name: string): NodeInfo | undefined {
    return this.#nodes.get(name);
  }

  setNode(node: Node): void {
    const info = this.#info(node.metadata?.name ?? '');
    if (info.node === undefined) this.#list = undefined;
    info.setNode(node);
  }

  removeNode(name: string): void {
    const info = this.#nodes.get(name);
    if (info === undefined) return;
    info.setNode(undefined);
    if (info.pods.size === 0) this.#nodes.delete(name);
    this.#list = undefined;
  }

  /** Adds or replaces a bound pod; an observed binding confirms an assumed one. */
  setPod(p: PodInfo): void {
    this.removePod(p.key);
    if (p.nodeName === '') return;
    const info = this.#info(p.nodeName);
    info.addPod(p);
    this.#trackAffinity(info);
    this.#podNode.set(p.key, p.nodeName);
  }

  removePod(key: string): void {
    const nodeName = this.#podNode.get(key);
    this.#assumed.delete(key);
    if (nodeName === undefined) return;
    this.#podNode.delete(key);
    const info = this.#nodes.get(nodeName);
    if (info === undefined) return;
    info.removePod(key);
    this.#trackAffinity(info);
    if (info.node === undefined && info.pods.size === 0) this.#nodes.delete(nodeName);
  }

  /** Counts the pod on the node until the binding is seen or `forget` undoes it. */
  assume(p: PodInfo): void {
    this.setPod(p);
    this.#assumed.add(p.key);
  }

  isAssumed(key: string): boolean {
    return this.#assumed.has(key);
  }

  /** Drops an assumed pod whose binding failed; a pod already seen bound stays. */
  forget(key: string): void {
    if (this.#assumed.has(key)) this.removePod(key);
  }

  /** Every pod in the cache, for plugins that must look across nodes. */
  *allPods(): Generator<PodInfo> {
    for (const n of this.#nodes.values()) yield* n.pods.values();
  }
}

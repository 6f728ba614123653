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
    this.#info(p.nodeName).addPod(p);
    this.#podNode.set(p.key, p.nodeName);
  }

  removePod(key: string): void {
    const nodeName = this.#podNode.get(key);
    this.#assumed.delete(key);
    if (nodeName === undefined) return;
    this.#podNode.delete(key);
    const info = this.#nodes.get(nodeName);
    info?.removePod(key);
    if (info?.node === undefined && info?.pods.size === 0) this.#nodes.delete(nodeName);
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

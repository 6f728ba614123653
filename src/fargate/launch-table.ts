/** One pod's micro-VM, from launch until the pod is gone. */
export interface Launch {
  readonly uid: string;
  readonly node: string;
  readonly ip: string;
  readonly vcpu: number;
  bound: boolean;
}

/**
 * The fargate-scheduler's launches by pod key, indexed by node name too: with one node per pod,
 * every node event asks which pod owns the node, and a scan per event would make a scale-out
 * quadratic.
 */
export class LaunchTable {
  readonly #byPod = new Map<string, Launch>();
  readonly #podByNode = new Map<string, string>();

  get(podKey: string): Launch | undefined {
    return this.#byPod.get(podKey);
  }

  /** The key of the pod whose launch runs `node`. */
  podOf(node: string): string | undefined {
    return this.#podByNode.get(node);
  }

  set(podKey: string, launch: Launch): void {
    const old = this.#byPod.get(podKey);
    if (old !== undefined && this.#podByNode.get(old.node) === podKey) {
      this.#podByNode.delete(old.node);
    }
    this.#byPod.set(podKey, launch);
    this.#podByNode.set(launch.node, podKey);
  }

  /** Forgets the pod's launch if it is still `launch` (a newer one may have replaced it). */
  deleteIf(podKey: string, launch: Launch): void {
    if (this.#byPod.get(podKey) !== launch) return;
    this.#byPod.delete(podKey);
    if (this.#podByNode.get(launch.node) === podKey) this.#podByNode.delete(launch.node);
  }

  /** vCPUs of every launch, for the concurrency quota. */
  vcpuInUse(): number {
    let sum = 0;
    for (const l of this.#byPod.values()) sum += l.vcpu;
    return sum;
  }
}

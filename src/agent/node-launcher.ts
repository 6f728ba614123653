import type { NodeAgent } from './node-agent.ts';
import type { NodeSpec } from './node-object.ts';

/**
 * Launches per-pod nodes (Fargate's micro-VMs) on a node agent: the shape of the fargate
 * module's FargateLauncher, met structurally so the agent does not depend on that module.
 */
export interface NodeLauncher {
  /** Hosts and registers the node; a no-op when the agent already hosts it. */
  launch(node: NodeSpec, pod: { readonly namespace: string; readonly name: string }): Promise<void>;
  /** Stops hosting the node and deletes its Node and Lease; fine when they are gone. */
  terminate(nodeName: string): Promise<void>;
}

export function agentNodeLauncher(agent: NodeAgent): NodeLauncher {
  return {
    launch: (node) => agent.addNode(node),
    terminate: (nodeName) => agent.removeNode(nodeName),
  };
}

export { NodeAgent, type NodeAgentOptions } from './node-agent.ts';
export type { NodeSpec, Taint } from './node-object.ts';
export { IpAllocator, IpRangeExhaustedError, InvalidCidrError } from './ip-allocator.ts';
export { BACKOFF_INITIAL_MS, BACKOFF_MAX_MS } from './pod-sync.ts';
export { formatGoDuration } from './go-duration.ts';
export { agentNodeLauncher, type NodeLauncher } from './node-launcher.ts';

export { podAttach, podExec, podPortForward, isUpgradeRequest } from './connect.ts';
export {
  StreamRefused,
  StreamSources,
  type PodStreamSource,
  type PortDialer,
  type ProcessRun,
} from './source.ts';
export type { AttachOptions, ExecOptions } from './options.ts';
export type { CommandOutcome } from './channel.ts';
export { AsyncQueue } from './async-queue.ts';

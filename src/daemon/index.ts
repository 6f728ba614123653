export { Daemon, type DaemonOptions } from './daemon.ts';
export { loadConfig, mergeTarget, statePaths, type DaemonConfig } from './config.ts';
export { buildKubeconfig, mergeKubeconfig } from './kubeconfig.ts';
export { Cluster } from './cluster.ts';

/** The embedded local control plane: a Kubernetes API server for development and tests. */
export { startLocalCluster, defaultCrdDir, LocalClusterConfigError } from './cluster.js';
export type { LocalCluster, LocalClusterOptions } from './cluster.js';
export { Faults } from './faults.js';
export type { DelayRule, FailRule, FaultMatch, Verb, WatchMatch } from './faults.js';
export { Store, ResourceVersionTooOldError } from './store.js';
export type { StoreEvent } from './store.js';
export { ApiError } from './status.js';
export { FAULTS_PATH } from './routes.js';

// The local cluster runner, used by `moat up` and by the end-to-end test harness.
export * from './cluster-file.js';
export * from './demo-mailbox.js';
export * from './demo-policy.js';
export * from './local-cluster.js';
export * from './managed-process.js';
export * from './paths.js';
export * from './probes.js';
export { nodeName, type ClusterPorts } from './process-specs.js';
export * from './pids.js';

export { createMetrics } from './metrics.js';
export type { TaskRouterMetrics } from './metrics.js';
export { startProbeServer, ProbeServerError } from './probe-server.js';
export type { ProbeServer, ProbeServerOptions } from './probe-server.js';
export { workQueueSink } from './sink.js';
export type { QueueMetricsSink, WorkQueueMetricObjects } from './sink.js';
export {
  AGENT_STATES,
  DISPATCH_FAILURE_REASONS,
  OTHER,
  RECONCILE_RESULTS,
  TASK_PHASES,
  TASK_REASONS,
  bounded,
} from './labels.js';

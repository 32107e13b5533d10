import type { TaskRouterMetrics } from '../metrics/index.js';
import type { EngineMetrics } from './engine-types.js';

const CONTROLLER = 'task';

/** Feeds the engine's observations into the exported metrics. */
export function engineMetrics(m: TaskRouterMetrics): EngineMetrics {
  return {
    reconciled: (result, seconds) => {
      m.recordReconcile(CONTROLLER, result, seconds);
    },
    dispatched: (seconds) => {
      m.dispatchLatency.observe(seconds);
    },
    dispatchFailed: (reason) => {
      m.recordDispatchFailure(reason);
    },
    retried: () => {
      m.retries.inc();
    },
    finished: (phase, reason, runSeconds) => {
      m.recordTransition(phase, reason);
      if (runSeconds !== undefined) m.runDuration.observe(runSeconds);
    },
    queueWait: (seconds) => {
      m.queueWait.observe(seconds);
    },
  };
}

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

/** Something that can tell its gauges' values: the Controller. */
export interface GaugeSource {
  snapshot(): {
    tasks: Record<string, number>;
    agents: Record<string, number>;
    freeSlots: number;
  };
}

/** Refreshes the Tasks-by-phase, agents-by-state and free-slot gauges every second; returns a stop. */
export function publishGauges(source: GaugeSource, m: TaskRouterMetrics): () => void {
  const timer = setInterval(() => {
    const s = source.snapshot();
    m.freeSlots.set(s.freeSlots);
    m.setAgents(s.agents);
    m.setTasks(s.tasks);
  }, 1000);
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}

import type { Counter, Gauge, Histogram } from 'prom-client';

/** The work-queue metrics for one queue name; matches the work queue's metrics sink. */
export interface QueueMetricsSink {
  depth(keys: number): void;
  added(): void;
  retried(): void;
  queueDuration(seconds: number): void;
  workDuration(seconds: number): void;
}

/** The `workqueue_*` metric objects a sink writes to. */
export interface WorkQueueMetricObjects {
  readonly workqueueDepth: Gauge<'name'>;
  readonly workqueueAdds: Counter<'name'>;
  readonly workqueueRetries: Counter<'name'>;
  readonly workqueueQueueDuration: Histogram<'name'>;
  readonly workqueueWorkDuration: Histogram<'name'>;
}

/** A sink that records one work queue under label `name` (a fixed queue name, e.g. `task`). */
export function workQueueSink(metrics: WorkQueueMetricObjects, name: string): QueueMetricsSink {
  const labels = { name };
  return {
    depth: (keys) => {
      metrics.workqueueDepth.set(labels, keys);
    },
    added: () => {
      metrics.workqueueAdds.inc(labels);
    },
    retried: () => {
      metrics.workqueueRetries.inc(labels);
    },
    queueDuration: (seconds) => {
      metrics.workqueueQueueDuration.observe(labels, seconds);
    },
    workDuration: (seconds) => {
      metrics.workqueueWorkDuration.observe(labels, seconds);
    },
  };
}

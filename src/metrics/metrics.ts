import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import {
  AGENT_STATES,
  DISPATCH_FAILURE_REASONS,
  RECONCILE_RESULTS,
  TASK_PHASES,
  TASK_REASONS,
  bounded,
} from './labels.js';
import type { WorkQueueMetricObjects } from './sink.js';

/** Seconds; from sub-millisecond dispatches to a slow agent near its deadline. */
const DISPATCH_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
/** Seconds; waits range from instant to minutes when capacity is short. */
const WAIT_BUCKETS = [0.001, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900];
/** Seconds; short commands, with room for long ones. */
const RUN_BUCKETS = [0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 1800, 3600];
/** Seconds; reconcile and work-queue timings. */
const LOOP_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** Every metric the controller exports, built on one registry. */
export interface TaskRouterMetrics extends WorkQueueMetricObjects {
  readonly registry: Registry;
  /** Label `result` must be one of RECONCILE_RESULTS; use `recordReconcile`. */
  readonly reconcileTotal: Counter<'controller' | 'result'>;
  readonly reconcileErrors: Counter<'controller'>;
  readonly reconcileTime: Histogram<'controller'>;
  /** Tasks by phase as the controller's cache sees them; set with `setTasks`. */
  readonly tasks: Gauge<'phase'>;
  readonly taskTransitions: Counter<'phase' | 'reason'>;
  /** From the choice of agent to the agent's reply, in seconds. */
  readonly dispatchLatency: Histogram;
  /** From creation (or retry) to the start of a run, in seconds. */
  readonly queueWait: Histogram;
  /** From start to end of one attempt, in seconds. */
  readonly runDuration: Histogram;
  readonly agents: Gauge<'state'>;
  /** Free task slots summed over live agents. */
  readonly freeSlots: Gauge;
  /** Attempts started again after a retryable failure. */
  readonly retries: Counter;
  readonly dispatchFailures: Counter<'reason'>;
  /** 409 Conflict answers to status writes. */
  readonly statusConflicts: Counter;
  /** 1 while this replica holds the Lease, else 0. */
  readonly leader: Gauge;

  /** Counts one reconcile; an unknown result counts as `error`. */
  recordReconcile(controller: string, result: string, seconds: number): void;
  /** Counts a phase change; values outside the bounded sets count as `Other`. */
  recordTransition(phase: string, reason: string): void;
  /** Counts a failed dispatch; an unknown reason counts as `Other`. */
  recordDispatchFailure(reason: string): void;
  /** Sets the per-phase Task counts; phases absent from `counts` are set to 0. */
  setTasks(counts: Readonly<Record<string, number>>): void;
  /** Sets the per-state agent counts; states absent from `counts` are set to 0. */
  setAgents(counts: Readonly<Record<string, number>>): void;
}

/**
 * prom-client's default gauges whose names end in `_total`, which Prometheus reserves for
 * counters; `promtool check metrics` rejects them, so they are left out.
 */
const MISNAMED_DEFAULTS = new Set([
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
]);

/** The default process and Node.js metrics (event loop lag among them), minus the misnamed. */
function addDefaultMetrics(registry: Registry): void {
  const defaults = new Registry();
  collectDefaultMetrics({ register: defaults });
  for (const { name } of defaults.getMetricsAsArray()) {
    const metric = defaults.getSingleMetric(name);
    if (metric !== undefined && !MISNAMED_DEFAULTS.has(name)) registry.registerMetric(metric);
  }
}

const built = new WeakMap<Registry, TaskRouterMetrics>();

/**
 * Builds every metric on `registry`, plus the default process and Node.js metrics (event loop
 * lag among them). Metrics live on the registry passed in, never the global default, so a
 * process may build them any number of times; building twice on the same registry returns the
 * same objects instead of throwing on the duplicate names.
 */
export function createMetrics(registry: Registry): TaskRouterMetrics {
  const existing = built.get(registry);
  if (existing !== undefined) return existing;
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers });
  const histogram = <L extends string>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: L[] = [],
  ) => new Histogram<L>({ name, help, buckets, labelNames, registers });

  addDefaultMetrics(registry);

  const metrics: Omit<
    TaskRouterMetrics,
    'recordReconcile' | 'recordTransition' | 'recordDispatchFailure' | 'setTasks' | 'setAgents'
  > = {
    registry,
    reconcileTotal: counter('controller_runtime_reconcile_total', 'Reconciles by result.', [
      'controller',
      'result',
    ]),
    reconcileErrors: counter(
      'controller_runtime_reconcile_errors_total',
      'Reconciles that ended in an error.',
      ['controller'],
    ),
    reconcileTime: histogram(
      'controller_runtime_reconcile_time_seconds',
      'Time spent in one reconcile.',
      LOOP_BUCKETS,
      ['controller'],
    ),
    workqueueDepth: gauge('workqueue_depth', 'Keys waiting in the work queue.', ['name']),
    workqueueAdds: counter('workqueue_adds_total', 'Keys added to the work queue.', ['name']),
    workqueueRetries: counter('workqueue_retries_total', 'Keys retried after a failure.', ['name']),
    workqueueQueueDuration: histogram(
      'workqueue_queue_duration_seconds',
      'Time a key waits in the work queue before a worker takes it.',
      LOOP_BUCKETS,
      ['name'],
    ),
    workqueueWorkDuration: histogram(
      'workqueue_work_duration_seconds',
      'Time a worker spends on one key.',
      LOOP_BUCKETS,
      ['name'],
    ),
    tasks: gauge('taskrouter_tasks', 'Tasks by phase.', ['phase']),
    taskTransitions: counter('taskrouter_task_transitions_total', 'Task phase changes.', [
      'phase',
      'reason',
    ]),
    dispatchLatency: histogram(
      'taskrouter_dispatch_latency_seconds',
      'Time from choosing an agent to its answer to RUNTASK.',
      DISPATCH_BUCKETS,
    ),
    queueWait: histogram(
      'taskrouter_queue_wait_seconds',
      'Time a Task waits before its attempt starts running.',
      WAIT_BUCKETS,
    ),
    runDuration: histogram(
      'taskrouter_run_duration_seconds',
      'Time one attempt runs on an agent.',
      RUN_BUCKETS,
    ),
    agents: gauge('taskrouter_agents', 'Live agents by state.', ['state']),
    freeSlots: gauge('taskrouter_free_slots', 'Free task slots over all live agents.'),
    retries: counter('taskrouter_retries_total', 'Task attempts started again after a failure.'),
    dispatchFailures: counter('taskrouter_dispatch_failures_total', 'Failed dispatches.', [
      'reason',
    ]),
    statusConflicts: counter(
      'taskrouter_status_conflicts_total',
      'Status writes answered with 409 Conflict.',
    ),
    leader: gauge('taskrouter_leader', '1 while this replica is the leader, else 0.'),
  };
  metrics.leader.set(0);

  const result: TaskRouterMetrics = {
    ...metrics,
    recordReconcile(controller, outcome, seconds) {
      const labels = { controller, result: bounded(outcome, RECONCILE_RESULTS, 'error') };
      metrics.reconcileTotal.inc(labels);
      if (labels.result === 'error') metrics.reconcileErrors.inc({ controller });
      metrics.reconcileTime.observe({ controller }, seconds);
    },
    recordTransition(phase, reason) {
      metrics.taskTransitions.inc({
        phase: bounded(phase, TASK_PHASES),
        reason: bounded(reason, TASK_REASONS),
      });
    },
    recordDispatchFailure(reason) {
      metrics.dispatchFailures.inc({ reason: bounded(reason, DISPATCH_FAILURE_REASONS) });
    },
    setTasks(counts) {
      setBounded(metrics.tasks, 'phase', TASK_PHASES, counts);
    },
    setAgents(counts) {
      setBounded(metrics.agents, 'state', AGENT_STATES, counts);
    },
  };
  built.set(registry, result);
  return result;
}

function setBounded<L extends string>(
  gauge: Gauge<L>,
  label: L,
  allowed: readonly string[],
  counts: Readonly<Record<string, number>>,
): void {
  const totals = new Map<string, number>(allowed.map((v) => [v, 0]));
  for (const [key, n] of Object.entries(counts)) {
    const value = bounded(key, allowed);
    totals.set(value, (totals.get(value) ?? 0) + n);
  }
  for (const [value, n] of totals) gauge.set({ [label]: value } as Record<L, string>, n);
}

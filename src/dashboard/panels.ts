/**
 * What the task-router dashboard shows, as plain data: one entry per panel with its PromQL.
 * Every query filters on `$namespace` and `$job`, so one dashboard serves several installations.
 * Only metrics the controller exports appear here; a test checks each name against a running
 * controller's /metrics.
 */

/** One query of a panel: PromQL and the legend template. */
export interface PanelQuery {
  readonly expr: string;
  readonly legend: string;
}

/** One time-series panel. `unit` is a Grafana unit id (`s`, `ops`, `percentunit`, `short`). */
export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly PanelQuery[];
  /** Stack the series (counts that add up to a whole, such as tasks by phase). */
  readonly stacked?: boolean;
}

/** A titled row of panels. */
export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

const SEL = 'namespace=~"$namespace", job=~"$job"';

/** p50 and p99 of a histogram over the dashboard's rate interval. */
function quantiles(histogram: string): PanelQuery[] {
  return [0.5, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (le) (rate(${histogram}_bucket{${SEL}}[$__rate_interval])))`,
    legend: `p${q * 100}`,
  }));
}

/** The dashboard's rows, top to bottom. */
export const ROWS: readonly RowSpec[] = [
  {
    title: 'Tasks',
    panels: [
      {
        title: 'Tasks by phase',
        description: "Tasks in each phase as the leader's cache sees them.",
        unit: 'short',
        stacked: true,
        queries: [{ expr: `max by (phase) (taskrouter_tasks{${SEL}})`, legend: '{{phase}}' }],
      },
      {
        title: 'Throughput',
        description: 'Tasks finishing per second, by outcome.',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (phase) (rate(taskrouter_task_transitions_total{${SEL}, phase=~"Complete|Failed"}[$__rate_interval]))`,
            legend: '{{phase}}',
          },
        ],
      },
      {
        title: 'Failures by reason',
        description: 'Tasks ending Failed per second, by status reason.',
        unit: 'ops',
        stacked: true,
        queries: [
          {
            expr: `sum by (reason) (rate(taskrouter_task_transitions_total{${SEL}, phase="Failed"}[$__rate_interval]))`,
            legend: '{{reason}}',
          },
          {
            expr: `sum by (reason) (rate(taskrouter_dispatch_failures_total{${SEL}}[$__rate_interval]))`,
            legend: 'dispatch {{reason}}',
          },
        ],
      },
    ],
  },
  {
    title: 'Latency',
    panels: [
      {
        title: 'Dispatch latency',
        description: 'From choosing an agent to its answer to RUNTASK.',
        unit: 's',
        queries: quantiles('taskrouter_dispatch_latency_seconds'),
      },
      {
        title: 'Queue wait',
        description: 'From creation or retry until the attempt starts running.',
        unit: 's',
        queries: quantiles('taskrouter_queue_wait_seconds'),
      },
      {
        title: 'Run time',
        description: 'How long one attempt runs on an agent.',
        unit: 's',
        queries: quantiles('taskrouter_run_duration_seconds'),
      },
    ],
  },
  {
    title: 'Agents',
    panels: [
      {
        title: 'Agents',
        description: 'Live agents by state (Ready: room left; Full: no slot or queue place).',
        unit: 'short',
        stacked: true,
        queries: [{ expr: `max by (state) (taskrouter_agents{${SEL}})`, legend: '{{state}}' }],
      },
      {
        title: 'Free slots',
        description: 'Free task slots summed over live agents.',
        unit: 'short',
        queries: [{ expr: `max(taskrouter_free_slots{${SEL}})`, legend: 'free slots' }],
      },
      {
        title: 'Leader',
        description: 'Which replica holds the Lease.',
        unit: 'short',
        queries: [{ expr: `max by (pod) (taskrouter_leader{${SEL}})`, legend: '{{pod}}' }],
      },
    ],
  },
  {
    title: 'Controller',
    panels: [
      {
        title: 'Reconcile errors',
        description: 'Reconciles ending in an error, and status writes that met a conflict.',
        unit: 'ops',
        queries: [
          {
            expr: `sum by (pod) (rate(controller_runtime_reconcile_errors_total{${SEL}}[$__rate_interval]))`,
            legend: 'errors {{pod}}',
          },
          {
            expr: `sum(rate(taskrouter_status_conflicts_total{${SEL}}[$__rate_interval]))`,
            legend: 'status conflicts',
          },
        ],
      },
      {
        title: 'Work queue depth',
        description: 'Keys waiting for a worker.',
        unit: 'short',
        queries: [{ expr: `max by (pod) (workqueue_depth{${SEL}})`, legend: '{{pod}}' }],
      },
      {
        title: 'Event loop lag',
        description: 'How late Node.js timers fire; high values delay heartbeats and dispatch.',
        unit: 's',
        queries: [
          {
            expr: `max by (pod) (nodejs_eventloop_lag_p99_seconds{${SEL}})`,
            legend: 'p99 {{pod}}',
          },
          {
            expr: `max by (pod) (nodejs_eventloop_lag_p50_seconds{${SEL}})`,
            legend: 'p50 {{pod}}',
          },
        ],
      },
    ],
  },
];

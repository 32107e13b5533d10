import { Registry } from 'prom-client';
import { OTHER, bounded, DISPATCH_FAILURE_REASONS } from './labels.js';
import { createMetrics } from './metrics.js';
import { workQueueSink } from './sink.js';

async function value(registry: Registry, name: string, labels: Record<string, string> = {}) {
  const metric = registry.getSingleMetric(name);
  if (metric === undefined) throw new Error(`no metric ${name}`);
  const { values } = await metric.get();
  const found = values.find((v) =>
    Object.entries(labels).every(([k, l]) => (v.labels as Record<string, unknown>)[k] === l),
  );
  return found?.value;
}

describe('createMetrics', () => {
  it('can be built on two registries in one process without throwing', () => {
    expect(() => {
      createMetrics(new Registry());
      createMetrics(new Registry());
    }).not.toThrow();
  });

  it('returns the same objects when built twice on one registry', () => {
    const registry = new Registry();
    expect(createMetrics(registry)).toBe(createMetrics(registry));
  });

  it('leaves out default gauges whose names end in _total', async () => {
    const registry = new Registry();
    createMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).not.toContain('nodejs_active_handles_total');
    expect(names).toContain('nodejs_heap_size_used_bytes');
  });

  it('registers nothing on the global default registry', async () => {
    const { register } = await import('prom-client');
    const before = register.getMetricsAsArray().length;
    createMetrics(new Registry());
    expect(register.getMetricsAsArray().length).toBe(before);
  });

  it('exports every documented name, with the default Node.js metrics', async () => {
    const registry = new Registry();
    createMetrics(registry);
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'controller_runtime_reconcile_total',
        'controller_runtime_reconcile_errors_total',
        'controller_runtime_reconcile_time_seconds',
        'workqueue_depth',
        'workqueue_adds_total',
        'workqueue_retries_total',
        'workqueue_queue_duration_seconds',
        'workqueue_work_duration_seconds',
        'taskrouter_tasks',
        'taskrouter_task_transitions_total',
        'taskrouter_dispatch_latency_seconds',
        'taskrouter_queue_wait_seconds',
        'taskrouter_run_duration_seconds',
        'taskrouter_agents',
        'taskrouter_free_slots',
        'taskrouter_retries_total',
        'taskrouter_dispatch_failures_total',
        'taskrouter_status_conflicts_total',
        'taskrouter_leader',
        'nodejs_eventloop_lag_seconds',
        'process_cpu_seconds_total',
      ]),
    );
  });

  it('counts an unknown dispatch failure reason as Other, never as a new series', async () => {
    const registry = new Registry();
    const m = createMetrics(registry);
    m.recordDispatchFailure('Timeout');
    for (let i = 0; i < 50; i++) m.recordDispatchFailure(`task-${i}-uid`);
    expect(await value(registry, 'taskrouter_dispatch_failures_total', { reason: 'Timeout' })).toBe(
      1,
    );
    expect(await value(registry, 'taskrouter_dispatch_failures_total', { reason: OTHER })).toBe(50);
    const { values } = await m.dispatchFailures.get();
    expect(values).toHaveLength(2);
  });

  it('keeps transition labels within the phase and reason sets', async () => {
    const registry = new Registry();
    const m = createMetrics(registry);
    m.recordTransition('Failed', 'Timeout');
    m.recordTransition('Exploded', 'because');
    const { values } = await m.taskTransitions.get();
    expect(values.map((v) => v.labels)).toEqual([
      { phase: 'Failed', reason: 'Timeout' },
      { phase: OTHER, reason: OTHER },
    ]);
  });

  it('counts reconcile results the controller-runtime way, with errors counted apart', async () => {
    const registry = new Registry();
    const m = createMetrics(registry);
    m.recordReconcile('task', 'success', 0.01);
    m.recordReconcile('task', 'weird', 0.02);
    const total = (result: string) =>
      value(registry, 'controller_runtime_reconcile_total', { controller: 'task', result });
    expect(await total('success')).toBe(1);
    expect(await total('error')).toBe(1);
    expect(await value(registry, 'controller_runtime_reconcile_errors_total')).toBe(1);
  });

  it('sets every phase, zeroing those absent and folding unknown ones into Other', async () => {
    const registry = new Registry();
    const m = createMetrics(registry);
    m.setTasks({ Running: 3, Pending: 1, Bogus: 2 });
    m.setTasks({ Running: 2, Mystery: 4 });
    const { values } = await m.tasks.get();
    const byPhase = Object.fromEntries(values.map((v) => [String(v.labels.phase), v.value]));
    expect(byPhase).toEqual({
      Pending: 0,
      Waiting: 0,
      Running: 2,
      Complete: 0,
      Failed: 0,
      Other: 4,
    });
  });

  it('feeds the work-queue metrics through a sink named for the queue', async () => {
    const registry = new Registry();
    const sink = workQueueSink(createMetrics(registry), 'task');
    sink.added();
    sink.added();
    sink.retried();
    sink.depth(7);
    sink.queueDuration(0.5);
    expect(await value(registry, 'workqueue_adds_total', { name: 'task' })).toBe(2);
    expect(await value(registry, 'workqueue_retries_total', { name: 'task' })).toBe(1);
    expect(await value(registry, 'workqueue_depth', { name: 'task' })).toBe(7);
  });

  it('maps a value outside a set to the fallback', () => {
    expect(bounded('NoRoom', DISPATCH_FAILURE_REASONS)).toBe('NoRoom');
    expect(bounded('no-such', DISPATCH_FAILURE_REASONS)).toBe(OTHER);
  });
});

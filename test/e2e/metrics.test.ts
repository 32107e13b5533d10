import { spawnSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { engineMetrics } from '../../src/controller/metrics-bridge.js';
import { createMetrics, workQueueSink } from '../../src/metrics/index.js';
import { fixture, startStack, waitFor } from './stack.js';
import type { Stack } from './stack.js';

const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;
const ci = process.env.CI === 'true';

/** The value of one sample line, e.g. `name{a="b"} 3`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('the controller metrics after real work', () => {
  let stack: Stack;
  const registry = new Registry();

  beforeAll(async () => {
    const metrics = createMetrics(registry);
    stack = await startStack({
      metrics: engineMetrics(metrics),
      queueMetrics: workQueueSink(metrics, 'task'),
    });
    await stack.addAgent({ instanceId: 'counted' });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('counts what happened: one Complete, one Failed by exit code, their dispatches and runs', async () => {
    const ns = await stack.namespace('counted');
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('hello.yaml'));
    await stack.kubectl('-n', ns, 'apply', '-f', fixture('exit-code.yaml'));
    const text = await waitFor(async () => {
      const body = await registry.metrics();
      // The two finish in either order; wait until both are counted.
      const series = [
        'taskrouter_task_transitions_total{phase="Complete",reason="Completed"}',
        'taskrouter_task_transitions_total{phase="Failed",reason="ExitCode"}',
      ];
      return series.every((name) => sample(body, name) !== undefined) ? body : undefined;
    }, 'both Tasks to be counted');
    expect(
      sample(text, 'taskrouter_task_transitions_total{phase="Complete",reason="Completed"}'),
    ).toBe(1);
    expect(sample(text, 'taskrouter_dispatch_latency_seconds_count')).toBe(2);
    expect(sample(text, 'taskrouter_run_duration_seconds_count')).toBe(2);
    expect(sample(text, 'taskrouter_retries_total')).toBe(0);
    expect(
      sample(text, 'controller_runtime_reconcile_total{controller="task",result="success"}'),
    ).toBeGreaterThan(0);
    expect(text).not.toMatch(/exits-three|hello|[0-9a-f]{8}-[0-9a-f]{4}-/); // no Task names or uids in labels
  });

  (promtool || ci ? it : it.skip)(
    `passes promtool check metrics${promtool ? '' : ci ? ' (promtool missing under CI)' : ' (skipped: promtool not installed)'}`,
    async () => {
      expect(promtool).toBe(true); // under CI=true a missing promtool fails here
      const check = spawnSync('promtool', ['check', 'metrics'], {
        input: await registry.metrics(),
        encoding: 'utf8',
      });
      expect(check.stderr + check.stdout).toBe('');
      expect(check.status).toBe(0);
    },
  );
});

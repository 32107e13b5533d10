// Time to render /metrics (registry.metrics()) after 10k finished Tasks, beside the same metrics
// with nothing recorded, measured in the same run. Labels come from bounded sets, so finished
// Tasks add to counters and histogram buckets but never add series: the two should be close.
import { performance } from 'node:perf_hooks';
import { Registry } from 'prom-client';
import { createMetrics } from '../../dist/metrics/index.js';
import { percentiles, repeat, seeded } from '../lib/stats.js';
import { row } from '../lib/report.js';

const GOAL = { on: 'ratio', op: '<=', limit: 1.5, source: 'set in docs/performance.md' };

/** Records what the controller records for `n` Tasks that ran and finished. */
function recordFinished(metrics, n) {
  const rand = seeded(7);
  for (let i = 0; i < n; i++) {
    metrics.recordTransition('Pending', 'Created');
    metrics.recordTransition('Running', 'Started');
    const ok = i % 20 !== 0;
    metrics.recordTransition(ok ? 'Complete' : 'Failed', ok ? 'Completed' : 'ExitCode');
    metrics.dispatchLatency.observe(rand() * 0.01);
    metrics.queueWait.observe(rand() * 2);
    metrics.runDuration.observe(rand() * 30);
    for (let k = 0; k < 3; k++) metrics.recordReconcile('task', 'success', rand() * 0.005);
  }
  metrics.setTasks({ Complete: n - Math.floor(n / 20), Failed: Math.floor(n / 20) });
}

async function renderTimes(registry, count) {
  for (let i = 0; i < 5; i++) await registry.metrics(); // warm up
  const times = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    const text = await registry.metrics();
    times.push(performance.now() - t0);
    bytes = text.length;
  }
  return { ...percentiles(times), bytes };
}

/** Rows: p50 render time with 10k finished Tasks; the size of the text as a note. */
export async function run({ quick, reps }) {
  const tasks = 10_000;
  const renders = quick ? 20 : 200;
  let bytes = 0;
  let emptyBytes = 0;
  const r = await repeat(reps, async () => {
    const loaded = createMetrics(new Registry());
    recordFinished(loaded, tasks);
    const empty = createMetrics(new Registry());
    const l = await renderTimes(loaded.registry, renders);
    const e = await renderTimes(empty.registry, renders);
    bytes = l.bytes;
    emptyBytes = e.bytes;
    return { l50: l.p50, e50: e.p50, l99: l.p99, e99: e.p99 };
  });
  const note = `text ${bytes} bytes with 10k finished Tasks, ${emptyBytes} bytes empty`;
  return [
    row({
      id: 'metrics.render.p50',
      figure: '/metrics render p50, 10k finished Tasks',
      unit: 'ms',
      values: r.l50,
      baseline: { name: 'nothing recorded', values: r.e50 },
      goal: GOAL,
      note,
    }),
    row({
      id: 'metrics.render.p99',
      figure: '/metrics render p99, 10k finished Tasks',
      unit: 'ms',
      values: r.l99,
      baseline: { name: 'nothing recorded', values: r.e99 },
    }),
  ];
}

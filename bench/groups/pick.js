// Pick latency of the router heap at 1k, 10k and 100k agents, beside a linear scan over the same
// agents (the obvious design the heap replaces), measured in the same run.
import { performance } from 'node:perf_hooks';
import { Router } from '../../dist/router/index.js';
import { percentiles, repeat, seeded } from '../lib/stats.js';
import { row } from '../lib/report.js';

const GOAL_P99_US_AT_10K = { on: 'value', op: '<=', limit: 20, source: 'issue 4' };

/** Agents with random free room below capacity, a few with a rare executor or label. */
function agents(n) {
  const rand = seeded(42);
  const out = [];
  for (let i = 0; i < n; i++) {
    const slots = 4 + Math.floor(rand() * 4);
    out.push({
      id: `agent-${i}`,
      capacity: { slots, cpuMillis: 4000, memoryBytes: 8 * 2 ** 30, queue: 8 },
      executors: i % 100 === 0 ? ['PROCESS', 'SHELL', 'GPU'] : ['PROCESS', 'SHELL'],
      labels: { zone: `z${i % 10}`, pool: i % 500 === 0 ? 'special' : 'general' },
      free: {
        slots: Math.floor(rand() * (slots + 1)),
        cpuMillis: Math.floor(rand() * 4001),
        memoryBytes: Math.floor(rand() * 8 * 2 ** 30),
        queue: Math.floor(rand() * 9),
      },
    });
  }
  return out;
}

const CASES = {
  'top fits': { cpuMillis: 100, memoryBytes: 2 ** 20, executor: 'PROCESS' },
  'rare executor': { cpuMillis: 3500, memoryBytes: 2 ** 20, executor: 'GPU' },
  'label selector': {
    cpuMillis: 100,
    memoryBytes: 2 ** 20,
    executor: 'PROCESS',
    selector: { matchLabels: { pool: 'special' } },
  },
};

function heapPicker(list) {
  const router = new Router();
  for (const a of list) {
    router.register({ id: a.id, capacity: a.capacity, executors: a.executors, labels: a.labels });
    router.report(a.id, a.free);
  }
  return (demand) => {
    const { reservation } = router.pickAndReserve(demand);
    // Give the room back so the heap keeps moving but stays the same size.
    if (reservation !== undefined) router.release(reservation);
  };
}

/** The baseline: look at every agent, keep the one with the most free slots that fits. */
function scanPicker(list) {
  const rows = list.map((a) => ({ ...a, free: { ...a.free }, exec: new Set(a.executors) }));
  return (demand) => {
    let best;
    for (const a of rows) {
      const f = a.free;
      if (f.slots + f.queue === 0 || f.cpuMillis < demand.cpuMillis) continue;
      if (f.memoryBytes < demand.memoryBytes || !a.exec.has(demand.executor)) continue;
      const want = demand.selector?.matchLabels;
      if (want !== undefined && Object.entries(want).some(([k, v]) => a.labels[k] !== v)) continue;
      if (best === undefined || f.slots > best.free.slots) best = a;
    }
    // Take the slot and give it back, as the heap side reserves and releases.
    if (best !== undefined) {
      best.free.slots -= 1;
      best.free.slots += 1;
    }
  };
}

function timePicks(pick, demand, count) {
  for (let i = 0; i < Math.min(count, 1000); i++) pick(demand); // warm up the JIT
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const t0 = performance.now();
    pick(demand);
    times[i] = (performance.now() - t0) * 1000;
  }
  return percentiles(times);
}

/** Rows: p50 and p99 of a pick (top fits) per size; p99 of the pruned cases at the largest. */
export async function run({ quick, reps }) {
  const sizes = [1_000, 10_000, 100_000];
  const picks = quick ? 2_000 : 20_000;
  const rows = [];
  for (const n of sizes) {
    const list = agents(n);
    const heap = heapPicker(list);
    const scan = scanPicker(list);
    // A scan at 100k agents takes tens of ms: fewer samples, so its p99 is near its maximum.
    const scanPicks = Math.max(quick ? 10 : 30, Math.round((quick ? 2e5 : 2e6) / n));
    const cases = n === sizes[sizes.length - 1] ? Object.keys(CASES) : ['top fits'];
    for (const name of cases) {
      const demand = CASES[name];
      const r = await repeat(reps, () => {
        const h = timePicks(heap, demand, picks);
        const s = timePicks(scan, demand, scanPicks);
        return { p50: h.p50, p99: h.p99, s50: s.p50, s99: s.p99 };
      });
      const label = `${n / 1000}k agents, ${name}`;
      if (name === 'top fits') {
        rows.push(
          row({
            id: `pick.p50.${n}`,
            figure: `pick p50, ${label}`,
            unit: 'µs',
            values: r.p50,
            baseline: { name: 'linear scan', values: r.s50 },
          }),
        );
      }
      rows.push(
        row({
          id: `pick.p99.${n}.${name.replace(/ /g, '-')}`,
          figure: `pick p99, ${label}`,
          unit: 'µs',
          values: r.p99,
          baseline: { name: 'linear scan', values: r.s99 },
          ...(n === 10_000 && name === 'top fits' ? { goal: GOAL_P99_US_AT_10K } : {}),
        }),
      );
    }
  }
  return rows;
}

#!/usr/bin/env node
// Pick latency of the router heap at 1k, 10k and 100k agents, p50 and p99, in microseconds.
// Needs the build: `npx tsc -p tsconfig.build.json`, then `node bench/router.js [--quick]`.
// Three cases: the top agent fits (the common path), a task that needs a rare executor and a
// big cpu share (the heap walk prunes), and a label selector served from the label index.
import { performance } from 'node:perf_hooks';
import { Router } from '../dist/router/index.js';

const quick = process.argv.includes('--quick');
const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000];
const picks = quick ? 2_000 : 20_000;

// A small deterministic generator, so runs compare.
let seed = 42;
const rand = () => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed / 2 ** 31;
};

function build(n) {
  const router = new Router();
  for (let i = 0; i < n; i++) {
    const slots = 4 + Math.floor(rand() * 4);
    const capacity = { slots, cpuMillis: 4000, memoryBytes: 8 * 2 ** 30, queue: 8 };
    router.register({
      id: `agent-${i}`,
      capacity,
      executors: i % 100 === 0 ? ['PROCESS', 'SHELL', 'GPU'] : ['PROCESS', 'SHELL'],
      labels: { zone: `z${i % 10}`, pool: i % 500 === 0 ? 'special' : 'general' },
    });
    // Busy agents: random free room below capacity.
    router.report(`agent-${i}`, {
      slots: Math.floor(rand() * (slots + 1)),
      cpuMillis: Math.floor(rand() * 4001),
      memoryBytes: Math.floor(rand() * 8 * 2 ** 30),
      queue: Math.floor(rand() * 9),
    });
  }
  return router;
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

function measure(router, demand) {
  const times = [];
  for (let i = 0; i < picks; i++) {
    const t0 = performance.now();
    const { reservation } = router.pickAndReserve(demand);
    const t1 = performance.now();
    times.push((t1 - t0) * 1000);
    // Give the room back so the heap keeps moving but stays the same size.
    if (reservation !== undefined) router.release(reservation);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 0.5), p99: percentile(times, 0.99) };
}

const cases = {
  'top fits': { cpuMillis: 100, memoryBytes: 2 ** 20, executor: 'PROCESS' },
  'rare executor, big cpu': { cpuMillis: 3500, memoryBytes: 2 ** 20, executor: 'GPU' },
  'label selector': {
    cpuMillis: 100,
    memoryBytes: 2 ** 20,
    executor: 'PROCESS',
    selector: { matchLabels: { pool: 'special' } },
  },
};

const rows = [];
for (const n of sizes) {
  const router = build(n);
  for (const [name, demand] of Object.entries(cases)) {
    measure(router, demand); // warm up the JIT
    const { p50, p99 } = measure(router, demand);
    rows.push({ agents: n, case: name, 'p50 µs': p50.toFixed(2), 'p99 µs': p99.toFixed(2) });
  }
}
console.table(rows);
const goal = rows.find((r) => r.agents === 10_000 && r.case === 'top fits');
if (goal !== undefined) {
  const ok = Number(goal['p99 µs']) <= 20;
  console.log(`goal p99 <= 20 µs at 10k agents (top fits): ${ok ? 'met' : 'MISSED'}`);
}

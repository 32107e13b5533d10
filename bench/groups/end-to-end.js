// End to end through the local control plane: Tasks running `true` created with client-node,
// until each is Complete, beside spawning `true` directly with child_process in the same run.
// Also counts status writes per Task and samples the event loop lag of the process that runs
// the control plane, the controller and the agents, under that load and idle.
import { clearTimeout, setTimeout } from 'node:timers';
import { spawn } from 'node:child_process';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { percentiles, repeat } from '../lib/stats.js';
import { row } from '../lib/report.js';
import { TASKS_KEY, startStack } from '../lib/stack.js';

const AGENTS = 2;
const SLOTS = 4;
/** Creates in flight at once, so the API and the work queue see a burst. */
const CREATE_CONCURRENCY = 16;

async function pool(n, concurrency, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await fn(next++);
    }),
  );
}

/** Runs `true` n times with as many in flight as the agents have slots; all queued at t0. */
async function direct(n) {
  const latencies = [];
  const t0 = performance.now();
  await pool(n, AGENTS * SLOTS, async () => {
    await new Promise((resolve, reject) => {
      const child = spawn('true', [], { stdio: 'ignore' });
      child.on('error', reject);
      child.on('exit', resolve);
    });
    latencies.push(performance.now() - t0);
  });
  const elapsed = performance.now() - t0;
  return { perSecond: (n * 1000) / elapsed, ...percentiles(latencies) };
}

/** Creates n Tasks and waits until all are finished; times from each create to its end. */
async function throughStack(stack, n, prefix) {
  const created = new Map();
  const latencies = [];
  let failed = 0;
  let done;
  const all = new Promise((resolve) => {
    done = resolve;
  });
  const unsubscribe = stack.cluster.store.subscribe(TASKS_KEY, (e) => {
    const name = e.object.metadata.name;
    const phase = e.object.status?.phase;
    const t0 = created.get(name);
    if (t0 === undefined || (phase !== 'Complete' && phase !== 'Failed')) return;
    created.delete(name);
    if (phase === 'Failed') failed += 1;
    latencies.push(performance.now() - t0);
    if (latencies.length === n) done();
  });
  const t0 = performance.now();
  await pool(n, CREATE_CONCURRENCY, async (i) => {
    const name = `${prefix}-${i}`;
    created.set(name, performance.now());
    await stack.api.createNamespacedCustomObject({
      group: 'taskrouter.io',
      version: 'v1alpha1',
      namespace: 'default',
      plural: 'tasks',
      body: {
        apiVersion: 'taskrouter.io/v1alpha1',
        kind: 'Task',
        metadata: { name },
        spec: { command: 'true' },
      },
    });
  });
  const timeout = setTimeout(() => done(), 120_000);
  await all;
  clearTimeout(timeout);
  unsubscribe();
  const elapsed = performance.now() - t0;
  if (latencies.length < n) throw new Error(`only ${latencies.length} of ${n} Tasks finished`);
  if (failed > 0) throw new Error(`${failed} of ${n} Tasks failed`);
  return { perSecond: (n * 1000) / elapsed, ...percentiles(latencies) };
}

/** One Task at a time, each created after the previous one ended: the idle common path. */
async function oneAtATime(stack, n, prefix) {
  const latencies = [];
  const directLatencies = [];
  for (let i = 0; i < n; i++) {
    latencies.push((await throughStack(stack, 1, `${prefix}-${i}`)).p50);
    directLatencies.push((await direct(1)).p50);
  }
  return { p50: percentiles(latencies).p50, d50: percentiles(directLatencies).p50 };
}

/** Waits until no Task write has been counted for `quietMs`, so late writes land in the count. */
async function settle(stack, quietMs = 500) {
  let last = JSON.stringify([...stack.writes]);
  for (;;) {
    await new Promise((r) => setTimeout(r, quietMs));
    const now = JSON.stringify([...stack.writes]);
    if (now === last) return;
    last = now;
  }
}

/** Writes per Task by verb between two snapshots of the counters. */
function perTask(after, before, n) {
  const out = {};
  for (const [k, v] of after) out[k] = (v - (before.get(k) ?? 0)) / n;
  return out;
}

const statusWrites = (w) => (w['patch/status'] ?? 0) + (w['update/status'] ?? 0);
const SKIP_IN_NOTE = new Set(['patch/status', 'update/status', 'watch']);

function lagSampler() {
  const h = monitorEventLoopDelay({ resolution: 1 });
  h.enable();
  return () => {
    h.disable();
    return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
  };
}

/** Rows: Tasks per second, p50 and p99 create-to-Complete, status writes per Task, loop lag. */
export async function run({ quick, reps }) {
  const n = quick ? 30 : 300;
  const stack = await startStack({ agents: AGENTS, slots: SLOTS, queueLength: 8 });
  const statusPerTask = [];
  const statusPerSingle = [];
  let storedPerSingle = '';
  let otherWrites = '';
  try {
    const r = await repeat(reps, async (rep) => {
      const d = await direct(n);
      // Idle lag over a window as long as the run below is expected to take.
      const idleStop = lagSampler();
      await new Promise((res) => setTimeout(res, Math.min(3000, (n * 1000) / d.perSecond)));
      const idle = idleStop();
      const before = new Map(stack.writes);
      const busyStop = lagSampler();
      const s = await throughStack(stack, n, `bench-${rep}`);
      const busy = busyStop();
      await settle(stack);
      const burstWrites = perTask(stack.writes, before, n);
      statusPerTask.push(statusWrites(burstWrites));
      otherWrites = Object.entries(burstWrites)
        .filter(([k]) => !SKIP_IN_NOTE.has(k))
        .map(([k, v]) => `${k} ${v.toFixed(2)}`)
        .join(', ');
      const singles = quick ? 3 : 10;
      const beforeSingle = new Map(stack.writes);
      const single = await oneAtATime(stack, singles, `bench-single-${rep}`);
      await settle(stack);
      const singleWrites = perTask(stack.writes, beforeSingle, singles);
      statusPerSingle.push(statusWrites(singleWrites));
      storedPerSingle = (singleWrites['stored/status'] ?? 0).toFixed(2);
      return {
        rate: s.perSecond,
        directRate: d.perSecond,
        p50: s.p50,
        p99: s.p99,
        d50: d.p50,
        d99: d.p99,
        single50: single.p50,
        singleDirect50: single.d50,
        lag99: busy.p99,
        idle99: idle.p99,
      };
    });
    const base = (values) => ({ name: 'direct spawn', values });
    return [
      row({
        id: 'e2e.tasksPerSecond',
        figure: `end to end, ${n} Tasks of \`true\`, ${AGENTS} agents x ${SLOTS} slots`,
        unit: 'Tasks/s',
        values: r.rate,
        baseline: base(r.directRate),
        goal: { on: 'ratio', op: '>=', limit: 0.5, source: 'issue 4' },
      }),
      row({
        id: 'e2e.latency.p50',
        figure: 'create to Complete p50',
        unit: 'ms',
        values: r.p50,
        baseline: base(r.d50),
      }),
      row({
        id: 'e2e.latency.p99',
        figure: 'create to Complete p99',
        unit: 'ms',
        values: r.p99,
        baseline: base(r.d99),
      }),
      row({
        id: 'e2e.single.p50',
        figure: 'create to Complete p50, one Task at a time',
        unit: 'ms',
        values: r.single50,
        baseline: base(r.singleDirect50),
      }),
      row({
        id: 'e2e.statusWritesPerTask.single',
        figure: 'status writes per Task, one at a time',
        unit: 'writes',
        values: statusPerSingle,
        goal: { on: 'value', op: '<=', limit: 2, source: 'issue 4' },
        note: `of which changed the stored status: ${storedPerSingle} per Task (last run)`,
      }),
      row({
        id: 'e2e.statusWritesPerTask',
        figure: 'status writes per Task, burst (PATCH /status)',
        unit: 'writes',
        values: statusPerTask,
        goal: { on: 'value', op: '<=', limit: 2, source: 'issue 4' },
        note: `other calls per Task (last run): ${otherWrites}`,
      }),
      row({
        id: 'e2e.eventLoopLag.p99',
        figure: 'event loop lag p99 under that load',
        unit: 'ms',
        values: r.lag99,
        baseline: { name: 'idle stack', values: r.idle99 },
        goal: { on: 'value', op: '<=', limit: 50, source: 'set in docs/performance.md' },
        note: 'one process runs the control plane, the controller, both agents and the client',
      }),
    ];
  } finally {
    await stack.stop();
  }
}

#!/usr/bin/env node
// The benchmark report: runs every group, prints one table (figure, value, baseline measured in
// the same run, ratio, goal, met) and writes the same as JSON under bench/results/.
// Needs the build (make build). Usage: node bench/run.js [--quick] [--only group,group]
// QUICK=1 in the environment is the same as --quick. Figures never fail the run; a crash does.
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { URL, fileURLToPath } from 'node:url';
import { failedRow, printTable, writeJson } from './lib/report.js';

/** Each group: a module exporting `run({ quick, reps })` that resolves to rows. */
const GROUPS = {
  pick: { module: './groups/pick.js', reps: [3, 5] },
  roundtrip: { module: './groups/roundtrip.js', reps: [3, 5] },
  'end-to-end': { module: './groups/end-to-end.js', reps: [2, 3] },
  'local-cluster': { module: './groups/local-cluster.js', reps: [2, 3] },
  'metrics-render': { module: './groups/metrics-render.js', reps: [3, 5] },
  memory: { module: './groups/memory.js', reps: [1, 3] },
};

class UsageError extends Error {
  name = 'UsageError';
}

function parseArgs(argv, env) {
  const quick =
    argv.includes('--quick') || (env.QUICK !== undefined && env.QUICK !== '' && env.QUICK !== '0');
  const i = argv.indexOf('--only');
  const only =
    i >= 0 ? (argv[i + 1] ?? '').split(',').filter((g) => g !== '') : Object.keys(GROUPS);
  for (const g of only) {
    if (!(g in GROUPS)) {
      throw new UsageError(
        `--only: expected some of ${Object.keys(GROUPS).join(', ')}, got "${g}"`,
      );
    }
  }
  return { quick, only };
}

const { quick, only } = parseArgs(process.argv.slice(2), process.env);
const startedAt = new Date().toISOString();
const rows = [];
let crashed = false;
for (const name of only) {
  const g = GROUPS[name];
  const reps = g.reps[quick ? 0 : 1];
  const t0 = performance.now();
  process.stderr.write(`bench: ${name} (${reps} runs${quick ? ', quick' : ''}) ... `);
  try {
    const { run } = await import(g.module);
    const got = await run({ quick, reps });
    rows.push(...got.map((r) => ({ group: name, ...r })));
    process.stderr.write(`${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  } catch (err) {
    crashed = true;
    process.stderr.write(`FAILED\n${err instanceof Error ? err.stack : String(err)}\n`);
    rows.push({ group: name, ...failedRow(name, name, err) });
  }
}

console.log(
  `\ntask-router benchmarks${quick ? ' (quick: figures not judged)' : ''}: ` +
    `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), load ${loadavg()[0].toFixed(2)}, ` +
    `Node.js ${process.version}; value and baseline are medians of the runs, (min–max) the spread`,
);
printTable(rows);
for (const r of rows.filter((x) => x.note !== undefined))
  console.log(`note: ${r.figure}: ${r.note}`);
const path = writeJson(fileURLToPath(new URL('./results', import.meta.url)), {
  startedAt,
  quick,
  host: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, load: loadavg() },
  rows,
});
console.log(`written to ${path}`);
// Open handles of a failed group must not keep the run alive, and a crash must fail it.
process.exit(crashed ? 1 : 0);

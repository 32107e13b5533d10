// Rows of the benchmark report: each figure with its baseline, ratio and goal; the printed table
// and the JSON written under bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { summarize } from './stats.js';

/**
 * One row. `values` and `baseline.values` hold one number per repetition; the row keeps their
 * median and spread. `goal.on` says whether the limit applies to the value or to the ratio
 * value/baseline; `goal.source` says where the goal comes from (an issue, or set here).
 */
export function row({ id, figure, unit, values, baseline, goal, note }) {
  const value = summarize(values);
  const base = baseline === undefined ? undefined : summarize(baseline.values);
  const ratio = base === undefined || base.median === 0 ? undefined : value.median / base.median;
  let met;
  if (goal !== undefined) {
    const subject = goal.on === 'ratio' ? ratio : value.median;
    if (subject !== undefined && Number.isFinite(subject)) {
      met = goal.op === '<=' ? subject <= goal.limit : subject >= goal.limit;
    }
  }
  return {
    id,
    figure,
    unit,
    value,
    ...(base === undefined ? {} : { baseline: { name: baseline.name, ...base } }),
    ...(ratio === undefined ? {} : { ratio }),
    ...(goal === undefined ? {} : { goal }),
    ...(met === undefined ? {} : { met }),
    ...(note === undefined ? {} : { note }),
  };
}

/** A row for a figure that could not be measured; printed, kept in the JSON, never "met". */
export function failedRow(id, figure, err) {
  return { id, figure, unit: '', error: err instanceof Error ? err.message : String(err) };
}

/** Three significant digits, without exponent noise for the sizes seen here. */
function num(x) {
  if (x === undefined || !Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  return x.toPrecision(3);
}

function spread(s) {
  return s.runs > 1 ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : num(s.median);
}

function goalText(g) {
  if (g === undefined) return '—';
  const subject = g.on === 'ratio' ? 'ratio' : 'value';
  return `${subject} ${g.op} ${g.limit}`;
}

/** Prints the rows as one aligned table on stdout. */
export function printTable(rows) {
  const header = [
    'figure',
    'unit',
    'value (min–max)',
    'baseline (min–max)',
    'ratio',
    'goal',
    'met',
  ];
  const lines = rows.map((r) =>
    r.error !== undefined
      ? [r.figure, '', `FAILED: ${r.error}`, '', '', '', 'no']
      : [
          r.figure,
          r.unit,
          spread(r.value),
          r.baseline === undefined ? '—' : `${spread(r.baseline)} ${r.baseline.name}`,
          r.ratio === undefined ? '—' : num(r.ratio),
          goalText(r.goal),
          r.met === undefined ? '—' : r.met ? 'yes' : 'NO',
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  console.log(fmt(header));
  console.log(fmt(widths.map((w) => '-'.repeat(w))));
  for (const l of lines) console.log(fmt(l));
}

/** Writes the report as JSON into `dir`, stamped with the time; returns the file path. */
export function writeJson(dir, report) {
  mkdirSync(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const path = `${dir}/bench-${stamp}${report.quick ? '-quick' : ''}.json`;
  const text = `${JSON.stringify(report, null, 2)}\n`;
  writeFileSync(path, text);
  writeFileSync(`${dir}/latest${report.quick ? '-quick' : ''}.json`, text);
  return path;
}

#!/usr/bin/env node
// Writes the Grafana dashboard built by src/dashboard/ into the Helm chart, where its ConfigMap
// template picks it up. Run after `npx tsc -p tsconfig.build.json` (it reads dist/).
// Usage: node scripts/gen-dashboard.js [--check]   --check exits 1 when the file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { URL, fileURLToPath } from 'node:url';
import { buildDashboard } from '../dist/dashboard/index.js';

export const DASHBOARD_FILE = fileURLToPath(
  new URL('../charts/task-router/dashboards/task-router.json', import.meta.url),
);

/** The file's exact text: two-space JSON and a final newline, as the stale check expects. */
export function dashboardText(dashboard) {
  return `${JSON.stringify(dashboard, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const text = dashboardText(buildDashboard());
  let current = '';
  try {
    current = readFileSync(DASHBOARD_FILE, 'utf8');
  } catch {
    // A missing file is simply stale.
  }
  // Compared as data, so reformatting the file (prettier) does not make it stale.
  const same =
    current !== '' && JSON.stringify(JSON.parse(current)) === JSON.stringify(JSON.parse(text));
  if (process.argv.includes('--check')) {
    if (!same) {
      console.error(`${DASHBOARD_FILE} is stale: run node scripts/gen-dashboard.js`);
      process.exitCode = 1;
    }
  } else if (!same) {
    writeFileSync(DASHBOARD_FILE, text);
    console.log(`wrote ${DASHBOARD_FILE}`);
  }
}

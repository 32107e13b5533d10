import { readFileSync } from 'node:fs';
import { buildDashboard } from '../../src/dashboard/index.js';
import { ROOT } from './helpers.js';

const FILE = `${ROOT}charts/task-router/dashboards/task-router.json`;

describe('the Grafana dashboard', () => {
  it('is checked in exactly as src/dashboard builds it (run node scripts/gen-dashboard.js)', () => {
    const built: unknown = JSON.parse(JSON.stringify(buildDashboard()));
    expect(JSON.parse(readFileSync(FILE, 'utf8'))).toEqual(built);
  });

  it('imports through provisioning as it is: a datasource variable and no import placeholders', () => {
    const text = readFileSync(FILE, 'utf8');
    expect(text).not.toMatch(/__inputs|__requires|\$\{DS_/);
    const dash = JSON.parse(text) as {
      uid: string;
      title: string;
      templating: { list: { name: string; type: string; query?: string }[] };
      panels: {
        type: string;
        title: string;
        datasource?: { uid: string };
        targets?: { expr: string; datasource: { uid: string } }[];
      }[];
    };
    expect(dash.uid).toBe('task-router');
    expect(dash.templating.list.find((v) => v.name === 'datasource')).toMatchObject({
      type: 'datasource',
      query: 'prometheus',
    });
    const panels = dash.panels.filter((p) => p.type !== 'row');
    for (const p of panels) {
      expect({ title: p.title, uid: p.datasource?.uid }).toEqual({
        title: p.title,
        uid: '${datasource}',
      });
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.datasource.uid).toBe('${datasource}');
    }
  });

  it('has the panels operators need', () => {
    const titles = buildDashboard().panels?.map((p) => p.title);
    for (const title of [
      'Tasks by phase',
      'Throughput',
      'Dispatch latency',
      'Queue wait',
      'Run time',
      'Agents',
      'Free slots',
      'Failures by reason',
      'Reconcile errors',
      'Work queue depth',
      'Event loop lag',
    ]) {
      expect(titles).toContain(title);
    }
  });
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { renderChart } from './helpers.js';

const run = promisify(execFile);
const PROMTOOL = process.env.PROMTOOL ?? '/usr/bin/promtool';
const L = 'namespace="tr", job="tr-metrics"';
const LABELS = { namespace: 'tr', job: 'tr-metrics' };

interface Case {
  alert: string;
  severity: string;
  evalTime: string;
  firing: Record<string, string>;
  healthy: Record<string, string>;
}

/** For each alert: series that must fire it, and healthy series that must keep it quiet. */
const CASES: Case[] = [
  {
    alert: 'TaskRouterNoLiveAgents',
    severity: 'critical',
    evalTime: '10m',
    firing: {
      [`taskrouter_agents{${L}, pod="c0", state="Ready"}`]: '0x20',
      [`taskrouter_agents{${L}, pod="c0", state="Full"}`]: '0x20',
    },
    // The standby reports 0 agents; the leader's 2 count.
    healthy: {
      [`taskrouter_agents{${L}, pod="c0", state="Ready"}`]: '2x20',
      [`taskrouter_agents{${L}, pod="c1", state="Ready"}`]: '0x20',
    },
  },
  {
    alert: 'TaskRouterTasksPendingTooLong',
    severity: 'warning',
    evalTime: '40m',
    firing: {
      [`taskrouter_tasks{${L}, pod="c0", phase="Pending"}`]: '3x50',
      [`taskrouter_task_transitions_total{${L}, pod="c0", phase="Running", reason="Started"}`]:
        '5x50',
    },
    healthy: {
      [`taskrouter_tasks{${L}, pod="c0", phase="Pending"}`]: '3x50',
      [`taskrouter_task_transitions_total{${L}, pod="c0", phase="Running", reason="Started"}`]:
        '0+1x50',
    },
  },
  {
    alert: 'TaskRouterDispatchFailures',
    severity: 'warning',
    evalTime: '25m',
    firing: { [`taskrouter_dispatch_failures_total{${L}, pod="c0", reason="Timeout"}`]: '0+60x30' },
    healthy: { [`taskrouter_dispatch_failures_total{${L}, pod="c0", reason="Timeout"}`]: '0+1x30' },
  },
  {
    alert: 'TaskRouterNoLeader',
    severity: 'critical',
    evalTime: '5m',
    firing: {
      [`taskrouter_leader{${L}, pod="c0"}`]: '0x10',
      [`taskrouter_leader{${L}, pod="c1"}`]: '0x10',
    },
    healthy: {
      [`taskrouter_leader{${L}, pod="c0"}`]: '1x10',
      [`taskrouter_leader{${L}, pod="c1"}`]: '0x10',
    },
  },
  {
    alert: 'TaskRouterHighFailureRatio',
    severity: 'warning',
    evalTime: '40m',
    firing: {
      [`taskrouter_task_transitions_total{${L}, pod="c0", phase="Failed", reason="ExitCode"}`]:
        '0+9x50',
      [`taskrouter_task_transitions_total{${L}, pod="c0", phase="Complete", reason="Completed"}`]:
        '0+1x50',
    },
    healthy: {
      [`taskrouter_task_transitions_total{${L}, pod="c0", phase="Failed", reason="ExitCode"}`]:
        '0+1x50',
      [`taskrouter_task_transitions_total{${L}, pod="c0", phase="Complete", reason="Completed"}`]:
        '0+9x50',
    },
  },
];

const series = (values: Record<string, string>) =>
  Object.entries(values).map(([s, v]) => ({ series: s, values: v }));

describe('the alert rules of the chart', () => {
  let dir: string;
  let groups: { rules: { alert: string }[] }[];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'task-router-alerts-'));
    const objs = await renderChart(['prometheusRule.enabled=true']);
    const rule = objs.find((o) => o.kind === 'PrometheusRule') as unknown as {
      spec: { groups: { rules: { alert: string }[] }[] };
    };
    groups = rule.spec.groups;
    writeFileSync(join(dir, 'rules.yaml'), stringify({ groups }));
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('pass promtool check rules', async () => {
    const { stdout } = await run(PROMTOOL, ['check', 'rules', join(dir, 'rules.yaml')]);
    expect(stdout).toMatch(/SUCCESS: 5 rules found/);
  });

  it('each fire on synthetic failing series and stay quiet on healthy ones (promtool test rules)', async () => {
    expect(groups.flatMap((g) => g.rules.map((r) => r.alert)).sort()).toEqual(
      CASES.map((c) => c.alert).sort(),
    );
    const tests = CASES.flatMap((c) => [
      {
        name: `${c.alert} fires`,
        interval: '1m',
        input_series: series(c.firing),
        alert_rule_test: [
          {
            eval_time: c.evalTime,
            alertname: c.alert,
            exp_alerts: [{ exp_labels: { severity: c.severity, ...LABELS } }],
          },
        ],
      },
      {
        name: `${c.alert} stays quiet`,
        interval: '1m',
        input_series: series(c.healthy),
        alert_rule_test: [{ eval_time: c.evalTime, alertname: c.alert, exp_alerts: [] }],
      },
    ]);
    // promtool compares annotations exactly; `check rules` above already parsed their templates,
    // so the unit test runs the same rules without them and judges labels and timing.
    const bare = groups.map((g) => ({
      ...g,
      rules: g.rules.map(({ annotations: _, ...r }: { alert: string; annotations?: unknown }) => r),
    }));
    writeFileSync(join(dir, 'bare.yaml'), stringify({ groups: bare }));
    const file = join(dir, 'tests.yaml');
    writeFileSync(file, stringify({ rule_files: ['bare.yaml'], evaluation_interval: '1m', tests }));
    const result = await run(PROMTOOL, ['test', 'rules', file]).catch(
      (err: unknown) => err as { stdout: string; stderr: string },
    );
    expect(`${result.stdout}${result.stderr}`).toMatch(/SUCCESS/);
  });
});

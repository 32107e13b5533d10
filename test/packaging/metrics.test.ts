import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster } from '../../src/localcluster/index.js';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { buildDashboard } from '../../src/dashboard/index.js';
import { ROOT, renderChart } from './helpers.js';
import { freePort } from '../free-port.js';

/** Metric names in PromQL: identifiers with one of our prefixes. */
function metricNames(promql: string): string[] {
  return [
    ...promql.matchAll(
      /\b((?:taskrouter|controller_runtime|workqueue|nodejs|process)_[a-z0-9_]+)/g,
    ),
  ].map((m) => m[1] ?? '');
}

/** Names a scrape exposes, histograms also under their _bucket, _sum and _count series. */
function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name = '', type] = m;
    names.add(name);
    if (type === 'histogram' || type === 'summary') {
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
    }
  }
  return names;
}

describe('metrics named by the dashboard and the alerts', () => {
  let cluster: LocalCluster;
  let controller: ChildProcess;
  let dir: string;
  let scrape: string;

  beforeAll(async () => {
    cluster = await startLocalCluster({ port: 0 });
    dir = mkdtempSync(join(tmpdir(), 'task-router-metrics-'));
    const kubeconfig = join(dir, 'kubeconfig.yaml');
    writeFileSync(kubeconfig, cluster.kubeConfigYaml);
    const [metricsPort, principalPort] = [await freePort(), await freePort()];
    // The real controller, as the image runs it, from the built dist/.
    controller = spawn(
      process.execPath,
      [
        `${ROOT}bin/task-router.js`,
        'controller',
        '--kubeconfig',
        kubeconfig,
        '--metrics-address',
        `127.0.0.1:${metricsPort}`,
        '--principal-listen',
        `tcp://127.0.0.1:${principalPort}`,
        '--lease-namespace',
        'default',
      ],
      { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'silent' } },
    );
    const deadline = Date.now() + 20_000;
    for (;;) {
      try {
        const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
        scrape = await res.text();
        if (res.ok && scrape.includes('taskrouter_leader 1')) break;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) throw new Error('the controller never served /metrics as leader');
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 30_000);

  afterAll(async () => {
    if (controller.exitCode === null) {
      const exited = new Promise((r) => controller.once('exit', r));
      controller.kill('SIGTERM');
      await exited;
    }
    await cluster.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every metric in the dashboard is exported by a running controller', () => {
    const exposed = exposedNames(scrape);
    const used = new Set(
      (buildDashboard().panels ?? []).flatMap((p) =>
        ((p as { targets?: { expr?: string }[] }).targets ?? []).flatMap((t) =>
          metricNames(t.expr ?? ''),
        ),
      ),
    );
    expect(used.size).toBeGreaterThan(10);
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
  });

  it('every metric in the alert rules is exported by a running controller', async () => {
    const exposed = exposedNames(scrape);
    const objs = await renderChart(['prometheusRule.enabled=true']);
    const rule = objs.find((o) => o.kind === 'PrometheusRule') as unknown as {
      spec: { groups: { rules: { expr: string }[] }[] };
    };
    const used = new Set(
      rule.spec.groups.flatMap((g) => g.rules.flatMap((r) => metricNames(r.expr))),
    );
    expect(used.size).toBeGreaterThanOrEqual(5);
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
  });
});

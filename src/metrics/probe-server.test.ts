import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { createMetrics } from './metrics.js';
import { workQueueSink } from './sink.js';
import { ProbeServerError, startProbeServer } from './probe-server.js';
import type { ProbeServer } from './probe-server.js';

const logger = pino({ level: 'silent' });
const promtool = spawnSync('promtool', ['--version'], { stdio: 'ignore' }).error === undefined;
const ci = process.env.CI === 'true';

/** Checks the Prometheus text format line by line; returns the sample names seen. */
function parseExposition(text: string): Set<string> {
  const names = new Set<string>();
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*\})? (-?[0-9.e+-]+|[Nn]a[Nn]|\+Inf|-Inf)$/;
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const m = sample.exec(line);
    if (m === null) throw new Error(`not a Prometheus sample line: ${line}`);
    names.add(m[1]!);
  }
  return names;
}

describe('startProbeServer', () => {
  let server: ProbeServer | undefined;
  let ready = false;
  let healthy = true;
  const registry = new Registry();
  const metrics = createMetrics(registry);

  beforeEach(async () => {
    ready = false;
    healthy = true;
    server = await startProbeServer({
      port: 0,
      host: '127.0.0.1',
      registry,
      isHealthy: () => healthy,
      isReady: () => ready,
      logger,
    });
  });

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const url = (path: string): string => `http://127.0.0.1:${server!.port}${path}`;

  it('serves /metrics in the Prometheus text format over HTTP', async () => {
    metrics.recordDispatchFailure('Timeout');
    metrics.leader.set(1);
    workQueueSink(metrics, 'task').queueDuration(0.01);
    const res = await fetch(url('/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const names = parseExposition(await res.text());
    expect(names).toContain('taskrouter_dispatch_failures_total');
    expect(names).toContain('taskrouter_leader');
    expect(names).toContain('workqueue_queue_duration_seconds_bucket');
    expect(names).toContain('nodejs_eventloop_lag_seconds');
  });

  (promtool || ci ? it : it.skip)(
    `passes promtool check metrics${promtool ? '' : ci ? ' (promtool missing under CI)' : ' (skipped: promtool not installed)'}`,
    async () => {
      expect(promtool).toBe(true); // under CI=true a missing promtool fails here
      metrics.recordTransition('Complete', 'Completed');
      metrics.queueWait.observe(0.2);
      const body = await (await fetch(url('/metrics'))).text();
      const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
      expect(`${check.stdout}${check.stderr}`.trim()).toBe('');
      expect(check.status).toBe(0);
    },
  );

  it('answers /readyz 503 until ready, then 200', async () => {
    const before = await fetch(url('/readyz'));
    expect(before.status).toBe(503);
    ready = true;
    const after = await fetch(url('/readyz'));
    expect(after.status).toBe(200);
    expect(await after.text()).toBe('ok\n');
  });

  it('answers /healthz from the health check', async () => {
    expect((await fetch(url('/healthz'))).status).toBe(200);
    healthy = false;
    expect((await fetch(url('/healthz'))).status).toBe(503);
  });

  it('answers 404 for other paths', async () => {
    expect((await fetch(url('/nope'))).status).toBe(404);
  });
});

describe('startProbeServer on a busy port', () => {
  it('fails with ProbeServerError naming the address', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      await expect(
        startProbeServer({
          port,
          host: '127.0.0.1',
          registry: new Registry(),
          isHealthy: () => true,
          isReady: () => true,
          logger,
        }),
      ).rejects.toThrow(ProbeServerError);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });
});

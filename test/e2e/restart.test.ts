import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import type { Agent } from '../../src/agent/index.js';
import { startLocalCluster } from '../../src/localcluster/index.js';
import type { LocalCluster } from '../../src/localcluster/index.js';
import { startAgent } from '../agent/helpers.js';
import { toolPath } from '../../scripts/tools.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { countAcceptedRuns, waitFor } from './stack.js';
import { freePort } from '../free-port.js';

const run = promisify(execFile);
const BIN = new URL('../../bin/task-router.js', import.meta.url).pathname;

describe('a controller killed mid-flight and started again', () => {
  let cluster: LocalCluster;
  let agent: Agent | undefined;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
    await agent?.stop(2000, 200);
    await cluster.close();
  });

  it('loses no report and runs no attempt twice when killed between dispatch and its status write', async () => {
    cluster = await startLocalCluster({ port: 0 });
    const principalPort = await freePort();
    const principal = `tcp://127.0.0.1:${principalPort}`;
    const startController = async (): Promise<ChildProcess> => {
      const metricsPort = await freePort();
      const child = spawn(
        process.execPath,
        [
          BIN,
          'controller',
          '--kubeconfig',
          cluster.kubeconfigPath,
          '--principal-listen',
          principal,
          '--metrics-address',
          `127.0.0.1:${metricsPort}`,
          '--leader-elect',
          'false',
        ],
        { stdio: 'ignore', env: { ...process.env, LOG_LEVEL: 'warn' } },
      );
      children.push(child);
      return child;
    };
    const first = await startController();
    const runs = new Map<string, number>();
    agent = await startAgent(principal, {
      instanceId: 'survivor',
      logger: pino({ level: 'silent' }),
    });
    countAcceptedRuns(agent, runs);
    const kubectl = async (...args: string[]): Promise<string> =>
      (await run(toolPath('kubectl'), ['--kubeconfig', cluster.kubeconfigPath, ...args])).stdout;

    // Status writes hang, so the controller dispatches but cannot record it.
    cluster.faults.delay({ verb: 'patch', resource: 'tasks', subresource: 'status', ms: 60_000 });
    const manifest = {
      apiVersion: 'taskrouter.io/v1alpha1',
      kind: 'Task',
      metadata: { name: 'outlives', namespace: 'default' },
      spec: { executor: 'SHELL', command: 'sleep 1; echo finished' },
    };
    const apply = spawn(toolPath('kubectl'), [
      '--kubeconfig',
      cluster.kubeconfigPath,
      'apply',
      '-f',
      '-',
    ]);
    apply.stdin.end(JSON.stringify(manifest));
    await new Promise((resolve) => apply.on('exit', resolve));
    await waitFor(() => Promise.resolve(runs.size > 0 ? true : undefined), 'the dispatch');

    first.kill('SIGKILL');
    await new Promise((resolve) => first.on('exit', resolve));
    cluster.faults.clear();
    await startController();

    const done = await waitFor(
      async () => {
        const task = JSON.parse(await kubectl('get', 'task', 'outlives', '-o', 'json')) as {
          status?: { phase?: string; attempts?: number; output?: string; agent?: string };
        };
        return task.status?.phase === 'Complete' ? task.status : undefined;
      },
      'the Task to complete under the new controller',
      30_000,
    );
    expect(done).toMatchObject({ attempts: 1, agent: 'survivor', output: 'finished\n' });
    expect([...runs.values()]).toEqual([1]);
  });
});

describe('an agent that restarts on the same address mid-run', () => {
  it('counts the lost attempt and retries it on the restarted agent', async () => {
    const { startStack: start } = await import('./stack.js');
    const stack = await start({ agentTimeoutMs: 10_000 });
    try {
      const port = await freePort();
      const args = ['--instance-id', 'phoenix', '--executors', 'PROCESS,SHELL', '--slots', '1'];
      const spawnAt = (): ChildProcess =>
        spawn(
          process.execPath,
          [
            BIN,
            'agent',
            '--listen',
            `tcp://127.0.0.1:${port}`,
            '--principal',
            stack.controller.principalEndpoint,
            ...args,
          ],
          { stdio: 'ignore' },
        );
      const first = spawnAt();
      const ns = await stack.namespace('phoenix');
      await stack.apply({
        apiVersion: 'taskrouter.io/v1alpha1',
        kind: 'Task',
        metadata: { name: 'reborn', namespace: ns },
        spec: { executor: 'SHELL', command: 'sleep 2; echo second life', retries: 1 },
      });
      const status = async (): Promise<{ phase?: string; attempts?: number; output?: string }> =>
        (
          JSON.parse(await stack.kubectl('-n', ns, 'get', 'task', 'reborn', '-o', 'json')) as {
            status?: { phase?: string; attempts?: number; output?: string };
          }
        ).status ?? {};
      await waitFor(
        async () => ((await status()).phase === 'Running' ? true : undefined),
        'Running',
      );
      first.kill('SIGKILL');
      await new Promise((resolve) => first.on('exit', resolve));
      const second = spawnAt(); // same id, same address, long before the agent timeout
      try {
        const done = await waitFor(
          async () => {
            const s = await status();
            return s.phase === 'Complete' || s.phase === 'Failed' ? s : undefined;
          },
          'the retried attempt to finish',
          30_000,
        );
        expect(done).toMatchObject({ phase: 'Complete', attempts: 2, output: 'second life\n' });
        const events = await stack.kubectl('-n', ns, 'get', 'events.events.k8s.io', '-o', 'json');
        expect(events).toContain('AgentLost');
      } finally {
        second.kill('SIGKILL');
      }
    } finally {
      await stack.close();
    }
  });
});

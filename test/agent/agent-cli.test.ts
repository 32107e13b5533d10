import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { getPriority, hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  TestPrincipal,
  childAppears,
  client,
  goneWithin,
  processesWhere,
  runTask,
} from './helpers.js';
import { freePort } from '../free-port.js';

// Runs the built CLI (`npx tsc -p tsconfig.build.json` first), as a pod would.
const BIN = fileURLToPath(new URL('../../bin/task-router.js', import.meta.url));

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
}

function rssKiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

describe('task-router agent', () => {
  let principal: TestPrincipal;
  let child: ChildProcess | undefined;

  beforeEach(async () => {
    principal = new TestPrincipal();
    await principal.start();
  });

  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited(child);
    }
    await principal.close();
  });

  /** Starts the CLI agent; with `niceness`, under `nice -n niceness`. */
  async function spawnAgent(
    extra: string[],
    env: NodeJS.ProcessEnv = {},
    niceness?: number,
  ): Promise<string> {
    const listen = `tcp://127.0.0.1:${await freePort()}`;
    const under = niceness === undefined ? [] : ['-n', String(niceness), process.execPath];
    child = spawn(
      niceness === undefined ? process.execPath : 'nice',
      [
        ...under,
        BIN,
        'agent',
        '--listen',
        listen,
        '--principal',
        principal.endpoint,
        '--executors',
        'PROCESS,SHELL',
        ...extra,
      ],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...process.env, ...env, LOG_LEVEL: 'warn' },
      },
    );
    await principal.until(() => principal.registers.length > 0);
    return listen;
  }

  it('drains on SIGTERM: waiting tasks and those past the grace fail with AgentShutdown, exit 0', async () => {
    const listen = await spawnAgent(['--slots', '2', '--queue', '2', '--drain-grace-seconds', '1']);
    const rc = client(listen);
    const quick = runTask({ command: 'sleep', args: ['0.3'] });
    const slow = runTask({ command: 'sleep', args: ['30'] });
    const waiting = runTask({ command: 'sleep', args: ['1'] });
    for (const t of [quick, slow, waiting])
      expect(await rc.request(t)).toMatchObject({ kind: 'OK' });
    await principal.until(() => principal.reportsOf(waiting.uid).length > 0);
    child!.kill('SIGTERM');
    expect(await exited(child!)).toBe(0);
    rc.close();
    expect(await principal.final(quick.uid)).toMatchObject({ state: 'COMPLETE' });
    expect(await principal.final(slow.uid)).toMatchObject({
      state: 'FAILED',
      reason: 'AgentShutdown',
    });
    expect(await principal.final(waiting.uid)).toMatchObject({
      state: 'FAILED',
      reason: 'AgentShutdown',
    });
  });

  it('keeps its memory flat while a task prints hundreds of megabytes', async () => {
    const listen = await spawnAgent([]);
    const rc = client(listen);
    const pid = child!.pid!;
    // The agent and its launch helper, which reads the task's output.
    const helper = await childAppears(pid);
    const rss = (): number => rssKiB(pid) + rssKiB(helper);
    const before = rss();
    const t = runTask({ executor: 'SHELL', command: 'yes | head -c 400000000' });
    await rc.request(t);
    const final = await principal.final(t.uid, 60_000);
    rc.close();
    expect(final).toMatchObject({ state: 'COMPLETE', outputTruncated: true });
    expect(final.output.length).toBe(16 * 1024);
    // Loose bound: buffering the output whole would add about 400 MB.
    expect(rss() - before).toBeLessThan(100 * 1024);
  }, 90_000);

  it('leaves no task running when it is killed with SIGKILL', async () => {
    const listen = await spawnAgent([]);
    const rc = client(listen);
    const helper = await childAppears(child!.pid!);
    // A shell with a background child, so that the task is a process group, not one process.
    const t = runTask({ executor: 'SHELL', command: 'sleep 60 & sleep 60; wait' });
    expect(await rc.request(t)).toMatchObject({ kind: 'OK' });
    rc.close();
    const task = await childAppears(helper);
    await childAppears(task);
    child!.kill('SIGKILL');
    await exited(child!);
    // The helper sees its channel to the agent close, kills every task group and exits.
    expect(await goneWithin(task, 5000)).toBe(true);
    expect(await goneWithin(helper, 5000)).toBe(true);
    // Nothing of the task's process group is left either (the helper's exit may still be
    // tearing down its threads, so its pid is not a reliable parent to look under).
    expect(processesWhere('group', task)).toEqual([]);
  });

  it('runs tasks nicer than itself: 10 by default, --task-nice or its variable otherwise', async () => {
    const own = getPriority();
    const niceOf = async (
      extra: string[],
      env: NodeJS.ProcessEnv = {},
      niceness?: number,
    ): Promise<string> => {
      const listen = await spawnAgent(extra, env, niceness);
      const rc = client(listen);
      const t = runTask({ command: 'nice' });
      expect(await rc.request(t)).toMatchObject({ kind: 'OK' });
      const final = await principal.final(t.uid);
      rc.close();
      child!.kill('SIGTERM');
      await exited(child!);
      principal.registers.length = 0;
      return final.output;
    };
    expect(await niceOf([])).toBe(`${Math.min(19, own + 10)}\n`);
    expect(await niceOf(['--task-nice', '0'])).toBe(`${own}\n`);
    expect(await niceOf([], { TASK_ROUTER_AGENT_TASK_NICE: '4' })).toBe(`${own + 4}\n`);
    // Relative to the agent's own niceness, so tasks never end up ahead of a niced agent.
    expect(await niceOf(['--task-nice', '3'], {}, 2)).toBe(`${Math.min(19, own + 5)}\n`);
  });

  async function refused(args: string[]): Promise<{ code: number | null; err: string }> {
    child = spawn(process.execPath, [BIN, 'agent', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    return { code: await exited(child), err };
  }

  it.each([
    [['--queue', '-1'], '--queue: expected an integer >= 0, got "-1"'],
    [
      ['--principal', 'nope'],
      '--principal: expected tcp://HOST:PORT with PORT 1-65535, got "nope"',
    ],
    [['--listen', 'tcp://127.0.0.1:99999'], '--listen: expected tcp://HOST:PORT with PORT 0-65535'],
    [['--advertise', 'tcp://10.0.0.1:0'], '--advertise: expected tcp://HOST:PORT'],
    [['--instance-id', ''], '--instance-id: expected a non-empty id, got ""'],
    [['--memory', '9Ei'], '--memory: invalid quantity "9Ei": expected at most'],
    [['--cpu', '1e18'], '--cpu: invalid quantity "1e18": expected at most'],
  ])('refuses %j and exits 1, naming the option', async (args, expected) => {
    const { code, err } = await refused(args);
    expect(code).toBe(1);
    expect(err).toContain(expected);
  });

  it('names itself after the host and its pid when POD_NAME is not set', async () => {
    const env = { ...process.env };
    delete env.POD_NAME;
    const listen = `tcp://127.0.0.1:${await freePort()}`;
    child = spawn(
      process.execPath,
      [BIN, 'agent', '--listen', listen, '--principal', principal.endpoint],
      {
        stdio: ['ignore', 'ignore', 'inherit'],
        env: { ...env, LOG_LEVEL: 'warn' },
      },
    );
    await principal.until(() => principal.registers.length > 0);
    expect(principal.registers[0]?.instanceId).toBe(`${hostname()}-${child.pid}`);
  });

  it('names itself after POD_NAME when set', async () => {
    await spawnAgent([], { POD_NAME: 'agent-pod-x1' });
    expect(principal.registers[0]?.instanceId).toBe('agent-pod-x1');
  });
});

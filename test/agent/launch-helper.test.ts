import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { getPriority } from 'node:os';
import { Agent, HelperLauncher, InlineLauncher } from '../../src/agent/index.js';
import { TaskReason } from '../../src/protocol/index.js';
import { alive, childAppears, goneWithin, runTask, silent } from './helpers.js';

// The helper is a forked Node process, so it runs from the build (`make test` builds first).
const ENTRY = new URL('../../dist/agent/launch-helper.js', import.meta.url);

/** The niceness `by` more than this process's, as Linux caps it. */
const nicer = (by: number): number => Math.min(19, getPriority() + by);

const sleeper = (seconds: number) => runTask({ command: 'sleep', args: [String(seconds)] });

describe('launch helper', () => {
  let launcher: HelperLauncher;

  beforeAll(() => {
    if (!existsSync(fileURLToPath(ENTRY))) throw new Error('build first: make build');
  });

  beforeEach(() => {
    launcher = new HelperLauncher(silent, { entry: ENTRY });
  });

  afterEach(async () => {
    await launcher.close();
  });

  it('starts a task in its own process and reports its output and exit', async () => {
    const handle = await launcher.start(runTask({ command: 'echo', args: ['from', 'helper'] }), {});
    expect(handle.pid).toEqual(expect.any(Number));
    expect(handle.pid).not.toBe(launcher.helperPid);
    expect(await handle.done).toMatchObject({
      ok: true,
      reason: TaskReason.Completed,
      exitCode: 0,
      output: 'from helper\n',
    });
  });

  it('stops a task when asked, with the reason given', async () => {
    const handle = await launcher.start(sleeper(30), { killGraceMs: 500 });
    handle.stop(TaskReason.Cancelled);
    const result = await handle.done;
    expect(result).toMatchObject({ ok: false, reason: TaskReason.Cancelled });
    expect(await goneWithin(handle.pid!)).toBe(true);
  });

  it('ends a missing program as StartFailed, not a crash of the helper', async () => {
    const handle = await launcher.start(runTask({ command: 'no-such-program-here' }), {});
    expect(await handle.done).toMatchObject({
      ok: false,
      reason: TaskReason.StartFailed,
      message: 'program no-such-program-here not found',
    });
    const next = await launcher.start(runTask({ command: 'true' }), {});
    expect(await next.done).toMatchObject({ ok: true });
  });

  it('fails the tasks of a helper that dies, kills their processes and starts a new helper', async () => {
    launcher.warm();
    const first = launcher.helperPid!;
    const handle = await launcher.start(sleeper(30), {});
    const taskPid = await childAppears(first);
    process.kill(first, 'SIGKILL');
    expect(await handle.done).toMatchObject({
      ok: false,
      reason: TaskReason.StartFailed,
      message: 'launch helper exited (code null, signal SIGKILL)',
    });
    expect(await goneWithin(taskPid)).toBe(true);
    const next = await launcher.start(runTask({ command: 'echo', args: ['again'] }), {});
    expect(await next.done).toMatchObject({ ok: true, output: 'again\n' });
    expect(launcher.helperPid).not.toBe(first);
  });

  it('sends a task started in the same turn as a close to the new helper, not the old one', async () => {
    const old = await launcher.start(sleeper(30), {});
    const closing = launcher.close();
    const next = launcher.start(runTask({ command: 'echo', args: ['new'] }), {});
    await closing;
    expect(await old.done).toMatchObject({ ok: false, reason: TaskReason.StartFailed });
    expect(await (await next).done).toMatchObject({ ok: true, output: 'new\n' });
  });

  it('kills what it still runs when the launcher closes, and exits', async () => {
    launcher.warm();
    const helper = launcher.helperPid!;
    const handle = await launcher.start(sleeper(30), {});
    const taskPid = await childAppears(helper);
    await launcher.close();
    expect(await handle.done).toMatchObject({ ok: false, reason: TaskReason.StartFailed });
    expect(await goneWithin(taskPid)).toBe(true);
    expect(alive(helper)).toBe(false);
  });

  it('runs tasks, and what they fork, at the niceness it was given; the agent keeps its own', async () => {
    const own = getPriority();
    const plain = await launcher.start(runTask({ command: 'nice' }), {});
    expect(await plain.done).toMatchObject({ ok: true, output: `${own}\n` });
    await launcher.close();

    launcher = new HelperLauncher(silent, { entry: ENTRY, nice: 7 });
    const nice = await launcher.start(
      runTask({ command: 'sh', args: ['-c', 'nice; sh -c nice'] }),
      {},
    );
    expect(await nice.done).toMatchObject({ ok: true, output: `${nicer(7)}\n${nicer(7)}\n` });
    expect(getPriority(launcher.helperPid)).toBe(nicer(7));
    expect(getPriority()).toBe(own);
  });
});

describe('inline launcher', () => {
  it('sets the niceness it was given on each task process once started', async () => {
    const handle = await new InlineLauncher(5).start(sleeper(30), {});
    try {
      expect(getPriority(handle.pid)).toBe(nicer(5));
    } finally {
      handle.stop(TaskReason.Cancelled);
      await handle.done;
    }
  });
});

describe('task niceness', () => {
  it('refuses a niceness outside 0 to 19, naming the option', () => {
    expect(() => new InlineLauncher(20)).toThrow('nice: expected an integer from 0 to 19, got 20');
    expect(() => new HelperLauncher(silent, { entry: ENTRY, nice: -1 })).toThrow(
      'nice: expected an integer from 0 to 19, got -1',
    );
    const agent = (taskNice: number) =>
      new Agent({
        listen: 'tcp://127.0.0.1:0',
        instanceId: 'nice-check',
        slots: 1,
        queueLength: 0,
        cpuMillis: 0,
        memoryBytes: 0,
        labels: {},
        executors: ['PROCESS'],
        taskNice,
        logger: silent,
      });
    expect(() => agent(1.5)).toThrow(RangeError);
    expect(() => agent(1.5)).toThrow('taskNice: expected an integer from 0 to 19, got 1.5');
  });
});

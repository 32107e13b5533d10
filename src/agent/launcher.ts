import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { TaskReason } from '../protocol/index.js';
import { type RunTask } from '../protocol/index.js';
import {
  startFailedResult,
  startTask,
  type ExecResult,
  type ExecutorOptions,
  type RunningTask,
} from './executor.js';
import type { LaunchCommand, LaunchEvent } from './launch-messages.js';
import { checkNice, makeNicer } from './niceness.js';

/** Starts task processes; `start` never rejects (a failure to start is a StartFailed result). */
export interface Launcher {
  start(task: RunTask, options: ExecutorOptions): Promise<RunningTask>;
  /** Gets ready ahead of the first task, so that one does not wait; optional to call. */
  warm(): void;
  /** Stops the launch machinery; tasks still held are not waited for. */
  close(): Promise<void>;
}

/**
 * Spawns on the calling thread: simple, but blocks its event loop for each spawn. Each task
 * process is made `nice` nicer than the caller just after it starts, so anything it forks at
 * once may keep the caller's priority; HelperLauncher has no such gap.
 */
export class InlineLauncher implements Launcher {
  constructor(private readonly nice = 0) {
    checkNice(nice, 'nice');
  }

  async start(task: RunTask, options: ExecutorOptions): Promise<RunningTask> {
    const handle = await startTask(task, options);
    if (handle.pid !== undefined) {
      try {
        makeNicer(this.nice, handle.pid);
      } catch {
        // Gone already (ESRCH): it has no CPU left to take.
      }
    }
    return handle;
  }

  warm(): void {
    // Nothing to prepare.
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface InFlight {
  /** The helper that runs it. */
  readonly helper: ChildProcess;
  pid?: number;
  readonly started: (pid: number | undefined) => void;
  readonly finished: (result: ExecResult) => void;
}

const HELPER_ENTRY = new URL('./launch-helper.js', import.meta.url);

export interface HelperLauncherOptions {
  /** The helper's entry module; default the compiled launch-helper.js next to this one. */
  readonly entry?: URL;
  /**
   * How much nicer than the agent the helper runs (0 to 19; default 0). Every task it starts
   * inherits that, so tasks yield the CPU to the agent, which keeps answering RUNTASKs and
   * sending heartbeats while they keep the cores busy. The helper's own supervision (timeouts,
   * output, exit events) runs at that niceness too.
   */
  readonly nice?: number;
}

/**
 * True when the compiled launch helper is next to this module. Running from the TypeScript
 * sources (as the test runner does) there is none, and Node cannot fork TypeScript.
 */
export function helperLauncherAvailable(): boolean {
  return HELPER_ENTRY.protocol === 'file:' && existsSync(fileURLToPath(HELPER_ENTRY));
}

/**
 * Spawns and supervises task processes in one small helper process (see launch-helper.ts), so
 * the agent neither blocks in fork and exec nor pays for forking its own large heap, and no task
 * outlives the agent. The helper is forked on first use (or by `warm`) and keeps the agent alive
 * only while tasks are in flight. If it dies, every task it held ends as StartFailed after its
 * group is killed, and the next task forks a new one.
 */
export class HelperLauncher implements Launcher {
  private helper?: ChildProcess;
  /** Commands of this turn, sent as one message when the turn's synchronous work is done. */
  private outbox: LaunchCommand[] = [];
  /** The helper the outbox is for; a new helper (after a close) gets an outbox of its own. */
  private outboxFor?: ChildProcess;
  private nextId = 1;
  private readonly inFlight = new Map<number, InFlight>();

  constructor(
    private readonly logger: Logger,
    private readonly options: HelperLauncherOptions = {},
  ) {
    checkNice(options.nice ?? 0, 'nice');
  }

  private get nice(): number {
    return this.options.nice ?? 0;
  }

  /** The helper's pid while it runs. */
  get helperPid(): number | undefined {
    return this.helper?.pid;
  }

  warm(): void {
    this.ensureHelper();
  }

  start(task: RunTask, options: ExecutorOptions): Promise<RunningTask> {
    const id = this.nextId++;
    const helper = this.ensureHelper();
    const stop = (reason: TaskReason): void => {
      this.post(helper, { kind: 'stop', id, reason });
    };
    return new Promise<RunningTask>((resolve) => {
      let finish: (result: ExecResult) => void = () => undefined;
      const done = new Promise<ExecResult>((r) => {
        finish = r;
      });
      this.inFlight.set(id, {
        helper,
        started: (pid) => {
          resolve({ pid, done, stop });
        },
        finished: (result) => {
          finish(result);
        },
      });
      if (this.inFlight.size === 1) setReferenced(helper, true);
      this.post(helper, { kind: 'start', id, task, options });
    });
  }

  async close(): Promise<void> {
    const helper = this.helper;
    this.helper = undefined;
    if (helper && helper.exitCode === null && helper.signalCode === null) {
      const exited = new Promise((resolve) => helper.once('exit', resolve));
      // The helper kills what it still holds and exits when its channel closes.
      if (helper.connected) helper.disconnect();
      else helper.kill('SIGKILL');
      await exited;
    }
    if (helper) this.failAll(helper, 'launch helper closed');
  }

  private post(helper: ChildProcess, command: LaunchCommand): void {
    if (this.outboxFor !== helper) this.flush();
    this.outbox.push(command);
    if (this.outbox.length === 1) {
      this.outboxFor = helper;
      queueMicrotask(() => {
        this.flush();
      });
    }
  }

  private flush(): void {
    const commands = this.outbox;
    const helper = this.outboxFor;
    this.outbox = [];
    this.outboxFor = undefined;
    if (helper === undefined || commands.length === 0) return;
    if (!helper.connected) return; // its exit handler ends what it held
    helper.send(commands, (err) => {
      if (err) this.logger.debug({ err }, 'launch helper unreachable');
    });
  }

  private ensureHelper(): ChildProcess {
    if (this.helper) return this.helper;
    const helper = fork(fileURLToPath(this.options.entry ?? HELPER_ENTRY), [String(this.nice)], {
      // Not the agent's flags (an inspector port, a heap size meant for the agent). Everything the
      // helper allocates per task is short-lived, so a small young generation keeps it small:
      // after 3,000 tasks about 65 MiB resident instead of 86.
      execArgv: ['--max-semi-space-size=1'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'json',
    });
    setReferenced(helper, false);
    helper.on('message', (events: LaunchEvent[]) => {
      for (const event of events) this.onEvent(helper, event);
    });
    helper.on('error', (err) => {
      this.logger.error({ err }, 'launch helper failed');
    });
    helper.once('exit', (code, signal) => {
      if (this.helper === helper) this.helper = undefined;
      const held = this.failAll(helper, `launch helper exited (code ${code}, signal ${signal})`);
      if (held > 0) this.logger.error({ code, signal, held }, 'launch helper exited with tasks');
    });
    this.helper = helper;
    return helper;
  }

  private onEvent(helper: ChildProcess, event: LaunchEvent): void {
    const entry = this.inFlight.get(event.id);
    if (entry === undefined) return;
    if (event.kind === 'started') {
      entry.pid = event.pid;
      entry.started(event.pid);
      return;
    }
    this.inFlight.delete(event.id);
    if (this.inFlight.size === 0) setReferenced(helper, false);
    entry.finished(event.result);
  }

  /** Ends every task `helper` held, and says how many; those of a newer helper go on. */
  private failAll(helper: ChildProcess, message: string): number {
    let ended = 0;
    for (const [id, entry] of this.inFlight) {
      if (entry.helper !== helper) continue;
      // Nobody supervises these processes any more; a task must not outlive its report.
      if (entry.pid !== undefined) killGroup(entry.pid);
      entry.started(undefined); // no effect on a task already started
      entry.finished(startFailedResult(message));
      this.inFlight.delete(id);
      ended += 1;
    }
    return ended;
  }
}

/** Whether the helper (its process and its channel) keeps the agent's loop alive. */
function setReferenced(helper: ChildProcess, on: boolean): void {
  const channel = helper.channel as { ref(): void; unref(): void } | null | undefined;
  if (on) {
    helper.ref();
    channel?.ref();
  } else {
    helper.unref();
    channel?.unref();
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: already gone.
  }
}

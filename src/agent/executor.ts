import { spawn, type ChildProcess } from 'node:child_process';
import { stat } from 'node:fs/promises';
import { TaskReason, type RunTask } from '../protocol/index.js';
import { OutputTail } from './output-tail.js';

/** Timings of the executor; all in milliseconds. */
export interface ExecutorOptions {
  /** Between SIGTERM and SIGKILL when a task is stopped; default 2000. */
  readonly killGraceMs?: number;
  /** How long a process left in the group may hold the pipes after the main one exits; default 500. */
  readonly orphanGraceMs?: number;
  /** Bytes of output kept; default 16 KiB. */
  readonly outputLimitBytes?: number;
  /** Environment every task starts from, before the task's own env; default: none. */
  readonly baseEnv?: Readonly<Record<string, string>>;
}

/** How a task ended. */
export interface ExecResult {
  readonly ok: boolean;
  readonly reason: TaskReason;
  readonly message: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly output: string;
  readonly outputTruncated: boolean;
}

/** A started task; `done` never rejects. */
export interface RunningTask {
  readonly pid: number | undefined;
  readonly done: Promise<ExecResult>;
  /** SIGTERM to the whole group, SIGKILL after the grace; the result carries `reason`. */
  stop(reason: TaskReason): void;
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone, which is what we wanted.
  }
}

function closed(stream: NodeJS.ReadableStream | null): Promise<void> {
  return new Promise<void>((resolve) => {
    if (stream === null || (stream as { closed?: boolean }).closed === true) {
      resolve();
      return;
    }
    stream.once('close', () => {
      resolve();
    });
  });
}

/** The result of a task whose process never started (no such program, bad working dir). */
export function startFailedResult(message: string): ExecResult {
  return {
    ok: false,
    reason: TaskReason.StartFailed,
    message,
    exitCode: null,
    signal: null,
    output: '',
    outputTruncated: false,
  };
}

function failedToStart(message: string): RunningTask {
  return {
    pid: undefined,
    done: Promise.resolve(startFailedResult(message)),
    stop: () => undefined,
  };
}

/**
 * Starts one task in its own process group (so a timeout or cancel reaches its grandchildren
 * too). PROCESS runs argv directly; SHELL runs `sh -c command sh args...`, so args are `$1...`.
 * Output is kept only as a bounded tail. Missing programs and working directories end as
 * StartFailed results rather than throws.
 */
export async function startTask(
  task: RunTask,
  options: ExecutorOptions = {},
): Promise<RunningTask> {
  if (task.workingDir !== '') {
    const dir = await stat(task.workingDir).catch(() => undefined);
    if (dir?.isDirectory() !== true) {
      return failedToStart(
        `working directory ${task.workingDir} does not exist or is not a directory`,
      );
    }
  }
  const env: Record<string, string> = { ...options.baseEnv };
  for (const e of task.env) env[e.name] = e.value;
  const [file, argv] =
    task.executor === 'SHELL'
      ? ['sh', ['-c', task.command, 'sh', ...task.args]]
      : [task.command, [...task.args]];
  let child: ChildProcess;
  try {
    child = spawn(file, argv, {
      cwd: task.workingDir === '' ? undefined : task.workingDir,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (err) {
    return failedToStart(startErrorMessage(err, task.command, [file, ...argv], env));
  }
  return supervise(child, task, options, () => execSize([file, ...argv], env));
}

/** Bytes exec copies for argv and env: each string with its NUL, env as `name=value`. */
function execSize(argv: readonly string[], env: Readonly<Record<string, string>>): number {
  let bytes = 0;
  for (const a of argv) bytes += Buffer.byteLength(a) + 1;
  for (const [k, v] of Object.entries(env))
    bytes += Buffer.byteLength(k) + Buffer.byteLength(v) + 2;
  return bytes;
}

function e2bigMessage(bytes: number): string {
  return `arguments and environment are too large for the system (E2BIG): ${bytes} bytes in total; Linux also refuses any single argument or variable over 128 KiB`;
}

function startErrorMessage(
  err: unknown,
  command: string,
  argv: readonly string[],
  env: Readonly<Record<string, string>>,
): string {
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'E2BIG') {
    return `cannot start ${command}: ${e2bigMessage(execSize(argv, env))}`;
  }
  return `cannot start ${command}: ${err instanceof Error ? err.message : String(err)}`;
}

function supervise(
  child: ChildProcess,
  task: RunTask,
  options: ExecutorOptions,
  execBytes: () => number,
): RunningTask {
  const tail = new OutputTail(options.outputLimitBytes);
  const killGraceMs = options.killGraceMs ?? 2000;
  const orphanGraceMs = options.orphanGraceMs ?? 500;
  const pid = child.pid;
  let stopReason: TaskReason | undefined;
  let stopMessage = '';
  let killTimer: NodeJS.Timeout | undefined;
  const timers: NodeJS.Timeout[] = [];

  const stop = (reason: TaskReason, message = `stopped: ${reason}`): void => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    stopMessage = message;
    killGroup(pid, 'SIGTERM');
    killTimer = setTimeout(() => {
      killGroup(pid, 'SIGKILL');
    }, killGraceMs);
  };
  if (task.timeoutMs > 0) {
    timers.push(
      setTimeout(() => {
        stop(TaskReason.Timeout, `timed out after ${task.timeoutMs} ms`);
      }, task.timeoutMs),
    );
  }
  child.stdout?.on('data', (c: Buffer) => {
    tail.append(c);
  });
  child.stderr?.on('data', (c: Buffer) => {
    tail.append(c);
  });

  const streamsClosed = Promise.all([child.stdout, child.stderr].map(closed));

  const done = new Promise<ExecResult>((resolve) => {
    let spawnError: Error | undefined;
    child.once('error', (err) => {
      spawnError = err;
      // No 'exit' follows a failed spawn; 'close' does.
    });
    child.once('close', (code, signal) => {
      for (const t of timers) clearTimeout(t);
      if (killTimer) clearTimeout(killTimer);
      killGroup(pid, 'SIGKILL');
      resolve(result(code, signal, spawnError));
    });
    child.once('exit', () => {
      // What is left of the group may hold the pipes open forever; the task ends with its main process.
      const orphan = setTimeout(() => {
        killGroup(pid, 'SIGKILL');
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, orphanGraceMs);
      timers.push(orphan);
      void streamsClosed.then(() => {
        clearTimeout(orphan);
      });
    });
  });

  const result = (
    code: number | null,
    signal: NodeJS.Signals | null,
    spawnError?: Error,
  ): ExecResult => {
    const base = { exitCode: code, signal, output: tail.text(), outputTruncated: tail.truncated };
    if (spawnError !== undefined) {
      const code = (spawnError as NodeJS.ErrnoException).code;
      const message =
        code === 'ENOENT'
          ? `program ${task.command} not found`
          : code === 'E2BIG'
            ? `cannot start ${task.command}: ${e2bigMessage(execBytes())}`
            : `cannot start ${task.command}: ${spawnError.message}`;
      return {
        ...base,
        ok: false,
        reason: TaskReason.StartFailed,
        message,
        exitCode: null,
        signal: null,
      };
    }
    if (stopReason !== undefined)
      return { ...base, ok: false, reason: stopReason, message: stopMessage };
    if (signal !== null)
      return { ...base, ok: false, reason: TaskReason.Signal, message: `killed by ${signal}` };
    if (code === 0) return { ...base, ok: true, reason: TaskReason.Completed, message: '' };
    return { ...base, ok: false, reason: TaskReason.ExitCode, message: `exited with code ${code}` };
  };

  return {
    pid,
    done,
    stop: (reason) => {
      stop(reason);
    },
  };
}

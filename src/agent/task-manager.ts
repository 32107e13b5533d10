import type { Logger } from 'pino';
import {
  ErrorCode,
  TaskReason,
  type Executor,
  type RunTask,
  type StatusReport,
  type TaskRef,
  type TaskState,
} from '../protocol/index.js';
import type { ExecResult, ExecutorOptions, RunningTask } from './executor.js';
import {
  InlineLauncher,
  HelperLauncher,
  helperLauncherAvailable,
  type Launcher,
} from './launcher.js';
import { TaskRejectedError, queueFull } from './task-errors.js';

/** A state report before the agent stamps its instance id on it. */
export type TaskReport = Omit<StatusReport, 'verb' | 'instanceId'>;

/** Sizing of the Task Manager. */
export interface TaskManagerOptions {
  /** Tasks run at once. */
  readonly slots: number;
  /** Tasks that may wait for a slot; beyond that RUNTASK gets QUEUE_FULL. */
  readonly queueLength: number;
  /** CPU shared by running tasks, in millicores; 0 means not accounted. */
  readonly cpuMillis: number;
  /** Memory shared by running tasks, in bytes; 0 means not accounted. */
  readonly memoryBytes: number;
  readonly executors: readonly Executor[];
  /** Finished task attempts remembered to recognise a repeated RUNTASK; default 4096. */
  readonly rememberFinished?: number;
  readonly executor?: ExecutorOptions;
  /** How much nicer than the agent tasks run (0 to 19), for the default launcher; default 0. */
  readonly taskNice?: number;
  /**
   * Starts the processes. Default: a HelperLauncher when the compiled launch helper is present,
   * else an InlineLauncher (which blocks the event loop for each spawn).
   */
  readonly launcher?: Launcher;
  readonly logger: Logger;
  /** Receives every report in order per task; must not throw. */
  readonly onReport: (report: TaskReport) => void;
}

interface Entry {
  readonly task: RunTask;
  seq: number;
  startTimeMs: number | null;
  handle?: RunningTask;
  /** A stop asked for before the process was started. */
  pendingStop?: TaskReason;
}

const key = (ref: TaskRef): string => `${ref.uid}\u0000${ref.attempt}`;

/** Free room, for heartbeats. */
export interface FreeRoom {
  readonly slots: number;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly queued: number;
}

/**
 * Takes RUNTASKs at once, runs them in a pool of slots, keeps the rest in a bounded FIFO queue,
 * and reports every state change. A repeated RUNTASK for an attempt it holds or finished
 * recently is recognised and not run again.
 */
export class TaskManager {
  /** Waiting tasks by key, oldest first (a Map keeps insertion order). */
  private readonly queue = new Map<string, Entry>();
  private readonly running = new Map<string, Entry>();
  private readonly finished = new Set<string>();
  private readonly idle = new Set<() => void>();
  private usedCpu = 0;
  private usedMemory = 0;
  private draining = false;
  private readonly launcher: Launcher;
  /** Admitted to a slot, not yet handed to the launcher. */
  private toLaunch: Entry[] = [];

  constructor(private readonly options: TaskManagerOptions) {
    const nice = options.taskNice ?? 0;
    this.launcher =
      options.launcher ??
      (helperLauncherAvailable()
        ? new HelperLauncher(options.logger, { nice })
        : new InlineLauncher(nice));
  }

  /** Prepares the launcher so that the first task does not wait for it. */
  warm(): void {
    this.launcher.warm();
  }

  /**
   * Accepts a task, or throws TaskRejectedError (QUEUE_FULL, UNSUPPORTED, SHUTTING_DOWN).
   * Resolves synchronously: the process starts in the background.
   */
  submit(task: RunTask): 'accepted' | 'duplicate' {
    const k = key(task);
    if (this.running.has(k) || this.finished.has(k) || this.queue.has(k)) {
      return 'duplicate';
    }
    const o = this.options;
    if (this.draining)
      throw new TaskRejectedError(ErrorCode.ShuttingDown, 'agent is shutting down');
    if (!o.executors.includes(task.executor)) {
      throw new TaskRejectedError(
        ErrorCode.Unsupported,
        `executor ${task.executor} is not enabled on this agent`,
      );
    }
    if (
      (o.cpuMillis > 0 && task.cpuMillis > o.cpuMillis) ||
      (o.memoryBytes > 0 && task.memoryBytes > o.memoryBytes)
    ) {
      throw new TaskRejectedError(
        ErrorCode.Unsupported,
        `task needs cpu ${task.cpuMillis}m and memory ${task.memoryBytes} bytes; agent has ${o.cpuMillis}m and ${o.memoryBytes} bytes`,
      );
    }
    const entry: Entry = { task, seq: 0, startTimeMs: null };
    if (this.queue.size === 0 && this.fits(task)) {
      this.start(entry);
      return 'accepted';
    }
    if (this.queue.size >= o.queueLength) throw queueFull(o.queueLength);
    this.queue.set(k, entry);
    this.report(entry, 'WAITING', TaskReason.Queued, 'waiting for a free slot');
    return 'accepted';
  }

  /**
   * Stops a held task with reason Cancelled. Returns false when the attempt already finished;
   * throws TaskRejectedError NOT_FOUND when it is neither held nor remembered.
   */
  cancel(ref: TaskRef): boolean {
    const k = key(ref);
    const queued = this.queue.get(k);
    if (queued !== undefined) {
      this.queue.delete(k);
      this.finishUnstarted(queued, TaskReason.Cancelled, 'cancelled while waiting');
      return true;
    }
    const entry = this.running.get(k);
    if (entry !== undefined) {
      this.stopEntry(entry, TaskReason.Cancelled);
      return true;
    }
    if (this.finished.has(k)) return false;
    throw new TaskRejectedError(
      ErrorCode.NotFound,
      `task ${ref.uid} attempt ${ref.attempt} is not held by this agent`,
    );
  }

  /** Every attempt waiting or running. */
  held(): TaskRef[] {
    return [...this.running.values(), ...this.queue.values()].map((e) => ({
      uid: e.task.uid,
      attempt: e.task.attempt,
    }));
  }

  free(): FreeRoom {
    const o = this.options;
    return {
      slots: Math.max(0, o.slots - this.running.size),
      cpuMillis: Math.max(0, o.cpuMillis - this.usedCpu),
      memoryBytes: Math.max(0, o.memoryBytes - this.usedMemory),
      queued: this.queue.size,
    };
  }

  /**
   * Stops taking work, fails waiting tasks with AgentShutdown at once, lets running ones finish
   * within `graceMs`, then stops the rest with reason AgentShutdown. Resolves when none is left.
   */
  async drain(graceMs: number): Promise<void> {
    this.draining = true;
    const waiting = [...this.queue.values()];
    this.queue.clear();
    for (const entry of waiting) {
      this.finishUnstarted(
        entry,
        TaskReason.AgentShutdown,
        'agent shut down before the task started',
      );
    }
    const timer = setTimeout(() => {
      for (const entry of this.running.values()) this.stopEntry(entry, TaskReason.AgentShutdown);
    }, graceMs);
    await this.whenIdle();
    clearTimeout(timer);
    await this.launcher.close();
  }

  private whenIdle(): Promise<void> {
    if (this.running.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private fits(task: RunTask): boolean {
    const o = this.options;
    if (this.running.size >= o.slots) return false;
    if (o.cpuMillis > 0 && this.usedCpu + task.cpuMillis > o.cpuMillis) return false;
    return !(o.memoryBytes > 0 && this.usedMemory + task.memoryBytes > o.memoryBytes);
  }

  private stopEntry(entry: Entry, reason: TaskReason): void {
    if (entry.handle) entry.handle.stop(reason);
    else entry.pendingStop ??= reason;
  }

  /**
   * Takes a slot now but launches later: the acknowledgement of the RUNTASK that led here is
   * handed to the socket first, and a burst of RUNTASKs read in one turn gets all its
   * acknowledgements before any of its processes is started.
   */
  private start(entry: Entry): void {
    const { task } = entry;
    this.running.set(key(task), entry);
    this.usedCpu += task.cpuMillis;
    this.usedMemory += task.memoryBytes;
    this.toLaunch.push(entry);
    if (this.toLaunch.length === 1) {
      setImmediate(() => {
        this.launchAdmitted();
      });
    }
  }

  private launchAdmitted(): void {
    const batch = this.toLaunch;
    this.toLaunch = [];
    for (const entry of batch) this.launch(entry);
  }

  private launch(entry: Entry): void {
    const { task } = entry;
    void this.launcher.start(task, this.options.executor ?? {}).then(
      (handle) => {
        this.supervise(entry, handle);
      },
      (err: unknown) => {
        this.options.logger.error({ err, uid: task.uid }, 'task start failed unexpectedly');
        this.settle(entry, failure(TaskReason.StartFailed, String(err)));
      },
    );
  }

  private supervise(entry: Entry, handle: RunningTask): void {
    entry.handle = handle;
    if (handle.pid !== undefined) {
      entry.startTimeMs = Date.now();
      this.report(entry, 'RUNNING', TaskReason.Started, '');
    }
    if (entry.pendingStop !== undefined) handle.stop(entry.pendingStop);
    void handle.done.then((result) => {
      this.settle(entry, result);
    });
  }

  private settle(entry: Entry, result: ExecResult): void {
    const { task } = entry;
    const k = key(task);
    this.running.delete(k);
    this.usedCpu -= task.cpuMillis;
    this.usedMemory -= task.memoryBytes;
    this.remember(k);
    this.report(entry, result.ok ? 'COMPLETE' : 'FAILED', result.reason, result.message, result);
    this.options.logger.info(
      { uid: task.uid, attempt: task.attempt, reason: result.reason, exitCode: result.exitCode },
      'task finished',
    );
    this.pump();
    if (this.running.size === 0) {
      for (const resolve of this.idle) resolve();
      this.idle.clear();
    }
  }

  private pump(): void {
    while (!this.draining) {
      const next = this.queue.entries().next();
      if (next.done === true) return;
      const [k, head] = next.value;
      if (!this.fits(head.task)) return;
      this.queue.delete(k);
      this.start(head);
    }
  }

  private finishUnstarted(entry: Entry, reason: TaskReason, message: string): void {
    this.remember(key(entry.task));
    this.report(entry, 'FAILED', reason, message, failure(reason, message));
  }

  private remember(k: string): void {
    this.finished.add(k);
    const limit = this.options.rememberFinished ?? 4096;
    // A Set iterates in insertion order, so the first key is the oldest.
    for (const old of this.finished) {
      if (this.finished.size <= limit) break;
      this.finished.delete(old);
    }
  }

  private report(
    entry: Entry,
    state: TaskState,
    reason: TaskReason,
    message: string,
    result?: ExecResult,
  ): void {
    entry.seq += 1;
    this.options.onReport({
      uid: entry.task.uid,
      attempt: entry.task.attempt,
      seq: entry.seq,
      state,
      reason,
      message,
      exitCode: result?.exitCode ?? null,
      signal: result?.signal ?? null,
      startTimeMs: entry.startTimeMs,
      endTimeMs: result ? Date.now() : null,
      output: result?.output ?? '',
      outputTruncated: result?.outputTruncated ?? false,
    });
  }
}

function failure(reason: TaskReason, message: string): ExecResult {
  return {
    ok: false,
    reason,
    message,
    exitCode: null,
    signal: null,
    output: '',
    outputTruncated: false,
  };
}

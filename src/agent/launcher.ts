import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
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

/** Starts task processes; `start` never rejects (a failure to start is a StartFailed result). */
export interface Launcher {
  start(task: RunTask, options: ExecutorOptions): Promise<RunningTask>;
  /** Stops the launch machinery; tasks still held are not waited for. */
  close(): Promise<void>;
}

/** Spawns on the calling thread: simple, but blocks its event loop for each spawn. */
export class InlineLauncher implements Launcher {
  start(task: RunTask, options: ExecutorOptions): Promise<RunningTask> {
    return startTask(task, options);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface InFlight {
  pid?: number;
  readonly started: (pid: number | undefined) => void;
  readonly finished: (result: ExecResult) => void;
}

const THREAD_ENTRY = new URL('./launch-thread.js', import.meta.url);

/**
 * True when the compiled launch thread is next to this module. Running from the TypeScript
 * sources (as the test runner does) there is none, and a worker cannot load TypeScript.
 */
export function threadLauncherAvailable(): boolean {
  return THREAD_ENTRY.protocol === 'file:' && existsSync(fileURLToPath(THREAD_ENTRY));
}

/**
 * Spawns and supervises task processes on one worker thread, so the caller's event loop never
 * blocks in fork and exec. The thread is started on first use and is kept referenced only while
 * tasks are in flight. If it dies, every task it held ends as StartFailed, and the next task
 * starts a new one.
 */
export class ThreadLauncher implements Launcher {
  private worker?: Worker;
  private nextId = 1;
  private readonly inFlight = new Map<number, InFlight>();

  constructor(private readonly logger: Logger) {}

  start(task: RunTask, options: ExecutorOptions): Promise<RunningTask> {
    const id = this.nextId++;
    const worker = this.ensureWorker();
    const stop = (reason: TaskReason): void => {
      this.post(worker, { kind: 'stop', id, reason });
    };
    return new Promise<RunningTask>((resolve) => {
      let finish: (result: ExecResult) => void = () => undefined;
      const done = new Promise<ExecResult>((r) => {
        finish = r;
      });
      this.inFlight.set(id, {
        started: (pid) => {
          resolve({ pid, done, stop });
        },
        finished: (result) => {
          finish(result);
        },
      });
      if (this.inFlight.size === 1) worker.ref();
      this.post(worker, { kind: 'start', id, task, options });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
    this.failAll('launch thread closed');
  }

  private post(worker: Worker, command: LaunchCommand): void {
    worker.postMessage(command);
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(THREAD_ENTRY);
    worker.unref();
    worker.on('message', (event: LaunchEvent) => {
      this.onEvent(worker, event);
    });
    worker.on('error', (err) => {
      this.logger.error({ err }, 'launch thread failed');
    });
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      if (this.inFlight.size > 0) {
        this.logger.error({ code, held: this.inFlight.size }, 'launch thread exited with tasks');
        this.failAll(`launch thread exited with code ${code}`);
      }
    });
    this.worker = worker;
    return worker;
  }

  private onEvent(worker: Worker, event: LaunchEvent): void {
    const entry = this.inFlight.get(event.id);
    if (entry === undefined) return;
    if (event.kind === 'started') {
      entry.pid = event.pid;
      entry.started(event.pid);
      return;
    }
    this.inFlight.delete(event.id);
    if (this.inFlight.size === 0) worker.unref();
    entry.finished(event.result);
  }

  private failAll(message: string): void {
    for (const entry of this.inFlight.values()) {
      // Nobody supervises these processes any more; a task must not outlive its report.
      if (entry.pid !== undefined) killGroup(entry.pid);
      entry.started(undefined); // no effect on a task already started
      entry.finished(startFailedResult(message));
    }
    this.inFlight.clear();
  }
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: already gone.
  }
}

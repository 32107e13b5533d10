import type { Logger } from 'pino';
import type { Task } from '../api/index.js';
import type { Router } from '../router/index.js';
import type { AgentDirectory } from './agent-directory.js';
import type { EventRecorder, StatusWriter, TaskFinalizers, TaskInformer } from './kube/index.js';
import type { PendingQueue } from './pending-queue.js';
import type { TaskRecord } from './task-record.js';
import type { WorkQueue } from './workqueue.js';

/** Where the engine reports what it does; the metrics module implements it. */
export interface EngineMetrics {
  reconciled(result: 'success' | 'error' | 'requeue', seconds: number): void;
  dispatched(latencySeconds: number): void;
  dispatchFailed(reason: string): void;
  retried(): void;
  finished(phase: string, reason: string, runSeconds: number | undefined): void;
  queueWait(seconds: number): void;
}

/** Timing knobs of the engine, all in milliseconds. */
export interface EngineTimings {
  /** After becoming leader, wait this long for agents to re-register before dispatching. */
  readonly settleMs: number;
  /** Deadline of one RUNTASK or CANCEL. */
  readonly dispatchTimeoutMs: number;
  /** After an unanswered RUNTASK, how long an agent's held lists must omit it to count as lost. */
  readonly inDoubtGraceMs: number;
  /** How long a deleted Task waits for its agent to confirm the cancel. */
  readonly cancelTimeoutMs: number;
  /** First retry delay; doubles per attempt. */
  readonly retryBaseMs: number;
  /** Cap of the retry delay. */
  readonly retryMaxMs: number;
  /** How long an in-between state (dispatched, Waiting, Running) waits to be merged with the next. */
  readonly statusCoalesceMs: number;
}

/** The state and parts the engine's pieces share. */
export interface EngineContext {
  readonly logger: Logger;
  readonly informer: TaskInformer;
  readonly statusWriter: StatusWriter;
  readonly finalizers: TaskFinalizers;
  readonly events: EventRecorder;
  readonly router: Router;
  readonly directory: AgentDirectory;
  readonly queue: WorkQueue;
  readonly pending: PendingQueue;
  readonly records: Map<string, TaskRecord>;
  readonly timings: EngineTimings;
  readonly metrics: EngineMetrics;
  /** Monotonic clock in ms. */
  readonly now: () => number;
  /** True while this replica may dispatch and write. */
  canAct(): boolean;
  /** Asks for a scheduling pass soon (coalesced). */
  scheduleSoon(): void;
  /** The Task for a key from the informer cache. */
  task(key: string): Task | undefined;
  /** Deletes a finished Task whose TTL ran out. */
  deleteTask(task: Task): Promise<void>;
}

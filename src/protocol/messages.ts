import { Reasons } from '../api/reasons.js';
import type { ErrorCode } from './errors.js';

/**
 * The message model of the agent protocol. Every field of every message travels in its own
 * ZeroMQ frame; docs/protocol.md gives the frame-by-frame layout.
 */

/** Sent as frame 0 of every multi-frame message, request or reply. */
export const PROTOCOL_VERSION = 'TR1';

/** Verbs served by agents. */
export const AgentVerb = { RunTask: 'RUNTASK', Cancel: 'CANCEL', Ping: 'PING' } as const;

/** Verbs served by the principal (the controller's server). */
export const PrincipalVerb = {
  Register: 'REGISTER',
  Heartbeat: 'HEARTBEAT',
  Status: 'STATUS',
} as const;

export type AgentVerb = (typeof AgentVerb)[keyof typeof AgentVerb];
export type PrincipalVerb = (typeof PrincipalVerb)[keyof typeof PrincipalVerb];
export type Verb = AgentVerb | PrincipalVerb;

/** How a command is started: argv with no shell, or a script given to `sh -c`. */
export type Executor = 'PROCESS' | 'SHELL';
export const EXECUTORS: readonly Executor[] = ['PROCESS', 'SHELL'];

/** Task states an agent reports. */
export type TaskState = 'WAITING' | 'RUNNING' | 'COMPLETE' | 'FAILED';
export const TASK_STATES: readonly TaskState[] = ['WAITING', 'RUNNING', 'COMPLETE', 'FAILED'];

/** Reasons an agent puts on reports: the subset of the Task status reasons an agent can know. */
export const TaskReason = {
  Queued: Reasons.Queued,
  Started: Reasons.Started,
  Completed: Reasons.Completed,
  ExitCode: Reasons.ExitCode,
  Signal: Reasons.Signal,
  Timeout: Reasons.Timeout,
  Cancelled: Reasons.Cancelled,
  StartFailed: Reasons.StartFailed,
  AgentShutdown: Reasons.AgentShutdown,
} as const;
export type TaskReason = (typeof TaskReason)[keyof typeof TaskReason];

/**
 * Longest RUNTASK timeout, in milliseconds (about 24.8 days). Node's timers hold a signed 32-bit
 * delay and fire after 1 ms for anything larger, which would kill the task at once.
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/** An environment variable name a task may set: a C identifier. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The identity of one attempt of one task. */
export interface TaskRef {
  readonly uid: string;
  /** Attempt number, 0-based for the first attempt; a retry is a new attempt. */
  readonly attempt: number;
}

/** One environment variable; a list keeps order and lets the sender repeat a name. */
export interface EnvVar {
  readonly name: string;
  readonly value: string;
}

export interface RunTask extends TaskRef {
  readonly verb: 'RUNTASK';
  readonly executor: Executor;
  /** Program (PROCESS) or script (SHELL). */
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly EnvVar[];
  /** Empty means the agent's own working directory. */
  readonly workingDir: string;
  /** Per attempt, in milliseconds; 0 means no timeout; at most MAX_TIMEOUT_MS. */
  readonly timeoutMs: number;
  /** CPU the task needs, in millicores; 0 means no claim. */
  readonly cpuMillis: number;
  /** Memory the task needs, in bytes; 0 means no claim. */
  readonly memoryBytes: number;
}

/**
 * A RUNTASK with what is not given at its default, as the pipe form sends it: first attempt,
 * PROCESS, no args, env, working directory, timeout or resource claim.
 */
export function runTaskWith(
  fields: Partial<Omit<RunTask, 'verb'>> & Pick<RunTask, 'uid' | 'command'>,
): RunTask {
  return {
    verb: 'RUNTASK',
    attempt: 0,
    executor: 'PROCESS',
    args: [],
    env: [],
    workingDir: '',
    timeoutMs: 0,
    cpuMillis: 0,
    memoryBytes: 0,
    ...fields,
  };
}

export interface Cancel extends TaskRef {
  readonly verb: 'CANCEL';
}

export interface Ping {
  readonly verb: 'PING';
}

/** What an agent offers in total. */
export interface Capacity {
  readonly slots: number;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  /** How many tasks may wait for a slot. */
  readonly queueLength: number;
}

export interface Register {
  readonly verb: 'REGISTER';
  readonly instanceId: string;
  /** Where the principal reaches the agent server, e.g. `tcp://10.0.0.7:5701`. */
  readonly endpoint: string;
  readonly capacity: Capacity;
  readonly executors: readonly Executor[];
  readonly labels: Readonly<Record<string, string>>;
  /** Every task the agent holds (waiting or running). */
  readonly held: readonly TaskRef[];
}

export interface Heartbeat {
  readonly verb: 'HEARTBEAT';
  readonly instanceId: string;
  readonly freeSlots: number;
  readonly freeCpuMillis: number;
  readonly freeMemoryBytes: number;
  /** Tasks waiting for a slot. */
  readonly queued: number;
  readonly held: readonly TaskRef[];
}

export interface StatusReport extends TaskRef {
  readonly verb: 'STATUS';
  readonly instanceId: string;
  /** Increases by one per report of this task attempt, so the principal can drop stale ones. */
  readonly seq: number;
  readonly state: TaskState;
  readonly reason: TaskReason;
  readonly message: string;
  /** Present once the process ended by exit. */
  readonly exitCode: number | null;
  /** Signal name (e.g. `SIGKILL`) when the process ended by a signal. */
  readonly signal: string | null;
  /** Milliseconds since the epoch; null until started. */
  readonly startTimeMs: number | null;
  /** Milliseconds since the epoch; null until finished. */
  readonly endTimeMs: number | null;
  /** The last bytes of stdout and stderr, interleaved in arrival order, as UTF-8 text. */
  readonly output: string;
  readonly outputTruncated: boolean;
}

export type AgentRequest = RunTask | Cancel | Ping;
export type PrincipalRequest = Register | Heartbeat | StatusReport;
export type Request = AgentRequest | PrincipalRequest;

export interface OkReply {
  readonly kind: 'OK';
  /** Verb-specific values; see docs/protocol.md. */
  readonly fields: readonly string[];
}

export interface ErrorReply {
  readonly kind: 'ERROR';
  readonly code: ErrorCode;
  /** Human text naming the frame or field at fault. */
  readonly message: string;
  /** Code-specific: the leader endpoint for REDIRECT, else empty. */
  readonly detail: string;
}

export type Reply = OkReply | ErrorReply;

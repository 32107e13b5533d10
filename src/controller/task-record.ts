import type { StatusReport } from '../protocol/messages.js';
import type { Task } from '../api/index.js';
import type { Reservation } from '../router/index.js';

/**
 * What the controller knows about one Task beyond what its status already says: the attempt in
 * flight, where it went and the latest report for it. Status is derived from this record and the
 * stored status (see `status-model.ts`), so a restarted controller that rebuilds records from
 * statuses and agents' held lists arrives at the same place.
 */

/**
 * The latest report of one attempt: a STATUS message less its addressing, with the reason in
 * the Task status's spelling (see report.ts).
 */
export type AttemptReport = Omit<
  StatusReport,
  'verb' | 'uid' | 'attempt' | 'instanceId' | 'reason'
> & {
  readonly reason: string;
};

/** Where the current attempt stands from the controller's side. */
export type AttemptStage =
  /** RUNTASK sent, no answer yet. */
  | 'dispatching'
  /** RUNTASK timed out: the agent may or may not hold it; its next heartbeats tell. */
  | 'inDoubt'
  /** The agent accepted it (or listed it as held). */
  | 'onAgent'
  /** The attempt ended (a terminal report, or the agent was lost). */
  | 'ended';

/** One attempt: its 0-based index, its agent and what we last heard. */
export interface Attempt {
  readonly index: number;
  readonly agentId: string;
  stage: AttemptStage;
  report?: AttemptReport;
  /** Monotonic ms when RUNTASK was sent or the attempt was adopted. */
  readonly sinceMs: number;
  /** The agent took it at some point (accepted, listed it as held, or reported on it). */
  accepted?: boolean;
  /** Monotonic ms since when the attempt is in doubt; `sinceMs` when absent. */
  doubtSinceMs?: number;
}

/** A STATUS request waiting to be answered until its report (attempt, seq) is stored. */
export interface AckWaiter {
  readonly attempt: number;
  readonly seq: number;
  readonly resolve: () => void;
}

/** Why a Task waits for an agent, when it does. */
export interface Unschedulable {
  readonly reason: string;
  readonly message: string;
}

/** Everything the controller tracks for one Task, keyed by uid. */
export interface TaskRecord {
  readonly uid: string;
  /** `namespace/name`. */
  readonly key: string;
  current?: Attempt;
  /** Index the next dispatch uses; starts at 0. */
  nextAttempt: number;
  /** Set when the current attempt failed and another one follows after backoff. */
  retryAtMs?: number;
  unschedulable?: Unschedulable;
  /**
   * The Task as our last status write left it, and the resourceVersion that write replaced: until
   * the watch brings the new copy, the cache still holds the replaced one, and reconciling from it
   * would only earn a 409.
   */
  written?: { readonly basisVersion: string; readonly task: Task };
  /** Monotonic ms of the current attempt's last change (accepted by the agent, or a report). */
  changedAtMs?: number;
  /** Room taken on the agent for the current attempt, given back when it ends. */
  reservation?: Reservation;
  /** STATUS requests waiting for their report to be stored (see acks.ts). */
  ackWaiters?: AckWaiter[];
  /** Set once the Task's final phase has been counted in the metrics and events. */
  finishNoted?: boolean;
  /** Monotonic ms when CANCEL was first sent, for the finalizer's bounded wait. */
  cancelSentAtMs?: number;
}

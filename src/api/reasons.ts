/**
 * CamelCase reasons for `status.reason` and condition reasons. Tests and dashboards match on these,
 * so they never change once released.
 */
export const Reasons = {
  /** Waiting for the controller to route it. */
  Created: 'Created',
  /** Sent to an agent, which accepted it. */
  Dispatched: 'Dispatched',
  /** Queued on an agent whose slots are busy. */
  Queued: 'Queued',
  /** The process is running on the agent. */
  Started: 'Started',
  /** The process exited 0. */
  Completed: 'Completed',
  /** The process exited with a code other than 0. */
  ExitCode: 'ExitCode',
  /** The process was killed by a signal it did not ask for. */
  Signal: 'Signal',
  /** The attempt ran past `timeoutSeconds` and was killed. */
  Timeout: 'Timeout',
  /** The agent stopped heartbeating while it held the Task. */
  AgentLost: 'AgentLost',
  /** The agent shut down while it held the Task. */
  AgentShutdown: 'AgentShutdown',
  /** The Task was deleted while in flight and its process was killed. */
  Cancelled: 'Cancelled',
  /** Cancellation gave up because the agent could not be reached in time. */
  CancelTimedOut: 'CancelTimedOut',
  /** No live agent has the labels, executor or capacity the Task asks for. */
  NoMatchingAgent: 'NoMatchingAgent',
  /** Agents fit, but every slot and queue is full. */
  NoCapacity: 'NoCapacity',
  /** Sending the Task to the agent failed. */
  DispatchFailed: 'DispatchFailed',
  /** The agent could not start the process (no such program, bad working directory). */
  StartFailed: 'StartFailed',
  /** A failed attempt is being retried after backoff. */
  Retrying: 'Retrying',
  /** Retries are used up. */
  RetriesExhausted: 'RetriesExhausted',
  /** The spec cannot run as written (e.g. a bad resource quantity). */
  InvalidSpec: 'InvalidSpec',
} as const;

/** One of `Reasons`. */
export type Reason = (typeof Reasons)[keyof typeof Reasons];

/**
 * Failures after which another attempt may succeed, so `retries` applies. A non-zero exit or a
 * signal counts, as a Job's backoffLimit does; a cancellation or a spec that cannot run does not.
 */
export const RETRYABLE_REASONS: ReadonlySet<string> = new Set<string>([
  Reasons.ExitCode,
  Reasons.Signal,
  Reasons.AgentLost,
  Reasons.AgentShutdown,
  Reasons.DispatchFailed,
  Reasons.Timeout,
]);

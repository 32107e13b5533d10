/**
 * Label values allowed on our metrics. Every label comes from a fixed set, so a series never
 * grows with the number of Tasks; anything outside a set is counted as `Other`.
 */

/** The value counted for anything outside a label's set. */
export const OTHER = 'Other';

/** Task phases (`taskrouter_tasks`, `taskrouter_task_transitions_total`). */
export const TASK_PHASES = ['Pending', 'Waiting', 'Running', 'Complete', 'Failed', OTHER] as const;

/** Task status reasons (`taskrouter_task_transitions_total`). */
export const TASK_REASONS = [
  'Dispatched',
  'Started',
  'Completed',
  'ExitCode',
  'Signal',
  'Timeout',
  'AgentLost',
  'Cancelled',
  'NoMatchingAgent',
  'NoCapacity',
  'DispatchFailed',
  'Retrying',
  OTHER,
] as const;

/** Why a dispatch failed (`taskrouter_dispatch_failures_total`). */
export const DISPATCH_FAILURE_REASONS = [
  'Timeout',
  'AgentUnavailable',
  'Refused',
  'NoRoom',
  'ProtocolError',
  OTHER,
] as const;

/** Agent states (`taskrouter_agents`). Ready: has room; Full: no slot or queue place left. */
export const AGENT_STATES = ['Ready', 'Full', OTHER] as const;

/** Reconcile outcomes (`controller_runtime_reconcile_total`), as controller-runtime names them. */
export const RECONCILE_RESULTS = ['success', 'error', 'requeue', 'requeue_after'] as const;

/** `value` when it is in `allowed`, else `fallback` (default `Other`). */
export function bounded<T extends string>(
  value: string,
  allowed: readonly T[],
  fallback: T = OTHER as T,
): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

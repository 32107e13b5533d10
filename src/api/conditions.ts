import type { Condition, ConditionStatus } from './types.js';

/** Condition types a Task carries. */
export const ConditionTypes = {
  /** Unknown while in flight, then True (Complete) or False (Failed). */
  Succeeded: 'Succeeded',
  /** True once an agent accepted the current attempt. */
  Dispatched: 'Dispatched',
} as const;

/** One of `ConditionTypes`. */
export type ConditionType = (typeof ConditionTypes)[keyof typeof ConditionTypes];

/** What a caller sets; `lastTransitionTime` is managed by `setCondition`. */
export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  reason: string;
  message?: string;
  observedGeneration?: number;
}

/** A Kubernetes timestamp: RFC 3339 in UTC with seconds precision, as `metav1.Time` stores it. */
export function formatTime(t: Date): string {
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The condition of type `type`, if present. */
export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/**
 * Sets a condition in place. `lastTransitionTime` moves to `now` only when the status changes (or
 * the condition is new), so repeated writes of the same state do not churn the object.
 * @returns whether anything in `conditions` changed, i.e. whether a status write is needed
 */
export function setCondition(conditions: Condition[], update: ConditionUpdate, now: Date): boolean {
  const message = update.message ?? '';
  const existing = conditions.find((c) => c.type === update.type);
  if (!existing) {
    const added: Condition = {
      type: update.type,
      status: update.status,
      reason: update.reason,
      message,
      lastTransitionTime: formatTime(now),
    };
    if (update.observedGeneration !== undefined) {
      added.observedGeneration = update.observedGeneration;
    }
    conditions.push(added);
    return true;
  }
  let changed = false;
  if (existing.status !== update.status) {
    existing.status = update.status;
    existing.lastTransitionTime = formatTime(now);
    changed = true;
  }
  if (existing.reason !== update.reason) {
    existing.reason = update.reason;
    changed = true;
  }
  if (existing.message !== message) {
    existing.message = message;
    changed = true;
  }
  if (
    update.observedGeneration !== undefined &&
    existing.observedGeneration !== update.observedGeneration
  ) {
    existing.observedGeneration = update.observedGeneration;
    changed = true;
  }
  return changed;
}

/** Whether the condition of type `type` is present with status True. */
export function isConditionTrue(
  conditions: readonly Condition[] | undefined,
  type: string,
): boolean {
  return findCondition(conditions, type)?.status === 'True';
}

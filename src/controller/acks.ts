import type { AckWaiter, TaskRecord } from './task-record.js';

/**
 * Final STATUS reports (COMPLETE, FAILED) are acknowledged only once what they say is stored in
 * the Task's status (or is moot: the Task is gone or already final), so a controller that dies
 * between receiving such a report and writing it loses nothing: the agent sends the report again
 * to the next leader.
 */

/** Resolves when the report (attempt, seq) of this record has been written or made moot. */
export function waitForAck(record: TaskRecord, attempt: number, seq: number): Promise<void> {
  return new Promise((resolve) => {
    (record.ackWaiters ??= []).push({ attempt, seq, resolve });
  });
}

/**
 * Releases waiters after a reconcile: `reported` releases those whose report the record's
 * current attempt has taken in (its seq or an older one, or an older attempt); `all` releases
 * everyone (the Task is final, deleted or gone).
 */
export function settleAcks(record: TaskRecord, which: 'reported' | 'all'): void {
  const list = record.ackWaiters;
  if (list === undefined) return;
  const current = record.current;
  const keep: AckWaiter[] = [];
  for (const waiter of list) {
    const covered =
      which === 'all' ||
      current === undefined ||
      waiter.attempt < current.index ||
      (waiter.attempt === current.index && waiter.seq <= (current.report?.seq ?? -1));
    if (covered) waiter.resolve();
    else keep.push(waiter);
  }
  if (keep.length === 0) delete record.ackWaiters;
  else record.ackWaiters = keep;
}

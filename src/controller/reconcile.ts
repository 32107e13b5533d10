import { CANCEL_FINALIZER, isTerminal, Reasons } from '../api/index.js';
import type { Task } from '../api/index.js';
import { taskDemand } from '../router/index.js';
import { EventReason, jsonEqual } from './kube/index.js';
import type { EngineContext } from './engine-types.js';
import { settleAcks } from './acks.js';
import { sendCancel } from './dispatcher.js';
import { syntheticFailure } from './report.js';
import { nextStatus, shouldRetry } from './status-model.js';
import type { TaskRecord } from './task-record.js';

/**
 * Reconcile contract: resolves to a requeue delay in ms (or undefined), throws to be retried
 * with backoff. Idempotent: a replay of an unchanged object sends nothing and writes nothing.
 */
export async function reconcile(ctx: EngineContext, key: string): Promise<number | undefined> {
  let task = ctx.task(key);
  if (task === undefined) {
    forget(ctx, key);
    return undefined;
  }
  if (!ctx.canAct()) return undefined;
  const record = recordFor(ctx, task);
  if (record.written !== undefined) {
    if (record.written.basisVersion === task.metadata.resourceVersion) {
      task = record.written.task; // the cache has not caught up with our own write yet
    } else {
      delete record.written;
    }
  }

  if (task.metadata.deletionTimestamp !== undefined) return finishDeletion(ctx, task, record);

  if (isTerminal(task.status?.phase)) {
    ctx.pending.remove(key);
    settleAcks(record, 'all');
    return ttlDelay(ctx, task);
  }

  let current: Task = task;
  if (!(task.metadata.finalizers ?? []).includes(CANCEL_FINALIZER)) {
    // Routing does not wait for the finalizer: a Task deleted before it lands is cancelled
    // through the delete event instead (see forget).
    planNext(ctx, task, record);
    const updated = await ctx.finalizers.ensure(task);
    if (updated === undefined) return undefined; // gone meanwhile
    current = updated as Task;
  }

  const hold = coalesceDelay(ctx, current, record);
  if (hold !== undefined) return hold;
  const written = await writeStatus(ctx, current, record);
  settleAcks(record, 'reported');
  if (written === undefined || isTerminal(written.status?.phase)) {
    if (written !== undefined) noteFinished(ctx, written);
    return written === undefined ? undefined : ttlDelay(ctx, written);
  }
  return planNext(ctx, written, record);
}

/**
 * A short Task goes from dispatched through Running to Complete within milliseconds; writing each
 * step would triple the writes. While an attempt changed less than `statusCoalesceMs` ago and has
 * not ended, its in-between state waits (returns the delay), so the common path writes about
 * twice: once running, once final. Final states are written at once.
 */
function coalesceDelay(ctx: EngineContext, task: Task, record: TaskRecord): number | undefined {
  const attempt = record.current;
  if (attempt === undefined || attempt.stage === 'ended' || record.changedAtMs === undefined) {
    return undefined;
  }
  const wait = record.changedAtMs + ctx.timings.statusCoalesceMs - ctx.now();
  if (wait <= 0 || task.metadata.deletionTimestamp !== undefined) return undefined;
  return wait;
}

/** Writes the derived status when it differs; returns the Task as it now stands. */
async function writeStatus(
  ctx: EngineContext,
  task: Task,
  record: TaskRecord,
): Promise<Task | undefined> {
  const desired = nextStatus(task, record, new Date());
  if (jsonEqual(desired, task.status ?? {})) return task;
  const result = await ctx.statusWriter.write(task, desired);
  if (result.outcome === 'gone') return undefined;
  const written = result.task as Task;
  if (result.outcome === 'written') {
    record.written = { basisVersion: task.metadata.resourceVersion ?? '', task: written };
  }
  return written;
}

/** Queues a Task for dispatch, or asks to be called again when its retry is due. */
function planNext(ctx: EngineContext, task: Task, record: TaskRecord): number | undefined {
  const attempt = record.current;
  // In flight, or ended without a retry planned (its final status is on its way: a report may
  // land while this reconcile was writing an older state).
  if (attempt !== undefined && (attempt.stage !== 'ended' || record.retryAtMs === undefined)) {
    return undefined;
  }
  if (record.retryAtMs !== undefined) {
    const wait = record.retryAtMs - ctx.now();
    if (wait > 0) return wait;
  }
  try {
    taskDemand(task.spec);
  } catch (err) {
    // A spec the API accepted but the router cannot use (a quantity out of range): fail it.
    failInvalidSpec(ctx, record, err);
    return undefined;
  }
  ctx.pending.upsert({
    key: record.key,
    priority: task.spec.priority ?? 0,
    createdAtMs: Date.parse(task.metadata.creationTimestamp ?? '') || 0,
  });
  ctx.scheduleSoon();
  return undefined;
}

/** Finds or rebuilds the record of a Task, from its status after a controller restart. */
export function recordFor(ctx: EngineContext, task: Task): TaskRecord {
  const uid = task.metadata.uid ?? '';
  const existing = ctx.records.get(uid);
  if (existing !== undefined) return existing;
  const key = `${task.metadata.namespace ?? ''}/${task.metadata.name ?? ''}`;
  const status = task.status ?? {};
  const attempts = status.attempts ?? 0;
  const record: TaskRecord = { uid, key, nextAttempt: attempts };
  if (
    !isTerminal(status.phase) &&
    status.agent !== undefined &&
    status.agent !== '' &&
    attempts > 0
  ) {
    // Dispatched by an earlier leader: the agent's held lists and reports confirm or deny it.
    record.current = {
      index: attempts - 1,
      agentId: status.agent,
      stage: status.reason === Reasons.Retrying ? 'ended' : 'inDoubt',
      sinceMs: ctx.now(),
    };
    if (status.reason === Reasons.Retrying) record.retryAtMs = ctx.now();
  }
  ctx.records.set(uid, record);
  return record;
}

/** Ends a Task the router cannot take (a number out of range) as InvalidSpec, saying why. */
export function failInvalidSpec(ctx: EngineContext, record: TaskRecord, err: unknown): void {
  record.current = {
    index: record.nextAttempt,
    agentId: '',
    stage: 'ended',
    sinceMs: ctx.now(),
    report: syntheticFailure(Reasons.InvalidSpec, (err as Error).message, Date.now()),
  };
  ctx.queue.add(record.key);
}

/** Marks the current attempt failed as the controller saw it; retries when allowed. */
export function failAttempt(
  ctx: EngineContext,
  record: TaskRecord,
  reason: string,
  message: string,
): void {
  const attempt = record.current;
  if (attempt === undefined || attempt.stage === 'ended') return;
  attempt.stage = 'ended';
  attempt.report = syntheticFailure(reason, message, Date.now());
  ctx.logger.warn(
    { task: record.key, agent: attempt.agentId, attempt: attempt.index, reason },
    'attempt failed',
  );
  if (record.reservation !== undefined) {
    ctx.router.release(record.reservation);
    delete record.reservation;
  }
  const task = ctx.task(record.key);
  if (task !== undefined && shouldRetry(task, attempt.index, reason)) scheduleRetry(ctx, record);
  ctx.queue.add(record.key);
}

/** Sets the time of the next attempt after a retryable failure, with exponential backoff. */
export function scheduleRetry(ctx: EngineContext, record: TaskRecord): void {
  const index = record.current?.index ?? 0;
  const delay = Math.min(ctx.timings.retryMaxMs, ctx.timings.retryBaseMs * 2 ** index);
  record.retryAtMs = ctx.now() + delay;
  record.nextAttempt = index + 1;
  ctx.metrics.retried();
  const task = ctx.task(record.key);
  if (task !== undefined) {
    ctx.events.record(task, {
      type: 'Warning',
      reason: EventReason.Retrying,
      action: 'Retry',
      note: `attempt ${index + 1} failed (${record.current?.report?.reason ?? 'unknown'}); attempt ${index + 2} in ${Math.round(delay / 1000)}s`,
    });
  }
}

async function finishDeletion(
  ctx: EngineContext,
  task: Task,
  record: TaskRecord,
): Promise<number | undefined> {
  ctx.pending.remove(record.key);
  if (!(task.metadata.finalizers ?? []).includes(CANCEL_FINALIZER)) return undefined;
  const attempt = record.current;
  const inFlight =
    attempt !== undefined && attempt.stage !== 'ended' && !isTerminal(task.status?.phase);
  if (inFlight) {
    if (record.cancelSentAtMs === undefined) {
      record.cancelSentAtMs = ctx.now();
      sendCancel(ctx, record);
    }
    const waited = ctx.now() - record.cancelSentAtMs;
    if (waited < ctx.timings.cancelTimeoutMs) return ctx.timings.cancelTimeoutMs - waited;
    // The agent never confirmed: record that, then let the object go rather than strand it.
    attempt.stage = 'ended';
    attempt.report = syntheticFailure(
      Reasons.CancelTimedOut,
      `agent ${attempt.agentId} did not confirm the cancel within ${ctx.timings.cancelTimeoutMs} ms`,
      Date.now(),
    );
  }
  const written = await writeStatus(ctx, task, record).catch(() => task);
  if (written !== undefined && isTerminal(written.status?.phase)) noteFinished(ctx, written);
  settleAcks(record, 'all');
  await ctx.finalizers.remove(written ?? task);
  if (attempt?.report?.reason === Reasons.CancelTimedOut) {
    ctx.events.record(task, {
      type: 'Warning',
      reason: Reasons.CancelTimedOut,
      action: 'Cancel',
      note: attempt.report.message,
    });
  }
  if (attempt?.report?.reason === Reasons.Cancelled) {
    ctx.events.record(task, {
      type: 'Normal',
      reason: EventReason.Cancelled,
      action: 'Cancel',
      note: `process group on agent ${attempt.agentId} killed`,
    });
  }
  return undefined;
}

function ttlDelay(ctx: EngineContext, task: Task): number | undefined {
  const ttl = task.spec.ttlSecondsAfterFinished;
  const done = Date.parse(task.status?.completionTime ?? '');
  if (ttl === undefined || Number.isNaN(done)) return undefined;
  const remaining = done + ttl * 1000 - Date.now();
  if (remaining > 0) return remaining;
  void ctx.deleteTask(task);
  return undefined;
}

function noteFinished(ctx: EngineContext, task: Task): void {
  const record = ctx.records.get(task.metadata.uid ?? '');
  if (record === undefined || record.finishNoted === true) return;
  record.finishNoted = true;
  const status = task.status ?? {};
  // The report's millisecond times, not the status's whole seconds: commands here take ms.
  const report = record.current?.report;
  const run =
    report?.startTimeMs != null && report.endTimeMs != null
      ? (report.endTimeMs - report.startTimeMs) / 1000
      : undefined;
  ctx.metrics.finished(status.phase ?? 'Unknown', status.reason ?? 'Unknown', run);
  if (status.phase === 'Failed' && status.reason !== Reasons.Cancelled) {
    ctx.events.record(task, {
      type: 'Warning',
      reason: status.reason === Reasons.Timeout ? EventReason.TimedOut : EventReason.Failed,
      action: 'Run',
      note: status.message ?? status.reason ?? 'failed',
    });
  }
}

function forget(ctx: EngineContext, key: string): void {
  ctx.pending.remove(key);
  for (const [uid, record] of ctx.records) {
    if (record.key === key) {
      // Deleted without our finalizer (it was not on yet): still stop what runs.
      if (record.current !== undefined && record.current.stage !== 'ended') sendCancel(ctx, record);
      settleAcks(record, 'all');
      ctx.records.delete(uid);
    }
  }
}

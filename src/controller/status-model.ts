import {
  ConditionTypes,
  MAX_MESSAGE_CHARS,
  MAX_OUTPUT_CHARS,
  Phases,
  Reasons,
  RETRYABLE_REASONS,
  canTransition,
  formatTime,
  isTerminal,
  setCondition,
} from '../api/index.js';
import type { Phase, Task, TaskStatus } from '../api/index.js';
import type { Attempt, AttemptReport, TaskRecord } from './task-record.js';

/**
 * Derives the status a Task should have from its stored status and the controller's record.
 * Pure: the same inputs give the same status, so a write happens only when something really
 * changed, and replays of unchanged objects cost nothing.
 */

/** Whether a failed attempt is followed by another one. */
export function shouldRetry(task: Task, failedIndex: number, reason: string): boolean {
  const retries = task.spec.retries ?? 0;
  return RETRYABLE_REASONS.has(reason) && failedIndex < retries;
}

/** The next status, or the stored one unchanged (same object) when terminal. */
export function nextStatus(task: Task, record: TaskRecord | undefined, now: Date): TaskStatus {
  const stored = task.status ?? {};
  if (isTerminal(stored.phase)) return stored;
  const next: TaskStatus = structuredClone(stored);
  next.conditions ??= [];
  const generation = task.metadata.generation;
  const attempt = record?.current;

  if (attempt !== undefined) {
    applyAttempt(task, next, attempt, record?.retryAtMs !== undefined, now);
  } else if (record?.unschedulable !== undefined) {
    next.phase = Phases.Pending;
    next.reason = record.unschedulable.reason;
    next.message = clip(record.unschedulable.message, MAX_MESSAGE_CHARS);
    setCondition(
      next.conditions,
      {
        type: ConditionTypes.Dispatched,
        status: 'False',
        reason: record.unschedulable.reason,
        message: next.message,
        observedGeneration: generation,
      },
      now,
    );
  } else {
    // Nothing to say yet: a Task on its way to an agent gets its first write when it lands
    // there, which keeps the common path to about two writes per Task.
    return stored;
  }

  setSucceeded(next, generation, now);
  if (generation !== undefined) next.observedGeneration = generation;
  if (
    next.phase !== undefined &&
    !canTransition(stored.phase, next.phase, { newAttempt: isNewAttempt(stored, next) })
  ) {
    return stored;
  }
  if (next.conditions.length === 0) delete next.conditions;
  return next;
}

function isNewAttempt(stored: TaskStatus, next: TaskStatus): boolean {
  return (next.attempts ?? 0) > (stored.attempts ?? 0) || next.reason === Reasons.Retrying;
}

function applyAttempt(
  task: Task,
  next: TaskStatus,
  attempt: Attempt,
  retrying: boolean,
  now: Date,
): void {
  const generation = task.metadata.generation;
  const attemptsSoFar = attempt.index + 1;
  if (attemptsSoFar < (next.attempts ?? 0)) return; // an older attempt than the stored one
  const newAttempt = attemptsSoFar > (next.attempts ?? 0);
  next.attempts = attemptsSoFar;
  next.agent = attempt.agentId;
  if (newAttempt) {
    // A new attempt starts clean: nothing of the previous attempt's outcome may linger.
    delete next.startTime;
    delete next.completionTime;
    delete next.exitCode;
    delete next.signal;
    delete next.output;
    delete next.outputTruncated;
    next.phase = Phases.Pending;
    next.reason = Reasons.Dispatched;
    next.message = `attempt ${attemptsSoFar} sent to agent ${attempt.agentId}`;
  }
  setCondition(
    next.conditions ?? [],
    {
      type: ConditionTypes.Dispatched,
      status: 'True',
      reason: Reasons.Dispatched,
      message: `attempt ${attemptsSoFar} on agent ${attempt.agentId}`,
      observedGeneration: generation,
    },
    now,
  );
  if (attempt.report !== undefined) applyReport(next, attempt.report, retrying);
}

function applyReport(next: TaskStatus, report: AttemptReport, retrying: boolean): void {
  const phase = phaseOf(report, retrying);
  next.phase = phase;
  next.reason = retrying ? Reasons.Retrying : report.reason;
  next.message = clip(
    retrying
      ? `attempt ${next.attempts ?? 0} failed (${report.reason}): ${report.message}`
      : report.message,
    MAX_MESSAGE_CHARS,
  );
  if (report.startTimeMs !== null) next.startTime = formatTime(new Date(report.startTimeMs));
  if (report.state === 'COMPLETE' || report.state === 'FAILED') {
    if (!retrying && report.endTimeMs !== null) {
      next.completionTime = formatTime(new Date(report.endTimeMs));
    }
    if (report.exitCode !== null) next.exitCode = report.exitCode;
    else delete next.exitCode;
    if (report.signal !== null) next.signal = report.signal;
    else delete next.signal;
  }
  if (report.output !== '' || report.outputTruncated) {
    const clipped = clipTail(report.output, MAX_OUTPUT_CHARS);
    next.output = clipped;
    next.outputTruncated = report.outputTruncated || clipped.length < report.output.length;
  }
}

function phaseOf(report: AttemptReport, retrying: boolean): Phase {
  switch (report.state) {
    case 'WAITING':
      return Phases.Waiting;
    case 'RUNNING':
      return Phases.Running;
    case 'COMPLETE':
      return Phases.Complete;
    case 'FAILED':
      return retrying ? Phases.Pending : Phases.Failed;
  }
}

function setSucceeded(next: TaskStatus, generation: number | undefined, now: Date): void {
  const phase = next.phase ?? Phases.Pending;
  const status = phase === Phases.Complete ? 'True' : phase === Phases.Failed ? 'False' : 'Unknown';
  setCondition(
    next.conditions ?? [],
    {
      type: ConditionTypes.Succeeded,
      status,
      reason: next.reason ?? Reasons.Created,
      message: next.message ?? '',
      observedGeneration: generation,
    },
    now,
  );
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function clipTail(text: string, max: number): string {
  return text.length <= max ? text : text.slice(text.length - max);
}

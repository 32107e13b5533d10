import type { StatusReport } from '../protocol/index.js';
import type { AttemptReport } from './task-record.js';

/** A STATUS message in the units the Task status uses. */
export function toAttemptReport(msg: StatusReport): AttemptReport {
  const { verb, uid, attempt, instanceId, ...report } = msg;
  return report;
}

/** A failure the controller itself observed for an attempt (agent lost, dispatch failed). */
export function syntheticFailure(reason: string, message: string, nowMs: number): AttemptReport {
  return {
    seq: Number.MAX_SAFE_INTEGER,
    state: 'FAILED',
    reason,
    message,
    exitCode: null,
    signal: null,
    startTimeMs: null,
    endTimeMs: nowMs,
    output: '',
    outputTruncated: false,
  };
}

import { ErrorCode } from '../protocol/index.js';

/** A RUNTASK or CANCEL the Task Manager refuses; `code` is the wire error code to answer with. */
export class TaskRejectedError extends Error {
  override readonly name = 'TaskRejectedError';

  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export function queueFull(queueLength: number): TaskRejectedError {
  return new TaskRejectedError(
    ErrorCode.QueueFull,
    `queue full: all slots busy and ${queueLength} task(s) waiting`,
  );
}
